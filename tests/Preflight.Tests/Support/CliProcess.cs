using System.Diagnostics;
using System.Globalization;
using FluentAssertions;

namespace Preflight.Tests.Support;

/// <summary>What one run of the CLI in a child process did.</summary>
internal sealed record CliRun(int ExitCode, bool TimedOut, TimeSpan Elapsed, long PeakKb, string Stdout, string Stderr);

/// <summary>
/// Runs the real CLI (the build output next to the tests, or a native build: <see cref="NativeCli"/>) in a child
/// process with its own TMPDIR and working folder, sampling its peak resident set (VmHWM) from /proc while it runs.
/// </summary>
internal static class CliProcess
{
    /// <param name="native">A native build's executable to run instead of the managed build.</param>
    public static CliRun Run(IEnumerable<string> args, string temp, string work, TimeSpan? hardLimit = null, IReadOnlyDictionary<string, string>? environment = null, string? native = null)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Preflight.Cli.dll");
        File.Exists(cli).Should().BeTrue("the test project references the CLI, so its build output sits next to the tests");
        var start = new ProcessStartInfo(native ?? "dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (native is null) start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["TMPDIR"] = temp;
        // The runtime's diagnostics socket would live in TMPDIR; it is not the scan's to clean up.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var limit = hardLimit ?? TimeSpan.FromSeconds(60);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        bool timedOut = false;
        while (!process.WaitForExit(5))
        {
            peak = Math.Max(peak, HighWaterMarkKb(process.Id));
            if (watch.Elapsed > limit)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                break;
            }
        }
        watch.Stop();
        process.WaitForExit();
        return new CliRun(process.ExitCode, timedOut, watch.Elapsed, peak, stdout.Result, stderr.Result);
    }

    /// <summary>VmHWM (peak resident set) of a live process in kB, or 0 once it is gone.</summary>
    private static long HighWaterMarkKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var digits = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(digits, CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }
}
