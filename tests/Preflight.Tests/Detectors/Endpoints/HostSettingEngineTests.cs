using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using Preflight.Content;
using Preflight.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// Host settings are matched by the backtracking engine, which reads groups far faster than the non-backtracking one;
/// the two must agree on every match of a line, its place and both groups. Held to each other on generated lines built
/// from keys, keywords in every case, separators, quotes, values and near misses, and on every line of the repository's
/// text files that holds a keyword.
/// </summary>
public class HostSettingEngineTests
{
    private static readonly Regex Reference = new(EndpointExtractor.HostSettingPattern, RegexOptions.NonBacktracking);

    private static List<string> Matches(Regex pattern, string line)
    {
        var found = new List<string>();
        for (var m = pattern.Match(line); m.Success; m = m.NextMatch())
            found.Add($"{m.Index}+{m.Length} k={m.Groups["k"].Index}:{m.Groups["k"].Value} v={m.Groups["v"].Index}:{m.Groups["v"].Value}");
        return found;
    }

    private static List<string> ByHostSettings(string line)
    {
        var found = new List<Match>();
        EndpointExtractor.HostSettings(line, found);
        return found.Select(m => $"{m.Index}+{m.Length} k={m.Groups["k"].Index}:{m.Groups["k"].Value} v={m.Groups["v"].Index}:{m.Groups["v"].Value}").ToList();
    }

    [Test]
    public void Generated_lines_get_the_same_matches_and_groups_from_both_engines()
    {
        string[] pieces =
        [
            "host", "HOST", "Hostname", "server", "Servers", "endpoint", "address", "addr", "domain", "broker", "Brokers", "proxy", "upstream",
            "remote", "data source", "Data Source", "webhook", "hos", "serve", "db_", "primary.", "-", "_url", "x", "9", ".", " ", "\t", ";",
            "\"", "'", "{", ",", "(", "$", "=", ":", ": ", ":\"", "tcp:", "tcp://", "10.1.2.3", "db.example.com", "[::1]", "a,b", "https://h.example.com/x",
            "\r", "/", "#", "==", "  =  ", "hosthost", "remote_server_host",
        ];
        var random = new Random(20261130);
        int matches = 0, empty = 0;
        for (int n = 0; n < 60_000; n++)
        {
            var sb = new StringBuilder();
            for (int i = random.Next(1, 14); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            var line = sb.ToString();
            var expected = Matches(Reference, line);
            RegexEngines.Retrying(() => Matches(EndpointExtractor.HostSetting.Backtracking, line)).Should().Equal(expected, "for \"{0}\"", line);
            if (expected.Count == 0) empty++;
            matches += expected.Count;
        }
        matches.Should().BeGreaterThan(3_000, "the generated lines hold many settings");
        empty.Should().BeGreaterThan(10_000, "and many lines with none");
    }

    [Test]
    public void Every_line_with_a_keyword_in_the_repository_gets_the_same_matches_from_both_engines()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Preflight.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new InvalidOperationException("the repository root was not found");
        string[] extensions = [".cs", ".md", ".json", ".yaml", ".yml", ".xml", ".config", ".sh", ".ini", ".conf", ".service", ".sql", ".txt", ".ps1", ".py", ".toml", ".env", ".properties"];
        char sep = Path.DirectorySeparatorChar;
        int lines = 0, settings = 0;
        foreach (var top in new[] { "src", "tests", "fixtures", "benchmarks", "docs" }.Select(d => Path.Combine(root, d)).Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(top, "*", SearchOption.AllDirectories))
            {
                if (!extensions.Contains(Path.GetExtension(file)) || file.Contains($"{sep}bin{sep}", StringComparison.Ordinal)
                    || file.Contains($"{sep}obj{sep}", StringComparison.Ordinal)) continue;
                foreach (var line in File.ReadLines(file))
                {
                    if (!Reference.IsMatch(line)) continue;
                    var expected = Matches(Reference, line);
                    ByHostSettings(line).Should().Equal(expected, "in {0}: \"{1}\"", file, line);
                    lines++;
                    settings += expected.Count;
                }
            }
        lines.Should().BeGreaterThan(100);
        settings.Should().BeGreaterThan(100);
    }

    [Test]
    public void A_line_the_backtracking_engine_gives_up_on_is_matched_by_the_other()
    {
        // The pattern runs in linear time on the backtracking engine too, so its time limit is only a guard; here a
        // limit of one millisecond on a line of 8 Mi characters (tens of milliseconds to read on any machine) makes it
        // give up after the first matches. The matches are then the non-backtracking engine's, none lost or doubled.
        var line = string.Concat(Enumerable.Repeat("host=a.example.com; ", 4)) + new string('x', 8 << 20) + "; server: b.example.com";
        var limited = new Regex(EndpointExtractor.HostSettingPattern, RegexOptions.None, TimeSpan.FromMilliseconds(1));
        var act = () => Matches(limited, line);
        act.Should().Throw<RegexMatchTimeoutException>("the check must reach the fallback");
        var found = new List<Match>();
        EndpointExtractor.HostSettings(line, found, new TimedRegex(limited));
        found.Select(m => m.Groups["v"].Value).Should().Equal("a.example.com", "a.example.com", "a.example.com", "a.example.com", "b.example.com");
        found.Select(m => $"{m.Index}+{m.Length}").Should().Equal(Matches(Reference, line).Select(s => s[..s.IndexOf(' ', StringComparison.Ordinal)]));
    }
}
