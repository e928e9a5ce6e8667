using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Reporting;

public class MarkdownReportTests
{
    private static string Markdown(ScanReport report, int maxRows = 200) =>
        ReportWriter.WriteToString(report, ReportFormat.Markdown, new ReportWriterOptions { MaxTableRows = maxRows });

    /// <summary>Splits a table row into cells the way GitHub does: a pipe ends a cell unless a backslash escapes it, and a backslash escapes any character.</summary>
    private static List<string> Cells(string row)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        for (int i = 1; i < row.Length; i++)
        {
            char c = row[i];
            if (c == '\\' && i + 1 < row.Length)
            {
                current.Append(c).Append(row[++i]);
                continue;
            }
            if (c == '|')
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        return cells;
    }

    private static List<string> TableRows(string markdown, string header) =>
        markdown.Split('\n').SkipWhile(l => l != header).TakeWhile(l => l.StartsWith('|')).ToList();

    private static ScanReport WithFindings(params Finding[] findings) => SampleReports.Empty() with
    {
        Findings = findings,
        Summary = ReportSummary.From(findings, Severity.High),
    };

    [Test]
    public void Markdown_report_has_a_summary_table_by_severity()
    {
        var md = Markdown(SampleReports.Full());
        md.Should().StartWith("## Preflight: `acme-5.0.zip` — **FAILED**");
        var rows = TableRows(md, "| Severity | Findings |");
        rows.Skip(2).Select(Cells).Should().BeEquivalentTo(new[]
        {
            new[] { "critical", "1" }, new[] { "high", "1" }, new[] { "medium", "1" },
            new[] { "low", "1" }, new[] { "info", "1" }, new[] { "suppressed", "1" },
        }, o => o.WithStrictOrdering());
    }

    [Test]
    public void Markdown_findings_table_lists_problems_critical_first_and_keeps_info_collapsed()
    {
        var md = Markdown(SampleReports.Full());
        var findings = TableRows(md, "| Severity | Rule | Location | Message |");
        findings[1].Should().Be("|---|---|---|---|");
        var rows = findings.Skip(2).Select(Cells).ToList();
        rows.Select(r => r[0]).Should().Equal("critical", "high", "medium", "low");
        rows[1].Should().Equal("high", "PF301 aws-access-key", "`etc/app.yaml:12:9`",
            "AWS access key id AKIA…(20 chars) in a YAML config<br>`aws_access_key_id: AKIA****************`");
        md.Should().Contain("<details><summary>Info findings (1)</summary>\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n| info | PF006 link-entry | `bin/current` |");
        md.Should().Contain("<details><summary>Suppressed findings (1)</summary>");
        md.Should().Contain("<details><summary>Inventory: 1 scheduled task, 1 endpoint, 1 service unit, 1 migration, 1 certificate, 1 credential, 1 link</summary>");
        md.Should().Contain("<details><summary>Diagnostics (1)</summary>");
        CountOf(md, "<details>").Should().Be(CountOf(md, "</details>"));
    }

    [Test]
    public void Markdown_escapes_pipes_backticks_and_markup_from_the_package()
    {
        var hostile = SampleReports.Finding("PF004", "suspicious-entry-name", Severity.High, "odd|name`x`.txt", 2, 3,
            message: "see [here](http://evil.example) | <img src=x onerror=alert(1)> *bold* `code`\nnext",
            evidence: "a `` b | c");
        var md = Markdown(WithFindings(hostile));
        var row = TableRows(md, "| Severity | Rule | Location | Message |")[2];
        var cells = Cells(row);
        cells.Should().HaveCount(4, "no pipe from the package may open a new column");
        cells[2].Should().Be("``odd\\|name`x`.txt:2:3``");
        cells[3].Should().StartWith("see \\[here\\](http://evil.example) \\| \\<img src=x onerror=alert(1)\\> \\*bold\\* \\`code\\`⏎next");
        cells[3].Should().EndWith("<br>```a `` b \\| c```");
        System.Text.RegularExpressions.Regex.Matches(md, @"(?<!\\)<(?!/?(details|summary)>|br>)", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1))
            .Should().BeEmpty("the only raw HTML is the writer's own <details>, <summary> and <br>");
        md.Split('\n').Should().NotContain(l => l.StartsWith("next", StringComparison.Ordinal), "a line break in a message cannot end the row");
    }

    [Test]
    public void Markdown_shows_upgrade_changes_open_and_suppression_entries_collapsed()
    {
        var md = Markdown(SampleReports.Full());
        var rows = TableRows(md, "| Section | Change | Item | Detail | Location |").Skip(2).Select(Cells).ToList();
        rows.Should().HaveCount(2);
        rows[0].Should().Equal("Service units", "**renamed**", "`acme-api.service → acme-gateway.service`",
            "ExecStart unchanged; no Alias= keeps the old name", "`lib/systemd/system/acme-gateway.service`");
        rows[1][4].Should().BeEmpty("an added endpoint has no single location");
        md.IndexOf("### Upgrade changes", StringComparison.Ordinal).Should().BeLessThan(md.IndexOf("<details><summary>Inventory", StringComparison.Ordinal));
        md.Should().Contain("<details><summary>Suppression entries (2, 1 need attention)</summary>");
        TableRows(md, "| Entry | Status | Matched | Reason | Expires |").Skip(2).Select(r => Cells(r)[1]).Should().Equal("applied", "**expired**");
    }

    [Test]
    public void Markdown_without_a_baseline_has_no_upgrade_changes_section()
    {
        Markdown(SampleReports.Full() with { Changes = null }).Should().NotContain("Upgrade changes");
        Markdown(SampleReports.Full() with { Changes = [] }).Should().Contain("Nothing added, removed, changed or renamed compared with the baseline.");
    }

    [TestCase("plain", "plain")]
    [TestCase("a|b", "a\\|b")]
    [TestCase("back\\slash", "back\\\\slash")]
    [TestCase("<b>&amp;</b>", "\\<b\\>\\&amp;\\</b\\>")]
    [TestCase("_x_ ~y~", "\\_x\\_ \\~y\\~")]
    [TestCase("esc\u001b[31m", "esc\\\\u001b\\[31m")]
    public void Markdown_cell_escaping(string text, string escaped)
    {
        MarkdownReportWriter.Cell(text).Should().Be(escaped);
    }

    [TestCase("etc/app.yaml", "`etc/app.yaml`")]
    [TestCase("a`b", "``a`b``")]
    [TestCase("`a`", "`` `a` ``")]
    [TestCase("x|y", "`x\\|y`")]
    [TestCase("C:\\|x", "C:\\\\\\|x")]
    public void Markdown_code_spans_survive_backticks_and_pipes(string text, string code)
    {
        MarkdownReportWriter.Code(text).Should().Be(code);
    }

    [Test]
    public void Markdown_of_a_clean_package_has_the_summary_and_no_empty_sections()
    {
        var md = Markdown(SampleReports.Empty());
        md.Should().Contain("**PASSED**").And.Contain("No findings above info.");
        md.Should().NotContain("<details>").And.NotContain("### Findings");
    }

    [Test]
    public void Markdown_caps_tables_and_says_how_many_rows_are_left_out()
    {
        var findings = Enumerable.Range(0, 7)
            .Select(i => SampleReports.Finding("PF005", "duplicate-entry", Severity.Medium, $"etc/f{i}.conf"))
            .ToArray();
        var md = Markdown(WithFindings(findings), maxRows: 5);
        TableRows(md, "| Severity | Rule | Location | Message |").Should().HaveCount(2 + 5);
        md.Should().Contain("… and 2 more (see the JSON or SARIF report).");
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
