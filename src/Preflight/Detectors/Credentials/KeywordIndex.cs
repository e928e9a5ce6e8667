using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// Finds keyword occurrences, case-insensitively as <see cref="StringComparison.OrdinalIgnoreCase"/> compares: the
/// first one at or after a position (the scanner's walk from line to line), or every one in a line
/// (<see cref="MarkAll(ReadOnlySpan{char}, Span{bool}, Span{int})"/>). A table of the keywords' first two (ASCII,
/// lower-cased) characters says which keywords to compare at a position. Where the processor has AVX-512 VBMI the
/// walk is one vector pass over byte tables (see <see cref="_tables"/>); elsewhere it searches the keywords in groups
/// with the runtime's <c>SearchValues</c> (see <see cref="_groups"/>).
/// </summary>
internal sealed class KeywordIndex
{
    private readonly Entry[]?[] _byPair = new Entry[]?[128 * 128];
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);

    public KeywordIndex(IEnumerable<string> keywords) : this(keywords, vectorised: true)
    {
    }

    /// <param name="keywords">The keywords: two or more ASCII characters each, no line break.</param>
    /// <param name="vectorised">False to search with the keyword groups even where the byte-table search could run (tests compare the two).</param>
    internal KeywordIndex(IEnumerable<string> keywords, bool vectorised)
    {
        var buckets = new Dictionary<int, List<Entry>>();
        foreach (var k in keywords.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            _ids[k] = _ids.Count;
            if (k.Length < 2 || k[0] >= 128 || k[1] >= 128) throw new ArgumentException($"keyword '{k}' must start with two ASCII characters", nameof(keywords));
            // The scanner walks lines: a keyword never spans one's end.
            if (k.AsSpan().ContainsAny('\n', '\r')) throw new ArgumentException($"keyword '{k}' must not hold a line break", nameof(keywords));
            int pair = (Lower(k[0]) << 7) | Lower(k[1]);
            if (!buckets.TryGetValue(pair, out var list)) buckets[pair] = list = [];
            list.Add(new Entry(k, _ids[k]));
        }
        foreach (var (pair, list) in buckets) _byPair[pair] = [.. list];
        _groups = Group([.. _ids.Keys]);
        _longest = _ids.Count == 0 ? 0 : _ids.Keys.Max(k => k.Length);
        if (vectorised && Avx512Vbmi.IsSupported && Avx512BW.IsSupported && _ids.Count > 0 && _ids.Keys.All(k => System.Text.Ascii.IsValid(k) && !k.AsSpan().ContainsAny('\0', '\x7F')))
            _tables = StartTables([.. _ids.Keys]);
    }

    /// <summary>
    /// Where the processor has AVX-512 VBMI (a byte lookup in a 128-byte table for 64 bytes at once), one pass over the
    /// text replaces the groups' eight. The keywords are spread over sixteen buckets; for each of a keyword's first
    /// four characters (<see cref="Places"/>), a 128-byte table per eight buckets says, for each ASCII character, which
    /// buckets hold a keyword with that character (in either case) at that place. A position where the four lookups
    /// share a bucket may start a keyword, and only there are the keywords of its first two characters compared. On the
    /// 300 MiB benchmark package's text files (132 M characters, 2026-11-29) 1.6 % of positions pass without starting
    /// a keyword (1.4 % of this project's C# source), and a walk from each hit to the next took 0.12–0.13 s against
    /// 0.35–0.37 s for the groups (rounds two to four, the two taking turns; the first round of each, with its
    /// compilation, 0.37 and 0.78 s).
    /// </summary>
    /// <remarks>
    /// A keyword shorter than four characters lets any character through at the places after its end (a bucket of
    /// its own for the two-character ones). Characters are narrowed to bytes with signed saturation
    /// (<see cref="Narrow"/>): every non-ASCII character reads the row of DEL or NUL, which no keyword holds, so it
    /// passes only where any character does, as OrdinalIgnoreCase never makes a non-ASCII character equal an ASCII
    /// one (not even ſ, ı or the Kelvin sign). A block reads 128 characters for its 64 places, so the last 64 to 127
    /// places of a text (all of a shorter one) are compared one by one.
    /// </remarks>
    private readonly Vector512<byte>[]? _tables;

    private const int Places = 4;
    private const int Buckets = 16;

    /// <summary>Whether the one-pass vector search is used (tests check that it is where the processor has it).</summary>
    internal bool IsVectorised => _tables is not null;

    /// <summary>Spreads the keywords over the buckets and builds the tables, per place the lower and upper 64 characters of each set of eight buckets.</summary>
    /// <remarks>
    /// A bucket lets through every combination of the characters its keywords have at each place, so a bucket of
    /// keywords alike (pass, password, passwd) lets through little besides them, and one of unlike keywords a great
    /// deal ("ion", "opt" and "ate" passed buckets of runs of sorted keywords, a tenth of a log's positions). Each
    /// keyword, longest first, goes where the sum over buckets of the product of their character counts per place
    /// grows least; the two-character keywords, which pass any third and fourth character, get the last bucket.
    /// </remarks>
    private static Vector512<byte>[] StartTables(string[] keywords)
    {
        var charSets = Enumerable.Range(0, Buckets).Select(_ => Enumerable.Range(0, Places).Select(_ => new HashSet<int>()).ToArray()).ToArray();
        var members = Enumerable.Range(0, Buckets).Select(_ => new List<string>()).ToArray();
        const int ShortBucket = Buckets - 1;
        foreach (var k in keywords.Where(k => k.Length == 2)) Add(ShortBucket, k);
        foreach (var k in keywords.Where(k => k.Length > 2).OrderByDescending(k => k.Length).ThenBy(k => k.ToLowerInvariant(), StringComparer.Ordinal))
        {
            int best = 0;
            double bestGrowth = double.MaxValue;
            for (int b = 0; b < ShortBucket; b++)
            {
                double before = members[b].Count == 0 ? 0 : Product(charSets[b], null);
                double growth = Product(charSets[b], k) - before;
                if (growth < bestGrowth)
                {
                    bestGrowth = growth;
                    best = b;
                }
            }
            Add(best, k);
        }
        // Two sets of tables, buckets 0-7 and 8-15, a byte of bucket bits per character.
        var tables = new Vector512<byte>[4 * Places];
        for (int place = 0; place < Places; place++)
            for (int set = 0; set < 2; set++)
            {
                var row = new byte[128];
                for (int b = 0; b < 8; b++)
                    foreach (var c in charSets[(8 * set) + b][place]) row[c] |= (byte)(1 << b);
                tables[(4 * place) + (2 * set)] = Vector512.Create(row.AsSpan(0, 64));
                tables[(4 * place) + (2 * set) + 1] = Vector512.Create(row.AsSpan(64, 64));
            }
        return tables;

        void Add(int bucket, string k)
        {
            members[bucket].Add(k);
            for (int place = 0; place < Places; place++)
            {
                if (place >= k.Length)
                {
                    for (int c = 0; c < 128; c++) charSets[bucket][place].Add(c);
                    continue;
                }
                charSets[bucket][place].Add(char.ToLowerInvariant(k[place]));
                charSets[bucket][place].Add(char.ToUpperInvariant(k[place]));
            }
        }

        static double Product(HashSet<int>[] sets, string? adding)
        {
            double product = 1;
            for (int place = 0; place < Places; place++)
            {
                int count = sets[place].Count;
                if (adding is not null)
                {
                    if (place >= adding.Length) count = 128;
                    else if (!sets[place].Contains(char.ToLowerInvariant(adding[place]))) count += char.IsAsciiLetter(adding[place]) ? 2 : 1;
                }
                product *= Math.Max(count, 1);
            }
            return product;
        }
    }

    // The search for the next line worth a look is vectorised; a scalar pair-table walk over every character was a
    // fifth of the detector's time on text. One SearchValues over all ~165 keywords is more than its vectorised
    // (Teddy) search takes, and .NET then falls back to a scalar Aho-Corasick automaton, a third of the detector's
    // time on logs. So the keywords are searched in groups small enough for Teddy, and the first occurrence in the
    // text is the first among the groups' (each group's next occurrence is kept until the walk passes it).
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

    /// <summary>How many cursor slots a walk keeps (see <see cref="NextAt"/>): one per keyword group, one for the vector search.</summary>
    public int GroupCount => _tables is null ? _groups.Length : 1;

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
            foreach (var entry in bucket)
            {
                if (!entry.StartsIn(rest)) continue;
                int id = entry.Id;
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
        if (_tables is not null) return VectorNext(text, 0);
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
        if (_tables is not null)
        {
            // One slot: the last answer stands for every later start up to it.
            int known = next[0];
            if (known == -1 || known >= from) return known;
            return next[0] = VectorNext(text, from);
        }
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

    /// <summary>The first keyword occurrence at or after <paramref name="from"/>, or -1, by the byte tables (see <see cref="_tables"/>).</summary>
    private int VectorNext(ReadOnlySpan<char> text, int from)
    {
        var tables = _tables!;
        // In registers for the loop: AVX-512 has 32.
        Vector512<byte> t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3], t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7];
        Vector512<byte> t8 = tables[8], t9 = tables[9], t10 = tables[10], t11 = tables[11], t12 = tables[12], t13 = tables[13], t14 = tables[14], t15 = tables[15];
        var oneOn = Vector512.CreateSequence((byte)1, (byte)1);
        var twoOn = Vector512.CreateSequence((byte)2, (byte)1);
        var threeOn = Vector512.CreateSequence((byte)3, (byte)1);
        ref short chars = ref Unsafe.As<char, short>(ref MemoryMarshal.GetReference(text));
        int i = Math.Max(from, 0);
        // A block reads 64 starting places and the 64 characters after them (for the last places' other characters).
        if (i + 128 <= text.Length)
        {
            var block = Narrow(ref chars, i);
            for (; i + 128 <= text.Length; i += 64)
            {
                var after = Narrow(ref chars, i + 64);
                var second = Avx512Vbmi.PermuteVar64x8x2(block, oneOn, after);
                var third = Avx512Vbmi.PermuteVar64x8x2(block, twoOn, after);
                var fourth = Avx512Vbmi.PermuteVar64x8x2(block, threeOn, after);
                var hits = (Avx512Vbmi.PermuteVar64x8x2(t0, block, t1)
                        & Avx512Vbmi.PermuteVar64x8x2(t4, second, t5)
                        & Avx512Vbmi.PermuteVar64x8x2(t8, third, t9)
                        & Avx512Vbmi.PermuteVar64x8x2(t12, fourth, t13))
                    | (Avx512Vbmi.PermuteVar64x8x2(t2, block, t3)
                        & Avx512Vbmi.PermuteVar64x8x2(t6, second, t7)
                        & Avx512Vbmi.PermuteVar64x8x2(t10, third, t11)
                        & Avx512Vbmi.PermuteVar64x8x2(t14, fourth, t15));
                ulong candidates = ~Vector512.Equals(hits, Vector512<byte>.Zero).ExtractMostSignificantBits();
                for (; candidates != 0; candidates &= candidates - 1)
                {
                    int at = i + BitOperations.TrailingZeroCount(candidates);
                    if (StartsHere(text, at)) return at;
                }
                block = after;
            }
        }
        for (; i + 1 < text.Length; i++)
            if (StartsHere(text, i)) return i;
        return -1;
    }

    /// <summary>
    /// 64 characters from <paramref name="at"/> as bytes, with signed saturation: ASCII stays, and every other character
    /// becomes 127 (DEL) or, from U+8000 on, -128, whose seven bits the lookup reads as 0 (NUL). No keyword holds DEL or
    /// NUL, so in the tables both let through only the buckets that allow any character at a place: exactly what a
    /// character outside ASCII must do.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Narrow(ref short chars, int at) => Vector512.Create(
        Avx512BW.ConvertToVector256SByteWithSaturation(Vector512.LoadUnsafe(ref chars, (nuint)at)),
        Avx512BW.ConvertToVector256SByteWithSaturation(Vector512.LoadUnsafe(ref chars, (nuint)(at + 32)))).AsByte();

    /// <summary>Whether some keyword starts at <paramref name="at"/> (compared as OrdinalIgnoreCase compares).</summary>
    private bool StartsHere(ReadOnlySpan<char> text, int at)
    {
        int c0 = text[at], c1 = text[at + 1];
        if ((c0 | c1) >= 128) return false;
        var bucket = _byPair[(Lower((char)c0) << 7) | Lower((char)c1)];
        if (bucket is null) return false;
        var rest = text[at..];
        foreach (var entry in bucket)
            if (entry.StartsIn(rest)) return true;
        return false;
    }

    /// <summary>
    /// A keyword of a pair bucket, with its first four characters as one 64-bit word to compare a position's four
    /// characters against before the comparison of the whole keyword: most positions the tables or the pair let
    /// through differ from every keyword of the bucket there, and a call of the runtime's case-insensitive comparison
    /// per keyword was a twentieth of a scan's time on text.
    /// </summary>
    private readonly struct Entry
    {
        public readonly string Keyword;
        public readonly int Id;
        /// <summary>The first four characters (fewer for a shorter keyword), lower-cased, one per 16 bits.</summary>
        private readonly ulong _prefix;
        /// <summary>0x20 in the 16 bits of each of those characters that is a letter: OR-ed into the text's character, it lower-cases an ASCII capital.</summary>
        private readonly ulong _fold;
        /// <summary>All bits of the 16 of each character the keyword has among its first four.</summary>
        private readonly ulong _care;

        public Entry(string keyword, int id)
        {
            Keyword = keyword;
            Id = id;
            for (int place = 0; place < 4 && place < keyword.Length; place++)
            {
                char c = keyword[place];
                _prefix |= (ulong)Lower(c) << (16 * place);
                if (char.IsAsciiLetter(c)) _fold |= 0x20UL << (16 * place);
                _care |= 0xFFFFUL << (16 * place);
            }
        }

        /// <summary>
        /// Whether <paramref name="rest"/> starts with the keyword, as OrdinalIgnoreCase compares. Exact on the first
        /// four characters: a character OR 0x20 is a lower-case ASCII letter only when it is that letter in either case,
        /// and OrdinalIgnoreCase makes no character outside ASCII equal to an ASCII one (see <see cref="_tables"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool StartsIn(ReadOnlySpan<char> rest)
        {
            if (rest.Length < 4) return rest.StartsWith(Keyword, StringComparison.OrdinalIgnoreCase);
            ulong four = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(rest)));
            if (((four | _fold) & _care) != _prefix) return false;
            return Keyword.Length <= 4 || rest[4..].StartsWith(Keyword.AsSpan(4), StringComparison.OrdinalIgnoreCase);
        }
    }
}
