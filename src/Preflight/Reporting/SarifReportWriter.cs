namespace Preflight.Reporting;

/// <summary>Writes SARIF 2.1.0.</summary>
internal static class SarifReportWriter
{
    public static Task WriteAsync(ScanReport report, Stream output, CancellationToken ct) =>
        throw new NotSupportedException("SARIF output is not written yet");
}
