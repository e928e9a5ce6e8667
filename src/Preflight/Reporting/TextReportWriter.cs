using System.Text;
using Preflight.Findings;

namespace Preflight.Reporting;

/// <summary>
/// The terminal report: a header, findings grouped by severity (critical first), suppressed findings, the
/// inventory in short, diagnostics, then the summary and the verdict as the last lines. ANSI colour only
/// when <see cref="ReportWriterOptions.UseColor"/> is set; package-provided strings are made visible
/// (<see cref="ReportText.Visible"/>) so they cannot carry escape sequences of their own.
/// </summary>
internal static class TextReportWriter
{
    /// <summary>Items listed per inventory section before "… and N more".</summary>
    private const int MaxItemsPerSection = 20;

    private static readonly Severity[] Descending = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Info];

    public static string Render(ScanReport report, ReportWriterOptions options)
    {
        var w = new Writer(options.UseColor);
        Header(w, report);
        Findings(w, report);
        Changes(w, report.Changes);
        Inventory(w, report.Inventory);
        Diagnostics(w, report.Diagnostics);
        Summary(w, report);
        return w.ToString();
    }

    private static void Header(Writer w, ScanReport r)
    {
        w.Style(Ansi.Bold, $"Preflight {Clean(r.Tool.Version)}").Text(" · ").Style(Ansi.Bold, Clean(r.Package.Path)).Line();
        w.Text($"  sha256 {ReportText.ShortHash(r.Package.Sha256)}…  ·  {ReportText.Count(r.Package.Entries, "entry", "entries")}  ·  {ReportText.Bytes(r.Package.SizeBytes)}  ·  as of {ReportText.Iso(r.AsOf)}").Line();
        if (r.Baseline is { } b)
            w.Text($"  baseline {Clean(b.Path)} (sha256 {ReportText.ShortHash(b.Sha256)}…)").Line();
        w.Line();
    }

    private static void Findings(Writer w, ScanReport r)
    {
        var active = r.Findings.Where(f => !f.Suppressed).ToList();
        if (active.Count == 0)
        {
            w.Style(Ansi.Green, "No findings.").Line().Line();
        }
        foreach (var severity in Descending)
        {
            var group = active.Where(f => f.Severity == severity).ToList();
            if (group.Count == 0) continue;
            w.Style(SeverityStyle(severity), $"{severity.ToName().ToUpperInvariant()} ({group.Count})").Line();
            foreach (var f in group) Finding(w, f);
            w.Line();
        }
        var suppressed = r.Findings.Where(f => f.Suppressed).ToList();
        if (suppressed.Count > 0)
        {
            w.Style(Ansi.Dim, $"SUPPRESSED ({suppressed.Count})").Line();
            foreach (var f in suppressed)
            {
                w.Text("  ").Style(Ansi.Dim, $"{f.RuleId} {Clean(f.Rule)}  {LocationText(f.Location)}  [{f.Severity.ToName()}]").Line();
                w.Text("      ").Style(Ansi.Dim, Clean(f.Message)).Line();
                if (f.SuppressionReason is { } reason) w.Text("      ").Style(Ansi.Dim, "suppressed: " + Clean(reason)).Line();
            }
            w.Line();
        }
    }

    private static void Finding(Writer w, Finding f)
    {
        w.Text("  ").Style(SeverityStyle(f.Severity), f.RuleId).Text(" ").Style(Ansi.Bold, Clean(f.Rule))
            .Text("  ").Style(Ansi.Cyan, LocationText(f.Location)).Line();
        w.Text("      ").Text(Clean(f.Message)).Line();
        if (!string.IsNullOrEmpty(f.Evidence))
            w.Text("      ").Style(Ansi.Dim, "> " + Clean(f.Evidence)).Line();
    }

    /// <summary>The comparison with the baseline: the operator's cleanup and rollback checklist.</summary>
    private static void Changes(Writer w, IReadOnlyList<InventoryChange>? changes)
    {
        if (changes is null) return;
        w.Style(Ansi.Bold, $"UPGRADE CHANGES ({changes.Count})").Line();
        if (changes.Count == 0) w.Text("  nothing added, removed, changed or renamed").Line();
        foreach (var group in changes.GroupBy(c => c.Section))
        {
            w.Text($"  {ReportText.SectionTitle(group.Key)}").Line();
            foreach (var c in group)
            {
                w.Text("    ").Style(c.Change is "removed" or "renamed" ? Ansi.Yellow : null, c.Change.PadRight(8)).Text(" ").Text(Clean(c.Identity))
                    .Style(Ansi.Dim, $"  {Clean(c.Detail)}{(c.Location is { } l ? "  " + LocationText(l) : "")}").Line();
            }
        }
        w.Line();
    }

    private static void Inventory(Writer w, Inventory inv)
    {
        int total = inv.ScheduledTasks.Count + inv.Endpoints.Count + inv.ServiceUnits.Count + inv.Migrations.Count
                    + inv.Certificates.Count + inv.Credentials.Count + inv.Links.Count;
        if (total == 0) return;
        w.Style(Ansi.Bold, "INVENTORY").Line();
        Section(w, "Scheduled tasks", inv.ScheduledTasks, t =>
            $"{LocationText(t.Location)}  [{Clean(t.Format)}] {Clean(t.Schedule)} ({Clean(t.Description)})"
            + (t.Command is { } c ? $" → {Clean(c)}" : "")
            + (t.User is { } u ? $" as {Clean(u)}" : "")
            + (t.TimeZone is { } z ? $" tz {Clean(z)}" : "")
            + (t.NextRuns.Count > 0 ? $"; next {ReportText.Iso(t.NextRuns[0])}" : ""));
        Section(w, "Endpoints", inv.Endpoints, e =>
            $"{Clean(e.Host)}  {Clean(e.Class)}{(e.Scheme is { } s ? " " + Clean(s) : "")}  ({ReportText.Count(e.Locations.Count, "place", "places")}"
            + (e.Locations.Count > 0 ? $", first {LocationText(e.Locations[0])}" : "") + ")");
        Section(w, "Service units", inv.ServiceUnits, u =>
            $"{Clean(u.Name)}  [{Clean(u.Kind)}] {LocationText(u.Location)}"
            + (u.Aliases.Count > 0 ? $"  aliases {Clean(string.Join(", ", u.Aliases))}" : "")
            + (u.ExecStart is { } x ? $"  → {Clean(x)}" : ""));
        Section(w, "Migrations", inv.Migrations, m =>
            $"{LocationText(m.Location)}  [{Clean(m.Runner)}, {Clean(m.Dialect)}]"
            + (m.Version is { } v ? $" version {Clean(v)}" : "") + $", {ReportText.Count(m.Statements, "statement", "statements")}");
        Section(w, "Certificates", inv.Certificates, c =>
            $"{LocationText(c.Location)}  {Clean(c.Subject)} ← {Clean(c.Issuer)}  {Clean(c.KeyAlgorithm)} {c.KeySize}"
            + $"  valid {ReportText.Iso(c.NotBefore)[..10]} … {ReportText.Iso(c.NotAfter)[..10]}{(c.IsCertificateAuthority ? "  CA" : "")}");
        Section(w, "Credentials", inv.Credentials, c =>
            $"{LocationText(c.Location)}  {c.RuleId}  {ReportText.ShortHash(c.Fingerprint, 19)}…");
        Section(w, "Links", inv.Links, l =>
            $"{LocationText(l.Location)} → {Clean(l.Target)}  [{Clean(l.Kind)}]{(l.EscapesRoot ? "  OUTSIDE THE PACKAGE" : "")}");
        w.Line();
    }

    private static void Section<T>(Writer w, string title, IReadOnlyList<T> items, Func<T, string> describe)
    {
        if (items.Count == 0) return;
        w.Text($"  {title} ({items.Count})").Line();
        foreach (var item in items.Take(MaxItemsPerSection)) w.Text("    ").Text(describe(item)).Line();
        if (items.Count > MaxItemsPerSection) w.Style(Ansi.Dim, $"    … and {items.Count - MaxItemsPerSection} more").Line();
    }

    private static void Diagnostics(Writer w, IReadOnlyList<ScanDiagnostic> diagnostics)
    {
        if (diagnostics.Count == 0) return;
        w.Style(Ansi.Yellow, $"DIAGNOSTICS ({diagnostics.Count})").Line();
        foreach (var d in diagnostics)
            w.Text("  ").Text(d.Path.Length == 0 ? "(package)" : Clean(d.Path)).Text(": ").Text(Clean(d.Message)).Line();
        w.Line();
    }

    private static void Summary(Writer w, ScanReport r)
    {
        var s = r.Summary;
        w.Text("Summary: ")
            .Style(s.Critical > 0 ? SeverityStyle(Severity.Critical) : null, $"{s.Critical} critical").Text(", ")
            .Style(s.High > 0 ? SeverityStyle(Severity.High) : null, $"{s.High} high").Text(", ")
            .Style(s.Medium > 0 ? SeverityStyle(Severity.Medium) : null, $"{s.Medium} medium").Text(", ")
            .Text($"{s.Low} low, {s.Info} info, {s.Suppressed} suppressed").Line();
        if (s.FailOn is not { } level)
            w.Text("Verdict: ").Style(Ansi.Bold, "NOT GATED").Text(" (fail-on none)").Line();
        else if (s.Failed)
            w.Text("Verdict: ").Style(Ansi.BoldRed, "FAILED").Text($" (unsuppressed findings at or above {level.ToName()})").Line();
        else
            w.Text("Verdict: ").Style(Ansi.BoldGreen, "PASSED").Text($" (nothing unsuppressed at or above {level.ToName()})").Line();
    }

    private static string LocationText(Location l) => l.Path.Length == 0 ? "(package)" : Clean(l.ToString());

    private static string Clean(string? text) => ReportText.Visible(text);

    private static string SeverityStyle(Severity s) => s switch
    {
        Severity.Critical => Ansi.BoldMagenta,
        Severity.High => Ansi.BoldRed,
        Severity.Medium => Ansi.Yellow,
        Severity.Low => Ansi.Cyan,
        _ => Ansi.Dim,
    };

    private static class Ansi
    {
        public const string Reset = "\u001b[0m";
        public const string Bold = "\u001b[1m";
        public const string Dim = "\u001b[2m";
        public const string Yellow = "\u001b[33m";
        public const string Cyan = "\u001b[36m";
        public const string Green = "\u001b[32m";
        public const string BoldRed = "\u001b[1;31m";
        public const string BoldGreen = "\u001b[1;32m";
        public const string BoldMagenta = "\u001b[1;35m";
    }

    /// <summary>A string builder that applies styles only when colour is on, and ends lines with <c>\n</c>.</summary>
    private sealed class Writer(bool color)
    {
        private readonly StringBuilder _sb = new();

        public Writer Text(string text)
        {
            _sb.Append(text);
            return this;
        }

        public Writer Style(string? style, string text)
        {
            if (color && style is not null) _sb.Append(style).Append(text).Append(Ansi.Reset);
            else _sb.Append(text);
            return this;
        }

        public Writer Line()
        {
            _sb.Append('\n');
            return this;
        }

        public override string ToString() => _sb.ToString();
    }
}
