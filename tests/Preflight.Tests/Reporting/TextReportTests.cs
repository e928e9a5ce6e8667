using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Reporting;

public class TextReportTests
{
    private const char Esc = '\u001b';

    private static string Text(ScanReport report, bool color = false) =>
        ReportWriter.WriteToString(report, ReportFormat.Text, new ReportWriterOptions { UseColor = color });

    [Test]
    public void Text_report_without_colour_holds_no_escape_character()
    {
        Text(SampleReports.Full()).Should().NotContain(Esc.ToString());
    }

    [Test]
    public void Text_report_with_colour_styles_severities_and_resets_every_style()
    {
        var text = Text(SampleReports.Full(), color: true);
        text.Should().Contain("\u001b[1;35mCRITICAL (1)\u001b[0m");
        text.Should().Contain("\u001b[1;31mFAILED\u001b[0m");
        int opened = text.Split(Esc).Length - 1;
        int resets = CountOf(text, "\u001b[0m");
        (opened - resets).Should().Be(resets, "each style is followed by exactly one reset");
    }

    [Test]
    public void Text_report_is_the_same_text_with_or_without_colour_once_styles_are_removed()
    {
        var colored = Text(SampleReports.Full(), color: true);
        var stripped = System.Text.RegularExpressions.Regex.Replace(colored, "\u001b\\[[0-9;]*m", "", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        stripped.Should().Be(Text(SampleReports.Full()));
    }

    [Test]
    public void Text_report_groups_findings_by_severity_critical_first()
    {
        var text = Text(SampleReports.Full());
        string[] headings = ["CRITICAL (1)", "HIGH (1)", "MEDIUM (1)", "LOW (1)", "INFO (1)", "SUPPRESSED (1)", "INVENTORY", "DIAGNOSTICS (1)", "Summary:"];
        var positions = headings.Select(h => text.IndexOf(h, StringComparison.Ordinal)).ToList();
        positions.Should().NotContain(-1).And.BeInAscendingOrder();
    }

    [Test]
    public void Text_report_shows_header_finding_details_and_the_verdict_last()
    {
        var text = Text(SampleReports.Full());
        text.Should().StartWith("Preflight 1.2.3 · acme-5.0.zip\n");
        text.Should().Contain("sha256 3f2a9c1e5b7d…").And.Contain("42 entries").And.Contain("as of 2026-11-27T00:00:00Z");
        text.Should().Contain("baseline acme-4.2.zip");
        text.Should().Contain("PF301 aws-access-key  etc/app.yaml:12:9\n      AWS access key id AKIA…(20 chars) in a YAML config\n      > aws_access_key_id: AKIA****************\n");
        text.Should().Contain("PF006 link-entry  bin/current\n", "a finding without a line shows the path alone");
        text.Should().Contain("lib/plugins.zip!/conf/plugin.ini:7:5");
        text.Should().Contain("lib/broken.zip: central directory is truncated");
        var lines = text.TrimEnd('\n').Split('\n');
        lines[^2].Should().Be("Summary: 1 critical, 1 high, 1 medium, 1 low, 1 info, 1 suppressed");
        lines[^1].Should().Be("Verdict: FAILED (unsuppressed findings at or above high)");
    }

    [Test]
    public void Text_report_summarises_every_inventory_section()
    {
        var text = Text(SampleReports.Full());
        text.Should().Contain("Scheduled tasks (1)\n    etc/cron.d/acme:3:1  [cron.d] * * * * * (every minute) → /opt/acme/bin/sync as root");
        text.Should().Contain("Endpoints (1)\n    updates.example.com  public http");
        text.Should().Contain("Service units (1)\n    acme-worker.service  [systemd]");
        text.Should().Contain("Migrations (1)\n    db/V5__add_index.sql  [flyway, postgresql] version 5, 2 statements");
        text.Should().Contain("Certificates (1)\n    etc/ssl/acme.pem  CN=acme.example.com ← CN=Acme CA  RSA 2048  valid 2025-01-01 … 2027-01-01");
        text.Should().Contain("Credentials (1)\n    etc/app.yaml:12:9  PF301  sha256:");
        text.Should().Contain("Links (1)\n    bin/current → releases/5.0  [symlink]");
    }

    [Test]
    public void Text_report_caps_long_inventory_sections()
    {
        var links = Enumerable.Range(0, 25).Select(i => new LinkItem(new Location($"bin/l{i:D2}"), "symlink", "x", false)).ToList();
        var report = SampleReports.Empty() with { Inventory = new Inventory { Links = links } };
        var text = Text(report);
        text.Should().Contain("Links (25)").And.Contain("bin/l19 →").And.NotContain("bin/l20 →").And.Contain("… and 5 more");
    }

    [TestCase(Severity.High, "Verdict: PASSED (nothing unsuppressed at or above high)")]
    [TestCase(Severity.Info, "Verdict: PASSED (nothing unsuppressed at or above info)")]
    [TestCase(null, "Verdict: NOT GATED (fail-on none)")]
    public void Text_report_of_a_clean_package_says_so(Severity? failOn, string verdict)
    {
        var text = Text(SampleReports.Empty(failOn));
        text.Should().Contain("No findings.");
        text.Should().NotContain("INVENTORY").And.NotContain("DIAGNOSTICS");
        text.TrimEnd('\n').Split('\n')[^1].Should().Be(verdict);
    }

    [Test]
    public void Text_report_makes_control_characters_from_the_package_visible()
    {
        var hostile = SampleReports.Finding("PF004", "suspicious-entry-name", Severity.Medium, "evil\u001b]0;pwned\u0007\u001b[2J.txt",
            message: "name holds control characters\r\nFAKE: all clear", evidence: "\u202eexe.txt");
        var report = SampleReports.Empty() with
        {
            Findings = [hostile],
            Summary = ReportSummary.From([hostile], Severity.High),
            Diagnostics = [new ScanDiagnostic("x\u001b[31m", "bad\u0000name")],
        };
        var text = Text(report, color: false);
        text.Should().NotContain(Esc.ToString()).And.NotContain("\u0007").And.NotContain("\u202e").And.NotContain("\0").And.NotContain("\r");
        text.Should().Contain("evil\\u001b]0;pwned\\u0007\\u001b[2J.txt");
        text.Should().Contain("name holds control characters⏎FAKE: all clear", "a message cannot start a line of its own");
        text.Should().Contain("\\u202eexe.txt");
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
