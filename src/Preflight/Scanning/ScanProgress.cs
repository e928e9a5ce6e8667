using System.Diagnostics;

namespace Preflight;

/// <summary>
/// How far a scan has come, reported through <see cref="Configuration.ScanOptions.Progress"/>: at most every
/// 100 ms while the package is read and analysed, and once more when it has been read to its end.
/// Reports come from the scan's worker threads; an <see cref="IProgress{T}"/> that touches a UI marshals itself
/// (as <see cref="Progress{T}"/> does).
/// </summary>
/// <param name="Package">The package being read: its path, or the name given with a stream.</param>
/// <param name="EntriesRead">Regular-file entries read so far, nested ones included.</param>
/// <param name="BytesRead">Decompressed bytes of those entries handed to the detectors so far.</param>
/// <param name="CurrentEntry">The entry most recently read or analysed; null before the first.</param>
/// <param name="CurrentDetector">The detector most recently started on an entry; null before the first.</param>
/// <param name="IsBaseline">True while the baseline package (<see cref="Configuration.ScanOptions.Baseline"/>) is read.</param>
/// <param name="Completed">True for the last report of a package: everything was read and analysed.</param>
public sealed record ScanProgress(
    string Package,
    int EntriesRead,
    long BytesRead,
    string? CurrentEntry,
    string? CurrentDetector,
    bool IsBaseline,
    bool Completed);

/// <summary>
/// Counts entries and bytes for one package and reports them, throttled, from any thread; reports reach the listener one
/// at a time and in order, so the counts never go back.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly IProgress<ScanProgress>? _progress;
    private readonly string _package;
    private readonly bool _isBaseline;
    private readonly long _intervalTicks;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _entries;
    private long _bytes;
    private long _nextReport;
    private string? _entry;
    private string? _detector;

    public ProgressTracker(IProgress<ScanProgress>? progress, string package, bool isBaseline, TimeSpan interval)
    {
        _progress = progress;
        _package = package;
        _isBaseline = isBaseline;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    }

    public bool Enabled => _progress is not null;

    /// <summary>The reader handed on one more entry.</summary>
    public void EntryRead(string path, long bytes, bool newEntry = true)
    {
        if (_progress is null) return;
        if (newEntry) Interlocked.Increment(ref _entries);
        Interlocked.Add(ref _bytes, bytes);
        Volatile.Write(ref _entry, path);
        MaybeReport();
    }

    /// <summary>A worker starts <paramref name="detector"/> on <paramref name="path"/>.</summary>
    public void Analyzing(string path, string detector)
    {
        if (_progress is null) return;
        Volatile.Write(ref _entry, path);
        Volatile.Write(ref _detector, detector);
        MaybeReport();
    }

    /// <summary>The package was read and analysed to its end.</summary>
    public void Complete()
    {
        if (_progress is null) return;
        lock (_reportLock) _progress.Report(Snapshot(completed: true));
    }

    private void MaybeReport()
    {
        long now = _clock.ElapsedTicks;
        long due = Volatile.Read(ref _nextReport);
        if (now < due) return;
        // One thread wins the slot; the others skip this round.
        if (Interlocked.CompareExchange(ref _nextReport, now + _intervalTicks, due) != due) return;
        // Snapshot and report under one lock: two threads that won consecutive slots could otherwise report in the
        // opposite order of their snapshots, and a listener saw the counts go back (found by a test, intermittently).
        lock (_reportLock) _progress!.Report(Snapshot(completed: false));
    }

    private readonly Lock _reportLock = new();

    private ScanProgress Snapshot(bool completed) => new(
        _package,
        Volatile.Read(ref _entries),
        Interlocked.Read(ref _bytes),
        Volatile.Read(ref _entry),
        Volatile.Read(ref _detector),
        _isBaseline,
        completed);
}
