using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// The extractor runs its patterns only on the lines a cheap search selects; these inputs put every kind of
/// endpoint on a line that is not the text's first, so a pattern anchored at a line start is run on a window.
/// </summary>
public class EndpointExtractorLineTests
{
    private static List<(int Offset, string Host)> Extract(string text)
    {
        var found = new List<(int, string)>();
        EndpointExtractor.FromText(text, c => found.Add((c.Offset, c.Host)));
        return found;
    }

    [Test]
    public void Every_kind_of_endpoint_is_found_on_later_lines_at_its_offset()
    {
        const string text = "a=1\nhost=db1.example.com\n  server cache.example.org:6379;\nupstream_host: 10.1.2.3\n"
            + "listen [2001:db8::1]:80 fe80::1\n<add key=\"ServerHost\" value=\"svc.example.net\"/>\nGET https://api.example.com/v1 from 203.0.113.7\n";
        var found = Extract(text);
        // In the order of the passes (URLs, host settings, key/value settings, host directives, IPv4, IPv6), each
        // in text order; an address a setting names is also seen by the address pass (the detector merges them).
        int At(string s) => text.IndexOf(s, StringComparison.Ordinal);
        found.Should().Equal(
            (At("https://"), "api.example.com"),
            (At("db1."), "db1.example.com"),
            (At("10.1.2.3"), "10.1.2.3"),
            (At("svc."), "svc.example.net"),
            (At("cache."), "cache.example.org"),
            (At("10.1.2.3"), "10.1.2.3"),
            (At("203.0.113.7"), "203.0.113.7"),
            (At("2001:"), "2001:db8::1"),
            (At("fe80"), "fe80::1"));
    }

    [Test]
    public void A_key_value_setting_whose_key_spans_two_lines_is_still_read()
    {
        const string text = "<add key=\"Primary\nServerHost\" value=\"svc.example.net\"/>\n";
        Extract(text).Select(f => f.Host).Should().Equal("svc.example.net");
    }

    [TestCase("2026-11-15T07:54:30.945Z INFO  [worker-7] processed order 363329 in 331 ms\n")]
    [TestCase("12:30:45 12:30:46 12:30:47\n")]
    [TestCase("version 1.2.3.4 released\n")]
    public void Timestamps_and_versions_on_a_log_line_are_no_endpoints(string line) =>
        Extract(string.Concat(Enumerable.Repeat(line, 50))).Should().BeEmpty();

    // Lines that mention a host word are run through the setting pattern only when the word can end a key
    // (=, ": ", a colon at the end or before a quote); these shapes must all still be read.
    [TestCase("x: 1\nData Source=sql01.example.com;Initial Catalog=app\n", "sql01.example.com")]
    [TestCase("x: 1\n  \"upstream_host\" : \"10.1.2.3\"\n", "10.1.2.3")]
    [TestCase("x: 1\nRemoteServer:\"relay.example.org\"\n", "relay.example.org")]
    [TestCase("x: 1\n\tproxy_pass  gw.example.net:8080;\n", "gw.example.net")]
    [TestCase("x: 1\nkafka.brokers = k1.example.com,k2.example.com\n", "k2.example.com")]
    [TestCase("x: 1\nhostname_for_the_primary_db = pg.example.com\n", "pg.example.com")]
    public void Host_settings_in_every_key_shape_are_found(string text, string host) =>
        Extract(text).Select(f => f.Host).Should().Contain(host);

    [TestCase("2026-11-15T07:54:30Z INFO connection to db-12.internal.example:5432 re-established\n")]
    [TestCase("the remote end hung up; server said goodbye\n")]
    public void A_host_word_in_prose_is_no_setting(string line) =>
        Extract(string.Concat(Enumerable.Repeat(line, 20))).Should().BeEmpty();

    // The same results as whole-text passes were checked against the extractor before line selection.
    [Test]
    public void A_text_without_a_final_newline_and_with_CRLF_line_ends_is_read_to_its_end()
    {
        const string text = "x: 1\r\nhost: db.example.com\r\nremote 198.51.100.4";
        Extract(text).Should().Equal((12, "db.example.com"), (35, "198.51.100.4"), (35, "198.51.100.4"));
    }

