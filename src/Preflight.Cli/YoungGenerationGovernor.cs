namespace Preflight.Cli;

/// <summary>
/// Keeps the youngest generation small while a scan runs, by collecting it after every <see cref="BudgetBytes"/> of
/// allocation when the runtime has not done so itself.
/// </summary>
/// <remarks>
/// The runtime sizes generation 0 from the processor's last-level cache. Some virtual machines report hundreds of
/// MiB of it (300 MiB on the machine of benchmarks/README.md, which gave an 80 MiB generation 0), and a scan allocates
/// far more than any budget, so the whole budget is resident at the peak, nearly all of it dead. The budget has no
/// runtimeconfig.json setting, only the <c>DOTNET_GCgen0size</c> environment variable; when that is set, it is obeyed
/// and no governor runs. Where the runtime's own budget is already small (most physical machines), it collects before
/// the governor's budget is reached and the governor never acts. Each of these collections costs what survives it, not
/// the budget: the entries being analysed when it comes and what older objects have just been given to hold (8-10 ms
/// each on the 300 MiB benchmark package, 27 of them; benchmarks/README.md, 2026-11-30 02:46 UTC, has the breakdown
/// and why larger budgets did not pay). The tool does this, not the library: a library has no business collecting its
/// host's heap.
/// <para>
/// It also compacts the whole heap, returning what is free to the system, after every <see cref="CompactionBytes"/>
/// of allocation and when the scan's entries are all analysed (<see cref="Compact"/>). Between the rare full collections
/// the runtime makes on its own, the old generation holds the garbage of entries long gone, and the steps at the end of
/// a scan (cross-entry checks, the report) would add to it: on the 2 GiB benchmark package the peak resident set went
/// from 229-247 MiB to 188 MiB (benchmarks/README.md, "Memory at the end of a scan"). A compaction of a scan's live
/// heap (50-80 MiB) takes tens of milliseconds.
/// </para>
/// </remarks>
internal sealed class YoungGenerationGovernor : IDisposable
{
    private const int PollMilliseconds = 5;

    /// <summary>The default allocation between two compactions of the whole heap: 512 MiB, about one per 300 MiB of package.</summary>
    public const long DefaultCompactionBytes = 512L << 20;

    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new(false);

    private YoungGenerationGovernor(long budgetBytes, long compactEveryBytes)
    {
        BudgetBytes = budgetBytes;
        CompactionBytes = compactEveryBytes;
        _thread = new Thread(Run) { IsBackground = true, Name = "preflight generation-0 governor" };
        _thread.Start();
    }

    /// <summary>
    /// The default budget: 8 MiB. At 16 MiB, what a physical processor with a 32 MiB cache would get, the 2 GiB benchmark
    /// scan peaked 5-10 MiB higher in the same time (benchmarks/README.md, "Memory at the end of a scan").
    /// </summary>
    public const long DefaultBudgetBytes = 8L << 20;

    /// <summary>Bytes allocated between two collections of generation 0, at most (give or take one poll's worth).</summary>
    public long BudgetBytes { get; }

    /// <summary>Starts a governor, or returns null when the environment sets the budget itself.</summary>
    public static YoungGenerationGovernor? Start(long budgetBytes = DefaultBudgetBytes, long compactionBytes = DefaultCompactionBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(compactionBytes);
        foreach (var prefix in (string[])["DOTNET_", "COMPlus_"])
            if (Environment.GetEnvironmentVariable(prefix + "GCgen0size") is not null) return null;
        return new YoungGenerationGovernor(budgetBytes, compactionBytes);
    }

    /// <summary>Bytes allocated between two compactions of the whole heap, at most (give or take one poll's worth).</summary>
    public long CompactionBytes { get; }

    private long _compactedAt = GC.GetTotalAllocatedBytes(false);

    /// <summary>Collects and compacts the whole heap and gives its free memory back to the system, now.</summary>
    public void Compact()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Volatile.Write(ref _compactedAt, GC.GetTotalAllocatedBytes(false));
    }

    private void Run()
    {
        int collections = GC.CollectionCount(0);
        long mark = GC.GetTotalAllocatedBytes(false);
        while (!_stop.Wait(PollMilliseconds))
        {
            int now = GC.CollectionCount(0);
            long allocated = GC.GetTotalAllocatedBytes(false);
            if (allocated - Volatile.Read(ref _compactedAt) >= CompactionBytes)
            {
                Compact();
                collections = GC.CollectionCount(0);
                mark = GC.GetTotalAllocatedBytes(false);
                continue;
            }
            if (now != collections)
            {
                // The runtime collected since the last look: count from here.
                collections = now;
                mark = allocated;
                continue;
            }
            if (allocated - mark < BudgetBytes) continue;
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            collections = GC.CollectionCount(0);
            mark = GC.GetTotalAllocatedBytes(false);
        }
    }

    /// <summary>Stops the governor and waits for its thread.</summary>
    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }
}
