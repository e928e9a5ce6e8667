using Preflight.Reporting;

namespace Preflight.Cli;

/// <summary>Hands the report to the library's <see cref="ReportWriter"/>; the CLI formats nothing itself.</summary>
internal static class ReportOutput
{
    /// <summary>
    /// Writes <paramref name="report"/> to <paramref name="destination"/>. Colour is used only for text, and only
    /// when the caller says the destination is a terminal that wants it.
    /// </summary>
    public static Task WriteAsync(ScanReport report, ReportFormat format, Stream destination, bool color, CancellationToken cancellationToken) =>
        ReportWriter.WriteAsync(report, format, destination, new ReportWriterOptions { UseColor = color && format == ReportFormat.Text }, cancellationToken);
}
