using System.Text;
using Preflight.Findings;

namespace Preflight.Reporting;

/// <summary>
/// The pull-request comment: a heading with the verdict, a summary table by severity, a findings table
/// (critical first), and collapsible <c>&lt;details&gt;</c> blocks for info findings, suppressed findings, the
/// inventory and diagnostics. Every package-provided string is escaped for a table cell (<see cref="Cell"/>) or
/// written as a code span (<see cref="Code(string?)"/>), so it can neither break the table nor inject links or HTML.
/// </summary>
internal static class MarkdownReportWriter
{
    private static readonly Severity[] Descending = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Info];

    public static string Render(ScanReport report, ReportWriterOptions options)
    {
        int max = Math.Max(1, options.MaxTableRows);
        var sb = new StringBuilder();
        Heading(sb, report);
        SummaryTable(sb, report.Summary);

        var active = report.Findings.Where(f => !f.Suppressed).ToList();
        var problems = Descending.Where(s => s != Severity.Info).SelectMany(s => active.Where(f => f.Severity == s)).ToList();
        var info = active.Where(f => f.Severity == Severity.Info).ToList();
        var suppressed = report.Findings.Where(f => f.Suppressed).ToList();

        if (problems.Count > 0)
        {
            sb.Append("### Findings\n\n");
            FindingsTable(sb, problems, max);
        }
        else
        {
            sb.Append("No findings above info.\n\n");
        }
        if (info.Count > 0)
        {
            OpenDetails(sb, $"Info findings ({info.Count})");
            FindingsTable(sb, info, max);
            CloseDetails(sb);
        }
        if (suppressed.Count > 0)
        {
            OpenDetails(sb, $"Suppressed findings ({suppressed.Count})");
            Table(sb, ["Severity", "Rule", "Location", "Message", "Reason"], suppressed, max, f =>
                [f.Severity.ToName(), RuleCell(f), Code(f.Location), Cell(f.Message), Cell(f.SuppressionReason ?? "")]);
            CloseDetails(sb);
        }
        Changes(sb, report.Changes, max);
        if (report.Suppressions.Count > 0)
        {
            int attention = report.Suppressions.Count(r => r.Status != "applied");
            OpenDetails(sb, $"Suppression entries ({report.Suppressions.Count}, {attention} need attention)");
            Table(sb, ["Entry", "Status", "Matched", "Reason", "Expires"], report.Suppressions, max, r =>
                [Code(r.Suppression.Describe()), r.Status == "applied" ? Cell(r.Status) : "**" + Cell(r.Status) + "**", ReportText.Int(r.Matched),
                 Cell(r.Suppression.Reason), r.Suppression.Expires is { } e ? ReportText.Iso(e) : ""]);
            CloseDetails(sb);
        }
        Inventory(sb, report.Inventory, max);
        if (report.Diagnostics.Count > 0)
        {
            OpenDetails(sb, $"Diagnostics ({report.Diagnostics.Count})");
            Table(sb, ["Path", "Message"], report.Diagnostics, max, d => [d.Path.Length == 0 ? "(package)" : Code(d.Path), Cell(d.Message)]);
            CloseDetails(sb);
        }
        return sb.ToString();
    }

    private static void Heading(StringBuilder sb, ScanReport r)
    {
        var s = r.Summary;
        string verdict = s.FailOn is not { } level ? "not gated (fail-on none)"
            : s.Failed ? $"**FAILED** (findings at or above {level.ToName()})"
            : $"**PASSED** (nothing at or above {level.ToName()})";
        sb.Append("## Preflight: ").Append(Code(r.Package.Path)).Append(" — ").Append(verdict).Append("\n\n");
        sb.Append("sha256 ").Append(Code(ReportText.ShortHash(r.Package.Sha256))).Append(" · ")
            .Append(ReportText.Count(r.Package.Entries, "entry", "entries")).Append(" · ")
            .Append(ReportText.Bytes(r.Package.SizeBytes)).Append(" · as of ").Append(ReportText.Iso(r.AsOf))
            .Append(" · preflight ").Append(Cell(r.Tool.Version));
        if (r.Baseline is { } b) sb.Append(" · baseline ").Append(Code(b.Path));
        sb.Append("\n\n");
    }

    private static void SummaryTable(StringBuilder sb, ReportSummary s)
    {
        sb.Append("| Severity | Findings |\n|---|---:|\n");
        Row(sb, ["critical", ReportText.Int(s.Critical)]);
        Row(sb, ["high", ReportText.Int(s.High)]);
        Row(sb, ["medium", ReportText.Int(s.Medium)]);
        Row(sb, ["low", ReportText.Int(s.Low)]);
        Row(sb, ["info", ReportText.Int(s.Info)]);
        Row(sb, ["suppressed", ReportText.Int(s.Suppressed)]);
        sb.Append('\n');
    }

    private static void FindingsTable(StringBuilder sb, IReadOnlyList<Finding> findings, int max) =>
        Table(sb, ["Severity", "Rule", "Location", "Message"], findings, max, f =>
            [f.Severity.ToName(), RuleCell(f), Code(f.Location),
             Cell(f.Message) + (string.IsNullOrEmpty(f.Evidence) ? "" : "<br>" + Code(f.Evidence))]);

    private static string RuleCell(Finding f) => Cell(f.RuleId) + " " + Cell(f.Rule);

    /// <summary>The comparison with the baseline, shown open: it is what a reviewer of an upgrade most needs to see.</summary>
    private static void Changes(StringBuilder sb, IReadOnlyList<InventoryChange>? changes, int max)
    {
        if (changes is null) return;
        sb.Append("### Upgrade changes\n\n");
        if (changes.Count == 0)
        {
            sb.Append("Nothing added, removed, changed or renamed compared with the baseline.\n\n");
            return;
        }
        Table(sb, ["Section", "Change", "Item", "Detail", "Location"], changes, max, c =>
            [Cell(ReportText.SectionTitle(c.Section)), c.Change is "removed" or "renamed" ? "**" + Cell(c.Change) + "**" : Cell(c.Change),
             Code(c.Identity), Cell(c.Detail), c.Location is { } l ? Code(l) : ""]);
    }

    private static void Inventory(StringBuilder sb, Inventory inv, int max)
    {
        var parts = new List<string>();
        void Count(int n, string singular, string plural) { if (n > 0) parts.Add(ReportText.Count(n, singular, plural)); }
        Count(inv.ScheduledTasks.Count, "scheduled task", "scheduled tasks");
        Count(inv.Endpoints.Count, "endpoint", "endpoints");
        Count(inv.ServiceUnits.Count, "service unit", "service units");
        Count(inv.Migrations.Count, "migration", "migrations");
        Count(inv.Certificates.Count, "certificate", "certificates");
        Count(inv.Credentials.Count, "credential", "credentials");
        Count(inv.Links.Count, "link", "links");
        if (parts.Count == 0) return;

        OpenDetails(sb, "Inventory: " + string.Join(", ", parts));
        Section(sb, "Scheduled tasks", inv.ScheduledTasks, max, ["Location", "Format", "Schedule", "Runs", "As", "Next run"], t =>
            [Code(t.Location), Cell(t.Format), Code(t.Schedule) + " " + Cell(t.Description), t.Command is { } c ? Code(c) : "", Cell(t.User ?? ""),
             t.NextRuns.Count > 0 ? ReportText.Iso(t.NextRuns[0]) : ""]);
        Section(sb, "Endpoints", inv.Endpoints, max, ["Host", "Class", "Scheme", "Places", "First seen"], e =>
            [Code(e.Host), Cell(e.Class), Cell(e.Scheme ?? ""), ReportText.Int(e.Locations.Count), e.Locations.Count > 0 ? Code(e.Locations[0]) : ""]);
        Section(sb, "Service units", inv.ServiceUnits, max, ["Name", "Kind", "Location", "Aliases", "Starts"], u =>
            [Code(u.Name), Cell(u.Kind), Code(u.Location), Cell(string.Join(", ", u.Aliases)), u.ExecStart is { } x ? Code(x) : ""]);
        Section(sb, "Migrations", inv.Migrations, max, ["Location", "Runner", "Dialect", "Version", "Statements"], m =>
            [Code(m.Location), Cell(m.Runner), Cell(m.Dialect), Cell(m.Version ?? ""), ReportText.Int(m.Statements)]);
        Section(sb, "Certificates", inv.Certificates, max, ["Location", "Subject", "Issuer", "Key", "Valid from", "Valid to", "CA"], c =>
            [Code(c.Location), Cell(c.Subject), Cell(c.Issuer), Cell($"{c.KeyAlgorithm} {c.KeySize}"),
             ReportText.Iso(c.NotBefore)[..10], ReportText.Iso(c.NotAfter)[..10], c.IsCertificateAuthority ? "yes" : "no"]);
        Section(sb, "Credentials", inv.Credentials, max, ["Location", "Rule", "Fingerprint"], c =>
            [Code(c.Location), Cell(c.RuleId), Code(ReportText.ShortHash(c.Fingerprint, 19))]);
        Section(sb, "Links", inv.Links, max, ["Location", "Kind", "Target", "Leaves the package"], l =>
            [Code(l.Location), Cell(l.Kind), Code(l.Target), l.EscapesRoot ? "**yes**" : "no"]);
        CloseDetails(sb);
    }

    private static void Section<T>(StringBuilder sb, string title, IReadOnlyList<T> items, int max, string[] headers, Func<T, string[]> cells)
    {
        if (items.Count == 0) return;
        sb.Append("#### ").Append(title).Append(" (").Append(ReportText.Int(items.Count)).Append(")\n\n");
        Table(sb, headers, items, max, cells);
    }

    private static void Table<T>(StringBuilder sb, string[] headers, IReadOnlyList<T> items, int max, Func<T, string[]> cells)
    {
        Row(sb, headers);
        sb.Append('|');
        foreach (var _ in headers) sb.Append("---|");
        sb.Append('\n');
        foreach (var item in items.Take(max)) Row(sb, cells(item));
        sb.Append('\n');
        if (items.Count > max)
            sb.Append("… and ").Append(ReportText.Int(items.Count - max)).Append(" more (see the JSON or SARIF report).\n\n");
    }

    private static void Row(StringBuilder sb, string[] cells)
    {
        sb.Append('|');
        foreach (var cell in cells) sb.Append(' ').Append(cell).Append(" |");
        sb.Append('\n');
    }

    private static void OpenDetails(StringBuilder sb, string summary) =>
        sb.Append("<details><summary>").Append(Cell(summary)).Append("</summary>\n\n");

    private static void CloseDetails(StringBuilder sb) => sb.Append("</details>\n\n");

    /// <summary>
    /// Text for a table cell: control characters made visible, line breaks folded, and every character that
    /// Markdown or HTML would interpret (<c>\ ` * _ [ ] &lt; &gt; | ~ &amp;</c>) backslash-escaped.
    /// </summary>
    internal static string Cell(string? text)
    {
        var visible = ReportText.Visible(text);
        var sb = new StringBuilder(visible.Length + 8);
        foreach (char c in visible)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '~' or '&') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Code(Location location) => location.Path.Length == 0 ? "(package)" : Code(location.ToString());

    /// <summary>
    /// A code span that survives a table: backticks in the text get a longer fence (CommonMark), pipes are
    /// escaped (GitHub's table rule applies inside code spans), control characters are made visible.
    /// Text with a backslash before a pipe falls back to <see cref="Cell"/>.
    /// </summary>
    internal static string Code(string? text)
    {
        var visible = ReportText.Visible(text);
        if (visible.Length == 0) return "";
        // A table row is split at pipes not escaped by a backslash, and "\\" is itself an escape: a backslash
        // right before a pipe cannot be kept literal inside a code span, so such text is written as plain text.
        if (visible.Contains("\\|", StringComparison.Ordinal)) return Cell(visible);
        visible = visible.Replace("|", "\\|", StringComparison.Ordinal);
        int longest = 0, run = 0;
        foreach (char c in visible)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', longest + 1);
        bool pad = visible[0] == '`' || visible[^1] == '`';
        return pad ? $"{fence} {visible} {fence}" : fence + visible + fence;
    }
}
