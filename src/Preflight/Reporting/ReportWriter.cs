namespace Preflight.Reporting;

/// <summary>Writes a <see cref="ScanReport"/> in any <see cref="ReportFormat"/>.</summary>
/// <remarks>
/// Writers print only what the detectors put in the report (messages and evidence are already redacted);
/// they never read the package again. Text and Markdown replace control characters from package-provided
/// strings (entry names, messages) by visible escapes, so a hostile entry name cannot drive a terminal.
/// The stream is flushed and left open.
/// </remarks>
public static class ReportWriter
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/> as UTF-8 (without a byte order mark).</summary>
    public static async Task WriteAsync(ScanReport report, ReportFormat format, Stream output, ReportWriterOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        options ??= ReportWriterOptions.Default;
        switch (format)
        {
            case ReportFormat.Json:
                await ScanReportJson.WriteAsync(report, output, ct).ConfigureAwait(false);
                break;
            case ReportFormat.Sarif:
                await SarifReportWriter.WriteAsync(report, output, ct).ConfigureAwait(false);
                break;
            case ReportFormat.Text:
                await WriteTextAsync(output, TextReportWriter.Render(report, options), ct).ConfigureAwait(false);
                break;
            case ReportFormat.Markdown:
                await WriteTextAsync(output, MarkdownReportWriter.Render(report, options), ct).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown report format");
        }
    }

    /// <summary>The report in <paramref name="format"/> as a string (for tests, logs and small reports).</summary>
    public static string WriteToString(ScanReport report, ReportFormat format, ReportWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        WriteAsync(report, format, buffer, options).GetAwaiter().GetResult();
        return ReportText.Utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task WriteTextAsync(Stream output, string text, CancellationToken ct)
    {
        var bytes = ReportText.Utf8.GetBytes(text);
        await output.WriteAsync(bytes, ct).ConfigureAwait(false);
        await output.FlushAsync(ct).ConfigureAwait(false);
    }
}
