using System.Globalization;
using System.Text.Json;
using Preflight.Configuration;

namespace Preflight.Findings;

/// <summary>One entry of a suppressions file.</summary>
/// <param name="Index">1-based position in the file.</param>
/// <param name="Fingerprint">Suppresses the finding with this fingerprint; null when by rule.</param>
/// <param name="RuleId">Suppresses findings of this rule (with <paramref name="PathGlob"/>); null when by fingerprint.</param>
/// <param name="PathGlob">Limits a rule suppression to matching paths; null for every path.</param>
/// <param name="Reason">Why: mandatory, shown in reports.</param>
/// <param name="Expires">After this time the entry no longer suppresses anything and the report says so.</param>
public sealed record Suppression(int Index, string? Fingerprint, string? RuleId, string? PathGlob, string Reason, DateTimeOffset? Expires)
{
    /// <summary>A short description for messages: the fingerprint, or the rule and path.</summary>
    public string Describe() => Fingerprint is not null ? $"#{Index} {Fingerprint}" : $"#{Index} {RuleId}{(PathGlob is null ? "" : " " + PathGlob)}";
}

/// <summary>What became of a suppression in this scan.</summary>
/// <param name="Suppression">The entry.</param>
/// <param name="Status"><c>applied</c>, <c>unused</c> (matched nothing: stale) or <c>expired</c>.</param>
/// <param name="Matched">Findings it matched (for an expired entry: the findings that are active again).</param>
public sealed record SuppressionResult(Suppression Suppression, string Status, int Matched);

/// <summary>
/// <c>preflight-suppressions.json</c>: findings accepted on purpose. Suppressed findings stay in the JSON and
/// SARIF reports but do not fail the build; expired and unused entries are reported.
/// </summary>
public sealed class SuppressionSet
{
    /// <summary>The default file name.</summary>
    public const string DefaultFileName = "preflight-suppressions.json";

    private readonly List<(Suppression Entry, PathGlob? Glob)> _entries;

    private SuppressionSet(List<(Suppression, PathGlob?)> entries) => _entries = entries;

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<Suppression> Entries => [.. _entries.Select(e => e.Entry)];

    /// <summary>Reads and validates a suppressions file.</summary>
    /// <exception cref="ConfigurationException">Missing, not JSON, unknown keys, or an entry without a reason.</exception>
    public static SuppressionSet Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new ConfigurationException(path, ["the file does not exist"]);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses suppressions JSON.</summary>
    public static SuppressionSet Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var errors = new List<string>();
        var entries = new List<(Suppression, PathGlob?)>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(sourceName, [$"not valid JSON (line {ex.LineNumber + 1})"]);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) errors.Add("$: expected an object with a \"suppressions\" array");
            else
            {
                foreach (var p in root.EnumerateObject())
                {
                    if (p.Name == "$schema") continue;
                    if (p.Name != "suppressions") { errors.Add($"$.{p.Name}: unknown key"); continue; }
                    if (p.Value.ValueKind != JsonValueKind.Array) { errors.Add("$.suppressions: expected an array"); continue; }
                    int i = 0;
                    foreach (var item in p.Value.EnumerateArray())
                    {
                        var entry = ReadEntry(item, $"$.suppressions[{i}]", i + 1, errors);
                        if (entry is not null) entries.Add((entry, entry.PathGlob is null ? null : new PathGlob([entry.PathGlob])));
                        i++;
                    }
                }
            }
        }
        if (errors.Count > 0) throw new ConfigurationException(sourceName, errors);
        return new SuppressionSet(entries);
    }

    private static Suppression? ReadEntry(JsonElement item, string path, int index, List<string> errors)
    {
        if (item.ValueKind != JsonValueKind.Object) { errors.Add($"{path}: expected an object"); return null; }
        string? fingerprint = null, ruleId = null, glob = null, reason = null;
        DateTimeOffset? expires = null;
        int before = errors.Count;
        foreach (var p in item.EnumerateObject())
        {
            string? s = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            switch (p.Name)
            {
                case "fingerprint":
                    if (s is not null && s.StartsWith("sha256:", StringComparison.Ordinal) && s.Length == 71) fingerprint = s;
                    else errors.Add($"{path}.fingerprint: expected \"sha256:\" and 64 hex digits");
                    break;
                case "ruleId":
                    if (s is not null && Detectors.DetectorRegistry.FindRule(s) is { } rule) ruleId = rule.Id;
                    else errors.Add($"{path}.ruleId: unknown rule id or name");
                    break;
                case "path":
                    if (!string.IsNullOrWhiteSpace(s)) glob = s;
                    else errors.Add($"{path}.path: expected a path glob");
                    break;
                case "reason":
                    if (!string.IsNullOrWhiteSpace(s)) reason = s.Trim();
                    else errors.Add($"{path}.reason: must not be empty");
                    break;
                case "expires":
                    if (s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
                        expires = s.Length == 10 ? date.AddDays(1) : date; // a date expires at the end of that day (UTC)
                    else errors.Add($"{path}.expires: expected a date (2027-01-31) or date-time");
                    break;
                default:
                    errors.Add($"{path}.{p.Name}: unknown key");
                    break;
            }
        }
        if (reason is null && errors.Count == before) errors.Add($"{path}: a reason is mandatory");
        if (fingerprint is null && ruleId is null && errors.Count == before) errors.Add($"{path}: needs a fingerprint, or a ruleId (with an optional path)");
        if (fingerprint is not null && (ruleId is not null || glob is not null)) errors.Add($"{path}: use either a fingerprint or a ruleId with a path, not both");
        if (glob is not null && ruleId is null && fingerprint is null) errors.Add($"{path}: a path needs a ruleId");
        return errors.Count == before ? new Suppression(index, fingerprint, ruleId, glob, reason!, expires) : null;
    }

    /// <summary>
    /// Marks the findings this set suppresses at <paramref name="now"/>. An expired entry suppresses
    /// nothing; the findings it used to cover carry the property <c>suppressionExpired</c>.
    /// </summary>
    public (IReadOnlyList<Finding> Findings, IReadOnlyList<SuppressionResult> Results) Apply(IReadOnlyList<Finding> findings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var matched = new int[_entries.Count];
        var result = new List<Finding>(findings.Count);
        foreach (var finding in findings)
        {
            var current = finding;
            for (int i = 0; i < _entries.Count; i++)
            {
                var (entry, glob) = _entries[i];
                bool hit = entry.Fingerprint is not null
                    ? entry.Fingerprint == finding.Fingerprint
                    : entry.RuleId == finding.RuleId && (glob is null || glob.IsMatch(finding.Location.Path));
                if (!hit) continue;
                matched[i]++;
                if (entry.Expires is { } expires && expires <= now)
                {
                    if (current.Suppressed) continue;
                    var props = new Dictionary<string, string>(current.Properties) { ["suppressionExpired"] = expires.AddTicks(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
                    current = current with { Properties = props };
                    continue;
                }
                if (!current.Suppressed) current = current with { Suppressed = true, SuppressionReason = entry.Reason };
            }
            result.Add(current);
        }
        var results = _entries.Select((e, i) => new SuppressionResult(e.Entry,
            e.Entry.Expires is { } x && x <= now ? "expired" : matched[i] == 0 ? "unused" : "applied", matched[i])).ToList();
        return (result, results);
    }
}
