using System.Text.RegularExpressions;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// The hot path over a text: one case-insensitive keyword pass (<see cref="KeywordIndex"/>) finds the lines
/// worth looking at; on each such line only the rules whose keywords occur there run their
/// patterns, on the line's range of the original string (no per-line string).
/// </summary>
internal sealed class TextScanner
{
    private readonly SecretRule[] _rules;
    private readonly string[][] _keywords;
    private readonly KeywordIndex _anyKeyword;

    public static TextScanner Default { get; } = new(TypedRules.All);

    public TextScanner(IReadOnlyList<SecretRule> rules)
    {
        _rules = [.. rules];
        _keywords = [.. _rules.Select(r => r.Keywords.ToArray())];
        var all = _rules.SelectMany(r => r.Keywords).Concat(GenericAssignments.Keywords)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _anyKeyword = new KeywordIndex(all);
    }

    public IReadOnlyList<SecretRule> Rules => _rules;

    /// <summary>Scans <paramref name="text"/> for typed rules (and generic assignments when asked), adding hits with offsets into the text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="path">The entry path (file-scoped rules and template severity).</param>
    /// <param name="generic">Whether generic key/value assignments are looked for.</param>
    /// <param name="binary">True when the text is a string from a binary: rules without binary support are skipped.</param>
    /// <param name="hits">Where hits go.</param>
    public void Scan(string text, string path, bool generic, bool binary, List<SecretHit> hits)
    {
        var span = text.AsSpan();
        int pos = 0;
        while (pos < span.Length)
        {
            int found = _anyKeyword.IndexOfAny(span[pos..]);
            if (found < 0) break;
            int hit = pos + found;
            int lineStart = hit == 0 ? 0 : span[..hit].LastIndexOfAny('\n', '\r') + 1;
            int lineEnd = span[hit..].IndexOfAny('\n', '\r');
            lineEnd = lineEnd < 0 ? span.Length : hit + lineEnd;
            ScanLine(text, lineStart, lineEnd - lineStart, path, generic, binary, hits);
            pos = lineEnd + 1;
        }
    }

    private void ScanLine(string text, int start, int length, string path, bool generic, bool binary, List<SecretHit> hits)
    {
        var line = text.AsSpan(start, length);
        for (int i = 0; i < _rules.Length; i++)
        {
            var rule = _rules[i];
            if (binary && !rule.InBinaries) continue;
            if (rule.PathFilter is { } filter && !filter(path)) continue;
            if (!ContainsAny(line, _keywords[i])) continue;
            for (var m = rule.Pattern.Match(text, start, length); m.Success; m = m.NextMatch())
                Accept(rule, m, text, start, length, hits);
        }
        if (generic && !binary) GenericAssignments.ScanLine(text, start, length, path, hits);
    }

    private static void Accept(SecretRule rule, Match m, string text, int lineStart, int lineLength, List<SecretHit> hits)
    {
        var group = m.Groups["s"];
        if (!group.Success) group = m.Groups[0];
        var secret = group.Value;
        var line = text.AsSpan(lineStart, lineLength);
        if (rule.Validator is { } validate && !validate(secret, line)) return;
        var key = m.Groups["k"] is { Success: true } k ? k.Value : null;
        var severity = rule.SeverityFor?.Invoke(secret, line) ?? rule.Descriptor.DefaultSeverity;
        hits.Add(new SecretHit(rule.Descriptor, rule.What, rule.Specificity, group.Index, secret, key, severity));
    }

    private static bool ContainsAny(ReadOnlySpan<char> line, string[] keywords)
    {
        foreach (var k in keywords)
            if (line.Contains(k, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
