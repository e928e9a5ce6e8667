using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// The placeholder words are found with one case-insensitive search instead of a Contains per word. These tests hold
/// it to the word-by-word definition on generated values: the words in every casing, cut short, among filler, with and
/// without characters whose upper case is an ASCII letter (ſ, ı) or that look like one (the Kelvin sign).
/// </summary>
public class PlaceholderWordTests
{
    private static bool Reference(string value) =>
        Placeholders.PlaceholderWords.Any(w => value.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] Fillers = ["a", "Z", "9", "_", "-", ".", "=", "/", "+", "x", "ſ", "ı", "\u212A", "é", "ß", " "];

    [TestCase(true)]
    [TestCase(false)]
    public void Search_matches_the_word_by_word_definition(bool ascii)
    {
        var random = new Random(ascii ? 31 : 32);
        var words = Placeholders.PlaceholderWords.ToArray();
        var fillers = ascii ? Fillers.Where(f => f.All(char.IsAscii)).ToArray() : Fillers;
        int positives = 0;
        for (int n = 0; n < 30_000; n++)
        {
            var sb = new StringBuilder();
            int pieces = random.Next(1, 7);
            for (int i = 0; i < pieces; i++)
            {
                string piece = fillers[random.Next(fillers.Length)];
                if (random.Next(3) == 0)
                {
                    var word = words[random.Next(words.Length)];
                    // Sometimes only part of a word: near misses must stay misses.
                    piece = random.Next(3) == 0 && word.Length > 2 ? word[..random.Next(1, word.Length)] : word;
                    if (!ascii && random.Next(4) == 0) piece = piece.Replace('s', 'ſ').Replace('i', 'ı').Replace('k', '\u212A');
                }
                foreach (var c in piece) sb.Append(random.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
            }
            var value = sb.ToString();
            bool expected = Reference(value);
            Placeholders.HasPlaceholderWord(value).Should().Be(expected, "for \"{0}\"", value);
            if (expected) positives++;
        }
        positives.Should().BeInRange(3_000, 27_000, "the cases must exercise both answers");
    }

    [Test]
    public void Words_in_any_case_are_placeholders_and_real_looking_values_are_not()
    {
        Placeholders.IsPlaceholder("ChangeMe-2026").Should().BeTrue();
        Placeholders.IsPlaceholder("my-SUPERSECRET").Should().BeTrue();
        Placeholders.IsPlaceholder("Xq7#pL2v9Rt4").Should().BeFalse();
    }
}
