using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Reporting;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.ServiceUnits;

/// <summary>The baseline/new pair in fixtures/units; its ground truth is fixtures/units/EXPECTED.md.</summary>
public class ServiceUnitFixtureTests
{
    private static readonly string Fixture = Path.Combine(SharedData.RepositoryRoot, "fixtures", "units");
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private static Task<ScanReport> ScanAsync(string? baseline, string? installedUnits = null) =>
        PreflightScanner.ScanAsync(Path.Combine(Fixture, "new"), ScanOptions.Default with
        {
            AsOf = AsOf,
            Baseline = baseline is null ? null : Path.Combine(Fixture, baseline),
            InstalledUnitsFile = installedUnits,
            EnabledDetectors = new HashSet<string> { "service-units" },
        });

    [Test]
    public async Task Upgrade_against_the_baseline_reports_exactly_the_expected_unit_findings()
    {
        var report = await ScanAsync("baseline");

        report.Findings.Where(f => f.Detector == "service-units")
            .Select(f => $"{f.RuleId} {f.Location}")
            .Should().BeEquivalentTo(
            [
                "PF401 lib/systemd/system/acme-nightly.timer:6",
                "PF401 DEBIAN/postinst:6:23",
                "PF406 lib/systemd/system/acme-gateway.service",
                "PF402 lib/systemd/system/acme-gateway.service:4",
                "PF403 lib/systemd/system/acme-processor.service:3",
                "PF405 windows/install.ps1:4:23",
            ]);
        var timer = report.Findings.Single(f => f.RuleId == "PF401" && f.Location.Path.EndsWith(".timer", StringComparison.Ordinal));
        timer.Message.Should().Contain("acme-worker.service").And.Contain("acme-processor.service");
        timer.Severity.Should().Be(Findings.Severity.High);
        report.Baseline.Should().NotBeNull();
    }

    [Test]
    public async Task The_changes_section_is_the_operators_checklist()
    {
        var report = await ScanAsync("baseline");

        report.Changes.Should().NotBeNull();
        report.Changes!.Where(c => c.Section == "serviceUnits").Select(c => $"{c.Change} {c.Identity}")
            .Should().BeEquivalentTo(
            [
                "renamed acme-worker.service → acme-processor.service",
                "renamed acme-api.service → acme-gateway.service",
                "renamed AcmeAgent → AcmeEdgeAgent",
                "removed acme-cache.service",
                "removed acme-legacy",
                "added acme-legacy.service",
                "added acme-nightly.timer",
            ]);
    }

    [Test]
    public async Task Without_a_baseline_old_names_are_dangling_references_and_the_timer_target_is_missing()
    {
        var report = await ScanAsync(baseline: null);

        report.Changes.Should().BeNull();
        report.Findings.Select(f => $"{f.RuleId} {f.Location}").Should().BeEquivalentTo(
        [
            "PF404 lib/systemd/system/acme-nightly.timer:6",
            "PF403 DEBIAN/postinst:6:23",
            "PF403 lib/systemd/system/acme-gateway.service:4",
            "PF403 lib/systemd/system/acme-processor.service:3",
            "PF403 windows/install.ps1:4:23",
        ]);
    }

    [Test]
    public async Task Units_installed_on_the_host_are_not_dangling()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pf-units-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, """
            acme-metrics.service                 enabled         enabled
            acme-cache.service                   static          -
            """);
        try
        {
            var report = await ScanAsync(baseline: null, installedUnits: file);
            report.Findings.Select(f => f.Location.Path).Should().NotContain("lib/systemd/system/acme-processor.service")
                .And.NotContain("lib/systemd/system/acme-gateway.service");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task The_inventory_lists_what_the_package_provides()
    {
        var report = await ScanAsync(baseline: null);
        var units = report.Inventory.ServiceUnits;
        units.Select(u => $"{u.Kind} {u.Name}").Should().BeEquivalentTo(
        [
            "systemd acme-gateway.service", "systemd acme-legacy.service", "systemd acme-nightly.timer",
            "systemd acme-processor.service", "systemd acme-report.service", "systemd acme-report.timer",
            "windows-service AcmeEdgeAgent",
        ]);
        units.Single(u => u.Name == "acme-gateway.service").Aliases.Should().Equal("acme-api.service");
        units.Single(u => u.Name == "acme-nightly.timer").Activates.Should().Be("acme-worker.service");
        units.Single(u => u.Name == "acme-processor.service").ExecStart.Should().Be("/opt/acme/bin/acme-worker");
    }
}
