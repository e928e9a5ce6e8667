namespace Preflight.Packages;

/// <summary>Checks and normalisation of entry names and link targets.</summary>
internal static class EntryNames
{
    /// <summary>
    /// True when a link at <paramref name="linkPath"/> (relative to its archive) with <paramref name="target"/>
    /// resolves outside the package root: an absolute target, a drive letter, or more <c>..</c> than folders.
    /// </summary>
    public static bool LinkEscapesRoot(string linkPath, string target)
    {
        if (string.IsNullOrEmpty(target)) return false;
        var t = target.Replace('\\', '/');
        if (t.StartsWith('/') || (t.Length >= 2 && t[1] == ':' && char.IsAsciiLetter(t[0]))) return true;
        // Resolve relative to the folder that holds the link, inside the innermost archive.
        int nested = linkPath.LastIndexOf(Findings.Location.NestedSeparator, StringComparison.Ordinal);
        var inner = nested >= 0 ? linkPath[(nested + 2)..] : linkPath;
        var parts = new List<string>(inner.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
        foreach (var part in t.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return true;
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(part);
        }
        return false;
    }
}
