using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;

namespace Preflight.Tests.Fixtures;

/// <summary>
/// The demo upgrade against the version installed today (fixtures/dten/baseline, dten 4.2.3): 5.0.0 renames
/// dten-agent.service to dten-worker.service without an Alias, its scripts clean the old unit up properly,
/// but dten-report.service still requires the old name. Ground truth: fixtures/dten/EXPECTED.md.
/// </summary>
public class DemoBaselineTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [OneTimeSetUp]
    public void Regenerate_when_asked() => DemoFixture.EnsureRegeneratedWhenUpdating();

    [Test]
    public void Committed_baseline_zip_is_rebuilt_byte_for_byte_from_its_sources()
    {
        File.ReadAllBytes(DemoFixture.BaselineZipPath).SequenceEqual(DemoPackageBuilder.Build(DemoFixture.BaselineSourceRoot))
            .Should().BeTrue("fixtures/dten/baseline/{0} must match its sources; regenerate with PREFLIGHT_UPDATE_FIXTURES=1", DemoFixture.BaselineFileName);
    }

    [Test]
    public async Task The_rename_is_reported_where_the_old_name_is_still_required_and_cleanup_is_not()
    {
        var report = await PreflightScanner.ScanAsync(DemoFixture.ZipPath, ScanOptions.Default with { AsOf = AsOf, Baseline = DemoFixture.BaselineZipPath });

        report.Findings.Where(f => f.Detector == "service-units").Select(f => $"{f.RuleId} {f.Location}")
            .Should().BeEquivalentTo(
            [
                "PF401 etc/systemd/system/dten-report.service:3",
                "PF401 etc/systemd/system/dten-report.service:4",
            ], "the stop/disable/purge of dten-agent.service in upgrade.sh and postinst is the right cleanup");
        report.Findings.Single(f => f.Location.Line == 3 && f.RuleId == "PF401").Severity.Should().Be(Severity.High);

        report.Changes.Should().NotBeNull();
        report.Changes!.Where(c => c.Section == "serviceUnits").Select(c => $"{c.Change} {c.Identity}")
            .Should().Equal("renamed dten-agent.service → dten-worker.service");
        report.Changes!.Should().Contain(c => c.Section == "migrations" && c.Change == "added" && c.Identity == "db/migrations/V5__add_order_index.sql");
    }

    [Test]
    public async Task Without_the_baseline_the_old_name_is_only_a_dangling_reference()
    {
        var report = await PreflightScanner.ScanAsync(DemoFixture.ZipPath, ScanOptions.Default with { AsOf = AsOf });
        report.Findings.Where(f => f.Detector == "service-units").Select(f => $"{f.RuleId} {f.Location}")
            .Should().BeEquivalentTo(["PF403 etc/systemd/system/dten-report.service:3", "PF403 etc/systemd/system/dten-report.service:4"]);
    }
}

public class DemoBaselineEndpointTests
{
    [Test]
    public async Task A_public_host_the_installed_version_never_used_is_medium_and_a_known_one_stays_low()
    {
        var asOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        var report = await PreflightScanner.ScanAsync(DemoFixture.ZipPath, ScanOptions.Default with { AsOf = asOf, Baseline = DemoFixture.BaselineZipPath });

        var publicHosts = report.Findings.Where(f => f.RuleId == "PF205").ToDictionary(f => f.Properties["host"], f => f.Severity);
        publicHosts.Should().Contain("api.dten-cloud.io", Severity.Low, "4.2.3 already called the vendor's API");
        publicHosts.Should().Contain("downloads.dten-cloud.io", Severity.Medium, "the license-check download is new in 5.0.0");
    }
}

public class DemoBaselineWindowTests
{
    [Test]
    public async Task Jobs_of_the_installed_version_that_fire_in_the_window_are_reported_as_the_baselines()
    {
        var options = ScanOptions.Default with
        {
            AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
            Baseline = DemoFixture.BaselineZipPath,
            MaintenanceWindow = MaintenanceWindow.Parse("2026-11-28T02:00Z/PT1H"),
        };
        var report = await PreflightScanner.ScanAsync(DemoFixture.ZipPath, options);

        var collisions = report.Findings.Where(f => f.RuleId == "PF106" && f.Location.Path == "etc/cron.d/dten-cleanup").ToList();
        collisions.Should().HaveCount(2, "4.2.3's cleanup job fires at 02:15 until the upgrade replaces it, and 5.0.0's does too");
        var installed = collisions.Single(f => f.Properties.TryGetValue("package", out var p) && p == "baseline");
        installed.Message.Should().StartWith("In the installed version, ");
        installed.Severity.Should().Be(Severity.Medium);
        installed.Fingerprint.Should().NotBe(collisions.Single(f => !f.Properties.ContainsKey("package")).Fingerprint);
    }
}
