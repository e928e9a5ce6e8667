using System.Globalization;
using System.IO.Compression;
using Preflight.Benchmarks.Throughput;

namespace Preflight.Benchmarks.EndToEnd;

/// <summary>
/// <c>e2e &lt;package.zip&gt;... [--runs 3] [--cli path/to/Preflight.Cli.dll | path/to/native/Preflight.Cli]</c>: for each package, in one run and
/// as separate processes (process start included), times the decompression floor (<c>floor</c>: BCL inflate on two
/// threads), <c>unzip -tqq</c>, and <c>preflight scan --format json --output FILE --quiet</c>, taking turns, best of N each, with
/// CPU time and peak RSS from GNU time. Prints one table row per tool and package and the ratios the performance
/// goal is stated in: scan ÷ floor and the scan's peak RSS.
/// </summary>
internal static class EndToEndCommand
{
    /// <summary>The faster of two measurements, with the larger peak RSS of the two (peak means over all runs).</summary>
    private static Measurement? Merge(Measurement? a, Measurement? b)
    {
        if (a is null) return b;
        if (b is null) return a;
        long? peak = a.PeakRssBytes is null ? b.PeakRssBytes : b.PeakRssBytes is null ? a.PeakRssBytes : Math.Max(a.PeakRssBytes.Value, b.PeakRssBytes.Value);
        return (b.Best < a.Best ? b : a) with { PeakRssBytes = peak };
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var packages = new List<string>();
        int runs = 3;
        string? cli = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length: runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--cli" when i + 1 < args.Length: cli = args[++i]; break;
                default:
                    if (args[i].StartsWith('-')) return Usage($"unknown option {args[i]}");
                    packages.Add(args[i]);
                    break;
            }
        }
        if (packages.Count == 0) return Usage("no package given");
        cli ??= DefaultCli();
        if (!File.Exists(cli)) return Usage($"the CLI is not built at {cli}: run `dotnet build -c Release src/Preflight.Cli` or pass --cli");
        if (!File.Exists("/usr/bin/time")) return Usage("GNU time (/usr/bin/time) is needed for CPU time and peak RSS: apt-get install time");
        foreach (var p in packages)
            if (!File.Exists(p)) return Usage($"no such package {p}");

        string self = typeof(EndToEndCommand).Assembly.Location;
        string report = Path.Combine(Path.GetTempPath(), $"pf-e2e-{Environment.ProcessId}.json");
        Console.WriteLine($"date      {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine   {Machine.Describe()}");
        Console.WriteLine($"cli       {cli}");
        Console.WriteLine($"runs      best of {runs}, the tools taking turns, each a separate process (start-up included); CPU = user + system (of the best run); RSS = peak over all runs (GNU time)");
        Console.WriteLine();
        Console.WriteLine($"{"package",-26} {"file MiB",9} {"content MiB",12} {"entries",8}  {"what",-22} {"best s",8} {"cpu s",7} {"MiB/s",7} {"RSS MiB",8}  notes");
        var summary = new List<string>();
        try
        {
            foreach (var package in packages)
            {
                long file = new FileInfo(package).Length;
                var (content, entries) = ContentOf(package);
                string name = Path.GetFileName(package);
                // The three tools take turns, round after round, so that a machine whose speed drifts (a shared host)
                // moves their best times together and the ratios stay fair; three runs of one tool and then three of the
                // next had put minutes between the floor and the scan.
                Measurement? floor = null, unzip = null, scan = null;
                bool hasUnzip = true;
                for (int round = 0; round < runs; round++)
                {
                    floor = Merge(floor, await ExternalTool.MeasureAsync("dotnet", [self, "floor", package], 1));
                    if (hasUnzip)
                    {
                        var u = await ExternalTool.MeasureAsync("unzip", ["-tqq", package], 1);
                        hasUnzip = u is not null;
                        unzip = Merge(unzip, u);
                    }
                    string[] scanArgs = ["scan", package, "--format", "json", "--output", report, "--quiet", "--fail-on", "none"];
                    // A .dll is the managed tool (or a ReadyToRun publish), run by the dotnet host; anything else is
                    // the native build's executable, run as it is.
                    scan = Merge(scan, cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                        ? await ExternalTool.MeasureAsync("dotnet", [cli, .. scanArgs], 1)
                        : await ExternalTool.MeasureAsync(Path.GetFullPath(cli), scanArgs, 1));
                }
                Row(name, file, content, entries, "floor (BCL, 2 threads)", floor);
                Row(string.Empty, 0, content, 0, "unzip -tqq", unzip);
                Row(string.Empty, 0, content, 0, "preflight scan (json)", scan);
                if (floor is not null && scan is not null)
                    summary.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{name,-26} scan/floor {scan.Best.TotalSeconds / floor.Best.TotalSeconds,6:0.0}x  scan/unzip {(unzip is null ? double.NaN : scan.Best.TotalSeconds / unzip.Best.TotalSeconds),5:0.0}x  scan {content / 1048576.0 / scan.Best.TotalSeconds,6:0} MiB/s of content  peak RSS {(scan.PeakRssBytes ?? 0) / 1048576.0,5:0} MiB"));
            }
        }
        finally
        {
            File.Delete(report);
        }
        Console.WriteLine();
        foreach (var line in summary) Console.WriteLine(line);
        return 0;
    }

    private static void Row(string name, long file, long content, int entries, string what, Measurement? m)
    {
        string head = name.Length == 0 && file == 0
            ? $"{string.Empty,-26} {string.Empty,9} {string.Empty,12} {string.Empty,8}"
            : string.Create(CultureInfo.InvariantCulture, $"{name,-26} {file / 1048576.0,9:0.0} {content / 1048576.0,12:0.0} {entries,8}");
        if (m is null)
        {
            Console.WriteLine($"{head}  {what,-22} not available");
            return;
        }
        string cpu = m.Cpu is { } c ? c.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
        string rss = m.PeakRssBytes is { } r ? (r / 1048576.0).ToString("0", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{head}  {what,-22} {m.Best.TotalSeconds,8:0.000} {cpu,7} {(content > 0 ? content : 0) / 1048576.0 / m.Best.TotalSeconds,7:0} {rss,8}  {m.Notes}"));
    }

    /// <summary>Uncompressed bytes and entry count from the zip's central directory (nested archives count as their own size).</summary>
    private static (long Bytes, int Entries) ContentOf(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return (zip.Entries.Sum(e => e.Length), zip.Entries.Count);
    }

    /// <summary>The Release CLI next to this benchmark build in the repository layout.</summary>
    private static string DefaultCli()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "src", "Preflight.Cli"))) dir = dir.Parent;
        return dir is null ? "Preflight.Cli.dll" : Path.Combine(dir.FullName, "src", "Preflight.Cli", "bin", "Release", "net10.0", "Preflight.Cli.dll");
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"e2e: {problem}");
        Console.Error.WriteLine("usage: e2e <package.zip>... [--runs 3] [--cli path/to/Preflight.Cli.dll | path/to/native/Preflight.Cli]");
        return 2;
    }
}
