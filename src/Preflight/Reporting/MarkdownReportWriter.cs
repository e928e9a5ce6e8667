namespace Preflight.Reporting;

/// <summary>Renders the Markdown report.</summary>
internal static class MarkdownReportWriter
{
    public static string Render(ScanReport report, ReportWriterOptions options) =>
        throw new NotSupportedException("Markdown output is not written yet");
}
