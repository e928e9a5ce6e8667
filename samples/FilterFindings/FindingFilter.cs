using System.Globalization;
using Preflight;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Packages;

namespace FilterFindings;

/// <summary>
/// <c>FilterFindings &lt;package&gt; [detector] [min-severity]</c>: scans the package with the Preflight library and
/// prints only the unsuppressed findings of one detector (default <c>credentials</c>) at or above a severity
/// (default <c>high</c>), one per line. Exit code 1 when any was printed, 0 when none, 2 on bad arguments or an
/// unreadable package.
/// </summary>
public static class FindingFilter
{
    /// <summary>Runs the sample with <paramref name="args"/>, writing to the given writers.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length is < 1 or > 3)
        {
            await error.WriteLineAsync("usage: FilterFindings <package> [detector] [min-severity]").ConfigureAwait(false);
            return 2;
        }
        string detector = args.Length > 1 ? args[1] : "credentials";
        if (!SeverityNames.TryParse(args.Length > 2 ? args[2] : "high", out var minimum))
        {
            await error.WriteLineAsync($"unknown severity '{args[2]}': critical, high, medium, low or info").ConfigureAwait(false);
            return 2;
        }

        // Options are an immutable record: derive what you need from the defaults with `with`.
        var options = ScanOptions.Default with
        {
            EnabledDetectors = new HashSet<string>(StringComparer.Ordinal) { detector },
            FailOn = null,
        };

        Preflight.Reporting.ScanReport report;
        try
        {
            report = await PreflightScanner.ScanAsync(args[0], options, cancellationToken).ConfigureAwait(false);
        }
        catch (PackageUnreadableException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        var wanted = report.Findings
            .Where(f => !f.Suppressed && f.Detector == detector && f.Severity >= minimum)
            .ToList();
        foreach (var finding in wanted)
        {
            // Messages and evidence are already redacted: no secret is printed in clear.
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{finding.Severity.ToName(),-8} {finding.RuleId} {finding.Location} {finding.Message}")).ConfigureAwait(false);
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{wanted.Count} of {report.Findings.Count} finding(s) shown ({detector}, {minimum.ToName()} and above).")).ConfigureAwait(false);
        return wanted.Count > 0 ? 1 : 0;
    }
}
