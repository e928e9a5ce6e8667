namespace Preflight.Reporting;

/// <summary>Renders the terminal text report.</summary>
internal static class TextReportWriter
{
    public static string Render(ScanReport report, ReportWriterOptions options) =>
        throw new NotSupportedException("text output is not written yet");
}
