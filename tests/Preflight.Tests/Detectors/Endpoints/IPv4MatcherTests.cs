using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Endpoints;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// IPv4 literals on an ASCII line are found by a hand-written matcher rather than the address pattern; the two must agree
/// on every match, its start and its length. Held to the pattern on generated lines built from digit runs of every length,
/// dots, decimals, versions and separators, and on every line of the repository's text files that the line filter passes.
/// </summary>
public class IPv4MatcherTests
{
    private static List<(int Index, int Length)> ByMatcher(string line)
    {
        var found = new List<(int, int)>();
        for (int from = 0; EndpointExtractor.NextIPv4(line, ref from, out int index, out int length);) found.Add((index, length));
        return found;
    }

    private static List<(int Index, int Length)> ByPattern(string line)
    {
        var found = new List<(int, int)>();
        foreach (var m in EndpointExtractor.IPv4Pattern.Linear.EnumerateMatches(line)) found.Add((m.Index, m.Length));
        return found;
    }

    [Test]
    public void Generated_lines_get_the_matches_the_pattern_gives()
    {
        string[] pieces =
        [
            "1", "12", "123", "1234", "12345", "0", "255", "999", ".", ".", "..", " ", ",", "(", ")", ":", "/", "-", "a", "v", "x.",
            "10.0.0.1", "1.2.3", "213.29", "1.2.3.4.5", "192.168.1.1:80", "2026-11-30T00:35:01.123Z", "VALUES (1, 2.5)",
        ];
        var random = new Random(20261130);
        int matches = 0, empty = 0;
        for (int n = 0; n < 60_000; n++)
        {
            var sb = new StringBuilder();
            for (int i = random.Next(1, 20); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            var line = sb.ToString();
            var expected = ByPattern(line);
            ByMatcher(line).Should().Equal(expected, "for \"{0}\"", line);
            if (expected.Count == 0) empty++;
            matches += expected.Count;
        }
        matches.Should().BeGreaterThan(20_000, "the generated lines hold many addresses");
        empty.Should().BeGreaterThan(10_000, "and many lines with none");
    }

    [Test]
    public void Every_ascii_line_the_filter_passes_in_the_repository_gets_the_matches_the_pattern_gives()
    {
        int lines = 0, addresses = 0;
        foreach (var (file, line) in RegexEngines.RepositoryLines())
        {
            if (!Ascii.IsValid(line) || !EndpointExtractor.MayHoldIPv4(line)) continue;
            var expected = ByPattern(line);
            ByMatcher(line).Should().Equal(expected, "in {0}: \"{1}\"", file, line);
            lines++;
            addresses += expected.Count;
        }
        lines.Should().BeGreaterThan(100);
        addresses.Should().BeGreaterThan(100);
    }

    // Written from the pattern: a longer digit run gives its last three digits to the first group, the last group takes
    // at most three digits, and the search goes on after a match's end.
    [TestCase("10.0.0.1", 0, 8, -1, 0)]
    [TestCase("x1234.5.6.7", 2, 9, -1, 0)]
    [TestCase("1.2.3.4567", 0, 9, -1, 0)]
    [TestCase("1.2.3.4.5.6.7.8", 0, 7, 8, 7)]
    [TestCase("12.34567.8.9.1", 5, 9, -1, 0)]
    [TestCase("VALUES (1, 213.29), (2, 419.48)", -1, 0, -1, 0)]
    [TestCase("1.2.3..4 5.6.7.8", 9, 7, -1, 0)]
    public void Digit_runs_and_restarts_are_the_patterns(string line, int first, int firstLength, int second, int secondLength)
    {
        var expected = new List<(int, int)>();
        if (first >= 0) expected.Add((first, firstLength));
        if (second >= 0) expected.Add((second, secondLength));
        ByPattern(line).Should().Equal(expected, "the cases are written from the pattern");
        ByMatcher(line).Should().Equal(expected);
    }
}
