using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;
using Preflight.Tests.Support;

namespace Preflight.Tests.Reporting;

/// <summary>Reports of a real scan: a zip built here holds a nested zip whose entry breaks a (lowered) size limit.</summary>
public class EndToEndReportTests
{
    private DirectoryInfo _dir = null!;
    private string _zip = null!;

    [OneTimeSetUp]
    public void BuildPackage()
    {
        _dir = Directory.CreateTempSubdirectory("pf-report-");
        using var inner = new MemoryStream();
        using (var zip = new ZipArchive(inner, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "conf/plugin.ini", "enabled=true\n");
            Write(zip, "conf/big.ini", string.Concat(Enumerable.Repeat("padding=0123456789\n", 300)));
        }
        _zip = Path.Combine(_dir.FullName, "acme-5.0.zip");
        using (var outer = ZipFile.Open(_zip, ZipArchiveMode.Create))
        {
            Write(outer, "etc/app.conf", "port=8080\n");
            var nested = outer.CreateEntry("lib/plugins.zip", CompressionLevel.NoCompression);
            using var s = nested.Open();
            s.Write(inner.ToArray());
        }
    }

    [OneTimeTearDown]
    public void Cleanup() => _dir.Delete(recursive: true);

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var s = zip.CreateEntry(name).Open();
        s.Write(Encoding.UTF8.GetBytes(text));
    }

    private Task<ScanReport> ScanAsync() => PreflightScanner.ScanAsync(_zip, ScanOptions.Default with
    {
        AsOf = SampleReports.AsOf,
        FailOn = Severity.Medium,
        Limits = PackageLimits.Default with { MaxEntryBytes = 1000 },
    });

    [Test]
    public async Task A_scanned_package_reports_the_same_findings_in_every_format()
    {
        var report = await ScanAsync();
        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF010").Subject;
        finding.Location.Path.Should().Be("lib/plugins.zip!/conf/big.ini");
        report.Failed.Should().BeTrue();

        var read = ScanReportJson.Read(ReportWriter.WriteToString(report, ReportFormat.Json));
        read.Should().BeEquivalentTo(report, o => o.Excluding(r => r.Failed));
        read.Failed.Should().BeTrue();

        var sarif = JsonNode.Parse(ReportWriter.WriteToString(report, ReportFormat.Sarif))!["runs"]![0]!;
        var result = sarif["results"]!.AsArray().Single(r => r!["ruleId"]!.GetValue<string>() == "PF010")!;
        result["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>().Should().Be("lib/plugins.zip!/conf/big.ini");
        result["level"]!.GetValue<string>().Should().Be("warning");
        result["partialFingerprints"]!["preflight/v1"]!.GetValue<string>().Should().Be(finding.Fingerprint);
        sarif["artifacts"]![0]!["hashes"]!["sha-256"]!.GetValue<string>().Should().Be(report.Package.Sha256);

        var text = ReportWriter.WriteToString(report, ReportFormat.Text);
        text.Should().Contain("PF010 entry-size-limit  lib/plugins.zip!/conf/big.ini").And.Contain("Verdict: FAILED");

        var md = ReportWriter.WriteToString(report, ReportFormat.Markdown);
        md.Should().Contain("| medium | PF010 entry-size-limit | `lib/plugins.zip!/conf/big.ini` |");
    }

    [Test]
    public async Task Reports_of_the_same_package_are_identical_across_scans()
    {
        var first = await ScanAsync();
        var second = await ScanAsync();
        foreach (var format in Enum.GetValues<ReportFormat>())
            ReportWriter.WriteToString(second, format).Should().Be(ReportWriter.WriteToString(first, format), $"the {format} report is deterministic");
    }

    [Test]
    [Category(SharedData.Category)]
    public async Task Sarif_of_a_scanned_package_validates_against_the_schema()
    {
        var schema = await SarifSchema.LoadAsync();
        var errors = schema.Validate(ReportWriter.WriteToString(await ScanAsync(), ReportFormat.Sarif));
        errors.Should().BeEmpty(string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Test]
    public async Task Writer_leaves_the_output_stream_open_for_every_format()
    {
        var report = await ScanAsync();
        foreach (var format in Enum.GetValues<ReportFormat>())
        {
            using var stream = new MemoryStream();
            await ReportWriter.WriteAsync(report, format, stream);
            stream.CanWrite.Should().BeTrue();
            stream.Length.Should().BeGreaterThan(0);
            var bytes = stream.ToArray();
            bytes.Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF }, "no byte order mark");
            bytes[^1].Should().Be((byte)'\n');
        }
    }
}
