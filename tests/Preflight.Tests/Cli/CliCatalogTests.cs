using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Cli;

/// <summary><c>preflight rules</c>, <c>explain</c>, <c>--version</c> and <c>--help</c>.</summary>
public class CliCatalogTests
{
    [Test]
    public async Task Rules_lists_every_catalog_rule_with_its_name_detector_and_severity()
    {
        var result = await CliHarness.RunAsync("rules");

        result.ExitCode.Should().Be(0);
        var lines = result.Stdout.Split('\n');
        foreach (var rule in DetectorRegistry.Rules)
        {
            lines.Should().ContainSingle(l => l.StartsWith(rule.Id + " ", StringComparison.Ordinal), rule.Id)
                .Which.Should().Contain(rule.Name).And.Contain(rule.Detector).And.Contain(rule.DefaultSeverity.ToName()).And.Contain(rule.Summary);
        }
        result.Stdout.Should().Contain($"{DetectorRegistry.Rules.Count} rules");
    }

    [Test]
    public async Task Rules_as_json_is_the_catalog()
    {
        var result = await CliHarness.RunAsync("rules", "--format", "json");

        result.ExitCode.Should().Be(0);
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("version").GetString().Should().Be(ToolInfo.Current.Version);
        var rules = json.RootElement.GetProperty("rules").EnumerateArray().ToList();
        rules.Select(r => r.GetProperty("id").GetString()).Should().Equal(DetectorRegistry.Rules.Select(r => r.Id));
        foreach (var (element, rule) in rules.Zip(DetectorRegistry.Rules))
        {
            element.GetProperty("name").GetString().Should().Be(rule.Name);
            element.GetProperty("detector").GetString().Should().Be(rule.Detector);
            element.GetProperty("defaultSeverity").GetString().Should().Be(rule.DefaultSeverity.ToName());
            element.GetProperty("securitySeverity").GetString().Should().Be(rule.SecuritySeverity);
            element.GetProperty("summary").GetString().Should().Be(rule.Summary);
            element.GetProperty("help").GetString().Should().Be(rule.Help);
        }
    }

    [TestCase("PF003")]
    [TestCase("pf003")]
    [TestCase("path-traversal")]
    public async Task Explain_prints_a_rules_summary_and_help_by_id_or_name(string given)
    {
        var rule = DetectorRegistry.FindRule("PF003")!;

        var result = await CliHarness.RunAsync("explain", given);

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("PF003").And.Contain(rule.Name).And.Contain(rule.Summary).And.Contain(rule.Help);
    }

    [Test]
    public async Task Explain_of_an_unknown_rule_exits_2_with_one_line()
    {
        var result = await CliHarness.RunAsync("explain", "PF999");

        result.ExitCode.Should().Be(2);
        result.StderrLines.Should().ContainSingle().Which.Should().Be("preflight: error: unknown rule 'PF999'; 'preflight rules' lists them");
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Version_prints_the_version_reports_carry()
    {
        var result = await CliHarness.RunAsync("--version");

        result.ExitCode.Should().Be(0);
        result.Stdout.Trim().Should().Be(ToolInfo.Current.Version).And.MatchRegex(@"^\d+\.\d+\.\d+");
    }

    [Test]
    public async Task Help_lists_the_commands_and_scan_help_offers_no_unbuilt_option()
    {
        var root = await CliHarness.RunAsync("--help");
        var scan = await CliHarness.RunAsync("scan", "--help");

        root.ExitCode.Should().Be(0);
        root.Stdout.Should().Contain("scan").And.Contain("rules").And.Contain("explain");
        scan.ExitCode.Should().Be(0);
        scan.Stdout.Should().Contain("--as-of").And.Contain("--format").And.Contain("--output").And.Contain("--fail-on").And.Contain("--verbose");
        scan.Stdout.Should().Contain("--baseline").And.Contain("--trust").And.Contain("--config").And.Contain("--window")
            .And.Contain("--installed-units").And.Contain("--suppressions").And.Contain("--since").And.Contain("--pg-version")
            .And.Contain("--signature");
    }
}
