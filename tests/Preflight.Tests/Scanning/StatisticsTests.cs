using System.IO.Compression;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors;

namespace Preflight.Tests.Scanning;

public class StatisticsTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Path, string Text)[] Entries =
    [
        ("etc/app.ini", "[db]\nhost=db.internal\n"),
        ("etc/cron.d/report", "15 2 * * * root /opt/app/bin/report\n"),
        ("db/migrations/V2__index.sql", "CREATE INDEX idx_orders_customer ON orders (customer_id);\n"),
        ("lib/systemd/system/app.service", "[Unit]\nDescription=app\n[Service]\nExecStart=/opt/app/bin/app\n"),
    ];

    private static async Task<Preflight.Reporting.ScanReport> ScanAsync(bool collect)
    {
        var dir = Directory.CreateTempSubdirectory("pf-stats-");
        try
        {
            var zipPath = Path.Combine(dir.FullName, "p.zip");
            using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
            {
                foreach (var (path, text) in Entries)
                {
                    using var s = zip.CreateEntry(path).Open();
                    s.Write(Encoding.UTF8.GetBytes(text));
                }
            }
            return await PreflightScanner.ScanAsync(zipPath, ScanOptions.Default with { AsOf = AsOf, CollectStatistics = collect, MaxDegreeOfParallelism = 2 });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_report_carries_no_statistics_unless_asked()
    {
        var report = await ScanAsync(collect: false);
        report.Statistics.Should().BeNull();
    }

    [Test]
    public async Task Statistics_count_every_entry_and_split_the_work_by_detector()
    {
        var report = await ScanAsync(collect: true);
        var stats = report.Statistics!;
        stats.Should().NotBeNull();
        stats.Entries.Should().Be(Entries.Length).And.Be(report.Package.Entries);
        stats.ContentBytes.Should().Be(Entries.Sum(e => Encoding.UTF8.GetByteCount(e.Text)));
        stats.Workers.Should().Be(2);
        stats.Elapsed.Should().BePositive();
        stats.Detectors.Select(d => d.Detector).Should().Equal(DetectorRegistry.DetectorIds);
        foreach (var d in stats.Detectors)
        {
            d.Entries.Should().BeInRange(0, Entries.Length, d.Detector);
            d.Bytes.Should().BeInRange(0, stats.ContentBytes, d.Detector);
            d.Time.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero, d.Detector);
        }
        // The credentials detector reads every text; the migrations detector only what looks like a migration.
        stats.Detectors.Single(d => d.Detector == "credentials").Entries.Should().Be(Entries.Length);
        stats.Detectors.Single(d => d.Detector == "migrations").Entries.Should().BeLessThan(Entries.Length);
    }
}
