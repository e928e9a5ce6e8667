using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Preflight.Benchmarks.Throughput;

/// <summary>
/// Times a system tool (<c>unzip -t</c>, <c>gzip -t</c>) on the package, best of N, for comparison. Starting
/// processes is fine here: this is the benchmark tool, not the library. When GNU <c>/usr/bin/time</c> exists the
/// tool runs under it, which gives its CPU time and exact peak RSS; otherwise only the wall-clock time is known.
/// </summary>
internal static class ExternalTool
{
    private const string GnuTime = "/usr/bin/time";
    private const string Marker = "PFTIME";

    public static async Task<Measurement?> MeasureAsync(string tool, string[] args, int runs)
    {
        Measurement? best = null;
        long? maxPeak = null;
        bool timed = File.Exists(GnuTime);
        for (int i = 0; i < runs; i++)
        {
            var start = new ProcessStartInfo(timed ? GnuTime : tool)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (timed)
            {
                start.ArgumentList.Add("-f");
                start.ArgumentList.Add(Marker + " %U %S %M");
                start.ArgumentList.Add(tool);
            }
            foreach (var a in args) start.ArgumentList.Add(a);

            var clock = Stopwatch.StartNew();
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new Win32Exception();
            }
            catch (Win32Exception)
            {
                return null;
            }
            string stderr;
            int exitCode;
            using (process)
            {
                var stdoutTask = process.StandardOutput.ReadToEndAsync();
                var stderrTask = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                clock.Stop();
                await stdoutTask;
                stderr = await stderrTask;
                exitCode = process.ExitCode;
            }

            TimeSpan? cpu = null;
            long? peak = null;
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            int at = lines.FindLastIndex(l => l.StartsWith(Marker, StringComparison.Ordinal));
            if (at >= 0)
            {
                var f = lines[at].Split(' ');
                cpu = TimeSpan.FromSeconds(double.Parse(f[1], CultureInfo.InvariantCulture) + double.Parse(f[2], CultureInfo.InvariantCulture));
                peak = long.Parse(f[3], CultureInfo.InvariantCulture) * 1024;
                lines.RemoveAt(at);
            }
            if (timed && at < 0 && exitCode == 127) return null; // time(1) could not find the tool
            string notes = exitCode == 0 ? "exit 0" : $"exit {exitCode}: {string.Join(" / ", lines)}";
            var m = new Measurement(clock.Elapsed, cpu, peak, notes);
            maxPeak = Max(peak, maxPeak);
            if (best is null || m.Best < best.Best) best = m;
        }
        // The peak over every run, not only up to the fastest.
        return best is null ? null : best with { PeakRssBytes = maxPeak };
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
