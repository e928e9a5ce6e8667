namespace Preflight.Detectors.Credentials;

/// <summary>
/// Finds the first occurrence of any keyword, case-insensitively, in one pass: a table of the keywords' first
/// two (ASCII, lower-cased) characters says at which positions a keyword can start, and only there are the
/// keywords of that pair compared. Measured here it is far faster than <c>SearchValues&lt;string&gt;</c> over
/// the same ~140 keywords, several of them two or three characters long.
/// </summary>
internal sealed class KeywordIndex
{
    private readonly (string Keyword, int Id)[]?[] _byPair = new (string, int)[]?[128 * 128];
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);

    public KeywordIndex(IEnumerable<string> keywords)
    {
        var buckets = new Dictionary<int, List<(string, int)>>();
        foreach (var k in keywords.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            _ids[k] = _ids.Count;
            if (k.Length < 2 || k[0] >= 128 || k[1] >= 128) throw new ArgumentException($"keyword '{k}' must start with two ASCII characters", nameof(keywords));
            // The scanner walks lines: a keyword never spans one's end.
            if (k.AsSpan().ContainsAny('\n', '\r')) throw new ArgumentException($"keyword '{k}' must not hold a line break", nameof(keywords));
            int pair = (Lower(k[0]) << 7) | Lower(k[1]);
            if (!buckets.TryGetValue(pair, out var list)) buckets[pair] = list = [];
            list.Add((k, _ids[k]));
        }
        foreach (var (pair, list) in buckets) _byPair[pair] = [.. list];
        _groups = Group([.. _ids.Keys]);
        _longest = _ids.Count == 0 ? 0 : _ids.Keys.Max(k => k.Length);
    }

    // The search for the next line worth a look is vectorised; a scalar pair-table walk over every character was a
    // fifth of the detector's time on text. One SearchValues over all ~165 keywords is more than its vectorised
    // (Teddy) search takes, and .NET then falls back to a scalar Aho-Corasick automaton, a third of the detector's
    // time on logs. So the keywords are searched in groups small enough for Teddy, and the first occurrence in the
    // text is the first among the groups' (each group's next occurrence is kept until the walk passes it). A search
    // may also stop at a non-ASCII case variant (ſ, ı); the line's rules then simply find nothing.
    private readonly System.Buffers.SearchValues<string>[] _groups;
    private readonly int _longest;

    /// <summary>
    /// The most keywords a group holds. SearchValues takes Teddy for up to 80, but its candidates (positions where
    /// some bucket's nibbles match and the strings are compared) grow quickly with the group: over the benchmark
    /// package's 126 Mi characters of text a walk took 0.42 s with groups of 40 and 0.24 s with groups of 24, and on
    /// 40 Mi characters of C# source, Perl, Python and /etc files 0.26 s and 0.11 s (best of five each, 2026-11-29).
    /// Smaller groups (16, 20) gained nothing more: each group is a pass of its own.
    /// </summary>
    internal const int GroupSize = 24;

    private static System.Buffers.SearchValues<string>[] Group(string[] keywords)
    {
        // Two-character keywords force the two-character variant on their whole group: they get one of their own.
        var groups = new List<System.Buffers.SearchValues<string>>();
        var shortOnes = keywords.Where(k => k.Length < 3).ToArray();
        if (shortOnes.Length > 0) groups.Add(System.Buffers.SearchValues.Create(shortOnes, StringComparison.OrdinalIgnoreCase));
        var rest = keywords.Where(k => k.Length >= 3).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        // As few groups as GroupSize allows, all of about the same size (a last group of three would be a whole pass).
        int count = (rest.Length + GroupSize - 1) / GroupSize;
        for (int g = 0, start = 0; g < count; g++)
        {
            int end = (int)((long)rest.Length * (g + 1) / count);
            groups.Add(System.Buffers.SearchValues.Create(rest.AsSpan(start, end - start), StringComparison.OrdinalIgnoreCase));
            start = end;
        }
        return [.. groups];
    }

    /// <summary>The keywords (tests compare the grouped search with one over all of them).</summary>
    internal IReadOnlyCollection<string> Keywords => _ids.Keys;

    /// <summary>How many keyword groups are searched (see <see cref="NextAt"/>).</summary>
    public int GroupCount => _groups.Length;

    /// <summary>How many distinct keywords the index holds; ids run from 0 to this minus one.</summary>
    public int Count => _ids.Count;

    /// <summary>The id of a keyword (case-insensitive).</summary>
    public int IdOf(string keyword) => _ids[keyword];

    /// <summary>
    /// Marks in <paramref name="seen"/> (indexed by keyword id) every keyword that occurs in <paramref name="text"/>,
    /// in one pass over it, and returns how many distinct keywords were seen.
    /// </summary>
    public int MarkAll(ReadOnlySpan<char> text, Span<bool> seen) => MarkAll(text, seen, []);

    /// <summary>
    /// As <see cref="MarkAll(ReadOnlySpan{char}, Span{bool})"/>, and writes the id of each keyword seen to
    /// <paramref name="ids"/> (in the order first seen) when it is long enough (<see cref="Count"/>).
    /// </summary>
    public int MarkAll(ReadOnlySpan<char> text, Span<bool> seen, Span<int> ids)
    {
        var table = _byPair;
        int distinct = 0;
        for (int i = 0; i + 1 < text.Length; i++)
        {
            int c0 = text[i], c1 = text[i + 1];
            if ((c0 | c1) >= 128) continue;
            var bucket = table[(Lower((char)c0) << 7) | Lower((char)c1)];
            if (bucket is null) continue;
            var rest = text[i..];
            foreach (var (k, id) in bucket)
            {
                if (!rest.StartsWith(k, StringComparison.OrdinalIgnoreCase)) continue;
                if (!seen[id])
                {
                    seen[id] = true;
                    if (distinct < ids.Length) ids[distinct] = id;
                    distinct++;
                }
            }
        }
        return distinct;
    }

    private static int Lower(char c) => c is >= 'A' and <= 'Z' ? c + 32 : c;

    /// <summary>
    /// The index of the first keyword occurrence in <paramref name="text"/>, or -1. For one search: a group without an
    /// occurrence reads the whole text each time, so a walk from hit to hit uses <see cref="NextAt"/>.
    /// </summary>
    public int IndexOfAny(ReadOnlySpan<char> text)
    {
        int best = -1;
        foreach (var group in _groups)
        {
            // An earlier occurrence starts before the best so far, but may end after it.
            int found = (best < 0 ? text : text[..Math.Min(text.Length, best + _longest - 1)]).IndexOfAny(group);
            if (found >= 0 && best >= 0 && found >= best) found = -1;
            if (found >= 0) best = found;
        }
        return best;
    }

    /// <summary>
    /// The first keyword occurrence in <paramref name="text"/> at or after <paramref name="from"/>, or -1, for a walk
    /// that asks with ever larger <paramref name="from"/> over the same text. <paramref name="next"/> (one slot per
    /// group, <see cref="GroupCount"/>, all -2 at the start of the walk) keeps each group's next occurrence, so every
    /// group reads each part of the text once.
    /// </summary>
    public int NextAt(ReadOnlySpan<char> text, int from, Span<int> next)
    {
        int best = -1;
        for (int g = 0; g < _groups.Length; g++)
        {
            int at = next[g];
            if (at == -1) continue; // this group has no occurrence left
            if (at < from)
            {
                int found = text[from..].IndexOfAny(_groups[g]);
                next[g] = at = found < 0 ? -1 : from + found;
                if (at < 0) continue;
            }
            if (best < 0 || at < best) best = at;
        }
        return best;
    }
}
