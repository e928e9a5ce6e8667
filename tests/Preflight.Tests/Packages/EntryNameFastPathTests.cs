using FluentAssertions;
using NUnit.Framework;
using Preflight.Packages;

namespace Preflight.Tests.Packages;

/// <summary>
/// Entry names that need no normalisation skip the full inspection (<see cref="EntryNames.IsOrdinary"/>); every name
/// must come out of <see cref="EntryNames.Inspect"/> exactly as the full inspection gives it, with the same problems.
/// </summary>
public class EntryNameFastPathTests
{
    private static void AssertSameAsFull(string raw)
    {
        var fast = new List<NameProblem>();
        var full = new List<NameProblem>();
        string viaInspect = EntryNames.Inspect(raw, fast);
        string viaFull = EntryNames.InspectInFull(raw, full);
        viaInspect.Should().Be(viaFull, $"the name {Escape(raw)}");
        fast.Should().Equal(full, $"the problems of {Escape(raw)}");
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString()));

    [TestCase("lib/net/app.dll")]
    [TestCase("a")]
    [TestCase("a..b/c")]
    [TestCase(".hidden/x")]
    [TestCase("x/...")]
    [TestCase("C/x")]
    [TestCase("dir/file name with spaces.txt")]
    [TestCase("données/é.txt")]
    [TestCase("bundle.tar.gz")]
    public void An_ordinary_name_takes_the_fast_path_and_comes_back_unchanged(string raw)
    {
        EntryNames.IsOrdinary(raw).Should().BeTrue();
        var problems = new List<NameProblem>();
        EntryNames.Inspect(raw, problems).Should().BeSameAs(raw);
        problems.Should().BeEmpty();
        AssertSameAsFull(raw);
    }

    [TestCase("")]
    [TestCase("/etc/passwd")]
    [TestCase("../x")]
    [TestCase("a/../../x")]
    [TestCase("a/./b")]
    [TestCase("./a")]
    [TestCase("a//b")]
    [TestCase("a/")]
    [TestCase(".")]
    [TestCase("..")]
    [TestCase("a/.")]
    [TestCase("a/..")]
    [TestCase("C:/Windows/x")]
    [TestCase("c:x")]
    [TestCase("a\\b")]
    [TestCase("a\u0000b")]
    [TestCase("a\u001Fb")]
    [TestCase("a\u007Fb")]
    [TestCase("a\uFFFDb")]
    [TestCase("a\tb")]
    public void A_name_with_anything_to_normalise_or_report_takes_the_full_inspection(string raw)
    {
        EntryNames.IsOrdinary(raw).Should().BeFalse();
        AssertSameAsFull(raw);
    }

    [Test]
    public void Generated_names_come_out_the_same_either_way()
    {
        // Names drawn from the characters the checks look at, so that every branch of both paths is taken often.
        char[] alphabet = ['a', 'b', 'Z', '.', '.', '/', '/', '\\', ':', ' ', '\0', '\u0001', '\u001F', '\u007F', '\u0080', '\uFFFD', 'é', '~'];
        var random = new Random(20261130);
        int ordinary = 0;
        for (int i = 0; i < 200_000; i++)
        {
            var chars = new char[random.Next(0, 12)];
            for (int j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var raw = new string(chars);
            if (EntryNames.IsOrdinary(raw)) ordinary++;
            AssertSameAsFull(raw);
        }
        ordinary.Should().BeGreaterThan(5_000, "the fast path must be exercised, not only the full one");
    }
}
