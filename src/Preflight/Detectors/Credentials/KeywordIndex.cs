namespace Preflight.Detectors.Credentials;

/// <summary>
/// Finds the first occurrence of any keyword, case-insensitively, in one pass: a table of the keywords' first
/// two (ASCII, lower-cased) characters says at which positions a keyword can start, and only there are the
/// keywords of that pair compared. Measured here it is far faster than <c>SearchValues&lt;string&gt;</c> over
/// the same ~140 keywords, several of them two or three characters long.
/// </summary>
internal sealed class KeywordIndex
{
    private readonly string[]?[] _byPair = new string[]?[128 * 128];
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);

    public KeywordIndex(IEnumerable<string> keywords)
    {
        var buckets = new Dictionary<int, List<string>>();
        foreach (var k in keywords.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            _ids[k] = _ids.Count;
            if (k.Length < 2 || k[0] >= 128 || k[1] >= 128) throw new ArgumentException($"keyword '{k}' must start with two ASCII characters", nameof(keywords));
            int pair = (Lower(k[0]) << 7) | Lower(k[1]);
            if (!buckets.TryGetValue(pair, out var list)) buckets[pair] = list = [];
            list.Add(k);
        }
        foreach (var (pair, list) in buckets) _byPair[pair] = [.. list];
        _search = System.Buffers.SearchValues.Create([.. _ids.Keys], StringComparison.OrdinalIgnoreCase);
    }

    // The search for the next line worth a look is vectorised (Teddy over all keywords at once); a scalar
    // pair-table walk over every character was a fifth of the detector's time on text. It may also stop at a
    // non-ASCII case variant (ſ, ı); the line's rules then simply find nothing.
    private readonly System.Buffers.SearchValues<string> _search;

    /// <summary>How many distinct keywords the index holds; ids run from 0 to this minus one.</summary>
    public int Count => _ids.Count;

    /// <summary>The id of a keyword (case-insensitive).</summary>
    public int IdOf(string keyword) => _ids[keyword];

    /// <summary>
    /// Marks in <paramref name="seen"/> (indexed by keyword id) every keyword that occurs in <paramref name="text"/>,
    /// in one pass over it, and returns how many distinct keywords were seen.
    /// </summary>
    public int MarkAll(ReadOnlySpan<char> text, Span<bool> seen)
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
            foreach (var k in bucket)
            {
                if (!rest.StartsWith(k, StringComparison.OrdinalIgnoreCase)) continue;
                int id = _ids[k];
                if (!seen[id])
                {
                    seen[id] = true;
                    distinct++;
                }
            }
        }
        return distinct;
    }

    private static int Lower(char c) => c is >= 'A' and <= 'Z' ? c + 32 : c;

    /// <summary>The index of the first keyword occurrence in <paramref name="text"/>, or -1.</summary>
    public int IndexOfAny(ReadOnlySpan<char> text) => text.IndexOfAny(_search);
}
