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
        (after - before).Should().BeGreaterThanOrEqualTo(megabytes / 2);
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
    }
}