    [Test]
    public void The_IPv4_line_filter_never_turns_away_a_line_the_address_pattern_matches()
    {
        // The filter skips the pattern on lines without three dots between digits. Random lines over an alphabet of
        // digits (ASCII and Arabic-Indic, which \d also matches), dots, colons, letters and spaces: wherever the
        // pattern matches, the filter lets the line through; and it turns most other lines away.
        var pattern = new System.Text.RegularExpressions.Regex(@"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}");
        const string alphabet = "0123456789\u0661\u0662....::ab -";
        var random = new Random(20261128);
        int matching = 0, skipped = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var chars = new char[random.Next(0, 40)];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            var line = new string(chars);
            bool matches = pattern.IsMatch(line);
            bool passes = EndpointExtractor.MayHoldIPv4(line);
            if (matches)
            {
                matching++;
                passes.Should().BeTrue($"the pattern matches \"{line}\"");
            }
            else if (!passes) skipped++;
        }
        matching.Should().BeGreaterThan(100, "the generator must produce addresses for the check to mean anything");
        skipped.Should().BeGreaterThan(10_000);
        EndpointExtractor.MayHoldIPv4("2026-11-15T07:54:31.369Z POST https://partner-110.example.net/hooks").Should().BeFalse();
        EndpointExtractor.MayHoldIPv4("upstream 10.1.2.3:80").Should().BeTrue();
    }

    [Test]
    public void The_key_value_gate_never_turns_away_a_text_the_pattern_matches()
    {
        // Random texts from the pattern's pieces and near misses (a key without '=', VALUES, a Kelvin sign for the 'k'
        // that (?i) folds): wherever the pattern matches, the gate lets the text through; SQL-like texts are turned away.
        // Each text is a setting's parts in order, each part drawn from its right spellings and near misses.
        string[][] parts =
        [
            ["", "<add ", "x", "PRIMARY KEY (id);\n", "INSERT INTO t VALUES (1, 2.5);\n", "\"value\": 1,\n"],
            ["key", "KEY", "Key", "\u212Aey", "\u212AEY", "ke", "xkey", "keys", "apiKey"],
            ["", " ", "\t", "  ", "\n"],
            ["=", "", ":", "=="],
            ["", " ", "\t"],
            ["\"", "", "'"],
            ["ServerHost", "Primary\nServerHost", "Name", "url", "WebhookUri"],
            ["\"", ""],
            [" ", "\t", "", "\n"],
            ["value", "VALUE", "Value", "valu", "values"],
            ["=", " = ", ""],
            ["\"db.example.com\"", "\"tcp:10.1.2.3\"", "\"\"", "db"],
            ["", "/>", "\n"],
        ];
        var random = new Random(20261130);
        int matching = 0, turnedAway = 0;
        for (int n = 0; n < 40_000; n++)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var choices in parts)
                sb.Append(random.Next(3) == 0 ? choices[random.Next(choices.Length)] : choices[0]);
            var text = sb.ToString();
            bool matches = EndpointExtractor.KeyValueSetting.Linear.IsMatch(text);
            bool passes = EndpointExtractor.MayHoldKeyValueSetting(text);
            if (matches)
            {
                matching++;
                passes.Should().BeTrue($"the pattern matches \"{text}\"");
            }
            else if (!passes) turnedAway++;
        }
        matching.Should().BeGreaterThan(200, "the generator must produce settings for the check to mean anything");
        turnedAway.Should().BeGreaterThan(1_000);
        EndpointExtractor.MayHoldKeyValueSetting("CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'key');\n").Should().BeFalse();
    }

    [Test]
    public void A_key_value_setting_spelled_with_a_Kelvin_sign_is_still_read()
    {
        const string text = "<add \u212Aey=\"ServerHost\" value=\"svc.example.net\"/>\n";
        EndpointExtractor.KeyValueSetting.Linear.IsMatch(text).Should().BeTrue("(?i) folds the Kelvin sign to k");
        Extract(text).Select(f => f.Host).Should().Equal("svc.example.net");
    }
}
