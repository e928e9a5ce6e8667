using Preflight.Reporting;

namespace Preflight.Cli;

/// <summary>Hands the report to the library's report writers.</summary>
internal static class ReportOutput
{
    public static async Task WriteAsync(ScanReport report, string format, Stream destination, bool color, CancellationToken cancellationToken)
    {
        // INTERIM until the reporting branch lands: the skeleton's one line per finding.
        _ = color;
        if (format != "text") throw new UsageException($"--format {format} is not available in this build");
        var writer = new StreamWriter(destination, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var f in report.Findings)
                await writer.WriteLineAsync($"{f.RuleId} {f.Severity} {f.Location} {f.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
        }
    }
}
