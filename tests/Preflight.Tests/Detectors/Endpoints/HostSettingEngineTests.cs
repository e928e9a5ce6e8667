using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;
using Preflight.Detectors.Endpoints;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// Host settings are matched by the backtracking engine, which reads groups far faster than the non-backtracking one;
/// the two must agree on every match of a line, its place and both groups. Held to each other on generated lines built
/// from keys, keywords in every case, separators, quotes, values and near misses, and on every line of the repository's
/// text files that holds a setting.
/// </summary>
public class HostSettingEngineTests
{
    private static List<string> ByHostSettings(string line) => RegexEngines.Describe(EndpointExtractor.HostSetting.Matches(line));

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
            int found = RegexEngines.AssertSameAsLinear(EndpointExtractor.HostSetting, sb.ToString());
            if (found == 0) empty++;
            matches += found;
        }
        matches.Should().BeGreaterThan(3_000, "the generated lines hold many settings");
        empty.Should().BeGreaterThan(10_000, "and many lines with none");
    }

    [Test]
    public void Every_line_with_a_setting_in_the_repository_gets_the_same_matches_from_both_engines()
    {
        var reference = EndpointExtractor.HostSetting.Linear;
        int lines = 0, settings = 0;
        foreach (var (file, line) in RegexEngines.RepositoryLines())
        {
            if (!reference.IsMatch(line)) continue;
            var expected = RegexEngines.Describe(reference, line);
            ByHostSettings(line).Should().Equal(expected, "in {0}: \"{1}\"", file, line);
            lines++;
            settings += expected.Count;
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
        var act = () => RegexEngines.Describe(limited, line);
        act.Should().Throw<RegexMatchTimeoutException>("the check must reach the fallback");
        var found = new TimedRegex(limited).Matches(line);
        found.Select(m => m.Groups["v"].Value).Should().Equal("a.example.com", "a.example.com", "a.example.com", "a.example.com", "b.example.com");
        RegexEngines.Describe(found).Should().Equal(RegexEngines.Describe(EndpointExtractor.HostSetting.Linear, line));
    }
}
