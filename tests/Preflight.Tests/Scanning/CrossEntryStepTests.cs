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
    public void Every_step_runs_once_in_the_detectors_order()
    {
        var order = new List<string>();
        var detectors = Enumerable.Range(0, 7).Select(i => (IDetector)new Step($"d{i}", () => order.Add($"d{i}"))).ToArray();
        var (context, state) = NewContext();

        PreflightScanner.CompleteAll(detectors, context, new ScanClock([.. detectors.Select(d => d.Id)]), CancellationToken.None);

        order.Should().Equal(detectors.Select(d => d.Id));
        detectors.Cast<Step>().Select(s => s.Calls).Should().AllBeEquivalentTo(1);
        state.Diagnostics.Should().BeEmpty();
    }

    [Test]
    public void A_failing_step_leaves_a_diagnostic_and_the_others_still_run()
    {
        var detectors = new IDetector[]
        {
            new Step("first", () => { }),
            new Step("broken", () => throw new InvalidOperationException("secret=hunter2 must not be quoted")),
            new Step("third", () => { }),
            new Step("fourth", () => { }),
        };
        var (context, state) = NewContext();

        PreflightScanner.CompleteAll(detectors, context, new ScanClock([.. detectors.Select(d => d.Id)]), CancellationToken.None);

        detectors.Cast<Step>().Select(s => s.Calls).Should().Equal(1, 1, 1, 1);
        state.Diagnostics.Select(d => d.Message).Should().ContainSingle()
            .Which.Should().Be("detector 'broken' failed in its cross-entry step (InvalidOperationException); its summary findings are missing");
    }

    [Test]
    public void Cancellation_stops_the_steps_not_yet_started()
    {
        using var cts = new CancellationTokenSource();
        var detectors = new IDetector[]
        {
            new Step("cancels", cts.Cancel),
            new Step("later-1", () => { }),
            new Step("later-2", () => { }),
        };
        var (context, _) = NewContext(cts.Token);

        var run = () => PreflightScanner.CompleteAll(detectors, context, new ScanClock([.. detectors.Select(d => d.Id)]), cts.Token);

        run.Should().Throw<OperationCanceledException>();
        detectors.Cast<Step>().Select(s => s.Calls).Should().Equal(1, 0, 0);
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
