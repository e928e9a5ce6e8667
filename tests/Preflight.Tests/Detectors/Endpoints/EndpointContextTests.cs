using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// The context checks the extractor runs for every URL and address (comment or identifier, version number, webhook
/// setting) search ASCII text case-insensitively instead of lower-casing it first. These tests hold them to the
/// lower-casing definition they replaced, written out here, on generated lines full of the words they look for in
/// every casing, with and without non-ASCII characters.
/// </summary>
public class EndpointContextTests
{
    // The definitions as they were: lower-case the window (invariant), then search it ordinally.
    private static bool ReferenceIsCommentOrIdentifier(string text, int index)
    {
        int lineStart = ReferenceLineStart(text, index);
        var line = text.AsSpan(lineStart, index - lineStart);
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith("#") || trimmed.StartsWith("//") || trimmed.StartsWith(";") || trimmed.StartsWith("--") || trimmed.StartsWith("* ") || trimmed.StartsWith("/*")
            || trimmed.StartsWith("<!--") || trimmed.StartsWith("REM ", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("::")) return true;
        int from = Math.Max(0, line.Length - 80);
        var lower = line[from..].ToString().ToLowerInvariant();
        if (EndpointExtractor.IdentifierContexts.Any(c => lower.Contains(c, StringComparison.Ordinal))) return true;
        int end = Math.Min(text.Length, index + 120);
        var after = text[index..end];
        int sep = after.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0 && sep < 24)
        {
            var tail = after[(sep + 3)..].ToLowerInvariant();
            if (EndpointExtractor.IdentifierUrls.Any(id => tail.StartsWith(id, StringComparison.Ordinal))) return true;
        }
        return false;
    }

    private static bool ReferenceIsVersionContext(string text, int index)
    {
        int lineStart = ReferenceLineStart(text, index);
        int from = Math.Max(lineStart, index - 48);
        var before = text[from..index];
        if (before.Length > 0 && before[^1] is 'v' or 'V') return true;
        var lower = before.ToLowerInvariant();
        foreach (var word in EndpointExtractor.VersionWords)
        {
            for (int at = lower.IndexOf(word, StringComparison.Ordinal); at >= 0; at = lower.IndexOf(word, at + 1, StringComparison.Ordinal))
                if (word.Length > 4 || at == 0 || !char.IsAsciiLetter(lower[at - 1])) return true;
        }
        return false;
    }

    private static int ReferenceLineStart(string text, int index)
    {
        if (index == 0) return 0;
        int count = Math.Min(index, 256);
        int nl = text.AsSpan(index - count, count).LastIndexOf('\n');
        return nl >= 0 ? index - count + nl + 1 : index - count;
    }

    private static readonly string[] Fillers = ["a", "x", "=", " ", "\"", ":", ".", "/", "_", "-", "1", "9", "<", ">", "@", "K", "é", "İ", "\u212A", "ß", "ſ", "\n"];

    /// <summary>Lines made of the checks' own words (in random casing) and filler, with a URL at the end.</summary>
    private static IEnumerable<(string Text, int Index)> Cases(int seed, int count, bool ascii)
    {
        var random = new Random(seed);
        var words = EndpointExtractor.IdentifierContexts.Concat(EndpointExtractor.VersionWords).Concat(["webhook", "REM ", "# ", "//", "v"]).ToArray();
        var fillers = ascii ? Fillers.Where(f => f.All(char.IsAscii)).ToArray() : Fillers;
        for (int n = 0; n < count; n++)
        {
            var sb = new StringBuilder();
            int pieces = random.Next(0, 8);
            for (int i = 0; i < pieces; i++)
            {
                var piece = random.Next(3) == 0 ? words[random.Next(words.Length)] : fillers[random.Next(fillers.Length)];
                foreach (var c in piece) sb.Append(random.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
                if (random.Next(4) == 0) sb.Append(new string('y', random.Next(1, 90)));
            }
            int index = sb.Length;
            sb.Append(random.Next(2) == 0 ? "https://" : "10.0.0.1 and ");
            if (random.Next(2) == 0)
            {
                var id = EndpointExtractor.IdentifierUrls[random.Next(EndpointExtractor.IdentifierUrls.Length)];
                foreach (var c in id) sb.Append(random.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
            }
            sb.Append("host.example.com/path");
            if (!ascii && random.Next(3) == 0) sb.Append("\u212A\u0130");
            yield return (sb.ToString(), index);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Comment_and_identifier_check_matches_the_lower_casing_definition(bool ascii)
    {
        int positives = 0;
        foreach (var (text, index) in Cases(ascii ? 11 : 12, 20_000, ascii))
        {
            bool expected = ReferenceIsCommentOrIdentifier(text, index);
            EndpointExtractor.IsCommentOrIdentifier(text, index).Should().Be(expected, "for {0}", text);
            if (expected) positives++;
        }
        positives.Should().BeInRange(2_000, 18_000, "the cases must exercise both answers");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Version_context_check_matches_the_lower_casing_definition(bool ascii)
    {
        int positives = 0;
        foreach (var (text, index) in Cases(ascii ? 21 : 22, 20_000, ascii))
        {
            bool expected = ReferenceIsVersionContext(text, index);
            EndpointExtractor.IsVersionContext(text, index).Should().Be(expected, "for {0}", text);
            if (expected) positives++;
        }
        positives.Should().BeInRange(2_000, 18_000, "the cases must exercise both answers");
    }

    [Test]
    public void Webhook_setting_is_seen_in_any_casing_before_the_url()
    {
        const string text = "first line\nslack_WebHook_url = https://hooks.example.com/x\nurl = https://hooks.example.com/y";
        EndpointExtractor.WebhookKeyBefore(text, text.IndexOf("https://hooks.example.com/x", StringComparison.Ordinal)).Should().BeTrue();
        EndpointExtractor.WebhookKeyBefore(text, text.IndexOf("https://hooks.example.com/y", StringComparison.Ordinal)).Should().BeFalse("the word is on another line");
    }

    [Test]
    public void Word_lists_are_lower_case_ascii()
    {
        // The case-insensitive search equals lower-casing the text only for lower-case ASCII words.
        foreach (var word in EndpointExtractor.IdentifierContexts.Concat(EndpointExtractor.IdentifierUrls).Concat(EndpointExtractor.VersionWords))
            word.Should().Be(word.ToLowerInvariant()).And.Match(w => w.All(char.IsAscii));
    }
}
