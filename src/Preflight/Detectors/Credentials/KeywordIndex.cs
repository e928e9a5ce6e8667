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
/// walk is one vector pass over byte tables (see <see cref="_tables"/>); where it has AVX2, one pass over nibble
/// tables (see <see cref="_nibbles"/>); elsewhere it searches the keywords in groups with the runtime's
/// <c>SearchValues</c> (see <see cref="_groups"/>).
/// </summary>
internal sealed class KeywordIndex
{
    private readonly Entry[]?[] _byPair = new Entry[]?[128 * 128];
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);

    public KeywordIndex(IEnumerable<string> keywords) : this(keywords, KeywordSearch.Vbmi)
    {
    }

    /// <param name="keywords">The keywords: two or more ASCII characters each, no line break.</param>
    /// <param name="best">The fastest search to use where the processor has it (tests compare them): a lesser one is taken where it has not.</param>
    internal KeywordIndex(IEnumerable<string> keywords, KeywordSearch best)
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
        bool plain = _ids.Count > 0 && _ids.Keys.All(k => System.Text.Ascii.IsValid(k) && !k.AsSpan().ContainsAny('\0', '\x7F'));
        if (plain && best == KeywordSearch.Vbmi && Avx512Vbmi.IsSupported && Avx512BW.IsSupported)
            _tables = ByteTables(Spread([.. _ids.Keys]));
        else if (plain && best >= KeywordSearch.Avx2 && Avx2.IsSupported)
            _nibbles = NibbleTables(Spread([.. _ids.Keys]));
    }

    /// <summary>The searches a walk can use, slowest first.</summary>
    internal enum KeywordSearch
    {
        /// <summary>The keywords in groups, each searched by the runtime's <c>SearchValues</c>.</summary>
        Groups,

        /// <summary>One pass over nibble tables with AVX2 (<see cref="_nibbles"/>).</summary>
        Avx2,

        /// <summary>One pass over byte tables with AVX-512 VBMI (<see cref="_tables"/>).</summary>
        Vbmi,
    }

    /// <summary>The search this index walks with.</summary>
    internal KeywordSearch Search => _tables is not null ? KeywordSearch.Vbmi : _nibbles is not null ? KeywordSearch.Avx2 : KeywordSearch.Groups;

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

    /// <summary>
    /// Where the processor has AVX2 but not AVX-512 VBMI (and in the native build, compiled for x86-64-v3), the same
    /// buckets and places are looked up by nibbles, 32 places at a time: a bucket's bit is set in one table at the low
    /// four bits of each character it allows, and in another at the high bits, and a character passes where both
    /// lookups (one <c>vpshufb</c> each) have the bit. That lets through every character of the bucket's set and some
    /// others (those whose nibbles both occur in it), so more places are compared than with the byte tables, but every
    /// place the byte tables pass is passed. Per place, the tables of buckets 0-7 low and high, then those of 8-15; each
    /// holds its 16 bytes twice, once per 128-bit lane. A narrowed non-ASCII character reads 0x7F, whose nibbles some
    /// buckets may pass (then the comparison says no), or 0x80, whose high nibble 8 only the buckets that allow any
    /// character at that place have. On the 300 MiB benchmark package, native build: the keyword walk took 0.61 s of
    /// the scan's CPU time with the groups (2026-11-30, perf).
    /// </summary>
    private readonly Vector256<byte>[]? _nibbles;

    private const int Places = 4;
    private const int Buckets = 16;

    /// <summary>Spreads the keywords over the buckets: the characters each bucket allows, per place.</summary>
    /// <remarks>
    /// A bucket lets through every combination of the characters its keywords have at each place, so a bucket of
    /// keywords alike (pass, password, passwd) lets through little besides them, and one of unlike keywords a great
    /// deal ("ion", "opt" and "ate" passed buckets of runs of sorted keywords, a tenth of a log's positions). Each
    /// keyword, longest first, goes where the sum over buckets of the product of their character counts per place
    /// grows least; the two-character keywords, which pass any third and fourth character, get the last bucket.
    /// </remarks>
    private static HashSet<int>[][] Spread(string[] keywords)
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
        return charSets;

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

    /// <summary>The byte tables (see <see cref="_tables"/>): per place, the lower and upper 64 characters of each set of eight buckets.</summary>
    private static Vector512<byte>[] ByteTables(HashSet<int>[][] charSets)
    {
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
    }

    /// <summary>The nibble tables (see <see cref="_nibbles"/>) of the buckets' character sets per place.</summary>
    private static Vector256<byte>[] NibbleTables(HashSet<int>[][] charSets)
    {
        var tables = new Vector256<byte>[4 * Places];
        for (int place = 0; place < Places; place++)
            for (int set = 0; set < 2; set++)
            {
                var low = new byte[32];
                var high = new byte[32];
                for (int b = 0; b < 8; b++)
                {
                    var chars = charSets[(8 * set) + b][place];
                    byte bit = (byte)(1 << b);
                    foreach (var c in chars)
                    {
                        low[c & 0xF] |= bit;
                        high[c >> 4] |= bit;
                    }
                    // Any character: also the high nibbles only a narrowed non-ASCII character has (0x80 gives 8).
                    if (chars.Count == 128)
                        for (int h = 8; h < 16; h++) high[h] |= bit;
                }
                low.AsSpan(0, 16).CopyTo(low.AsSpan(16));
                high.AsSpan(0, 16).CopyTo(high.AsSpan(16));
                tables[(4 * place) + (2 * set)] = Vector256.Create(low);
                tables[(4 * place) + (2 * set) + 1] = Vector256.Create(high);
            }
        return tables;
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

    /// <summary>How many cursor slots a walk keeps (see <see cref="NextAt"/>): one per keyword group, one for a vector search.</summary>
    public int GroupCount => _tables is null && _nibbles is null ? _groups.Length : 1;

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
        if (_nibbles is not null) return NibbleNext(text, 0);
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
        if (_tables is not null || _nibbles is not null)
        {
            // One slot: the last answer stands for every later start up to it.
            int known = next[0];
            if (known == -1 || known >= from) return known;
            return next[0] = _tables is not null ? VectorNext(text, from) : NibbleNext(text, from);
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

    /// <summary>The first keyword occurrence at or after <paramref name="from"/>, or -1, by the nibble tables (see <see cref="_nibbles"/>).</summary>
    private int NibbleNext(ReadOnlySpan<char> text, int from)
    {
        var t = _nibbles!;
        Vector256<byte> l0 = t[0], h0 = t[1], l1 = t[2], h1 = t[3], l2 = t[4], h2 = t[5], l3 = t[6], h3 = t[7];
        Vector256<byte> l4 = t[8], h4 = t[9], l5 = t[10], h5 = t[11], l6 = t[12], h6 = t[13], l7 = t[14], h7 = t[15];
        ref short chars = ref Unsafe.As<char, short>(ref MemoryMarshal.GetReference(text));
        int i = Math.Max(from, 0);
        // 32 starting places a step; the last place's window reads the three characters after them.
        for (; i + 32 + Places - 1 <= text.Length; i += 32)
        {
            var w0 = Narrow32(ref chars, i);
            var w1 = Narrow32(ref chars, i + 1);
            var w2 = Narrow32(ref chars, i + 2);
            var w3 = Narrow32(ref chars, i + 3);
            var hits = (Look(w0, l0, h0) & Look(w1, l2, h2) & Look(w2, l4, h4) & Look(w3, l6, h6))
                | (Look(w0, l1, h1) & Look(w1, l3, h3) & Look(w2, l5, h5) & Look(w3, l7, h7));
            // The packs work per 128-bit lane: the bytes hold places 0-7, 16-23, 8-15, 24-31; put them in order.
            hits = Avx2.Permute4x64(hits.AsUInt64(), 0b11_01_10_00).AsByte();
            uint candidates = ~Vector256.Equals(hits, Vector256<byte>.Zero).ExtractMostSignificantBits();
            for (; candidates != 0; candidates &= candidates - 1)
            {
                int at = i + BitOperations.TrailingZeroCount(candidates);
                if (StartsHere(text, at)) return at;
            }
        }
        for (; i + 1 < text.Length; i++)
            if (StartsHere(text, i)) return i;
        return -1;
    }

    /// <summary>The buckets of one set that allow each of 32 narrowed characters, by the low- and high-nibble tables.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Look(Vector256<byte> window, Vector256<byte> low, Vector256<byte> high)
    {
        var mask = Vector256.Create((byte)0x0F);
        return Avx2.Shuffle(low, window & mask) & Avx2.Shuffle(high, Avx2.ShiftRightLogical(window.AsUInt16(), 4).AsByte() & mask);
    }

    /// <summary>32 characters from <paramref name="at"/> as bytes, narrowed as <see cref="Narrow"/> does, in the lane order of <c>vpacksswb</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Narrow32(ref short chars, int at) =>
        Avx2.PackSignedSaturate(Vector256.LoadUnsafe(ref chars, (nuint)at), Vector256.LoadUnsafe(ref chars, (nuint)(at + 16))).AsByte();

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
