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

public class DetectorOptionsCliTests
{
    private static readonly string Demo = Path.Combine(SharedData.RepositoryRoot, "fixtures", "dten", "Full-upgrade-package-dten.zip");

    [Test]
    public async Task The_demo_cron_job_collides_with_the_maintenance_window()
    {
        var run = await CliHarness.RunAsync("scan", Demo, "--as-of", "2026-11-27", "--window", "2026-11-28T02:00Z/PT1H", "--format", "json");
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var collisions = json.RootElement.GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("ruleId").GetString() == "PF106").ToList();
        collisions.Should().Contain(f => f.GetProperty("location").GetProperty("path").GetString() == "etc/cron.d/dten-cleanup");

        var without = await CliHarness.RunAsync("scan", Demo, "--as-of", "2026-11-27", "--format", "json");
        without.Stdout.Should().NotContain("\"PF106\"");
    }

    [Test]
    public async Task A_configuration_can_set_the_window_the_trust_bundles_and_the_allowlist()
    {
        var dir = Directory.CreateTempSubdirectory("pf-cli-detopts-");
        try
        {
            var config = Path.Combine(dir.FullName, "preflight.json");
            await File.WriteAllTextAsync(config, """
                { "maintenanceWindow": "2026-11-28T02:00Z/PT1H", "endpoints": { "allow": ["*.dten-cloud.io"] },
                  "postgresVersion": 15, "certificates": { "expiryWarningDays": 7 } }
                """);
            var run = await CliHarness.RunAsync("scan", Demo, "--as-of", "2026-11-27", "--config", config, "--format", "json");
            using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
            var rules = json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
            rules.Should().Contain("PF106", "the configured window catches the 02:15 cron job");
            rules.Should().NotContain("PF205", "every public host of the demo is under the allowed *.dten-cloud.io");
            rules.Should().NotContain("PF604", "the worker certificate expires in 13 days, beyond the configured 7");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary><c>--stats</c>: where the time went, on standard error and in the JSON report.</summary>
public class ScanStatsCliTests
{
    private static readonly string Units = Path.Combine(SharedData.RepositoryRoot, "fixtures", "units", "new");

    [Test]
    public async Task Stats_print_a_per_detector_table_on_stderr_and_add_statistics_to_the_json_report()
    {
        var run = await CliHarness.RunAsync("scan", Units, "--as-of", "2026-11-27", "--format", "json", "--stats");
        run.Stderr.Should().MatchRegex(@"preflight: \d+ entries, [\d.]+ MiB in [\d.]+ s");
        run.Stderr.Should().Contain("service-units").And.Contain("detector");
        run.Stderr.Should().MatchRegex(@"collector: \d+/\d+/\d+ collections \(generation 0/1/2\), paused [\d.]+ s, allocated [1-9]\d* MiB");
        // The JIT's share: the harness runs the command in this process, which has compiled methods by then.
        run.Stderr.Should().MatchRegex(@"compiler: [1-9]\d* methods compiled at run time in [\d.]+ s");
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var stats = json.RootElement.GetProperty("statistics");
        stats.GetProperty("entries").GetInt32().Should().Be(json.RootElement.GetProperty("package").GetProperty("entries").GetInt32());
        stats.GetProperty("detectors").EnumerateArray().Select(d => d.GetProperty("detector").GetString())
            .Should().Equal(Preflight.Detectors.DetectorRegistry.DetectorIds);
        stats.GetProperty("detectors").EnumerateArray().Single(d => d.GetProperty("detector").GetString() == "service-units")
            .GetProperty("entries").GetInt32().Should().BeGreaterThan(0);

        // The report reads back with its statistics.
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(run.Stdout));
        var report = await Preflight.Reporting.ScanReportJson.ReadAsync(stream);
        report.Statistics!.Entries.Should().Be(report.Package.Entries);
    }

    [Test]
    public async Task Without_stats_the_json_report_has_no_statistics_field()
    {
        var run = await CliHarness.RunAsync("scan", Units, "--as-of", "2026-11-27", "--format", "json");
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        json.RootElement.TryGetProperty("statistics", out _).Should().BeFalse();
        run.Stderr.Should().NotContain("MiB in").And.NotContain("collector:").And.NotContain("compiler:");
    }
}
