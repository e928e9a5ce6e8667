using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Tests.Scanning;

/// <summary>The detectors' cross-entry steps (<see cref="IDetector.Complete"/>) after the last entry.</summary>
public class CrossEntryStepTests
{
    private static (DetectorContext Context, ScanState State) NewContext(CancellationToken token = default)
    {
        var state = new ScanState(ScanOptions.Default, token);
        return (new DetectorContext(state), state);
    }

    [Test]
    public async Task With_two_workers_two_steps_run_at_the_same_time()
    {
        // Each step waits for the other at a barrier: one after the other, the first would wait in vain.
        using var barrier = new Barrier(2);
        void Meet()
        {
            if (!barrier.SignalAndWait(TimeSpan.FromSeconds(10))) throw new TimeoutException("the other step never ran beside this one");
        }
        var detectors = new IDetector[] { new Step("a", Meet), new Step("b", Meet) };
        var (context, state) = NewContext();

        await PreflightScanner.CompleteAllAsync(detectors, context, new ScanClock(["a", "b"]), workers: 2, CancellationToken.None);

        detectors.Cast<Step>().Select(s => s.Calls).Should().Equal(1, 1);
        state.Diagnostics.Should().BeEmpty();
    }

    [Test]
    public async Task Every_step_runs_once_on_one_thread_whatever_the_workers()
    {
        foreach (int workers in (int[])[1, 2, 3, 8])
        {
            var detectors = Enumerable.Range(0, 7).Select(i => (IDetector)new Step($"d{i}", () => Thread.Sleep(5))).ToArray();
            var (context, state) = NewContext();

            await PreflightScanner.CompleteAllAsync(detectors, context, new ScanClock([.. detectors.Select(d => d.Id)]), workers, CancellationToken.None);

            detectors.Cast<Step>().Select(s => s.Calls).Should().AllBeEquivalentTo(1, $"with {workers} worker(s)");
            state.Diagnostics.Should().BeEmpty();
        }
    }

    [Test]
    public async Task A_failing_step_leaves_a_diagnostic_and_the_others_still_run()
    {
        var detectors = new IDetector[]
        {
            new Step("first", () => { }),
            new Step("broken", () => throw new InvalidOperationException("secret=hunter2 must not be quoted")),
            new Step("third", () => { }),
            new Step("fourth", () => { }),
        };
        var (context, state) = NewContext();

        await PreflightScanner.CompleteAllAsync(detectors, context, new ScanClock([.. detectors.Select(d => d.Id)]), workers: 2, CancellationToken.None);

        detectors.Cast<Step>().Select(s => s.Calls).Should().Equal(1, 1, 1, 1);
        state.Diagnostics.Select(d => d.Message).Should().ContainSingle()
            .Which.Should().Be("detector 'broken' failed in its cross-entry step (InvalidOperationException); its summary findings are missing");
    }

    [Test]
    public async Task Cancellation_stops_the_steps_not_yet_started()
    {
        using var cts = new CancellationTokenSource();
        var detectors = new IDetector[]
        {
            new Step("cancels", cts.Cancel),
            new Step("later-1", () => { }),
            new Step("later-2", () => { }),
        };
        var (context, _) = NewContext(cts.Token);

        var run = () => PreflightScanner.CompleteAllAsync(detectors, context, new ScanClock([.. detectors.Select(d => d.Id)]), workers: 1, cts.Token);

        await run.Should().ThrowAsync<OperationCanceledException>();
        detectors.Cast<Step>().Select(s => s.Calls).Should().Equal(1, 0, 0);
    }

    [Test]
    public async Task A_scan_reports_the_same_with_the_steps_side_by_side_as_one_after_another()
    {
        // The demo package, where every detector has findings or inventory: one worker runs the steps one after
        // another, as before; two run them side by side.
        var asOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        var one = await PreflightScanner.ScanAsync(Fixtures.DemoFixture.ZipPath, ScanOptions.Default with { AsOf = asOf, MaxDegreeOfParallelism = 1 });
        var two = await PreflightScanner.ScanAsync(Fixtures.DemoFixture.ZipPath, ScanOptions.Default with { AsOf = asOf, MaxDegreeOfParallelism = 2 });

        one.Findings.Should().NotBeEmpty();
        one.Inventory.Certificates.Should().NotBeEmpty();
        one.Inventory.Migrations.Should().NotBeEmpty();
        one.Inventory.ServiceUnits.Should().NotBeEmpty();
        Preflight.Reporting.ScanReportJson.Write(two).Should().Be(Preflight.Reporting.ScanReportJson.Write(one));
    }

    /// <summary>A detector that wants nothing and runs <c>step</c> as its cross-entry step, counting its calls.</summary>
    private sealed class Step(string id, Action step) : IDetector
    {
        private int _calls;
        public string Id { get; } = id;
        public IReadOnlyList<RuleDescriptor> Rules => [];
        public int Calls => _calls;
        public bool Wants(EntryInfo entry) => false;
        public void Analyze(EntryContext context) => throw new InvalidOperationException("no entry is wanted");

        public void Complete(DetectorContext context)
        {
            Interlocked.Increment(ref _calls);
            step();
        }
    }
}
