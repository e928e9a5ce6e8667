using System.Diagnostics;
using System.Globalization;
using FluentAssertions;
using NUnit.Framework;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

/// <summary>
/// Issue 2, acceptance 3: hostile packages scanned by the real CLI in a child process finish in under
/// 10 seconds, peak under 300 MB of memory, report PF0xx findings, and leave nothing behind: the temporary
/// folder (TMPDIR) and the working folder are empty afterwards, and nothing appears next to the package.
/// </summary>
[NonParallelizable]
public class HostilePackageAcceptanceTests
{
    private static readonly TimeSpan WallClockLimit = TimeSpan.FromSeconds(10);
    private const long PeakMemoryLimitKb = 300 * 1024;

    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    public static IEnumerable<TestCaseData> HostilePackages()
    {
        yield return new TestCaseData("truncated.zip", (Func<byte[]>)TruncatedZip, new[] { "PF002" }).SetName("A truncated zip");
        yield return new TestCaseData("traversal.tar.gz", (Func<byte[]>)TraversalTar, new[] { "PF003", "PF006" }).SetName("A tar with ../ names and a symlink to /etc/shadow");
        yield return new TestCaseData("42.zip", (Func<byte[]>)(() => DamageAndLimitTests.NestedBomb(levels: 4, fanOut: 16, leafBytes: 64 * 1024 * 1024)), new[] { "PF008" }).SetName("A 42.zip-style nested zip bomb");
        yield return new TestCaseData("overlap.zip", (Func<byte[]>)(() => RawZip.OverlappingBomb(files: 250, payloadBytes: 2 * 1024 * 1024)), new[] { "PF009" }).SetName("An overlapping-entry zip bomb");
    }

    [TestCaseSource(nameof(HostilePackages))]
    public void Scan_of_a_hostile_package_is_fast_bounded_and_leaves_nothing_behind(string name, Func<byte[]> build, string[] expectedRules)
    {
        var packageFolder = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "package")).FullName;
        var temp = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "tmp")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "work")).FullName;
        var package = Path.Combine(packageFolder, name);
        File.WriteAllBytes(package, build());

        var run = RunCli(package, temp, work);
        TestContext.Out.WriteLine($"{name}: {new FileInfo(package).Length} bytes, exit {run.ExitCode}, {run.Elapsed.TotalSeconds:0.00} s, peak {run.PeakKb / 1024} MB");

        run.TimedOut.Should().BeFalse("the scan must end on its own");
        run.Elapsed.Should().BeLessThan(WallClockLimit, run.Output);
        run.PeakKb.Should().BePositive("the child's memory must have been sampled").And.BeLessThan(PeakMemoryLimitKb, run.Output);
        run.ExitCode.Should().Be(1, "the findings are high severity; output: {0}", run.Output);
        foreach (var rule in expectedRules)
            run.Output.Should().MatchRegex($@"\b{rule}\b", "the report names {0}", rule);
        Directory.EnumerateFileSystemEntries(temp).Should().BeEmpty("the scan's temporary folder must be gone");
        Directory.EnumerateFileSystemEntries(work).Should().BeEmpty("nothing is written to the working folder");
        Directory.EnumerateFileSystemEntries(packageFolder).Should().Equal(package);
    }

    private sealed record CliRun(int ExitCode, bool TimedOut, TimeSpan Elapsed, long PeakKb, string Output);

    private static CliRun RunCli(string package, string temp, string work)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Preflight.Cli.dll");
        File.Exists(cli).Should().BeTrue("the test project references the CLI, so its build output sits next to the tests");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("scan");
        start.ArgumentList.Add(package);
        start.Environment["TMPDIR"] = temp;
        // The runtime's diagnostics socket would live in TMPDIR; it is not the scan's to clean up.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        bool timedOut = false;
        while (!process.WaitForExit(5))
        {
            peak = Math.Max(peak, HighWaterMarkKb(process.Id));
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                break;
            }
        }
        watch.Stop();
        process.WaitForExit();
        return new CliRun(process.ExitCode, timedOut, watch.Elapsed, peak, stdout.Result + stderr.Result);
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

    private static byte[] TruncatedZip()
    {
        var zip = new RawZip()
            .Add("etc/app.conf", Utf8("port=8080\n"))
            .Add("bin/install.sh", Utf8("#!/bin/sh\nsystemctl daemon-reload\n"));
        var noise = new byte[2 * 1024 * 1024];
        new Random(11).NextBytes(noise);
        zip.Add("lib/payload.bin", noise).Add("share/after.txt", Utf8("never reached\n"));
        var bytes = zip.ToArray();
        return Cut(bytes, bytes.Length / 2);
    }

    private static byte[] TraversalTar() => GZip(new RawTar()
        .File("opt/app/app.conf", "port=8080\n")
        .File("../../etc/cron.d/backdoor", "* * * * * root /tmp/x\n")
        .File("opt/app/../../../../root/.ssh/authorized_keys", "ssh-ed25519 AAAA\n")
        .Symlink("opt/app/shadow", "/etc/shadow")
        .File("opt/app/after.txt", "after\n")
        .ToArray());
}
