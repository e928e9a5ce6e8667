using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Cli;

namespace Preflight.Tests.Cli;

/// <summary>
/// The scan's progress display: drawn on standard error only when it is a terminal, only for scans longer than
/// the delay, never with --quiet; standard output holds the report alone in every case.
/// </summary>
public class ProgressDisplayTests
{
    private static Func<CliConsole, CliConsole> Terminal(TimeSpan delay) => c => c with { ErrorIsTerminal = true, ProgressDelay = delay };

    [Test]
    public async Task Progress_is_drawn_on_a_terminal_and_standard_output_holds_only_the_report()
    {
        using var ws = new Workspace();

        var run = await CliHarness.RunAsync(["scan", ws.CleanZip(), "--format", "json", "--as-of", "2026-11-27"],
            configure: Terminal(TimeSpan.Zero));

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().Contain("preflight: 2 entries, ").And.Contain("read, done");
        var act = () => JsonDocument.Parse(run.Stdout);
        act.Should().NotThrow("standard output is the JSON report and nothing else");
    }

    [Test]
    public async Task Nothing_is_drawn_when_standard_error_is_redirected()
    {
        using var ws = new Workspace();

        var run = await CliHarness.RunAsync(["scan", ws.CleanZip(), "--as-of", "2026-11-27"],
            configure: c => c with { ErrorIsTerminal = false, ProgressDelay = TimeSpan.Zero });

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().BeEmpty();
    }

    [TestCase("--quiet")]
    [TestCase("-q")]
    public async Task Nothing_is_drawn_with_quiet_even_on_a_terminal(string quiet)
    {
        using var ws = new Workspace();

        var run = await CliHarness.RunAsync(["scan", ws.CleanZip(), "--as-of", "2026-11-27", quiet], configure: Terminal(TimeSpan.Zero));

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().BeEmpty();
    }

    [Test]
    public async Task A_scan_shorter_than_the_delay_draws_nothing()
    {
        using var ws = new Workspace();

        var run = await CliHarness.RunAsync(["scan", ws.CleanZip(), "--as-of", "2026-11-27"], configure: Terminal(TimeSpan.FromSeconds(30)));

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stderr.Should().BeEmpty();
    }

    [TestCase(0, 0L, null, null, false, false, "preflight: 0 entries, 0 B read")]
    [TestCase(1, 512L, "etc/app.ini", "credentials", false, false, "preflight: 1 entry, 512 B read · credentials · etc/app.ini")]
    [TestCase(1204, 40_055_603L, "lib/app.dll", "endpoints", false, false, "preflight: 1,204 entries, 38.2 MiB read · endpoints · lib/app.dll")]
    [TestCase(30, 3_072L, "x", "package", true, false, "preflight: baseline: 30 entries, 3.0 KiB read · package · x")]
    [TestCase(7, 5L * 1024 * 1024 * 1024, "x", "package", false, true, "preflight: 7 entries, 5.00 GiB read, done")]
    public void Progress_line_shows_entries_bytes_detector_and_entry(int entries, long bytes, string? entry, string? detector, bool baseline, bool done, string expected)
    {
        ProgressDisplay.Describe(new ScanProgress("p.zip", entries, bytes, entry, detector, baseline, done)).Should().Be(expected);
    }
}
