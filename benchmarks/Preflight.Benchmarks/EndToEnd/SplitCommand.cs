using System.Diagnostics;
using System.Globalization;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Packages;

namespace Preflight.Benchmarks.EndToEnd;

/// <summary>
/// <c>split &lt;package&gt; [--limit 512MiB]</c>: where the detectors' time goes, by detector and by the kind of
/// entry, on one thread. Reads the package's entries into memory first (up to the limit), then runs each entry
/// through the detectors the way the pipeline does, timing every detector's step; the shared views an entry
/// builds (text, lines, module) are charged to the first detector that asks for them. <c>--detector ID</c> and
/// <c>--kind KIND</c> keep one detector or one kind of entry (what a profiler should look at), and
/// <c>--repeat N</c> runs the selection N times over fresh views.
/// </summary>
internal static class SplitCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]) && !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: split <package> [--limit 512MiB] [--detector ID] [--kind KIND] [--repeat N] [--fresh] [--allocations]");
            return 2;
        }
        long limit = 512L << 20;
        string? onlyDetector = null;
        ContentKind? onlyKind = null;
        int repeat = 1;
        bool allocations = false, fresh = false;
        for (int i = 1; i < args.Length; i += 2)
        {
            if (args[i] is "--allocations" or "--fresh")
            {
                if (args[i] == "--allocations") allocations = true;
                else fresh = true;
                i--;
                continue;
            }
            if (i + 1 >= args.Length) { Console.Error.WriteLine($"split: {args[i]} needs a value"); return 2; }
            switch (args[i])
            {
                case "--limit": limit = Generation.GenerateCommand.ParseSize(args[i + 1]); break;
                case "--detector": onlyDetector = args[i + 1]; break;
                case "--kind": onlyKind = Enum.Parse<ContentKind>(args[i + 1], ignoreCase: true); break;
                case "--repeat": repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"split: unknown option {args[i]}"); return 2;
            }
        }
        var sink = new Collector(limit);
        await PackageReader.ReadAsync(args[0], PackageLimits.Default, sink, CancellationToken.None);
        var state = new ScanState(ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);
        IDetector[] Create() => DetectorRegistry.CreateAll().Where(d => onlyDetector is null || d.Id == onlyDetector).ToArray();
        var detectors = Create();
        var ticks = new Dictionary<(string Detector, ContentKind Kind), (long Ticks, int Entries, long Bytes, long Allocated)>();
        using var sampler = allocations ? new AllocationSampler() : null;
        var total = Stopwatch.StartNew();
        var rounds = new List<double>();
        for (int round = 0; round < repeat; round++)
        {
        // A detector remembers what it found in an assembly (for its copies) for as long as it lives: --fresh gives each
        // round new detectors, so that every round does what one scan does.
        if (fresh && round > 0) detectors = Create();
        long roundStart = Stopwatch.GetTimestamp();
        foreach (var (path, bytes) in sink.Entries)
        {
            var fileName = path[(path.LastIndexOf('/') + 1)..];
            var kind = ContentSniffer.Classify(bytes.AsSpan(0, Math.Min(bytes.Length, ContentSniffer.PrefixLength)), fileName);
            if (onlyKind is { } k && kind != k) continue;
            var info = new EntryInfo(path, fileName, bytes.Length, kind, 0);
            using var content = new EntryContent(path, bytes, kind);
            foreach (var detector in detectors)
            {
                if (!detector.Wants(info)) continue;
                long start = Stopwatch.GetTimestamp();
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    detector.Analyze(new EntryContext(state, info, content));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Console.Error.WriteLine($"{detector.Id} failed on {path}: {ex.GetType().Name}");
                }
                var key = (detector.Id, kind);
                var (t, n, b, a) = ticks.GetValueOrDefault(key);
                ticks[key] = (t + Stopwatch.GetTimestamp() - start, n + 1, b + bytes.Length, a + GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
            }
        }
        rounds.Add(Stopwatch.GetElapsedTime(roundStart).TotalSeconds);
        }
        total.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{sink.Entries.Count} entries, {sink.Bytes / 1048576.0:0.0} MiB, {(onlyDetector ?? "all detectors")}{(onlyKind is { } ok ? " on " + ok : string.Empty)} on one thread, {repeat} round(s): {total.Elapsed.TotalSeconds:0.000} s"));
        // Each round's time, views and collections included: with --repeat the best of them is the steadiest figure.
        if (repeat > 1)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rounds (s): {string.Join(' ', rounds.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture)))}; best {rounds.Min():0.000}"));
        // "allocated" is what the detector allocated on this thread (managed heap), the views it asked for first included.
        Console.WriteLine($"{"detector",-16} {"kind",-20} {"s",8} {"entries",8} {"MiB",8} {"MiB/s",8} {"allocated MiB",14}");
        foreach (var ((detector, kind), (t, n, b, a)) in ticks.OrderByDescending(p => p.Value.Ticks).Take(25))
        {
            double s = (double)t / Stopwatch.Frequency;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{detector,-16} {kind,-20} {s,8:0.000} {n,8} {b / 1048576.0,8:0.0} {b / 1048576.0 / s,8:0} {a / 1048576.0,14:0.0}"));
        }
        if (sampler is not null)
        {
            Console.WriteLine();
            Console.WriteLine("allocations by type (AllocationTick samples, about 100 KB each, of the detectors' run)");
            foreach (var (type, events, bytes) in sampler.Top(25))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,10:0.0} MiB {events,8}  {type}"));
        }
        return 0;
    }

    private sealed class Collector(long limit) : IPackageSink
    {
        public List<(string Path, byte[] Bytes)> Entries { get; } = [];
        public long Bytes { get; private set; }

        public ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
        {
            using (entry)
            {
                if (Bytes + entry.Data.Length <= limit)
                {
                    Entries.Add((entry.Path, entry.Data.ToArray()));
                    Bytes += entry.Data.Length;
                }
            }
            return ValueTask.CompletedTask;
        }

        public void OnIssue(PackageIssue issue) { }
        public void OnLink(Preflight.Findings.LinkItem link) { }
        public void OnDiagnostic(Preflight.Findings.ScanDiagnostic diagnostic) { }
    }
}
