using Preflight.Packages;

namespace Preflight;

/// <summary>Reads the output of <c>systemctl list-unit-files --no-legend</c> (or one unit name a line).</summary>
public static class InstalledUnits
{
    /// <summary>The unit names in the file (the first column of each non-empty line).</summary>
    /// <exception cref="PackageUnreadableException">The file does not exist (NotFound) or cannot be read.</exception>
    public static IReadOnlySet<string> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new PackageUnreadableException($"installed-units file not found: {path}") { NotFound = true };
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PackageUnreadableException($"cannot read installed-units file {path}: {ex.Message}", ex) { NotFound = true };
        }
    }

    /// <summary>Parses the text of <c>systemctl list-unit-files --no-legend</c>.</summary>
    public static IReadOnlySet<string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var t = line.Trim();
            if (t.IsEmpty || t[0] == '#' || t.StartsWith("UNIT FILE", StringComparison.Ordinal)) continue;
            int space = t.IndexOfAny(' ', '\t');
            names.Add((space < 0 ? t : t[..space]).ToString());
        }
        return names;
    }
}
