using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors;

/// <summary>
/// A detector looks at the entries it wants, one at a time, and may keep small summaries for a cross-entry
/// step at the end of the package.
/// </summary>
/// <remarks>
/// <para><b>Lifetime.</b> The registry creates a fresh instance for every scan, so instance fields are
/// per-scan state. A detector that is <see cref="IDisposable"/> is disposed when its scan ends, after
/// <see cref="Complete"/> or after a failure or cancellation.</para>
/// <para><b>Threading.</b> <see cref="Wants"/> and <see cref="Analyze"/> are called concurrently from
/// several threads, for <i>different</i> entries; every detector of one entry runs on the same thread, one
/// after another, so an entry's views need no locking. Anything a detector keeps across entries must be
/// thread-safe (concurrent collections or a lock). <see cref="Complete"/> is called once, on one thread,
/// after every <see cref="Analyze"/> call has returned.</para>
/// <para><b>Failure.</b> An exception thrown by a detector is caught by the pipeline and reported as a
/// diagnostic naming the detector and the entry (never the exception's message, which may quote input);
/// the scan goes on.</para>
/// </remarks>
public interface IDetector
{
    /// <summary>Stable detector id from the design (<c>credentials</c>, <c>migrations</c>, …).</summary>
    string Id { get; }

    /// <summary>The rules this detector can report. Every finding it reports uses one of them.</summary>
    IReadOnlyList<RuleDescriptor> Rules { get; }

    /// <summary>The cheap gate: decide from path, size and content kind alone, before any bytes are decoded.</summary>
    bool Wants(EntryInfo entry);

    /// <summary>Looks at one entry.</summary>
    void Analyze(EntryContext context);

    /// <summary>The cross-entry step, once all entries have been analysed.</summary>
    void Complete(DetectorContext context);
}

/// <summary>What the gate sees of an entry.</summary>
/// <param name="Path">Location path relative to the package root.</param>
/// <param name="FileName">The part of the path after the last <c>/</c>.</param>
/// <param name="Size">Decompressed size of the whole entry.</param>
/// <param name="Kind">What the entry is.</param>
/// <param name="Depth">Archive nesting depth, 0 for the package's own entries.</param>
public sealed record EntryInfo(string Path, string FileName, long Size, ContentKind Kind, int Depth)
{
    /// <summary>The extension of <see cref="FileName"/> including the dot, lower-case; empty when there is none.</summary>
    public string Extension { get; } = GetExtension(FileName);

    /// <summary>
    /// Whether a checksum manifest or detached signature in the package may name this entry, so that its digest is
    /// worth computing (see <see cref="Packages.PackageEntry"/>). True unless the reader knows otherwise.
    /// </summary>
    internal bool MayBeVouchedFor { get; init; } = true;

    private static string GetExtension(string fileName)
    {
        int dot = fileName.LastIndexOf('.');
        return dot <= 0 ? string.Empty : fileName[dot..].ToLowerInvariant();
    }
}
