using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// A pattern that runs past its match timeout on a line gives that line up for that rule alone: the scanner counts it
/// (the detector turns the count into a diagnostic), drops whatever the pattern found on the line before it gave up,
/// and every other rule still runs on the line.
/// </summary>
public class PatternTimeoutTests
{
    private static SecretRule Rule(string id, string keyword, string pattern, TimeSpan timeout) => new()
    {
        Descriptor = CredentialRules.All.First(r => r.Id == id),
        What = "test secret",
        Keywords = [keyword],
        LazyPattern = new Lazy<Regex>(() => new Regex(pattern, RegexOptions.ExplicitCapture, timeout)),
        Positives = _ => [],
        Negatives = _ => [],
    };

    [Test]
    public void A_pattern_that_times_out_loses_its_line_and_nothing_else()
    {
        // (a|aa)+! is exponential in the run of a's when the ! is missing: it cannot finish in 50 ms on 40 of them.
        var catastrophic = Rule("PF355", "zzkey", @"(?<s>zzkey)|(?<s>(a|aa)+!)", TimeSpan.FromMilliseconds(50));
        var plain = Rule("PF354", "zzkey", @"zzkey=(?<s>[0-9]{6})", Regex.InfiniteMatchTimeout);
        var scanner = new TextScanner([catastrophic, plain]);
        string line = "zzkey=123456 " + new string('a', 40) + "?";
        var hits = new List<SecretHit>();

        int timedOut = scanner.Scan(line + "\nzzkey=654321\n", "etc/app.conf", generic: false, binary: false, hits);

        timedOut.Should().Be(1, "the catastrophic pattern gives up on the first line only; the second has no run of a's");
        hits.Where(h => h.Rule.Id == "PF355").Select(h => h.Offset).Should().Equal([line.Length + 1],
            "its match at the start of the first line is dropped with the line, and the second line is searched as usual");
        hits.Where(h => h.Rule.Id == "PF354").Select(h => h.Secret).Should().Equal("123456", "654321");
    }

    [Test]
    public void Typed_rules_do_not_give_up_on_ordinary_lines()
    {
        var hits = new List<SecretHit>();
        TextScanner.Default.Scan("password=\"Xk3!p9Qz\" token=ghp_" + new string('a', 36) + "\n", "etc/app.conf", generic: true, binary: false, hits)
            .Should().Be(0);
        TypedRules.PatternTimeout.Should().BeGreaterThan(TimeSpan.Zero);
    }
}
