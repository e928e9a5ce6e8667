using System.Diagnostics;
using Preflight.Reporting;

namespace Preflight;

/// <summary>
/// Accumulates per-detector time and volume for <see cref="ScanStatistics"/>. Two timestamps per detector and
/// entry, added with interlocked operations from the workers: cheap enough to run on every scan.
/// </summary>
internal sealed class ScanClock
{
    private readonly string[] _ids;
    private readonly long[] _ticks;
    private readonly long[] _entries;
    private readonly long[] _bytes;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _sniffTicks;
    private long _entryCount;
    private long _contentBytes;

    public ScanClock(IReadOnlyList<string> detectorIds)
    {
        _ids = [.. detectorIds];
        _ticks = new long[_ids.Length];
        _entries = new long[_ids.Length];
        _bytes = new long[_ids.Length];
    }

    public void Entry(long bytes, bool newEntry = true)
    {
        if (newEntry) Interlocked.Increment(ref _entryCount);
        Interlocked.Add(ref _contentBytes, bytes);
    }

    public void Sniffed(long since) => Interlocked.Add(ref _sniffTicks, Stopwatch.GetTimestamp() - since);

    public void Analyzed(int detector, long bytes, long since, bool newEntry = true)
    {
        Interlocked.Add(ref _ticks[detector], Stopwatch.GetTimestamp() - since);
        if (newEntry) Interlocked.Increment(ref _entries[detector]);
        Interlocked.Add(ref _bytes[detector], bytes);
    }

    public void Completed(int detector, long since) => Interlocked.Add(ref _ticks[detector], Stopwatch.GetTimestamp() - since);

    public ScanStatistics Snapshot(int workers) => new(
        Stopwatch.GetElapsedTime(_start),
        (int)Interlocked.Read(ref _entryCount),
        Interlocked.Read(ref _contentBytes),
        workers,
        TimeSpan.FromSeconds((double)Interlocked.Read(ref _sniffTicks) / Stopwatch.Frequency),
        [.. _ids.Select((id, i) => new DetectorTiming(id, (int)Interlocked.Read(ref _entries[i]), Interlocked.Read(ref _bytes[i]),
            TimeSpan.FromSeconds((double)Interlocked.Read(ref _ticks[i]) / Stopwatch.Frequency)))]);
}
