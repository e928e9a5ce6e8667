using FluentAssertions;
using NUnit.Framework;
using Preflight.Cli;

namespace Preflight.Tests.Cli;

/// <summary>The CLI's generation-0 governor: collections follow its budget, and an explicit runtime setting wins.</summary>
[NonParallelizable]
public class YoungGenerationGovernorTests
{
    private static byte[]? _sink;

    [Test]
    public void Collects_generation_0_after_each_budget_of_allocation()
    {
        const long budget = 1L << 20;
        const int megabytes = 48;
        int before;
        int after;
        using (var governor = YoungGenerationGovernor.Start(budget))
        {
            governor.Should().NotBeNull("no DOTNET_GCgen0size is set in the test run");
            before = GC.CollectionCount(0);
            for (int mb = 0; mb < megabytes; mb++)
            {
                // 1 MiB in 16 KiB arrays, kept for nothing; then a pause longer than the governor's poll.
                for (int i = 0; i < 64; i++) Volatile.Write(ref _sink, new byte[16 * 1024]);
                Thread.Sleep(15);
            }
            after = GC.CollectionCount(0);
        }
        // The runtime's own budget is several MiB at least (80 MiB on the benchmark machine), so without the governor
        // 48 MiB of allocation makes a handful of collections at most; with a 1 MiB budget it makes one per MiB or so.
        // A third of one per MiB leaves room for a loaded machine, where the governor thread is scheduled late.
        (after - before).Should().BeGreaterThanOrEqualTo(megabytes / 3);
    }

    [Test]
    public void Compact_collects_what_the_old_generation_holds_and_counts_as_a_full_collection()
    {
        using var governor = YoungGenerationGovernor.Start(compactionBytes: 1L << 40)!;
        var weak = OldGarbage();
        int full = GC.CollectionCount(GC.MaxGeneration);

        governor.Compact();

        weak.IsAlive.Should().BeFalse("an object of the oldest generation nobody refers to is gone after a compaction");
        GC.CollectionCount(GC.MaxGeneration).Should().BeGreaterThan(full);
    }

    [Test]
    public void Compacts_the_whole_heap_after_each_compaction_budget_of_allocation()
    {
        const int megabytes = 64;
        int before;
        int after;
        using (var governor = YoungGenerationGovernor.Start(budgetBytes: 1L << 40, compactionBytes: 8L << 20))
        {
            governor.Should().NotBeNull();
            before = GC.CollectionCount(GC.MaxGeneration);
            for (int mb = 0; mb < megabytes; mb++)
            {
                for (int i = 0; i < 64; i++) Volatile.Write(ref _sink, new byte[16 * 1024]);
                Thread.Sleep(15);
            }
            after = GC.CollectionCount(GC.MaxGeneration);
        }
        // Without the governor 64 MiB of short-lived arrays makes no full collection at all, or one or two.
        (after - before).Should().BeGreaterThanOrEqualTo(megabytes / 8 / 2);
    }

    /// <summary>An object promoted to the oldest generation, then dropped; only a weak reference to it is returned.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference OldGarbage()
    {
        var target = new byte[1000];
        GC.Collect();
        GC.Collect();
        GC.GetGeneration(target).Should().Be(GC.MaxGeneration);
        return new WeakReference(target);
    }

    [Test]
    public void Stands_aside_when_the_environment_sets_the_budget()
    {
        var saved = Environment.GetEnvironmentVariable("DOTNET_GCgen0size");
        try
        {
            Environment.SetEnvironmentVariable("DOTNET_GCgen0size", "0x1000000");
            using var governor = YoungGenerationGovernor.Start();
            governor.Should().BeNull();
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOTNET_GCgen0size", saved);
        }
    }

    [Test]
    public void Refuses_a_budget_that_is_not_positive()
    {
        FluentActions.Invoking(() => YoungGenerationGovernor.Start(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => YoungGenerationGovernor.Start(compactionBytes: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
