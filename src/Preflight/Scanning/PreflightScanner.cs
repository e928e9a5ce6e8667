using System.Text;
using System.Threading.Channels;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Detectors.Package;
using Preflight.Findings;
using Preflight.Packages;
using Preflight.Reporting;

namespace Preflight;

/// <summary>
/// The entry point of the library: reads a package once, feeds every detector, and returns the report.
/// Nothing from the package is executed, loaded or fetched.
/// </summary>
public static class PreflightScanner
{
    /// <summary>Scans the package (archive file or folder) at <paramref name="path"/>.</summary>
    /// <param name="path">An archive file (zip, nupkg, jar, tar, tar.gz, tar.bz2, gz) or an unpacked folder.</param>
    /// <param name="options">What to scan against and how; null for <see cref="ScanOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the scan; the task then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The report: findings in report order, the inventory, suppressions applied and diagnostics.</returns>
    /// <exception cref="PackageUnreadableException">The path does not exist or is no package at all.</exception>
    /// <exception cref="Configuration.ConfigurationException">The suppressions file is invalid.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The overloads differ in the type of their first parameter (a path or a stream): no call is ambiguous.")]
    public static async Task<ScanReport> ScanAsync(string path, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new PackageUnreadableException($"no such file or folder: {path}") { NotFound = true };
        return await ScanCoreAsync(path, (limits, sink, token) => PackageReader.ReadAsync(path, limits, sink, token), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Scans the archive in <paramref name="package"/> (zip, nupkg, jar, tar, tar.gz, tar.bz2 or gz), read from its
    /// beginning. A stream that cannot seek is first copied to a temporary file that is deleted when the scan ends
    /// (zip archives are read from their end). The stream is left open.
    /// </summary>
    /// <param name="package">The package's bytes.</param>
    /// <param name="name">The package's name, a file name or path: the report's package path, and a hint for the format by its extension.</param>
    /// <param name="options">What to scan against and how; null for <see cref="ScanOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops the scan; the task then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The report, as for a package read from a path.</returns>
    /// <exception cref="PackageUnreadableException">The bytes are no archive Preflight reads.</exception>
    /// <exception cref="Configuration.ConfigurationException">The suppressions file is invalid.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The overloads differ in the type of their first parameter (a path or a stream): no call is ambiguous.")]
    public static async Task<ScanReport> ScanAsync(Stream package, string name, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await ScanCoreAsync(name, (limits, sink, token) => PackageReader.ReadAsync(package, name, limits, sink, token), options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ScanReport> ScanCoreAsync(string name, PackageRead read, ScanOptions? options, CancellationToken cancellationToken)
    {
        options ??= ScanOptions.Default;
        var installed = options.InstalledUnitsFile is { } unitsFile ? InstalledUnits.Read(unitsFile) : null;
        // Read before scanning so that a broken file fails fast.
        var suppressionSet = options.SuppressionsFile is { } suppressionsFile ? SuppressionSet.Load(suppressionsFile) : null;
        var known = options.Since is { } since ? await ReadFingerprintsAsync(since, cancellationToken).ConfigureAwait(false) : null;

        Inventory? baselineInventory = null;
        IEnumerable<Finding> carried = [];
        var baselineSecrets = new List<string>();
        BaselineInfo? baselineInfo = null;
        IReadOnlyDictionary<string, object>? baselineKept = null;
        if (options.Baseline is { } baselinePath)
        {
            var baselineState = new ScanState(options, cancellationToken) { InstalledUnits = installed, IsBaseline = true };
            PackageSummary baselineSummary;
            try
            {
                baselineSummary = await RunAsync(baselinePath, (limits, sink, token) => PackageReader.ReadAsync(baselinePath, limits, sink, token), baselineState, cancellationToken).ConfigureAwait(false);
            }
            catch (PackageUnreadableException ex)
            {
                throw new PackageUnreadableException($"baseline: {ex.Message}", ex) { NotFound = ex.NotFound };
            }
            baselineInventory = baselineState.Inventory.Build();
            carried = baselineState.CarriedFindings;
            baselineKept = baselineState.Kept;
            foreach (var secret in baselineState.Secrets.Keys) baselineSecrets.Add(secret);
            baselineInfo = new BaselineInfo(baselineSummary.Path, baselineSummary.Sha256);
        }

        var state = new ScanState(options, cancellationToken) { Baseline = baselineInventory, BaselineKept = baselineKept, InstalledUnits = installed };
        var summary = await RunAsync(name, read, state, cancellationToken).ConfigureAwait(false);

        var scrubber = new SecretScrubber(state.Secrets.Keys.Concat(baselineSecrets));
        var findings = new List<Finding>(state.Findings.Count);
        findings.AddRange(state.Findings.Concat(carried).Select(scrubber.Scrub));
        // The entries behind repeated findings (their first occurrence, the lines) are not needed any more.
        state.Findings.Clear();
        findings.Sort(Finding.ReportOrder);
        if (known is not null)
        {
            int before = findings.Count;
            findings.RemoveAll(f => known.Contains(f.Fingerprint));
            if (before > findings.Count)
                state.Diagnostics.Add(new ScanDiagnostic(string.Empty, $"{before - findings.Count} finding(s) already in the previous report (--since) are left out"));
        }
        IReadOnlyList<Finding> reported = findings;
        IReadOnlyList<SuppressionResult> suppressions = [];
        if (suppressionSet is not null)
        {
            (reported, suppressions) = suppressionSet.Apply(findings, state.EvaluationTime);
            foreach (var r in suppressions.Where(r => r.Status == "expired" && r.Matched > 0))
                state.Diagnostics.Add(new ScanDiagnostic(string.Empty,
                    $"suppression {r.Suppression.Describe()} expired on {r.Suppression.Expires!.Value.AddTicks(-1):yyyy-MM-dd}; the {r.Matched} finding(s) it covered count again"));
            foreach (var r in suppressions.Where(r => r.Status == "unused"))
                state.Diagnostics.Add(new ScanDiagnostic(string.Empty, $"suppression {r.Suppression.Describe()} matched no finding; remove it if the problem is gone"));
        }
        var diagnostics = state.Diagnostics
            .Select(scrubber.Scrub)
            .OrderBy(d => d.Path, StringComparer.Ordinal)
            .ThenBy(d => d.Message, StringComparer.Ordinal)
            .ToList();
        var inventory = scrubber.Scrub(state.Inventory.Build());
        if (baselineInventory is not null) baselineInventory = scrubber.Scrub(baselineInventory);
        return new ScanReport
        {
            Tool = ToolInfo.Current,
            Package = new PackageInfo(summary.Path, summary.Sha256, summary.SizeBytes, summary.Entries),
            Baseline = baselineInfo,
            AsOf = state.EvaluationTime,
            Summary = ReportSummary.From(reported, options.FailOn),
            Findings = reported,
            Suppressions = suppressions,
            Inventory = inventory,
            Changes = baselineInventory is null ? null : InventoryComparison.Compare(baselineInventory, inventory, reported),
            Diagnostics = diagnostics,
            Statistics = options.CollectStatistics ? state.Clock?.Snapshot(Math.Max(1, options.MaxDegreeOfParallelism)) : null,
        };
    }

    /// <summary>The fingerprints of a previous JSON report.</summary>
    private static async Task<HashSet<string>> ReadFingerprintsAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) throw new ConfigurationException(path, ["the previous report (--since) does not exist"]);
        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                var previous = await ScanReportJson.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
                return previous.Findings.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ConfigurationException(path, [ex.Message]);
        }
    }

    /// <summary>Reads one package into a sink: from a path or from a stream.</summary>
    private delegate Task<PackageSummary> PackageRead(PackageLimits limits, IPackageSink sink, CancellationToken cancellationToken);

    /// <summary>Reads one package through every detector into <paramref name="state"/>.</summary>
    private static async Task<PackageSummary> RunAsync(string name, PackageRead read, ScanState state, CancellationToken cancellationToken)
    {
        var options = state.Options;
        var progress = new ProgressTracker(options.Progress, name, state.IsBaseline, options.ProgressInterval);
        var context = new DetectorContext(state);
        var detectors = DetectorRegistry.CreateAll()
            .Where(d => options.EnabledDetectors is null || options.EnabledDetectors.Contains(d.Id) || d.Id == PackageRules.DetectorId)
            .ToArray();
        // Timed only when asked for: two clock readings per detector and entry were a few per cent of a scan of many small files.
        state.Clock = options.CollectStatistics ? new ScanClock([.. detectors.Select(d => d.Id)]) : null;
        try
        {
            return await RunDetectorsAsync(read, state, context, progress, detectors, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // a detector may hold a temporary file until the end of the scan (the migrations detector's spill)
            foreach (var detector in detectors) (detector as IDisposable)?.Dispose();
        }
    }

    private static async Task<PackageSummary> RunDetectorsAsync(PackageRead read, ScanState state, DetectorContext context, ProgressTracker progress,
        IDetector[] detectors, CancellationToken cancellationToken)
    {
        var options = state.Options;
        var exclude = new PathGlob(options.Exclude);
        int workers = Math.Max(1, options.MaxDegreeOfParallelism);
        var channel = Channel.CreateBounded<PackageEntry>(new BoundedChannelOptions(workers * 2)
        {
            SingleWriter = true,
            SingleReader = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var sink = new PipelineSink(channel.Writer, context, progress) { Observers = [.. detectors.OfType<IArchiveObserver>()], Detectors = detectors };

        var consumers = Enumerable.Range(0, workers)
            .Select(_ => Task.Run(() => ConsumeAsync(channel.Reader, detectors, state, exclude, progress), cancellationToken))
            .ToArray();

        PackageSummary summary;
        try
        {
            summary = await read(options.Limits, sink, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            channel.Writer.TryComplete();
            try
            {
                await Task.WhenAll(consumers).ConfigureAwait(false);
            }
            finally
            {
                // Entries still queued after a failure or cancellation give their buffers back.
                while (channel.Reader.TryRead(out var left)) left.Dispose();
            }
        }

        // Every entry is read and analysed: the large buffers kept for the next entry (up to 96 MiB by budget, 15 MiB at
        // the end of the 2 GiB benchmark scan) are not needed by the steps that follow, nor by the report.
        Packages.EntryBuffers.Large.Clear();
        Content.BoundedArrayPool<char>.Text.Clear();
        options.EntriesAnalysed?.Invoke();

        CompleteAll(detectors, context, state.Clock, cancellationToken);

        progress.Complete();
        return summary;
    }

    /// <summary>
    /// The detectors' cross-entry steps, one after another on the calling thread. A step that fails leaves a diagnostic
    /// and the others run; cancellation stops the steps not yet started.
    /// </summary>
    /// <remarks>
    /// Side by side on the scan's workers (`1e3629c`) they took 90-136 ms instead of 150-240 ms on the 300 MiB benchmark
    /// package, but the largest steps (service units' model, the migrations' analysis) then hold their working sets at
    /// the same time, where the scan's memory peaks: on the 2 GiB package, peak RSS 170-178 MiB against 168-170 MiB one
    /// after another, four alternating pairs of one build (and one run of another build of it at 194 MiB). Memory is the
    /// tighter goal there.
    /// </remarks>
    internal static void CompleteAll(IDetector[] detectors, DetectorContext context, ScanClock? clock, CancellationToken cancellationToken)
    {
        for (int i = 0; i < detectors.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var detector = detectors[i];
            long since = clock is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                detector.Complete(context);
                clock?.Completed(i, since);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.Diagnostic(string.Empty, $"detector '{detector.Id}' failed in its cross-entry step ({ex.GetType().Name}); its summary findings are missing");
            }
        }
    }

    private static async Task ConsumeAsync(ChannelReader<PackageEntry> reader, IDetector[] detectors, ScanState state, PathGlob exclude, ProgressTracker progress)
    {
        while (await reader.WaitToReadAsync(state.CancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var entry))
            {
                using (entry)
                {
                    if (exclude.Count > 0 && exclude.IsMatch(entry.Path)) continue;
                    AnalyzeEntry(entry, detectors, state, progress);
                }
            }
        }
    }

    internal static void AnalyzeEntry(PackageEntry entry, IDetector[] detectors, ScanState state, ProgressTracker? progress = null)
    {
        var data = entry.Data;
        var clock = state.Clock;
        var window = entry.Window;
        bool newEntry = window is null || window.Index == 0;
        long bytes = window is null ? entry.Size : data.Length;
        clock?.Entry(bytes, newEntry);
        long since = clock is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
        // A window keeps the kind its entry's first bytes gave (a middle window is never sniffed on its own).
        var kind = window?.Kind ?? ContentSniffer.Classify(data.Span[..Math.Min(data.Length, ContentSniffer.PrefixLength)], entry.FileName);
        clock?.Sniffed(since);
        var info = new EntryInfo(entry.Path, entry.FileName, entry.Size, kind, entry.Depth) { MayBeVouchedFor = entry.MayBeVouchedFor };
        EntryContent? content = null;
        for (int i = 0; i < detectors.Length; i++)
        {
            var detector = detectors[i];
            state.CancellationToken.ThrowIfCancellationRequested();
            bool wants;
            try
            {
                wants = detector.Wants(info);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                state.Diagnostics.Add(new ScanDiagnostic(entry.Path, $"detector '{detector.Id}' failed to gate this entry ({ex.GetType().Name})"));
                continue;
            }
            if (!wants) continue;
            // The sink windows an entry only when every detector that wants it accepts windows; a gate that changes
            // its mind between windows (a size it now sees) still gets no window it did not accept.
            if (window is not null && detector is not IWindowedDetector) continue;
            progress?.Analyzing(entry.Path, detector.Id);
            content ??= window is null ? new EntryContent(entry.Path, data, kind) : new EntryContent(entry.Path, data, kind, window.Encoding, firstWindow: window.Index == 0);
            since = clock is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                detector.Analyze(new EntryContext(state, info, content) { Window = window });
                clock?.Analyzed(i, bytes, since, newEntry);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                state.Diagnostics.Add(new ScanDiagnostic(entry.Path, $"detector '{detector.Id}' failed on this entry ({ex.GetType().Name}); its findings for it are missing"));
            }
        }
        if (content?.ParseRefusal is { } refusal)
            PackageDetector.Report(new DetectorContext(state), new PackageIssue(PackageRules.NotParsed, new Location(entry.Path), refusal, "not-parsed"));
        if (content?.ModuleError is { } moduleError)
            state.Diagnostics.Add(new ScanDiagnostic(entry.Path, moduleError));
        content?.Dispose();
    }

    /// <summary>Connects the reader's single thread to the worker pool.</summary>
    private sealed class PipelineSink(ChannelWriter<PackageEntry> writer, DetectorContext context, ProgressTracker progress) : IPackageSink
    {
        public async ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
        {
            try
            {
                if (entry.Window is { } window) progress.EntryRead(entry.Path, entry.Data.Length, newEntry: window.Index == 0);
                else progress.EntryRead(entry.Path, entry.Size);
                await writer.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                entry.Dispose();
                throw;
            }
        }

        public void OnIssue(PackageIssue issue) => PackageDetector.Report(context, issue);

        public void OnLink(LinkItem link) => context.Inventory.Add(link);

        public void OnDiagnostic(ScanDiagnostic diagnostic) => context.Diagnostic(diagnostic.Path, diagnostic.Message);

        public IArchiveObserver[] Observers { get; init; } = [];

        public IDetector[] Detectors { get; init; } = [];

        WindowPlan IPackageSink.PlanWindows(string path, int depth, long declaredSize, ReadOnlySpan<byte> head)
        {
            string fileName = path[(path.LastIndexOf('/') + 1)..];
            var kind = ContentSniffer.Classify(head[..Math.Min(head.Length, ContentSniffer.PrefixLength)], fileName);
            Encoding? encoding = null;
            EntryWindowing mode;
            switch (kind)
            {
                case ContentKind.Text:
                    // Cutting after a line end is safe for UTF-8 and Latin-1 only; UTF-16 is held whole.
                    encoding = TextDecoding.Detect(head);
                    mode = encoding is { CodePage: 65001 or 28591 } ? EntryWindowing.Text : EntryWindowing.None;
                    break;
                case ContentKind.OtherBinary:
                    mode = EntryWindowing.Binary;
                    break;
                default:
                    // Executables, assemblies, key stores and archives have a structure that needs all of them.
                    mode = EntryWindowing.None;
                    break;
            }
            if (mode == EntryWindowing.None) return WindowPlan.Whole;
            var info = new EntryInfo(path, fileName, declaredSize > 0 ? declaredSize : head.Length, kind, depth);
            foreach (var detector in Detectors)
            {
                try
                {
                    if (detector.Wants(info) && !(detector is IWindowedDetector windowed && windowed.AcceptsWindows(info, head))) return WindowPlan.Whole;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The worker asks the gate again and reports its failure; held whole, nothing is lost here.
                    return WindowPlan.Whole;
                }
            }
            return new WindowPlan(mode, kind, encoding);
        }

        public ValueTask OnArchiveBytesAsync(string path, Stream bytes, CancellationToken cancellationToken)
        {
            foreach (var observer in Observers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bytes.Position = 0;
                try
                {
                    observer.AnalyzeArchive(context, path, bytes);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    context.Diagnostic(path, $"detector '{(observer as IDetector)?.Id ?? observer.GetType().Name}' failed on this archive's bytes ({ex.GetType().Name})");
                }
            }
            return ValueTask.CompletedTask;
        }
    }
}
