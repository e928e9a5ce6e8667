using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Preflight.Benchmarks.Throughput;

/// <summary>
/// <c>memory &lt;package&gt; [--large-objects]</c>: one full scan in this process while a sampling thread (every 20 ms)
/// records where the memory is: the process's resident set, what the collector has committed, its heap, and the
/// sizes of generation 0 and of the large-object heap just before their collections. Prints the peaks, the bytes
/// allocated, the collections, and the processor's last-level cache size, which the runtime sizes generation 0's
/// budget from. With <c>--large-objects</c> it also lists the large-object allocations by type and size, from the
/// runtime's allocation ticks (one event per about 100 KB allocated, so the counts are samples, the bytes close).
/// </summary>
internal static class MemoryCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: memory <package> [--large-objects]");
            return 2;
        }
        if (!File.Exists(args[0]) && !Directory.Exists(args[0]))
        {
            Console.Error.WriteLine($"memory: no such file or folder {args[0]}");
            return 2;
        }
        string path = args[0];
        using var listener = args.Contains("--large-objects") ? new LargeObjectListener() : null;

        Console.WriteLine(File.Exists(path) ? $"package   {path} ({new FileInfo(path).Length / 1048576.0:F1} MiB)" : $"package   {path} (folder)");
        Console.WriteLine($"machine   {Machine.Describe()}");
        Console.WriteLine($"L3 cache  {LastLevelCache()} (the runtime's generation-0 budget follows it)");
        Console.WriteLine($"GC env    {GcEnvironment()}");
        // This process runs with the runtime's defaults: the preflight command's own runtime configuration (its 1 MiB
        // large-object threshold) applies only when set here through the environment (DOTNET_GCLOHThreshold=0x100000).
        Console.WriteLine($"LOH from  {AppContext.GetData("GCLOHThreshold") ?? Environment.GetEnvironmentVariable("DOTNET_GCLOHThreshold") ?? "85000 bytes (the runtime's default)"}");
        // Nor the command's generation-0 governor (src/Preflight.Cli/YoungGenerationGovernor.cs).
        Console.WriteLine("gen0      no governor here (preflight scan collects generation 0 every 16 MiB; DOTNET_GCgen0size=0x1000000 comes closest)");

        var peaks = new Peaks();
        using var done = new CancellationTokenSource();
        var sampler = new Thread(() => Sample(peaks, done.Token)) { IsBackground = true, Name = "memory sampler" };
        Machine.ResetPeakRss();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        sampler.Start();
        var clock = Stopwatch.StartNew();
        var report = await PreflightScanner.ScanAsync(path);
        clock.Stop();
        done.Cancel();
        sampler.Join();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Console.WriteLine();
        Console.WriteLine($"scan                {clock.Elapsed.TotalSeconds,8:F2} s   {report.Findings.Count} findings");
        Console.WriteLine($"allocated           {Mib(allocated),8} MiB");
        Console.WriteLine($"collections         gen0 {GC.CollectionCount(0) - collectionsBefore[0]}, gen1 {GC.CollectionCount(1) - collectionsBefore[1]}, gen2 {GC.CollectionCount(2) - collectionsBefore[2]}");
        Console.WriteLine($"peak RSS            {Mib(Machine.PeakRssBytes() ?? peaks.Rss),8} MiB   (VmHWM)");
        Console.WriteLine($"peak GC committed   {Mib(peaks.Committed),8} MiB");
        Console.WriteLine($"peak GC heap        {Mib(peaks.Heap),8} MiB   (live and dead objects at the last collection)");
        Console.WriteLine($"peak gen0 before GC {Mib(peaks.Gen0),8} MiB");
        Console.WriteLine($"peak LOH before GC  {Mib(peaks.LargeObjects),8} MiB");
        Console.WriteLine($"RSS - committed     {Mib(peaks.OutsideHeap),8} MiB   (at the sample with the highest RSS: runtime, code, native buffers)");
        listener?.Print();
        return 0;
    }

    private sealed class Peaks
    {
        public long Rss, Committed, Heap, Gen0, LargeObjects, OutsideHeap;
    }

    private static void Sample(Peaks peaks, CancellationToken done)
    {
        while (!done.IsCancellationRequested)
        {
            long rss = CurrentRss();
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            if (rss > peaks.Rss)
            {
                peaks.Rss = rss;
                peaks.OutsideHeap = rss - info.TotalCommittedBytes;
            }
            peaks.Committed = Math.Max(peaks.Committed, info.TotalCommittedBytes);
            peaks.Heap = Math.Max(peaks.Heap, info.HeapSizeBytes);
            var generations = info.GenerationInfo;
            if (generations.Length > 3)
            {
                peaks.Gen0 = Math.Max(peaks.Gen0, generations[0].SizeBeforeBytes);
                peaks.LargeObjects = Math.Max(peaks.LargeObjects, generations[3].SizeBeforeBytes);
            }
            done.WaitHandle.WaitOne(20);
        }
    }

    private static long CurrentRss() => (Machine.ReadStatusKiB("/proc/self/status", "VmRSS:") ?? (Environment.WorkingSet >> 10)) * 1024;

    private static string LastLevelCache()
    {
        const string folder = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(folder)) return "unknown";
        string? best = null;
        int bestLevel = 0;
        foreach (var index in Directory.EnumerateDirectories(folder, "index*"))
        {
            string levelFile = Path.Combine(index, "level"), sizeFile = Path.Combine(index, "size");
            if (!File.Exists(levelFile) || !File.Exists(sizeFile)) continue;
            if (int.TryParse(File.ReadAllText(levelFile).Trim(), out int level) && level > bestLevel)
            {
                bestLevel = level;
                best = $"L{level} {File.ReadAllText(sizeFile).Trim()}";
            }
        }
        return best ?? "unknown";
    }

    private static string GcEnvironment()
    {
        var set = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}")
            .ToArray();
        return set.Length == 0 ? "(none: the runtime's defaults)" : string.Join(' ', set);
    }

    private static long Mib(long bytes) => bytes >> 20;

    /// <summary>Large-object allocations by type and size class, from the runtime's allocation-tick events.</summary>
    private sealed class LargeObjectListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private readonly ConcurrentDictionary<string, (long Ticks, long Bytes)> _byType = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null || e.Payload is null) return;
            int kindAt = e.PayloadNames.IndexOf("AllocationKind"), typeAt = e.PayloadNames.IndexOf("TypeName");
            int amountAt = e.PayloadNames.IndexOf("AllocationAmount64"), sizeAt = e.PayloadNames.IndexOf("ObjectSize");
            if (kindAt < 0 || typeAt < 0 || amountAt < 0) return;
            if (Convert.ToUInt32(e.Payload[kindAt], CultureInfo.InvariantCulture) != 1) return; // 1 = large object heap
            long amount = Convert.ToInt64(e.Payload[amountAt], CultureInfo.InvariantCulture);
            long size = sizeAt >= 0 ? Convert.ToInt64(e.Payload[sizeAt], CultureInfo.InvariantCulture) : 0;
            string key = $"{e.Payload[typeAt]} ({SizeClass(size)})";
            _byType.AddOrUpdate(key, (1, amount), (_, v) => (v.Ticks + 1, v.Bytes + amount));
        }

        private static string SizeClass(long size) => size switch
        {
            0 => "size unknown",
            < 256 * 1024 => "85-256 KiB",
            < 1024 * 1024 => "256 KiB-1 MiB",
            < 4 * 1024 * 1024 => "1-4 MiB",
            < 16 * 1024 * 1024 => "4-16 MiB",
            _ => "16 MiB or more",
        };

        public void Print()
        {
            Console.WriteLine();
            Console.WriteLine("large-object allocations (sampled by the runtime's allocation ticks), largest first:");
            foreach (var (key, value) in _byType.OrderByDescending(kv => kv.Value.Bytes).Take(20).Select(kv => (kv.Key, kv.Value)))
                Console.WriteLine($"  {value.Bytes / 1048576.0,8:F1} MiB {value.Ticks,6} ticks  {key}");
        }
    }
}
