using System.Reflection;

namespace Preflight.Detectors.ServiceUnits;

/// <summary>The names in <c>WellKnownUnits.txt</c>: units a package may reference without shipping them.</summary>
internal static class WellKnownUnits
{
    private static readonly (HashSet<string> Exact, string[] Prefixes) Names = Load();

    /// <summary>True when <paramref name="name"/> is a well-known unit or service name (Windows names case-insensitively).</summary>
    public static bool Contains(string name, bool ignoreCase = false)
    {
        if (Names.Exact.Contains(name)) return true;
        if (ignoreCase && Names.Exact.Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))) return true;
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var pattern in Names.Prefixes)
        {
            int star = pattern.IndexOf('*', StringComparison.Ordinal);
            string head = pattern[..star], tail = pattern[(star + 1)..];
            if (name.Length >= head.Length + tail.Length && name.StartsWith(head, comparison) && name.EndsWith(tail, comparison)) return true;
        }
        if (UnitNames.TemplateOf(name) is { } template && Names.Exact.Contains(template)) return true;
        return false;
    }

    private static (HashSet<string>, string[]) Load()
    {
        using var stream = typeof(WellKnownUnits).Assembly.GetManifestResourceStream("Preflight.Detectors.ServiceUnits.WellKnownUnits.txt")
            ?? throw new InvalidOperationException("embedded resource WellKnownUnits.txt is missing");
        using var reader = new StreamReader(stream);
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.Contains('*', StringComparison.Ordinal)) prefixes.Add(line);
            else exact.Add(line);
        }
        return (exact, [.. prefixes]);
    }
}
