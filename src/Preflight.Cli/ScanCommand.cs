using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Cli;

/// <summary><c>preflight scan &lt;path&gt;</c>: arguments → <see cref="PreflightScanner"/> → a report writer → an exit code.</summary>
internal static class ScanCommand
{
    public static Command Create(CliConsole console)
    {
        var path = new Argument<string>("path")
        {
            Description = "The package: a zip (nupkg, jar, whl), tar, tar.gz, tgz, tar.bz2 or gz file, or an unpacked folder.",
        };
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = "Evaluation time for expiry and schedule checks: an ISO 8601 date (00:00 UTC) or date-time. Default: now.",
            HelpName = "date",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                if (CliValues.TryParseAsOf(text, out var value)) return value;
                result.AddError($"--as-of must be an ISO 8601 date (2026-11-27) or date-time (2026-11-27T08:30:00Z), not '{text}'");
                return null;
            },
        };
        var format = CliOptions.Choice("--format", "Report format.", [.. ReportFormats.Names], ReportFormat.Text.ToName());
        var output = new Option<string?>("--output")
        {
            Description = "Write the report to this file instead of standard output (its folder must exist).",
            HelpName = "file",
        };
        var failOn = CliOptions.Choice("--fail-on",
            "Exit with 1 when an unsuppressed finding is at or above this severity; none never fails.",
            CliValues.FailOnNames, "high");
        var baseline = new Option<string?>("--baseline")
        {
            Description = "The package installed today (the previous version): compared with this one for renamed and removed units and an \"upgrade changes\" section.",
            HelpName = "path",
        };
        var installedUnits = new Option<string?>("--installed-units")
        {
            Description = "Output of `systemctl list-unit-files --no-legend` from the target host: units that exist there are not dangling references.",
            HelpName = "file",
        };
        var config = new Option<string?>("--config")
        {
            Description = $"Configuration file (default: {ConfigFile.DefaultFileName} next to the package, when present).",
            HelpName = "file",
        };
        var suppressions = new Option<string?>("--suppressions")
        {
            Description = $"Suppressions file (default: {SuppressionSet.DefaultFileName} next to the package, when present, or the one the configuration names).",
            HelpName = "file",
        };
        var trust = new Option<string[]>("--trust")
        {
            Description = "A PEM bundle of root certificates to trust when validating the package's certificate chains (repeatable). Without it chains are not validated; the machine's store is never used.",
            HelpName = "pem",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var signature = new Option<string?>("--signature")
        {
            Description = "A detached CMS/PKCS#7 signature (DER or PEM) over the package file itself: verified against the package's bytes, its signer's chain like every other (purpose code signing).",
            HelpName = "file",
        };
        var window = new Option<string?>("--window")
        {
            Description = "The maintenance window as an ISO 8601 interval (2026-11-28T02:00Z/PT1H): scheduled tasks that fire inside it are reported.",
            HelpName = "start/duration",
        };
        var pgVersion = new Option<int?>("--pg-version")
        {
            Description = "The PostgreSQL major version the migrations will run on (default 14); version-dependent lock rules follow it.",
            HelpName = "major",
        };
        var since = new Option<string?>("--since")
        {
            Description = "A previous JSON report: report only findings whose fingerprints are new (compares reports; --baseline compares packages).",
            HelpName = "report.json",
        };
        var verbose = new Option<bool>("--verbose")
        {
            Description = "Show a timing line on success and the full exception on errors.",
        };
        var stats = new Option<bool>("--stats")
        {
            Description = "Print where the scan spent its time (per detector, entries, MiB) on standard error, and add it to a JSON report as \"statistics\".",
        };
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "No progress display on standard error (it is shown only on a terminal, for scans longer than a second).",
        };

        var command = new Command("scan", "Scan a package before it is installed and report what it will do.")
        {
            path, asOf, format, output, failOn, baseline, installedUnits, trust, window, pgVersion, config, suppressions, since, verbose, quiet,
            signature, stats,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            bool isVerbose = parse.GetValue(verbose);
            var request = new ScanRequest(
                parse.GetValue(path)!,
                parse.GetValue(asOf),
                ReportFormats.TryParse(parse.GetValue(format), out var chosen) ? chosen : ReportFormat.Text,
                parse.GetValue(output),
                CliValues.TryParseFailOn(parse.GetValue(failOn)!, out var level) ? level : Severity.High,
                FailOnGiven: parse.GetResult(failOn) is { Implicit: false },
                parse.GetValue(baseline),
                parse.GetValue(installedUnits),
                parse.GetValue(config),
                parse.GetValue(suppressions),
                parse.GetValue(since),
                parse.GetValue(trust) ?? [],
                parse.GetValue(window),
                parse.GetValue(pgVersion),
                isVerbose,
                parse.GetValue(quiet),
                parse.GetValue(signature),
                parse.GetValue(stats));
            return CliErrors.GuardAsync(console, isVerbose, () => RunAsync(request, console, cancellationToken));
        });
        return command;
    }

    private sealed record ScanRequest(
        string Path,
        DateTimeOffset? AsOf,
        ReportFormat Format,
        string? Output,
        Severity? FailOn,
        bool FailOnGiven,
        string? Baseline,
        string? InstalledUnits,
        string? Config,
        string? Suppressions,
        string? Since,
        string[] Trust,
        string? Window,
        int? PostgresVersion,
        bool Verbose,
        bool Quiet,
        string? Signature = null,
        bool Stats = false);

    /// <summary>
    /// Options from the configuration file (given, or next to the package), then the command line on top:
    /// an option typed on the command line always wins over the file.
    /// </summary>
    private static ScanOptions BuildOptions(ScanRequest request)
    {
        var options = ScanOptions.Default;
        string? configPath = request.Config ?? ConfigFile.FindNextTo(request.Path);
        if (request.Config is not null && !File.Exists(request.Config))
            throw new UsageException($"--config {request.Config}: the file does not exist");
        if (configPath is not null) options = ConfigFile.Apply(configPath, options);

        if (request.Suppressions is not null)
        {
            if (!File.Exists(request.Suppressions)) throw new UsageException($"--suppressions {request.Suppressions}: the file does not exist");
            options = options with { SuppressionsFile = Path.GetFullPath(request.Suppressions) };
        }
        else if (options.SuppressionsFile is null)
        {
            var folder = Directory.Exists(request.Path) ? request.Path : Path.GetDirectoryName(Path.GetFullPath(request.Path));
            var next = folder is null ? null : Path.Combine(folder, SuppressionSet.DefaultFileName);
            if (next is not null && File.Exists(next)) options = options with { SuppressionsFile = next };
        }

        options = options with { AsOf = request.AsOf ?? options.AsOf };
        if (request.FailOnGiven || configPath is null) options = options with { FailOn = request.FailOn };
        if (request.Baseline is not null) options = options with { Baseline = request.Baseline };
        if (request.InstalledUnits is not null) options = options with { InstalledUnitsFile = request.InstalledUnits };
        if (request.Since is not null) options = options with { Since = request.Since };
        if (request.Trust.Length > 0)
        {
            foreach (var bundle in request.Trust)
                if (!File.Exists(bundle)) throw new UsageException($"--trust {bundle}: the file does not exist");
            options = options with { TrustedRoots = [.. request.Trust.Select(Path.GetFullPath)] };
        }
        if (request.Signature is not null)
        {
            if (!File.Exists(request.Signature)) throw new UsageException($"--signature {request.Signature}: the file does not exist");
            options = options with { PackageSignaturePath = Path.GetFullPath(request.Signature) };
        }
        if (request.Window is not null)
        {
            if (!MaintenanceWindow.TryParse(request.Window, out var parsed))
                throw new UsageException($"--window must be an ISO 8601 interval such as 2026-11-28T02:00Z/PT1H, not '{request.Window}'");
            options = options with { MaintenanceWindow = parsed };
        }
        if (request.PostgresVersion is { } pg)
        {
            if (pg is < 9 or > 30) throw new UsageException($"--pg-version must be a PostgreSQL major version such as 14, not {pg}");
            options = options with { PostgresVersion = pg };
        }
        return options;
    }

    /// <summary>The <c>--stats</c> table: the whole scan, then each detector that analysed something, slowest first.</summary>
    internal static string StatisticsText(ScanStatistics s)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"preflight: {s.Entries} entries, {s.ContentBytes / 1048576.0:0.0} MiB in {s.Elapsed.TotalSeconds:0.00} s ({s.ContentBytes / 1048576.0 / Math.Max(s.Elapsed.TotalSeconds, 1e-9):0} MiB/s) on {s.Workers} worker(s); sniffing {s.Sniffing.TotalSeconds:0.00} s\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"detector",-16} {"time s",8} {"share",6} {"entries",8} {"MiB",9}\n");
        double total = s.Detectors.Sum(d => d.Time.TotalSeconds);
        foreach (var d in s.Detectors.Where(d => d.Entries > 0 || d.Time > TimeSpan.Zero).OrderByDescending(d => d.Time))
            text.Append(CultureInfo.InvariantCulture,
                $"  {d.Detector,-16} {d.Time.TotalSeconds,8:0.00} {(total > 0 ? d.Time.TotalSeconds / total : 0),6:P0} {d.Entries,8} {d.Bytes / 1048576.0,9:0.0}\n");
        text.Append("  (detector times are summed over the workers; a detector's time includes decoding the views it asks for first)\n");
        return text.ToString();
    }

    /// <summary>
    /// The <c>--stats</c> line on the garbage collector, for the whole process so far (scan and report): collections
    /// per generation, the time every thread stood still for them, and the bytes allocated.
    /// </summary>
    internal static string CollectorText() => string.Create(CultureInfo.InvariantCulture,
        $"  collector: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (generation 0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:0.00} s, allocated {GC.GetTotalAllocatedBytes(false) / 1048576.0:0} MiB\n"
        + $"  compiler: {System.Runtime.JitInfo.GetCompiledMethodCount(false)} methods compiled at run time in {System.Runtime.JitInfo.GetCompilationTime(false).TotalSeconds:0.00} s\n");

    private static async Task<int> RunAsync(ScanRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        // Checked before the scan: a report that cannot be written is a usage error, found before the work.
        string? outputPath = request.Output is null ? null : CheckOutputPath(request.Output);

        var options = BuildOptions(request);
        if (request.Stats) options = options with { CollectStatistics = true };
        var stopwatch = Stopwatch.StartNew();
        var display = ProgressDisplay.Create(console, request.Quiet);
        // For the scan and the report's writing, both of which allocate far more than they keep.
        using var governor = YoungGenerationGovernor.Start();
        if (governor is not null) options = options with { EntriesAnalysed = governor.Compact };
        var report = display is null
            ? await PreflightScanner.ScanAsync(request.Path, options, cancellationToken).ConfigureAwait(false)
            : await display.RunAsync(PreflightScanner.ScanAsync(request.Path, options with { Progress = display }, cancellationToken)).ConfigureAwait(false);
        stopwatch.Stop();
        // The detectors and their state are garbage now; only the report lives on. Writing it starts from a compact heap.
        governor?.Compact();

        if (outputPath is null)
        {
            bool color = request.Format == ReportFormat.Text && console.OutIsTerminal && !console.NoColorRequested;
            await ReportOutput.WriteAsync(report, request.Format, console.Out, color, cancellationToken).ConfigureAwait(false);
            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ReportOutput.WriteFileAsync(outputPath, request.Output!, stream => ReportOutput.WriteAsync(report, request.Format, stream, color: false, cancellationToken)).ConfigureAwait(false);
        }

        if (report.Statistics is { } statistics)
        {
            await console.Error.WriteAsync(StatisticsText(statistics)).ConfigureAwait(false);
            await console.Error.WriteAsync(CollectorText()).ConfigureAwait(false);
        }

        if (request.Verbose)
        {
            var s = report.Summary;
            await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"preflight: scanned {report.Package.Entries} {(report.Package.Entries == 1 ? "entry" : "entries")} in {stopwatch.Elapsed.TotalSeconds:0.00} s: {s.Critical} critical, {s.High} high, {s.Medium} medium, {s.Low} low, {s.Info} info, {s.Suppressed} suppressed, {report.Diagnostics.Count} diagnostics; fail-on {s.FailOn?.ToName() ?? "none"}: {(report.Failed ? "failed" : "passed")}")).ConfigureAwait(false);
        }
        return report.Failed ? ExitCodes.Failed : ExitCodes.Passed;
    }

    private static string CheckOutputPath(string output)
    {
        string full = Path.GetFullPath(output);
        if (Directory.Exists(full))
            throw new UsageException($"--output {output} is a folder; give a file name");
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"--output {output}: the folder {folder} does not exist");
        return full;
    }
}
