using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;

namespace Preflight.Tests.Scanning;

/// <summary>The line table, held to a character-by-character reading of the same texts.</summary>
public class LineIndexTests
{
    /// <summary>The line starts as the class documents them: after LF, after CR LF, after a lone CR.</summary>
    private static List<int> ReferenceStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            else if (text[i] is not ('\r' or '\n')) continue;
            starts.Add(i + 1);
        }
        return starts;
    }

    private static List<int> Starts(LineIndex index) =>
        [.. Enumerable.Range(1, index.Count).Select(n => index.Bounds(n).Start)];

    private static string RandomText(Random random, int length)
    {
        // Mostly terminators, so that CR LF pairs straddle the 16-character blocks and the tail in every way.
        var chars = new char[length];
        for (int i = 0; i < length; i++)
            chars[i] = random.Next(6) switch { 0 => '\r', 1 => '\n', 2 => 'é', 3 => '\u0a0d', _ => (char)('a' + random.Next(26)) };
        return new string(chars);
    }

    [Test]
    public void Line_starts_match_a_character_by_character_reading_on_random_texts()
    {
        var random = new Random(20261129);
        for (int round = 0; round < 3000; round++)
        {
            var text = RandomText(random, random.Next(0, 120));
            Starts(new LineIndex(text)).Should().Equal(ReferenceStarts(text), "text {0}", string.Join(",", text.Select(c => (int)c)));
        }
    }

    [TestCase("")]
    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    [TestCase("0123456789abcde\r\nx")] // CR the last character of the first block, LF the first of the next
    [TestCase("0123456789abcdef0123456789abcde\r\n")] // CR LF across the last block and the tail
    [TestCase("0123456789abcdef\r\r\n\n")]
    public void Edge_cases_match_the_reference(string text)
    {
        var index = new LineIndex(text);
        Starts(index).Should().Equal(ReferenceStarts(text));
        index.Count.Should().Be(ReferenceStarts(text).Count);
    }

    [Test]
    public void A_pooled_index_of_more_lines_than_its_first_guess_grows_and_answers_positions()
    {
        // One line per character: far more than the first guess of one per 48 characters.
        var text = string.Concat(Enumerable.Repeat("a\nb\r\nc\r", 5000));
        var index = new LineIndex(text.AsMemory(), pooled: true);
        index.Count.Should().Be(ReferenceStarts(text).Count);
        Starts(index).Should().Equal(ReferenceStarts(text));
        index.Position(text.Length - 2).Should().Be((index.Count - 1, 1)); // the last "c" starts the line before the empty last one
        index.Release();
    }
}
