using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;

namespace Preflight.Tests.Cli;

/// <summary>The scan options that come from files: --baseline, --installed-units, --config and --suppressions.</summary>
public class ScanOptionsCliTests
{
    private static readonly string Units = Path.Combine(SharedData.RepositoryRoot, "fixtures", "units");

    [Test]
    public async Task Baseline_comparison_shows_the_upgrade_changes_and_fails_on_the_broken_rename()
    {
        var run = await CliHarness.RunAsync("scan", Path.Combine(Units, "new"), "--baseline", Path.Combine(Units, "baseline"), "--as-of", "2026-11-27", "--format", "json");
        run.ExitCode.Should().Be(1);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var changes = json.RootElement.GetProperty("changes").EnumerateArray()
            .Select(c => $"{c.GetProperty("change").GetString()} {c.GetProperty("identity").GetString()}").ToList();
        changes.Should().Contain("renamed acme-worker.service → acme-processor.service");
        json.RootElement.GetProperty("baseline").GetProperty("sha256").GetString().Should().HaveLength(64);

        var text = await CliHarness.RunAsync("scan", Path.Combine(Units, "new"), "--baseline", Path.Combine(Units, "baseline"), "--as-of", "2026-11-27");
        text.Stdout.Should().Contain("UPGRADE CHANGES").And.Contain("renamed  acme-api.service → acme-gateway.service");
    }

    [Test]
    public async Task A_missing_baseline_is_a_usage_error()
    {
        var run = await CliHarness.RunAsync("scan", Path.Combine(Units, "new"), "--baseline", Path.Combine(Units, "no-such-version"));
        run.ExitCode.Should().Be(2);
        run.Stderr.Trim().Should().StartWith("preflight: error: baseline: no such file or folder");
    }

    [Test]
    public async Task A_configuration_error_names_the_key_and_exits_2()
    {
        var dir = Directory.CreateTempSubdirectory("pf-cli-config-");
        try
        {
            var config = Path.Combine(dir.FullName, "preflight.json");
            await File.WriteAllTextAsync(config, """{ "limits": { "maxDepth": "deep" } }""");
            var run = await CliHarness.RunAsync("scan", Path.Combine(Units, "new"), "--config", config);
            run.ExitCode.Should().Be(2);
            run.Stderr.Should().Contain("$.limits.maxDepth: expected a whole number from 0 to 64").And.NotContain("   at ");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Configuration_and_suppressions_next_to_the_package_are_used_and_the_command_line_wins()
    {
        var dir = Directory.CreateTempSubdirectory("pf-cli-next-");
        try
        {
            // Copy the new version and put a config and suppressions beside its units.
            var package = Path.Combine(dir.FullName, "pkg");
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Units, "new"), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(package, Path.GetRelativePath(Path.Combine(Units, "new"), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            // Without a baseline the package has only medium dangling references and a high missing timer target.
            await File.WriteAllTextAsync(Path.Combine(package, "preflight.json"), """{ "failOn": "critical" }""");
            (await CliHarness.RunAsync("scan", package)).ExitCode.Should().Be(0, "the configuration raises fail-on to critical");
            (await CliHarness.RunAsync("scan", package, "--fail-on", "medium")).ExitCode.Should().Be(1, "the command line wins over the file");

            await File.WriteAllTextAsync(Path.Combine(package, "preflight-suppressions.json"), """
                { "suppressions": [ { "ruleId": "PF403", "reason": "units come from the base image", "expires": "2027-06-30" } ] }
                """);
            var run = await CliHarness.RunAsync("scan", package, "--fail-on", "medium", "--as-of", "2026-11-27", "--format", "json");
            run.ExitCode.Should().Be(1, "the PF404 timer finding is high and not suppressed");
            using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
            json.RootElement.GetProperty("summary").GetProperty("suppressed").GetInt32().Should().Be(4);
            json.RootElement.GetProperty("suppressions")[0].GetProperty("status").GetString().Should().Be("applied");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public class SinceTests
{
    [Test]
    public async Task Since_a_previous_report_only_new_findings_are_reported()
    {
        var units = Path.Combine(SharedData.RepositoryRoot, "fixtures", "units", "new");
        var dir = Directory.CreateTempSubdirectory("pf-since-");
        try
        {
            var previous = Path.Combine(dir.FullName, "previous.json");
            var first = await CliHarness.RunAsync("scan", units, "--as-of", "2026-11-27", "--format", "json", "--output", previous);
            first.ExitCode.Should().Be(1);

            var again = await CliHarness.RunAsync("scan", units, "--as-of", "2026-11-27", "--format", "json", "--since", previous);
            again.ExitCode.Should().Be(0, "nothing is new since the previous report");
            using var json = System.Text.Json.JsonDocument.Parse(again.Stdout);
            json.RootElement.GetProperty("findings").GetArrayLength().Should().Be(0);
            json.RootElement.GetProperty("diagnostics").EnumerateArray()
                .Should().Contain(d => d.GetProperty("message").GetString()!.Contains("already in the previous report", StringComparison.Ordinal));

            await File.WriteAllTextAsync(previous, "{ \"not\": \"a report\" }");
            var broken = await CliHarness.RunAsync("scan", units, "--since", previous);
            broken.ExitCode.Should().Be(2);
            broken.StderrLines.Should().ContainSingle().Which.Should().Contain("not a Preflight JSON report");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
