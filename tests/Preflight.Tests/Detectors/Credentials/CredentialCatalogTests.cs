using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors;
using Preflight.Detectors.Credentials;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>Every rule's generated samples, positive and negative, through the whole detector.</summary>
public class CredentialCatalogTests
{
    private const int Seed = 20261127;

    private static IEnumerable<TestCaseData> Rules() =>
        RuleSamples.All.Select(s => new TestCaseData(s.Rule.Id).SetName($"Catalog_{s.Rule.Id}_{s.Rule.Name.Replace('-', '_')}"));

    [TestCaseSource(nameof(Rules))]
    public void Rule_reports_its_positive_samples_and_stays_silent_on_its_negatives(string ruleId)
    {
        var (rule, positives, negatives) = RuleSamples.All.Single(s => s.Rule.Id == ruleId);
        // A stable seed per rule (string.GetHashCode differs from process to process, which made the samples, and
        // so the test, change between runs).
        var random = new Random(Seed ^ ruleId.Aggregate(17, static (h, c) => unchecked((h * 31) + c)));
        var pos = positives(random).ToList();
        var neg = negatives(random).ToList();
        pos.Should().HaveCountGreaterThanOrEqualTo(3, "every rule declares at least three positive samples");
        neg.Should().HaveCountGreaterThanOrEqualTo(3, "every rule declares at least three negative samples");
        foreach (var sample in pos)
        {
            var findings = CredentialScan.Sample(sample);
            findings.Should().Contain(f => f.RuleId == rule.Id, $"{rule.Id} must report the positive sample in {sample.Path}: {Describe(sample)}");
            if (sample.Secret is { } secret)
            {
                var finding = findings.First(f => f.RuleId == rule.Id);
                finding.Fingerprint.Should().Be(Fingerprint.Compute(rule.Id, sample.Path, secret), "the fingerprint's identity is the captured secret");
            }
        }
        foreach (var sample in neg)
            CredentialScan.Sample(sample).Should().NotContain(f => f.RuleId == rule.Id, $"{rule.Id} must not report the negative sample in {sample.Path}: {Describe(sample)}");
    }

    private static string Describe(RuleSample sample) => sample.Bytes is null ? sample.Text.Trim() : sample.Text;

    [Test]
    public void Every_credential_rule_has_samples_and_every_typed_pattern_has_a_match_timeout()
    {
        RuleSamples.All.Select(s => s.Rule.Id).Should().BeEquivalentTo(
            CredentialRules.All.Select(r => r.Id), "every rule of the catalog has samples");
        TypedRules.All.Should().OnlyContain(r => r.Pattern.MatchTimeout == TypedRules.PatternTimeout);
        TypedRules.PatternTimeout.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(1));
        TypedRules.All.Should().OnlyContain(r => r.Keywords.Count > 0);
    }

    /// <summary>
    /// Most typed patterns backtrack: on lines as long as the scanner hands them (<see cref="TextScanner.LongLine"/>), made
    /// of each rule's keywords followed by runs of the characters token shapes are built from, each must take time in
    /// proportion to the line. One that scans the rest of the line from every keyword takes 50-90 ms on such a line here,
    /// where a linear one takes well under 5: the bound between them leaves room for a slower machine. The patterns
    /// that are quadratic when they backtrack are built non-backtracking, and may take longer only by a constant.
    /// </summary>
    [Test]
    public void Every_typed_pattern_stays_linear_on_long_adversarial_lines()
    {
        string[] runs = ["a", "A", "0", "aZ9", "-", "_", "/", "+", "=", ".", ":", " ", "\t", "aA0-_", "ab+/", "x.y", "%2F", "\\", "\"", "'", "@", "$"];
        var slow = new List<string>();
        foreach (var rule in TypedRules.All)
        {
            bool linear = (rule.Pattern.Options & RegexOptions.NonBacktracking) != 0;
            var bound = TimeSpan.FromMilliseconds(linear ? 150 : 25);
            foreach (var keyword in rule.Keywords)
            {
                foreach (var run in runs)
                {
                    var once = new System.Text.StringBuilder(keyword);
                    while (once.Length < TextScanner.LongLine) once.Append(run);
                    var repeated = new System.Text.StringBuilder();
                    while (repeated.Length < TextScanner.LongLine) repeated.Append(keyword).Append(run).Append(run).Append(run);
                    foreach (var line in (string[])[once.ToString(0, TextScanner.LongLine), repeated.ToString(0, TextScanner.LongLine)])
                    {
                        rule.Pattern.Match(line[..64]); // a linear pattern builds its automaton on first use
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        for (var m = rule.Pattern.Match(line); m.Success; m = m.NextMatch()) { }
                        // One retry: a collection or a descheduling can stall any single measurement.
                        if (watch.Elapsed > bound)
                        {
                            watch.Restart();
                            for (var m = rule.Pattern.Match(line); m.Success; m = m.NextMatch()) { }
                        }
                        if (watch.Elapsed > bound)
                            slow.Add($"{rule.Descriptor.Id} {watch.Elapsed.TotalMilliseconds:F0} ms on '{line[..Math.Min(32, line.Length)]}…'");
                    }
                }
            }
        }
        slow.Should().BeEmpty("a backtracking pattern must not rescan the line from every keyword");
    }

    [Test]
    public void Catalog_has_at_least_sixty_typed_formats_with_kebab_names_in_the_pf3xx_range()
    {
        CredentialRules.All.Should().HaveCountGreaterThanOrEqualTo(60);
        CredentialRules.All.Should().OnlyContain(r => Regex.IsMatch(r.Id, "^PF3[0-9]{2}$") && r.Detector == "credentials");
        DetectorRegistry.Rules.Should().Contain(CredentialRules.All);
    }
}
