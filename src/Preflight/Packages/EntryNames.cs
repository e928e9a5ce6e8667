using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Preflight.Detectors.Package;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>One problem with an entry name: the rule, a sentence, and what makes it distinct.</summary>
internal readonly record struct NameProblem(RuleDescriptor Rule, string Message, string Identity);

/// <summary>
/// Checks and normalisation of entry names and link targets. A location path keeps what the archive says
/// (so a finding never hides a hostile name) but is made safe to print: backslashes become <c>/</c>, a
/// leading <c>./</c>, a root or a drive is dropped, empty and <c>.</c> segments are collapsed, and control
/// characters are written as <c>%XX</c>. <c>..</c> segments stay, so the location shows the climb.
/// </summary>
internal static class EntryNames
{
    /// <summary>Normalises <paramref name="raw"/> for a location and lists what is wrong with it.</summary>
    public static string Inspect(string raw, List<NameProblem> problems) => IsOrdinary(raw) ? raw : InspectInFull(raw, problems);

    // Characters that send a name down the full inspection: controls (NUL among them), the replacement character that
    // stands for invalid UTF-8, and backslashes.
    private static readonly System.Buffers.SearchValues<char> Unusual = System.Buffers.SearchValues.Create(ControlCharacters + "\uFFFD\\");

    /// <summary>
    /// True for a name the full inspection would return unchanged and without a problem: not empty, no control character,
    /// replacement character or backslash, no drive, and every <c>/</c>-separated segment neither empty nor <c>.</c> nor
    /// <c>..</c> (so no root, no doubled or trailing slash). Nearly every entry of a package is one; the full inspection
    /// split and joined each name, a third of the reader's allocations for a package of 100,000 small files.
    /// </summary>
    internal static bool IsOrdinary(string raw)
    {
        if (raw.Length == 0 || raw.AsSpan().IndexOfAny(Unusual) >= 0) return false;
        if (raw.Length >= 2 && raw[1] == ':') return false;
        var rest = raw.AsSpan();
        while (true)
        {
            int slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.Length == 0 || segment.SequenceEqual(".") || segment.SequenceEqual("..")) return false;
            if (slash < 0) return true;
            rest = rest[(slash + 1)..];
        }
    }

    /// <summary>The full inspection behind <see cref="Inspect"/>, for any name.</summary>
    internal static string InspectInFull(string raw, List<NameProblem> problems)
    {
        string shown = Display(raw);
        if (raw.Length == 0)
        {
            problems.Add(new(PackageRules.SuspiciousName, "The entry has an empty name.", "empty"));
            return "(empty name)";
        }
        if (raw.Contains('\0'))
            problems.Add(new(PackageRules.SuspiciousName, $"The entry name '{shown}' holds a NUL character; extractors cut or reject such names differently.", "nul"));
        else if (HasControl(raw))
            problems.Add(new(PackageRules.SuspiciousName, $"The entry name '{shown}' holds control characters.", "control"));
        if (raw.Contains('\uFFFD'))
            problems.Add(new(PackageRules.SuspiciousName, $"The entry name '{shown}' is not valid UTF-8.", "utf8"));
        if (raw.Contains('\\'))
            problems.Add(new(PackageRules.SuspiciousName, $"The entry name '{shown}' holds backslashes, which Windows extractors treat as folder separators.", "backslash"));

        string name = raw.Replace('\\', '/');
        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
        {
            problems.Add(new(PackageRules.PathTraversal, $"The entry name '{shown}' names a drive; an extractor that trusts it writes outside its target folder.", "drive"));
            name = name[2..];
        }
        else if (name.StartsWith('/'))
        {
            problems.Add(new(PackageRules.PathTraversal, $"The entry name '{shown}' is rooted (absolute); an extractor that trusts it writes outside its target folder.", "rooted"));
        }

        var segments = new List<string>();
        int level = 0;
        bool escapes = false;
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..")
            {
                if (level == 0) escapes = true;
                else level--;
            }
            else level++;
            segments.Add(segment);
        }
        if (escapes)
            problems.Add(new(PackageRules.PathTraversal, $"The entry name '{shown}' climbs out of the package with '..'; an extractor that trusts it writes outside its target folder (zip slip).", "dotdot"));

        var normalised = string.Join('/', segments);
        if (normalised.Length == 0) return "(empty name)";
        return Escape(normalised);
    }

    /// <summary>The raw name made printable: control characters as <c>\xNN</c>, nothing else changed.</summary>
    public static string Display(string raw)
    {
        if (!HasControl(raw)) return raw;
        var sb = new StringBuilder(raw.Length + 8);
        foreach (char c in raw)
        {
            if (IsControl(c)) sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Escape(string name)
    {
        if (!HasControl(name)) return name;
        var sb = new StringBuilder(name.Length + 8);
        foreach (char c in name)
        {
            if (IsControl(c)) sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsControl(char c) => c < 0x20 || c == 0x7F;

    // What IsControl accepts: U+0000-U+001F and U+007F.
    private const string ControlCharacters =
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F";

    private static readonly System.Buffers.SearchValues<char> Controls = System.Buffers.SearchValues.Create(ControlCharacters);

    // The same test as IsControl over a whole name, vectorised and without the enumerator a LINQ Any over a string makes.
    private static bool HasControl(string s) => s.AsSpan().IndexOfAny(Controls) >= 0;

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
        int nested = linkPath.LastIndexOf(Location.NestedSeparator, StringComparison.Ordinal);
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

/// <summary>Remembers the names seen in one archive to find duplicates and case-insensitive collisions.</summary>
internal sealed class NameTracker
{
    private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _folded = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records <paramref name="name"/>; returns the problem when it repeats or collides with an earlier one.</summary>
    public NameProblem? See(string name)
    {
        // One hash lookup per table for a new name (the usual case): 102,400 names cost four before.
        ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(_exact, name, out bool seen);
        count++;
        if (seen)
        {
            return new(PackageRules.DuplicateEntry,
                $"The name '{EntryNames.Display(name)}' appears {count.ToString(CultureInfo.InvariantCulture)} times in this archive; which copy an extractor keeps depends on the extractor.",
                "duplicate#" + count.ToString(CultureInfo.InvariantCulture));
        }
        if (!_folded.TryAdd(name, name))
        {
            var earlier = _folded[name];
            return new(PackageRules.DuplicateEntry,
                $"The name '{EntryNames.Display(name)}' differs from '{EntryNames.Display(earlier)}' only in letter case; on a case-insensitive file system one replaces the other.",
                "case\0" + earlier);
        }
        return null;
    }
}
