using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;

namespace Preflight.Benchmarks.EndToEnd;

/// <summary>
/// <c>floor &lt;package.zip&gt;</c>: the decompression floor. Inflates every entry of the zip with the BCL
/// (<see cref="ZipArchive"/>, zlib underneath) on two threads, each with its own file handle and half of the
/// entries, and throws the bytes away. Nothing else: no hashing, no classification, no analysis. Run as its own
/// process by <c>e2e</c>, so that the floor includes process start like the scan it is compared with.
/// </summary>
internal static class FloorCommand
{
    public static int Run(string[] args)
    {
        if (args.Length != 1 || !File.Exists(args[0]))
        {
            Console.Error.WriteLine("usage: floor <package.zip>");
            return 2;
        }
        string path = args[0];
        var clock = Stopwatch.StartNew();
        const int threads = 2;
        var totals = new long[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => totals[t] = InflateShare(path, t, threads))).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        clock.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"inflated {totals.Sum() / 1048576.0:0.0} MiB in {clock.Elapsed.TotalSeconds:0.000} s on {threads} threads"));
        return 0;
    }

    /// <summary>Inflates the entries whose index modulo <paramref name="of"/> is <paramref name="share"/>; returns their bytes.</summary>
    private static long InflateShare(string path, int share, int of)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        var entries = zip.Entries;
        for (int i = share; i < entries.Count; i += of)
        {
            using var stream = entries[i].Open();
            int n;
            while ((n = stream.Read(buffer)) > 0) total += n;
        }
        return total;
    }
}
