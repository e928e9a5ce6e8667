using System.Diagnostics;
using System.Globalization;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Packages;
using Preflight.Reporting;

namespace Preflight.Benchmarks.Throughput;

/// <summary>
/// <c>throughput &lt;package&gt; [--runs 3] [--read-only]</c>: times, best of N, (1) reading the package alone into a sink that
/// discards every entry, (2) the full scan with the JSON report written to a null stream, and beside them the
/// system's <c>unzip -t</c> or <c>gzip -t</c> on the same file when installed. Prints MiB/s of the package file
/// and of the decompressed content, CPU time of the best run (on a shared machine the wall clock includes waiting for a core), and peak RSS
/// (VmHWM, reset before each measurement).
/// </summary>
internal static class ThroughputCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: throughput <package> [--runs 3] [--read-only]");
            return 2;
        }
        string path = args[0];
        int runsAt = Array.IndexOf(args, "--runs");
        int runs = runsAt > 0 && runsAt + 1 < args.Length ? int.Parse(args[runsAt + 1], CultureInfo.InvariantCulture) : 3;
        // Reading alone, for a profiler: no scan, no external tool.
        bool readOnly = args.Contains("--read-only");
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"throughput: no such file {path}");
            return 2;
        }
        long fileBytes = new FileInfo(path).Length;
        Console.WriteLine($"package   {path} ({Mib(fileBytes)} MiB)");
        Console.WriteLine($"machine   {Machine.Describe()}");
        Console.WriteLine($"runs      best of {runs}");
        Console.WriteLine();
        Console.WriteLine($"{"what",-36} {"best s",8} {"cpu s",8} {"file MiB/s",11} {"content MiB/s",14} {"peak RSS MiB",13}  notes");

        // 1. Reading alone.
        long contentBytes = 0;
        int entries = 0;
        var read = await MeasureAsync(runs, async () =>
        {
            var sink = new DiscardingSink();
            await PackageReader.ReadAsync(path, PackageLimits.Default, sink, CancellationToken.None);
            contentBytes = sink.Bytes;
            entries = sink.Entries;
            return $"{sink.Entries} entries, {sink.Issues} package issues";
        });
        Print("read (PackageReader, discard)", read, fileBytes, contentBytes);
        if (readOnly) return 0;

        // 2. The full scan and its JSON report.
        ScanStatistics? statistics = null;
        var scan = await MeasureAsync(runs, async () =>
        {
            var report = await PreflightScanner.ScanAsync(path, ScanOptions.Default with { CollectStatistics = true });
            statistics = report.Statistics;
            await ReportWriter.WriteAsync(report, ReportFormat.Json, Stream.Null);
            return $"{report.Findings.Count} findings, {report.Package.Entries} entries";
        });
        Print($"scan + JSON report ({Environment.ProcessorCount} workers)", scan, fileBytes, contentBytes);
        if (statistics is not null) PrintSplit(statistics);

        // 3. The system's own integrity check of the same file, when installed.
        var head = new byte[ContentSniffer.PrefixLength];
        int n;
        await using (var file = File.OpenRead(path))
            n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false);
        var format = ContentSniffer.DetectArchive(head.AsSpan(0, n));
        var (tool, toolArgs) = format switch
        {
            ArchiveFormat.Zip => ("unzip", new[] { "-tqq", path }),
            ArchiveFormat.GZip => ("gzip", new[] { "-t", path }),
            ArchiveFormat.BZip2 => ("bzip2", new[] { "-t", path }),
            _ => (null, Array.Empty<string>()),
        };
        if (tool is not null)
        {
            var external = await ExternalTool.MeasureAsync(tool, toolArgs, runs);
            if (external is null)
                Console.WriteLine($"{tool + " " + string.Join(' ', toolArgs[..^1]),-36} not installed");
            else
                Print($"{tool} {string.Join(' ', toolArgs[..^1])} (one thread)", external, fileBytes, contentBytes);
        }
        return 0;
    }

    private static async Task<Measurement> MeasureAsync(int runs, Func<Task<string>> action)
    {
        var best = TimeSpan.MaxValue;
        var bestCpu = TimeSpan.Zero;
        string notes = string.Empty;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Machine.ResetPeakRss();
        using var self = Process.GetCurrentProcess();
        for (int i = 0; i < runs; i++)
        {
            self.Refresh();
            var cpuBefore = self.TotalProcessorTime;
            long allocated = GC.GetTotalAllocatedBytes();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();
            notes = await action();
            clock.Stop();
            self.Refresh();
            // What the managed heap did in this run: allocation volume and collections are what two workers contend on.
            notes += string.Create(CultureInfo.InvariantCulture,
                $"{(notes.Length > 0 ? "; " : string.Empty)}allocated {(GC.GetTotalAllocatedBytes() - allocated) / 1048576.0:0} MiB, GCs {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} (gen0/1/2), pauses {(GC.GetTotalPauseDuration() - pause).TotalSeconds:0.00} s");
            if (clock.Elapsed < best)
            {
                best = clock.Elapsed;
                bestCpu = self.TotalProcessorTime - cpuBefore;
            }
        }
        return new Measurement(best, bestCpu, Machine.PeakRssBytes(), notes);
    }

    private static void Print(string what, Measurement m, long fileBytes, long contentBytes)
    {
        double seconds = m.Best.TotalSeconds;
        string rss = m.PeakRssBytes is { } bytes ? Mib(bytes) : "n/a";
        string cpu = m.Cpu is { } c ? c.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-36} {seconds,8:0.000} {cpu,8} {fileBytes / 1048576.0 / seconds,11:0} {contentBytes / 1048576.0 / seconds,14:0} {rss,13}  {m.Notes}"));
    }

    /// <summary>The last scan's time split across detectors (summed over the workers).</summary>
    internal static void PrintSplit(ScanStatistics s)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    last scan: {s.Elapsed.TotalSeconds:0.000} s, {s.Entries} entries, {s.Workers} workers; sniffing {s.Sniffing.TotalSeconds:0.000} s"));
        foreach (var d in s.Detectors.OrderByDescending(d => d.Time))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {d.Detector,-16} {d.Time.TotalSeconds,8:0.000} s  {d.Entries,7} entries  {d.Bytes / 1048576.0,9:0.0} MiB"));
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    private sealed class DiscardingSink : IPackageSink
    {
        public long Bytes { get; private set; }
        public int Entries { get; private set; }
        public int Issues { get; private set; }

        public ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
        {
            Bytes += entry.Size;
            Entries++;
            entry.Dispose();
            return ValueTask.CompletedTask;
        }

        public void OnIssue(PackageIssue issue) => Issues++;

        public void OnLink(Preflight.Findings.LinkItem link) { }

        public void OnDiagnostic(Preflight.Findings.ScanDiagnostic diagnostic) { }
    }
}

/// <summary>One timed measurement: the best wall-clock time, the CPU time (user + system) of that run, the peak resident set over all runs, and a note.</summary>
internal sealed record Measurement(TimeSpan Best, TimeSpan? Cpu, long? PeakRssBytes, string Notes);
