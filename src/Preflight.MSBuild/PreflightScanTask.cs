using System.Globalization;
using Microsoft.Build.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Packages;
using Preflight.Reporting;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace Preflight.MSBuild;

/// <summary>
/// Scans packages in-process with <see cref="PreflightScanner"/> and logs each unsuppressed finding at or above
/// <see cref="FailOn"/> as an MSBuild error with the rule id as its code and the entry path and line as its file
/// and line (<c>lib/app.config(3): error PF301: …</c>); lower findings are warnings, suppressed ones messages.
/// Expired and unused suppressions are warnings on the suppressions file. Nothing from the package is executed
/// or loaded.
/// </summary>
public sealed class PreflightScanTask : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The packages to scan (a .nupkg or any archive or folder Preflight reads).</summary>
    [Required]
    public ITaskItem[] Packages { get; set; } = [];

    /// <summary>A <c>preflight.json</c> configuration file; empty for none.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>A <c>preflight-suppressions.json</c> file; empty for the one the configuration names, if any.</summary>
    public string? SuppressionsFile { get; set; }

    /// <summary><c>critical</c>, <c>high</c>, <c>medium</c>, <c>low</c>, <c>info</c> or <c>none</c>; empty for the configuration's value, else <c>high</c>.</summary>
    public string? FailOn { get; set; }

    /// <summary>The evaluation time for expiry checks (ISO 8601 date or date-time); empty for now.</summary>
    public string? AsOf { get; set; }

    /// <summary>Findings that failed the build, as items (the file name is the entry path; metadata RuleId, Severity, Line).</summary>
    [Output]
    public ITaskItem[] FailingFindings { get; private set; } = [];

    /// <inheritdoc />
    public void Cancel() => _cancel.Cancel();

    /// <inheritdoc />
    public override bool Execute()
    {
        ScanOptions options;
        try
        {
            options = BuildOptions();
        }
        catch (ConfigurationException ex)
        {
            foreach (var error in ex.Errors)
                Log.LogError(null, "PREFLIGHT", null, ex.File, 0, 0, 0, 0, "invalid configuration: {0}", error);
            return false;
        }
        catch (ArgumentException ex)
        {
            Log.LogError(null, "PREFLIGHT", null, null, 0, 0, 0, 0, "{0}", ex.Message);
            return false;
        }

        var failing = new List<ITaskItem>();
        foreach (var item in Packages)
        {
            string package = item.GetMetadata("FullPath");
            if (string.IsNullOrEmpty(package)) package = Path.GetFullPath(item.ItemSpec);
            ScanReport report;
            try
            {
                // The library is asynchronous and never captures a context; MSBuild's thread only waits.
                report = Task.Run(() => PreflightScanner.ScanAsync(package, options, _cancel.Token)).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                Log.LogError(null, "PREFLIGHT", null, package, 0, 0, 0, 0, "the scan was cancelled");
                return false;
            }
            catch (PackageUnreadableException ex)
            {
                Log.LogError(null, "PREFLIGHT", null, package, 0, 0, 0, 0, "cannot read the package: {0}", ex.Message);
                continue;
            }
            catch (ConfigurationException ex)
            {
                foreach (var error in ex.Errors)
                    Log.LogError(null, "PREFLIGHT", null, ex.File, 0, 0, 0, 0, "invalid configuration: {0}", error);
                return false;
            }
            LogReport(package, report, options, failing);
        }
        FailingFindings = [.. failing];
        return !Log.HasLoggedErrors;
    }

    private ScanOptions BuildOptions()
    {
        var options = ScanOptions.Default;
        bool configured = false;
        if (!string.IsNullOrWhiteSpace(ConfigFile))
        {
            if (!File.Exists(ConfigFile)) throw new ConfigurationException(ConfigFile, ["the configuration file does not exist"]);
            options = Configuration.ConfigFile.Apply(Path.GetFullPath(ConfigFile), options);
            configured = true;
        }
        if (!string.IsNullOrWhiteSpace(SuppressionsFile))
        {
            if (!File.Exists(SuppressionsFile)) throw new ConfigurationException(SuppressionsFile, ["the suppressions file does not exist"]);
            options = options with { SuppressionsFile = Path.GetFullPath(SuppressionsFile) };
        }
        if (!string.IsNullOrWhiteSpace(FailOn))
        {
            string text = FailOn.Trim();
            if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) options = options with { FailOn = null };
            else if (SeverityNames.TryParse(text.ToLowerInvariant(), out var level)) options = options with { FailOn = level };
            else throw new ArgumentException($"PreflightFailOn must be critical, high, medium, low, info or none, not '{FailOn}'");
        }
        else if (!configured)
        {
            options = options with { FailOn = Severity.High };
        }
        if (!string.IsNullOrWhiteSpace(AsOf))
        {
            if (!DateTimeOffset.TryParse(AsOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var asOf))
                throw new ArgumentException($"PreflightAsOf must be an ISO 8601 date or date-time, not '{AsOf}'");
            options = options with { AsOf = asOf };
        }
        return options;
    }

    private void LogReport(string package, ScanReport report, ScanOptions options, List<ITaskItem> failing)
    {
        string name = Path.GetFileName(package);
        foreach (var finding in report.Findings)
        {
            string file = finding.Location.Path.Length == 0 ? package : finding.Location.Path;
            int line = finding.Location.Line ?? 0;
            int column = finding.Location.Column ?? 0;
            string severity = finding.Severity.ToName();
            if (finding.Suppressed)
            {
                Log.LogMessage(MessageImportance.Normal, "{0}({1}): {2} {3} suppressed ({4}): {5}",
                    file, line, severity, finding.RuleId, finding.SuppressionReason, finding.Message);
            }
            else if (options.FailOn is { } failOn && finding.Severity >= failOn)
            {
                Log.LogError(null, finding.RuleId, null, file, line, column, 0, 0, "{0} [{1} in {2}]", finding.Message, severity, name);
                var item = new Microsoft.Build.Utilities.TaskItem(file);
                item.SetMetadata("RuleId", finding.RuleId);
                item.SetMetadata("Severity", severity);
                item.SetMetadata("Line", line.ToString(CultureInfo.InvariantCulture));
                item.SetMetadata("Package", package);
                failing.Add(item);
            }
            else if (finding.Severity >= Severity.Low)
            {
                Log.LogWarning(null, finding.RuleId, null, file, line, column, 0, 0, "{0} [{1} in {2}]", finding.Message, severity, name);
            }
            else
            {
                Log.LogMessage(MessageImportance.Normal, "{0}({1}): {2} {3}: {4}", file, line, severity, finding.RuleId, finding.Message);
            }
        }

        string suppressions = options.SuppressionsFile ?? string.Empty;
        foreach (var result in report.Suppressions)
        {
            var entry = result.Suppression;
            if (result.Status == "expired" && entry.Expires is { } expires)
            {
                Log.LogWarning(null, "PREFLIGHT", null, suppressions, 0, 0, 0, 0,
                    "suppression {0} expired on {1:yyyy-MM-dd} (reason was: {2}); the {3} finding(s) it covered count again",
                    entry.Describe(), expires.AddTicks(-1), entry.Reason, result.Matched);
            }
            else if (result.Status == "unused")
            {
                Log.LogWarning(null, "PREFLIGHT", null, suppressions, 0, 0, 0, 0,
                    "suppression {0} matched no finding in {1}; remove it if the problem is gone", entry.Describe(), name);
            }
        }

        var s = report.Summary;
        Log.LogMessage(MessageImportance.High,
            "Preflight: {0}: {1} entries, {2} critical, {3} high, {4} medium, {5} low, {6} info, {7} suppressed; fail-on {8}: {9}",
            name, report.Package.Entries, s.Critical, s.High, s.Medium, s.Low, s.Info, s.Suppressed,
            s.FailOn?.ToName() ?? "none", report.Failed ? "failed" : "passed");
    }
}
