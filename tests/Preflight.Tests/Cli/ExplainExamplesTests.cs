using FluentAssertions;
using NUnit.Framework;
using Preflight.Cli;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Cli;

/// <summary><c>preflight explain</c> prints a bad and a good example for every rule of the registry.</summary>
public class ExplainExamplesTests
{
    private static IEnumerable<string> RuleIds() => DetectorRegistry.Rules.Select(r => r.Id);

    private static IEnumerable<string> CredentialRuleIds() => RuleSamples.All.Select(s => s.Rule.Id);

    [Test]
    public void Every_rule_of_the_registry_has_a_bad_and_a_different_good_example()
    {
        var missing = DetectorRegistry.Rules.Where(r => RuleExamples.For(r.Id) is not { Bad.Length: > 0, Good.Length: > 0 }).Select(r => r.Id).ToList();

        missing.Should().BeEmpty("every rule needs both examples (src/Preflight.Cli/RuleExamples.cs)");
        DetectorRegistry.Rules.Should().OnlyContain(r => RuleExamples.For(r.Id)!.Bad != RuleExamples.For(r.Id)!.Good);
    }

    [Test]
    public void Hand_written_examples_name_only_rules_of_the_registry()
    {
        RuleExamples.WrittenIds.Should().BeSubsetOf(RuleIds(), "an example for a rule that does not exist is stale");
        RuleExamples.WrittenIds.Should().NotIntersectWith(CredentialRuleIds(), "credential rules take their examples from their samples");
    }

    [TestCaseSource(nameof(CredentialRuleIds))]
    public async Task Credential_bad_example_redacts_the_secret_and_the_good_one_is_not_reported(string ruleId)
    {
        var (rule, positives, _) = RuleSamples.All.First(s => s.Rule.Id == ruleId);
        var sample = positives(new Random(2026)).First();
        var example = RuleExamples.For(ruleId)!;

        if (sample.Secret is { } secret)
        {
            example.Bad.Should().NotContain(secret);
            foreach (var line in example.Bad.Split('\n').Where(l => l.Length >= 16))
                secret.Should().NotContain(line, "no line of a multi-line secret is shown in clear");
        }
        example.Bad.Should().StartWith(sample.Path + ":");

        // A good example that is a file is scanned: the rule leaves it alone.
        int colon = example.Good.IndexOf(":\n", StringComparison.Ordinal);
        if (colon < 0) return;
        var folder = Directory.CreateTempSubdirectory("pf-explain-");
        try
        {
            string path = Path.Combine(folder.FullName, example.Good[..colon]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, example.Good[(colon + 2)..] + "\n");
            var report = await PreflightScanner.ScanAsync(folder.FullName, ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) });
            report.Findings.Should().NotContain(f => f.RuleId == rule.Id, example.Good);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [TestCase("PF301")]
    [TestCase("path-traversal")]
    [TestCase("PF501")]
    public async Task Explain_prints_the_bad_and_the_good_example(string given)
    {
        var rule = DetectorRegistry.FindRule(given)!;
        var example = RuleExamples.For(rule.Id)!;

        var run = await CliHarness.RunAsync("explain", given);

        run.ExitCode.Should().Be(0, run.ToString());
        string indentedBad = string.Join('\n', example.Bad.Split('\n').Select(l => "    " + l));
        string indentedGood = string.Join('\n', example.Good.Split('\n').Select(l => "    " + l));
        run.Stdout.ReplaceLineEndings("\n").Should().Contain($"Bad (reported):\n{indentedBad}\n\nGood:\n{indentedGood}\n");
    }
}
