using System.Formats.Tar;
using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Cli;

/// <summary><c>preflight suppress</c>, run through the real CLI entry point.</summary>
public class SuppressCommandTests
{
    private static async Task<string> ScanToJsonAsync(Workspace ws, string package, string name, params string[] extra)
    {
        string report = ws.PathOf(name);
        var run = await CliHarness.RunAsync(["scan", package, "--as-of", "2026-11-27", "--format", "json", "--output", report, .. extra]);
        run.ExitCode.Should().BeOneOf([0, 1], run.ToString());
        return report;
    }

    private static string TarWithTwoLinks(Workspace ws)
    {
        string path = ws.PathOf("two-links.tar");
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: false);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "opt/app/shadow") { LinkName = "/etc/shadow" });
        tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "opt/app/keys") { LinkName = "/root/.ssh/authorized_keys" });
        return path;
    }

    [Test]
    public async Task Suppress_writes_one_entry_per_finding_and_the_rescan_passes()
    {
        using var ws = new Workspace();
        string package = ws.TarWithShadowLink();
        string report = await ScanToJsonAsync(ws, package, "report.json");
        var findings = ScanReportJson.Read(await File.ReadAllTextAsync(report)).Findings;
        findings.Should().NotBeEmpty();
        string file = ws.PathOf("supp.json");

        var run = await CliHarness.RunAsync("suppress", report, "--reason", "link is created by the base image", "--expires", "2027-01-31", "--output", file);

        run.ExitCode.Should().Be(0, run.ToString());
        var set = SuppressionSet.Load(file);
        set.Entries.Select(e => e.Fingerprint).Should().BeEquivalentTo(findings.Select(f => f.Fingerprint).Distinct());
        set.Entries.Should().AllSatisfy(e =>
        {
            e.Reason.Should().Be("link is created by the base image");
            e.Expires.Should().Be(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero), "a date expires at the end of that day");
        });
        var before = await CliHarness.RunAsync("scan", package, "--as-of", "2026-11-27");
        before.ExitCode.Should().Be(1, "the shadow link is high and fails without suppressions");
        var again = await CliHarness.RunAsync("scan", package, "--as-of", "2026-11-27", "--suppressions", file);
        again.ExitCode.Should().Be(0, again.ToString());
        var expired = await CliHarness.RunAsync("scan", package, "--as-of", "2027-02-01", "--suppressions", file);
        expired.ExitCode.Should().Be(1, "after the expiry day the findings fail the build again");
    }

    [Test]
    public async Task Suppress_merges_into_an_existing_file_keeping_its_entries_and_never_duplicating_a_fingerprint()
    {
        using var ws = new Workspace();
        string report = await ScanToJsonAsync(ws, TarWithTwoLinks(ws), "report.json");
        var findings = ScanReportJson.Read(await File.ReadAllTextAsync(report)).Findings;
        findings.Select(f => f.Fingerprint).Distinct().Should().HaveCountGreaterThan(1, "the package has two bad links");
        var first = findings[0];
        string file = ws.PathOf("preflight-suppressions.json");
        await File.WriteAllTextAsync(file, $$"""
            {
              // kept as written
              "suppressions": [
                { "ruleId": "PF403", "path": "etc/**", "reason": "units come from the base image" },
                { "fingerprint": "{{first.Fingerprint}}", "reason": "already accepted" }
              ]
            }
            """);

        var run = await CliHarness.RunAsync("suppress", report, "--reason", "new", "--output", file);
        var twice = await CliHarness.RunAsync("suppress", report, "--reason", "new", "--output", file);

        run.ExitCode.Should().Be(0, run.ToString());
        twice.ExitCode.Should().Be(0, twice.ToString());
        run.Stdout.Should().Contain($"{findings.Select(f => f.Fingerprint).Distinct().Count() - 1} suppression");
        twice.Stdout.Should().Contain("0 suppressions added");
        var entries = SuppressionSet.Load(file).Entries;
        entries[0].Should().Match<Suppression>(e => e.RuleId == "PF403" && e.PathGlob == "etc/**" && e.Reason == "units come from the base image");
        entries[1].Should().Match<Suppression>(e => e.Fingerprint == first.Fingerprint && e.Reason == "already accepted");
        entries.Where(e => e.Fingerprint is not null).Select(e => e.Fingerprint).Should().OnlyHaveUniqueItems();
        entries.Should().HaveCount(1 + findings.Select(f => f.Fingerprint).Distinct().Count());
        entries.Skip(2).Should().NotBeEmpty().And.AllSatisfy(e => e.Reason.Should().Be("new"));
    }

    [Test]
    public async Task Suppress_skips_findings_the_report_already_shows_as_suppressed()
    {
        using var ws = new Workspace();
        string package = ws.TarWithShadowLink();
        string all = ws.PathOf("all.json");
        (await CliHarness.RunAsync("suppress", await ScanToJsonAsync(ws, package, "r1.json"), "--reason", "r", "--output", all)).ExitCode.Should().Be(0);
        string suppressedReport = await ScanToJsonAsync(ws, package, "r2.json", "--suppressions", all);
        string fresh = ws.PathOf("fresh.json");

        var run = await CliHarness.RunAsync("suppress", suppressedReport, "--reason", "r", "--output", fresh);

        run.ExitCode.Should().Be(0, run.ToString());
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(fresh));
        doc.RootElement.GetProperty("suppressions").GetArrayLength().Should().Be(0);
    }

    [TestCase(new string[0], "--reason is required")]
    [TestCase(new[] { "--reason", "  " }, "--reason is required")]
    [TestCase(new[] { "--reason", "ok", "--expires", "31.01.2027" }, "--expires must be a date")]
    public async Task Suppress_without_a_usable_reason_or_date_exits_2_with_one_line(string[] extra, string expected)
    {
        using var ws = new Workspace();
        string report = await ScanToJsonAsync(ws, ws.TarWithShadowLink(), "report.json");
        string file = ws.PathOf("s.json");

        var run = await CliHarness.RunAsync(["suppress", report, "--output", file, .. extra]);

        run.ExitCode.Should().Be(2);
        run.StderrLines.Should().ContainSingle().Which.Should().Contain(expected);
        File.Exists(file).Should().BeFalse();
    }

    [Test]
    public async Task Suppress_of_a_file_that_is_no_report_exits_2()
    {
        using var ws = new Workspace();
        var run = await CliHarness.RunAsync("suppress", ws.PlainFile(), "--reason", "r", "--output", ws.PathOf("s.json"));

        run.ExitCode.Should().Be(2);
        run.StderrLines.Should().ContainSingle().Which.Should().Contain("not a Preflight JSON report");
    }
}
