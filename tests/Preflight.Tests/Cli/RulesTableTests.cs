using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Tests.Cli;

/// <summary><c>preflight rules</c>: a table on a terminal, aligned plain text when redirected.</summary>
public class RulesTableTests
{
    private static readonly Dictionary<string, string> NoColor = new() { ["NO_COLOR"] = "1" };

    [Test]
    public async Task On_a_terminal_rules_are_a_bordered_table_with_every_rule()
    {
        var run = await CliHarness.RunAsync(["rules"], terminal: true, environment: NoColor);

        run.ExitCode.Should().Be(0, run.ToString());
        var lines = run.Stdout.Split('\n');
        lines[0].Should().StartWith("╭").And.EndWith("╮");
        lines.Should().Contain(l => l.StartsWith("│ ID ", StringComparison.Ordinal) && l.Contains("│ Severity", StringComparison.Ordinal));
        foreach (var rule in DetectorRegistry.Rules)
            run.Stdout.Should().MatchRegex($@"(?m)^│ {rule.Id}\s+│ {rule.Name}\s+│ {rule.Detector}\s+│ {rule.DefaultSeverity.ToName()}\s+│");
        run.Stdout.Should().Contain($"{DetectorRegistry.Rules.Count} rules.");
    }

    [Test]
    public async Task Redirected_rules_are_plain_text_in_aligned_columns()
    {
        var run = await CliHarness.RunAsync(["rules"], terminal: false);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().NotContainAny("│", "╭", "─", "\u001b[");
        var lines = run.Stdout.Split('\n').Take(DetectorRegistry.Rules.Count + 1).ToList();
        int summary = lines[0].IndexOf("SUMMARY", StringComparison.Ordinal);
        summary.Should().BePositive();
        foreach (var (line, rule) in lines.Skip(1).Zip(DetectorRegistry.Rules))
            line[summary..].Should().Be(rule.Summary, "every summary starts in the same column");
    }
}
