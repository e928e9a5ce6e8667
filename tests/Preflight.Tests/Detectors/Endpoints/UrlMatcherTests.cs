using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// URLs on an ASCII line are found by a hand-written matcher rather than the URL pattern; the two must agree on every
/// match, its start and its length. Held to the pattern on every line with "://" of the repository's text files and on
/// generated lines built from schemes, near misses, boundaries, stop characters and case variants.
/// </summary>
public class UrlMatcherTests
{
    private static List<(int Index, int Length)> ByMatcher(string line)
    {
        var found = new List<(int, int)>();
        for (int from = 0; EndpointExtractor.NextUrl(line, ref from, out int index, out int length);) found.Add((index, length));
        return found;
    }

    private static List<(int Index, int Length)> ByPattern(string line)
    {
        var found = new List<(int, int)>();
        foreach (var m in EndpointExtractor.UrlPattern.Linear.EnumerateMatches(line)) found.Add((m.Index, m.Length));
        return found;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Preflight.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository root was not found");
    }

    [Test]
    public void Every_ascii_line_with_a_url_in_the_repository_gets_the_matches_the_pattern_gives()
    {
        var root = RepositoryRoot();
        string[] extensions = [".cs", ".md", ".json", ".yaml", ".yml", ".xml", ".config", ".sh", ".ini", ".conf", ".service", ".sql", ".txt", ".ps1", ".py"];
        int lines = 0, urls = 0;
        foreach (var dir in new[] { "src", "tests", "fixtures", "benchmarks", "docs" }.Select(d => Path.Combine(root, d)).Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                if (!extensions.Contains(Path.GetExtension(file)) || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                foreach (var line in File.ReadLines(file))
                {
                    if (!line.Contains("://", StringComparison.Ordinal) || !Ascii.IsValid(line)) continue;
                    var expected = ByPattern(line);
                    ByMatcher(line).Should().Equal(expected, "in {0}: \"{1}\"", file, line);
                    lines++;
                    urls += expected.Count;
                }
            }
        lines.Should().BeGreaterThan(200);
        urls.Should().BeGreaterThan(200);
    }

    [Test]
    public void Generated_lines_get_the_matches_the_pattern_gives()
    {
        string[] pieces =
        [
            "://", ":/", ":", "/", "//", "http", "HTTPS", "hTtP", "ftp", "x", "a1", "9", "_", "-", "+", ".", "git+ssh", "jdbc:postgresql",
            "mongodb+srv", "abcdefghijklmnopqrst", "abcdefghijklmnopqrstu", "abcdefghijklmnopqrstuv", " ", "\t", "\v", "\f", "\"", "'", "<", ">", "`",
            "\\", "|", "^", "{", "}", "host.example.com", "a/b?c=d&e=f#g", "[::1]:80", "user:pw@h", "%20", "(", ")", ",", ";", "=", "@", "~", "*",
            " https://h", "x://", "a.b://", "http://", "ftp://x/",
        ];
        var random = new Random(20261129);
        int matches = 0, empty = 0;
        for (int n = 0; n < 50_000; n++)
        {
            var sb = new StringBuilder();
            for (int i = random.Next(1, 16); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            var line = sb.ToString();
            var expected = ByPattern(line);
            ByMatcher(line).Should().Equal(expected, "for \"{0}\"", line);
            if (expected.Count == 0) empty++;
            matches += expected.Count;
        }
        matches.Should().BeGreaterThan(10_000, "the generated lines hold many URLs");
        empty.Should().BeGreaterThan(10_000, "and many lines with none");
    }

    [TestCase("see http://a.example.com/x and ftp://b.example.org", 4, 22, 31, 19)]
    [TestCase("9http://a.example.com 1 _http://b", -1, 0, -1, 0)]
    [TestCase("9http://a.example.com 1 xhttp://b", 24, 9, -1, 0)]
    [TestCase("a-http://a.example.com", 0, 22, -1, 0)]
    [TestCase("abcdefghijklmnopqrstuvwxyz://host", -1, 0, -1, 0)]
    [TestCase("x.abcdefghijklmnopqrstu://h", 2, 25, -1, 0)]
    [TestCase("http:// x http://a\"b", 10, 8, -1, 0)]
    public void Boundaries_and_scheme_lengths_are_the_patterns(string line, int first, int firstLength, int second, int secondLength)
    {
        var expected = new List<(int, int)>();
        if (first >= 0) expected.Add((first, firstLength));
        if (second >= 0) expected.Add((second, secondLength));
        ByPattern(line).Should().Equal(expected, "the cases are written from the pattern");
        ByMatcher(line).Should().Equal(expected);
    }
}
