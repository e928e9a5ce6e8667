using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Packages;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

public class EndToEndTests
{
    private static readonly ScanOptions Options = ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) };
    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    [Test]
    public async Task Scan_reports_traversal_and_an_escaping_symlink_and_still_reads_the_rest()
    {
        var path = _scratch.Write("p.tar.gz", GZip(new RawTar()
            .File("opt/app.conf", "port=1\n")
            .File("../../etc/cron.d/backdoor", "* * * * * root /tmp/x\n")
            .Symlink("opt/shadow", "/etc/shadow")
            .File("opt/after.txt", "after\n")
            .ToArray()));

        var report = await PreflightScanner.ScanAsync(path, Options);

        report.Findings.Where(f => f.Detector == "package").Select(f => (f.RuleId, f.Location.Path, f.Severity)).Should().BeEquivalentTo(new[]
        {
            ("PF003", "../../etc/cron.d/backdoor", Severity.High),
            ("PF006", "opt/shadow", Severity.High),
        });
        // The entry with the hostile name is still analysed: the cron detector sees its every-minute root job.
        report.Findings.Should().Contain(f => f.Detector == "scheduled-tasks" && f.Location.Path == "../../etc/cron.d/backdoor");
        report.Package.Entries.Should().Be(3);
        report.Inventory.Links.Should().ContainSingle(l => l.Target == "/etc/shadow" && l.EscapesRoot);
        report.Failed.Should().BeTrue();
    }

    [Test]
    public async Task Scan_of_a_truncated_zip_says_where_reading_stopped()
    {
        var zip = new RawZip().Add("a.txt", Utf8("a\n")).Add("b.txt", Utf8("b\n")).ToArray();
        var path = _scratch.Write("p.zip", Cut(zip, zip.Length - 40));

        var report = await PreflightScanner.ScanAsync(path, Options);

        report.Findings.Select(f => $"{f.RuleId}@{f.Location.Path}").Should().Equal("PF002@");
        report.Diagnostics.Should().ContainSingle(d => d.Path == "" && d.Message.Contains("stopped near byte", StringComparison.Ordinal));
        report.Package.Entries.Should().Be(2);
    }

    [Test]
    public async Task Scan_of_an_overlapping_bomb_reports_it_once_and_reads_the_normal_entry()
    {
        var path = _scratch.Write("bomb.zip", RawZip.OverlappingBomb(files: 50, payloadBytes: 1024 * 1024));

        var report = await PreflightScanner.ScanAsync(path, Options);

        report.Findings.Select(f => $"{f.RuleId}@{f.Location.Path}").Should().Equal("PF009@");
        report.Package.Entries.Should().Be(1);
    }

    [Test]
    public void Scan_of_a_missing_path_throws_not_found()
    {
        var act = () => PreflightScanner.ScanAsync(Path.Combine(_scratch.Folder, "missing.zip"), Options);
        act.Should().ThrowAsync<PackageUnreadableException>().Result.Which.NotFound.Should().BeTrue();
    }

    [Test]
    public void The_limit_catalog_documents_every_limit_with_its_real_default()
    {
        var properties = typeof(PackageLimits).GetProperties().Where(p => p.Name != nameof(PackageLimits.Default)).Select(p => p.Name);
        PackageLimitCatalog.All.Select(l => l.Name).Should().BeEquivalentTo(properties);

        var d = PackageLimits.Default;
        var documented = PackageLimitCatalog.All.ToDictionary(l => l.Name, l => l.Default);
        documented[nameof(d.MaxTotalBytes)].Should().Be(Human(d.MaxTotalBytes));
        documented[nameof(d.MaxEntryBytes)].Should().Be(Human(d.MaxEntryBytes));
        documented[nameof(d.RatioThresholdBytes)].Should().Be(Human(d.RatioThresholdBytes));
        documented[nameof(d.MaxAnalyzedEntryBytes)].Should().Be(Human(d.MaxAnalyzedEntryBytes));
        documented[nameof(d.AnalysisWindowBytes)].Should().Be(Human(d.AnalysisWindowBytes));
        documented[nameof(d.MaxInMemoryNestedArchiveBytes)].Should().Be(Human(d.MaxInMemoryNestedArchiveBytes));
        documented[nameof(d.MaxCompressionRatio)].Should().Be(d.MaxCompressionRatio.ToString(System.Globalization.CultureInfo.InvariantCulture));
        documented[nameof(d.MaxPackageCompressionRatio)].Should().Be(d.MaxPackageCompressionRatio.ToString(System.Globalization.CultureInfo.InvariantCulture));
        documented[nameof(d.MaxEntries)].Should().Be(d.MaxEntries.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        documented[nameof(d.MaxDepth)].Should().Be(d.MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        documented[nameof(d.MaxDuration)].Should().Be($"{d.MaxDuration.TotalMinutes} minutes");
    }

    private static string Human(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB" : bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";
}
