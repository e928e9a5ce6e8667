using System.Globalization;
using System.Text.Json;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Configuration;

/// <summary>
/// <c>preflight.json</c>: the settings a pipeline keeps with its package. Unknown keys and bad values are
/// errors that name the JSON path of the key; nothing is silently ignored. The schema is
/// <c>schema/preflight.schema.json</c> in the repository and in the package.
/// </summary>
public static class ConfigFile
{
    /// <summary>The file name looked for next to the package.</summary>
    public const string DefaultFileName = "preflight.json";

    /// <summary>The configuration file next to <paramref name="packagePath"/> (in the same folder, or inside it for a folder package), or null.</summary>
    public static string? FindNextTo(string packagePath)
    {
        ArgumentNullException.ThrowIfNull(packagePath);
        var folder = Directory.Exists(packagePath) ? packagePath : Path.GetDirectoryName(Path.GetFullPath(packagePath));
        if (folder is null) return null;
        var candidate = Path.Combine(folder, DefaultFileName);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Reads and validates a configuration file and applies it over <paramref name="options"/>.</summary>
    /// <exception cref="ConfigurationException">The file is missing, not JSON, or has unknown keys or bad values.</exception>
    public static ScanOptions Apply(string path, ScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path)) throw new ConfigurationException(path, ["the file does not exist"]);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, [$"cannot be read ({ex.GetType().Name})"]);
        }
        return Apply(text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", path, options);
    }

    /// <summary>Validates configuration text and applies it over <paramref name="options"/>; relative paths in it resolve against <paramref name="baseFolder"/>.</summary>
    public static ScanOptions Apply(string json, string baseFolder, string sourceName, ScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(options);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(sourceName, [$"not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1})"]);
        }
        using (document)
        {
            var reader = new Reader(baseFolder);
            var result = reader.Read(document.RootElement, options);
            if (reader.Errors.Count > 0) throw new ConfigurationException(sourceName, reader.Errors);
            return result;
        }
    }

    private sealed class Reader(string baseFolder)
    {
        public List<string> Errors { get; } = [];

        public ScanOptions Read(JsonElement root, ScanOptions options)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Errors.Add("$: expected an object");
                return options;
            }
            foreach (var property in root.EnumerateObject())
            {
                string path = "$." + property.Name;
                var value = property.Value;
                switch (property.Name)
                {
                    case "$schema":
                        if (value.ValueKind != JsonValueKind.String) Errors.Add($"{path}: expected a string");
                        break;
                    case "failOn":
                        if (value.ValueKind == JsonValueKind.String && value.GetString() == "none") options = options with { FailOn = null };
                        else if (value.ValueKind == JsonValueKind.String && SeverityNames.TryParse(value.GetString(), out var level)) options = options with { FailOn = level };
                        else Errors.Add($"{path}: expected one of info, low, medium, high, critical, none");
                        break;
                    case "detectors":
                        options = ReadDetectors(value, path, options);
                        break;
                    case "rules":
                        options = ReadRules(value, path, options);
                        break;
                    case "limits":
                        options = options with { Limits = ReadLimits(value, path, options.Limits) };
                        break;
                    case "exclude":
                        if (ReadStrings(value, path) is { } globs) options = options with { Exclude = [.. options.Exclude, .. globs] };
                        break;
                    case "suppressions":
                        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } file)
                            options = options with { SuppressionsFile = Path.GetFullPath(Path.Combine(baseFolder, file)) };
                        else Errors.Add($"{path}: expected the path of a suppressions file");
                        break;
                    case "trust":
                        if (ReadStrings(value, path) is { } bundles)
                            options = options with { TrustedRoots = [.. options.TrustedRoots, .. bundles.Select(b => Path.GetFullPath(Path.Combine(baseFolder, b)))] };
                        break;
                    case "maintenanceWindow":
                        if (value.ValueKind == JsonValueKind.String && MaintenanceWindow.TryParse(value.GetString(), out var window))
                            options = options with { MaintenanceWindow = window };
                        else Errors.Add($"{path}: expected an ISO 8601 interval such as \"2026-11-28T02:00Z/PT1H\"");
                        break;
                    case "postgresVersion":
                        if (Long(value, path, 9, 30) is { } pg) options = options with { PostgresVersion = (int)pg };
                        break;
                    case "endpoints":
                        options = ReadEndpoints(value, path, options);
                        break;
                    case "migrations":
                        options = ReadMigrations(value, path, options);
                        break;
                    case "certificates":
                        options = ReadCertificates(value, path, options);
                        break;
                    default:
                        Errors.Add($"{path}: unknown key");
                        break;
                }
            }
            return options;
        }

        private ScanOptions ReadEndpoints(JsonElement value, string path, ScanOptions options)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{path}: expected an object");
                return options;
            }
            foreach (var p in value.EnumerateObject())
            {
                if (p.Name != "allow") { Errors.Add($"{path}.{p.Name}: unknown key"); continue; }
                if (ReadStrings(p.Value, $"{path}.allow") is { } allow) options = options with { EndpointAllowlist = [.. options.EndpointAllowlist, .. allow] };
            }
            return options;
        }

        private ScanOptions ReadMigrations(JsonElement value, string path, ScanOptions options)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{path}: expected an object");
                return options;
            }
            foreach (var p in value.EnumerateObject())
            {
                if (p.Name != "dialect") { Errors.Add($"{path}.{p.Name}: unknown key"); continue; }
                if (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is "postgresql" or "sqlserver" or "mysql")
                    options = options with { MigrationsDialect = p.Value.GetString() };
                else Errors.Add($"{path}.dialect: expected one of postgresql, sqlserver, mysql");
            }
            return options;
        }

        private ScanOptions ReadCertificates(JsonElement value, string path, ScanOptions options)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{path}: expected an object");
                return options;
            }
            foreach (var p in value.EnumerateObject())
            {
                if (p.Name != "expiryWarningDays") { Errors.Add($"{path}.{p.Name}: unknown key"); continue; }
                if (Long(p.Value, $"{path}.expiryWarningDays", 0, 3650) is { } days) options = options with { ExpiryWarningDays = (int)days };
            }
            return options;
        }

        private ScanOptions ReadDetectors(JsonElement value, string path, ScanOptions options)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{path}: expected an object of detector ids to true/false");
                return options;
            }
            var enabled = new HashSet<string>((IEnumerable<string>?)options.EnabledDetectors ?? DetectorRegistry.DetectorIds, StringComparer.Ordinal);
            foreach (var d in value.EnumerateObject())
            {
                if (!DetectorRegistry.DetectorIds.Contains(d.Name))
                {
                    Errors.Add($"{path}.{d.Name}: unknown detector (known: {string.Join(", ", DetectorRegistry.DetectorIds)})");
                    continue;
                }
                if (d.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    Errors.Add($"{path}.{d.Name}: expected true or false");
                    continue;
                }
                if (d.Value.GetBoolean()) enabled.Add(d.Name);
                else enabled.Remove(d.Name);
            }
            return options with { EnabledDetectors = enabled };
        }

        private ScanOptions ReadRules(JsonElement value, string path, ScanOptions options)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{path}: expected an object of rule ids");
                return options;
            }
            var overrides = new Dictionary<string, Severity>(options.SeverityOverrides, StringComparer.Ordinal);
            var disabled = new HashSet<string>(options.DisabledRules, StringComparer.Ordinal);
            foreach (var r in value.EnumerateObject())
            {
                string rulePath = $"{path}.{r.Name}";
                var rule = DetectorRegistry.FindRule(r.Name);
                if (rule is null)
                {
                    Errors.Add($"{rulePath}: unknown rule id or name");
                    continue;
                }
                if (r.Value.ValueKind != JsonValueKind.Object)
                {
                    Errors.Add($"{rulePath}: expected an object with \"enabled\" and/or \"severity\"");
                    continue;
                }
                foreach (var setting in r.Value.EnumerateObject())
                {
                    switch (setting.Name)
                    {
                        case "enabled" when setting.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                            if (setting.Value.GetBoolean()) disabled.Remove(rule.Id);
                            else disabled.Add(rule.Id);
                            break;
                        case "severity" when setting.Value.ValueKind == JsonValueKind.String && SeverityNames.TryParse(setting.Value.GetString(), out var severity):
                            overrides[rule.Id] = severity;
                            break;
                        case "enabled":
                            Errors.Add($"{rulePath}.enabled: expected true or false");
                            break;
                        case "severity":
                            Errors.Add($"{rulePath}.severity: expected one of info, low, medium, high, critical");
                            break;
                        default:
                            Errors.Add($"{rulePath}.{setting.Name}: unknown key");
                            break;
                    }
                }
            }
            return options with { SeverityOverrides = overrides, DisabledRules = disabled };
        }

        private PackageLimits ReadLimits(JsonElement value, string path, PackageLimits limits)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{path}: expected an object");
                return limits;
            }
            foreach (var l in value.EnumerateObject())
            {
                string p = $"{path}.{l.Name}";
                switch (l.Name)
                {
                    case "maxTotalBytes": if (Long(l.Value, p, 1) is { } a) limits = limits with { MaxTotalBytes = a }; break;
                    case "maxEntryBytes": if (Long(l.Value, p, 1) is { } b) limits = limits with { MaxEntryBytes = b }; break;
                    case "ratioThresholdBytes": if (Long(l.Value, p, 0) is { } c) limits = limits with { RatioThresholdBytes = c }; break;
                    case "maxInMemoryNestedArchiveBytes": if (Long(l.Value, p, 0) is { } d) limits = limits with { MaxInMemoryNestedArchiveBytes = d }; break;
                    case "maxEntries": if (Long(l.Value, p, 1, int.MaxValue) is { } e) limits = limits with { MaxEntries = (int)e }; break;
                    case "maxDepth": if (Long(l.Value, p, 0, 64) is { } f) limits = limits with { MaxDepth = (int)f }; break;
                    case "maxAnalyzedEntryBytes": if (Long(l.Value, p, 1, 1L << 30) is { } g) limits = limits with { MaxAnalyzedEntryBytes = (int)g }; break;
                    case "analysisWindowBytes": if (Long(l.Value, p, 0, 1L << 30) is { } w) limits = limits with { AnalysisWindowBytes = (int)w }; break;
                    case "maxCompressionRatio":
                        if (l.Value.ValueKind == JsonValueKind.Number && l.Value.TryGetDouble(out var ratio) && ratio >= 1) limits = limits with { MaxCompressionRatio = ratio };
                        else Errors.Add($"{p}: expected a number of at least 1");
                        break;
                    case "maxDuration":
                        if (l.Value.ValueKind == JsonValueKind.String && TimeSpan.TryParse(l.Value.GetString(), CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
                            limits = limits with { MaxDuration = span };
                        else if (l.Value.ValueKind == JsonValueKind.Number && l.Value.TryGetDouble(out var seconds) && seconds > 0)
                            limits = limits with { MaxDuration = TimeSpan.FromSeconds(seconds) };
                        else Errors.Add($"{p}: expected a positive number of seconds or a time span such as \"00:10:00\"");
                        break;
                    default:
                        Errors.Add($"{p}: unknown key");
                        break;
                }
            }
            return limits;
        }

        private long? Long(JsonElement value, string path, long min, long max = long.MaxValue)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= min && n <= max) return n;
            Errors.Add(max == long.MaxValue
                ? $"{path}: expected a whole number of at least {min.ToString(CultureInfo.InvariantCulture)}"
                : $"{path}: expected a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        private List<string>? ReadStrings(JsonElement value, string path)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                Errors.Add($"{path}: expected an array of strings");
                return null;
            }
            var list = new List<string>();
            int i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } s) list.Add(s);
                else Errors.Add($"{path}[{i.ToString(CultureInfo.InvariantCulture)}]: expected a non-empty string");
                i++;
            }
            return list;
        }
    }
}
