using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using Preflight.Content;
using Preflight.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// The endpoint patterns run on the backtracking engine first (see TimedRegex): on generated lines, ASCII and not, each
/// must give the same matches and groups as on the non-backtracking engine, which answers past the time limit.
/// </summary>
public class EndpointPatternEngineTests
{
    private static readonly string[] Pieces =
    [
        "http", "HTTPS", "://", "ftp://", "h.example.com", "/x?y=1", " ", "\t", "\"", "'", "<", ">", "é", "\u212A", "\u0661", "٣",
        "10", "1", "255", ".", "..", ":", "::", "fe80", "2001:db8", "[", "]", "abc", "0:0:0:0:0:0:0:1", "10.0.0.1", "1.2.3.4.5", "٣.٣.٣.٣",
        "server", "upstream", "proxy_pass", "host", "hostname", "pool", "peer", "remote", "connect", " gw.example.net", ":8080", ";", "\n",
        "key", "KEY", "=", "\"ServerHost\"", "value", "\"svc.example.net\"", "tcp:", "<add ", "/>",
    ];

    [Test]
    public void Generated_lines_get_the_same_matches_from_both_engines()
    {
        TimedRegex[] patterns =
        [
            EndpointExtractor.UrlPattern, EndpointExtractor.IPv4Pattern, EndpointExtractor.IPv6Pattern, EndpointExtractor.HostDirective,
            EndpointExtractor.KeyValueSetting,
        ];
        var random = new Random(20261130);
        var counts = new int[patterns.Length];
        for (int n = 0; n < 30_000; n++)
        {
            var sb = new StringBuilder();
            for (int i = random.Next(1, 16); i > 0; i--) sb.Append(Pieces[random.Next(Pieces.Length)]);
            var line = sb.ToString();
            for (int p = 0; p < patterns.Length; p++) counts[p] += RegexEngines.AssertSameAsLinear(patterns[p], line);
        }
        // URLs, IPv4 and IPv6 literals come often from these pieces; directives and key/value settings need a line's
        // shape, which the next test builds.
        counts[..3].Should().OnlyContain(c => c > 1_000, "every pattern must match often enough for the check to mean something");
    }

    [Test]
    public void Directive_and_key_value_shapes_get_the_same_matches_from_both_engines()
    {
        string[][] directive = [["", "  ", "\t", "x "], ["server", "upstream", "proxy_pass", "host", "pool", "Server"], [" ", "\t", ""],
            ["gw.example.net", "10.1.2.3", "a-b.c", "x", "gw.example.net:8080", "é.example.com"], ["", ";", " ;", " weight=5", "\r"]];
        string[][] keyValue = [["<add ", "", "x"], ["key", "KEY", "\u212Aey", "ke"], ["=", " = ", ""], ["\"", ""], ["ServerHost", "Primary\nServer", "Name", "url"],
            ["\"", ""], [" ", "\t", ""], ["value", "VALUE"], ["=", " = "], ["\"db.example.com\"", "\"tcp:10.1.2.3\"", "\"\""], ["/>", ""]];
        var random = new Random(20261131);
        int directives = 0, settings = 0;
        for (int n = 0; n < 10_000; n++)
        {
            directives += RegexEngines.AssertSameAsLinear(EndpointExtractor.HostDirective, string.Concat(directive.Select(c => c[random.Next(c.Length)])));
            settings += RegexEngines.AssertSameAsLinear(EndpointExtractor.KeyValueSetting, string.Concat(keyValue.Select(c => c[random.Next(c.Length)])));
        }
        directives.Should().BeGreaterThan(1_000);
        settings.Should().BeGreaterThan(200);
    }
}
