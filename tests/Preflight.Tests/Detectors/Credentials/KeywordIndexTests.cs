using System.Buffers;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// The credentials keywords are searched in one vector pass over byte tables where the processor has AVX-512 VBMI, over
/// nibble tables where it has AVX2, and otherwise in groups (each small enough for the runtime's vectorised search), the
/// first occurrence being the first among the groups'. These tests hold all three to one case-insensitive search over all the keywords at once, on generated
/// texts dense with keywords in every casing, cut-off keywords, keywords that overlap an earlier hit, and non-ASCII
/// characters: look-alikes (ſ, ı, the Kelvin sign) and ones whose low byte is a keyword's letter (š is U+0161).
/// </summary>
public class KeywordIndexTests
{
    private static readonly KeywordIndex Index = TextScanner.Default.KeywordIndex;
    private static readonly KeywordIndex Grouped = new(Index.Keywords, KeywordIndex.KeywordSearch.Groups);
    private static readonly KeywordIndex Nibbles = new(Index.Keywords, KeywordIndex.KeywordSearch.Avx2);
    private static readonly SearchValues<string> All = SearchValues.Create([.. Index.Keywords], StringComparison.OrdinalIgnoreCase);

    private static string Text(Random random, bool ascii)
    {
        var keywords = Index.Keywords.ToArray();
        // Outside ASCII: look-alikes, characters whose low byte is a keyword's letter, and ones from U+8000 up (a
        // Hangul syllable, a full-width A), which the vector searches narrow to a byte of their own.
        string[] fillers = ascii ? ["a", " ", "\n", "=", "x9", "-", ":", "/", "."] : ["a", " ", "\n", "=", "ſ", "ı", "\u212A", "é", "-", ":", "\u0161", "\u0170", "\u0153", "\uAC00", "\uFF21", "\uFF53"];
        var sb = new StringBuilder();
        int pieces = random.Next(0, 60);
        for (int i = 0; i < pieces; i++)
        {
            string piece = fillers[random.Next(fillers.Length)];
            if (random.Next(4) == 0)
            {
                var k = keywords[random.Next(keywords.Length)];
                piece = random.Next(4) == 0 ? k[..random.Next(1, k.Length)] : k;
            }
            foreach (var c in piece) sb.Append(random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    [Test]
    public void The_vector_searches_run_where_the_processor_has_them()
    {
        bool vbmi = System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported;
        bool avx2 = System.Runtime.Intrinsics.X86.Avx2.IsSupported;
        Index.Search.Should().Be(vbmi ? KeywordIndex.KeywordSearch.Vbmi : avx2 ? KeywordIndex.KeywordSearch.Avx2 : KeywordIndex.KeywordSearch.Groups);
        Nibbles.Search.Should().Be(avx2 ? KeywordIndex.KeywordSearch.Avx2 : KeywordIndex.KeywordSearch.Groups);
        Grouped.Search.Should().Be(KeywordIndex.KeywordSearch.Groups);
        Grouped.GroupCount.Should().BeGreaterThan(1, "the keywords are many more than one group holds");
    }

    private static KeywordIndex Of(string search) => search switch
    {
        "best" => Index,
        "avx2" => Nibbles,
        _ => Grouped,
    };

    [Test]
    public void Walk_finds_what_one_search_over_all_keywords_finds([Values] bool ascii, [Values("best", "avx2", "groups")] string search)
    {
        var index = Of(search);
        var random = new Random(ascii ? 41 : 42);
        long hits = 0;
        Span<int> next = stackalloc int[index.GroupCount];
        for (int n = 0; n < 20_000; n++)
        {
            var text = Text(random, ascii);
            next.Fill(-2);
            // The same walk as the scanner's: from each hit, move on by some characters (a line's worth).
            for (int pos = 0; pos < text.Length;)
            {
                int expected = text.AsSpan(pos).IndexOfAny(All);
                expected = expected < 0 ? -1 : pos + expected;
                index.NextAt(text, pos, next).Should().Be(expected, "from {0} in \"{1}\"", pos, text);
                if (expected < 0) break;
                hits++;
                pos = expected + random.Next(1, 12);
            }
        }
        hits.Should().BeGreaterThan(50_000);
    }

    [Test]
    public void Two_character_keywords_are_found_before_any_character_and_at_the_end()
    {
        var twoCharacter = Index.Keywords.Where(k => k.Length == 2).ToArray();
        twoCharacter.Should().NotBeEmpty("the catalog has two-character keywords (SK, Q~)");
        var filler = new string('.', 100);
        foreach (var index in new[] { Index, Nibbles, Grouped })
            foreach (var k in twoCharacter)
            {
                index.IndexOfAny(filler + k).Should().Be(100);
                for (int c = 0; c < 0x10000; c += c < 0x300 ? 1 : 61)
                    index.IndexOfAny(filler + k.ToLowerInvariant() + (char)c + filler).Should().Be(100, "{0} followed by U+{1:X4}", k, c);
            }
    }

    [Test]
    public void First_occurrence_in_a_span_is_the_same_as_one_search([Values] bool ascii, [Values("best", "avx2", "groups")] string search)
    {
        var index = Of(search);
        var random = new Random(ascii ? 51 : 52);
        int found = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var text = Text(random, ascii);
            int start = random.Next(0, text.Length + 1), end = random.Next(start, text.Length + 1);
            var span = text.AsSpan(start, end - start);
            int expected = span.IndexOfAny(All);
            index.IndexOfAny(span).Should().Be(expected, "in \"{0}\"", span.ToString());
            if (expected >= 0) found++;
        }
        found.Should().BeInRange(2_000, 19_000);
    }
    [Test]
    public void Marking_finds_every_keyword_of_an_ascii_line_and_no_other()
    {
        var random = new Random(61);
        var keywords = Index.Keywords.ToArray();
        var seen = new bool[Index.Count];
        int marked = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var text = Text(random, ascii: true);
            Array.Clear(seen);
            int distinct = Index.MarkAll(text, seen);
            var expected = keywords.Where(k => text.Contains(k, StringComparison.OrdinalIgnoreCase)).Select(Index.IdOf).ToHashSet();
            distinct.Should().Be(expected.Count, "in \"{0}\"", text);
            for (int id = 0; id < seen.Length; id++) seen[id].Should().Be(expected.Contains(id), "keyword {0} in \"{1}\"", id, text);
            marked += distinct;
        }
        marked.Should().BeGreaterThan(20_000);
    }
}

/// <summary>
/// Texts up to <see cref="TextScanner.ShortText"/> characters skip the grouped keyword search and give every line the
/// scanner's exact keyword pass. Every rule's samples (most of them short) must yield the same hits both ways: as they
/// are, and behind enough keyword-free lines to take the grouped search.
/// </summary>
public class ShortTextScanTests
{
    [Test]
    public void Short_texts_find_what_the_grouped_search_finds()
    {
        var scanner = TextScanner.Default;
        var padding = string.Concat(Enumerable.Range(0, 20).Select(i => $"# filler line {i:D3} of nothing much\n"));
        padding.Length.Should().BeGreaterThan(TextScanner.ShortText);
        int shortOnes = 0, withHits = 0;
        foreach (var (rule, positives, negatives) in RuleSamples.All)
        {
            var random = new Random(rule.Id.Aggregate(23, static (h, c) => unchecked((h * 31) + c)));
            foreach (var sample in positives(random).Concat(negatives(random)))
            {
                if (sample.Bytes is not null) continue;
                foreach (bool binary in new[] { false, true })
                {
                    var direct = new List<SecretHit>();
                    var grouped = new List<SecretHit>();
                    scanner.Scan(sample.Text, sample.Path, generic: !binary, binary, direct);
                    scanner.Scan(padding + sample.Text, sample.Path, generic: !binary, binary, grouped);
                    grouped.Select(h => h with { Offset = h.Offset - padding.Length }).Should().Equal(direct,
                        "{0} ({1}) must be scanned alike short and long: \"{2}\"", rule.Id, binary ? "binary" : "text", sample.Text);
                    if (sample.Text.Length <= TextScanner.ShortText) shortOnes++;
                    if (direct.Count > 0) withHits++;
                }
            }
        }
        shortOnes.Should().BeGreaterThan(500, "most samples are short enough for the scalar path");
        withHits.Should().BeGreaterThan(300);
    }
}
