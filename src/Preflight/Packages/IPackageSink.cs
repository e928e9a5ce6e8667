using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>
/// Receives what the reader finds, in archive order, from the reader's single thread. The reader never
/// calls two members at once.
/// </summary>
public interface IPackageSink
{
    /// <summary>A regular file. The sink owns <paramref name="entry"/> and must dispose it; it may await to apply back-pressure.</summary>
    ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken);

    /// <summary>A problem with the archive itself (traversal, bomb, limit, corruption): becomes a <c>package</c> finding.</summary>
    void OnIssue(PackageIssue issue);

    /// <summary>A symbolic or hard link: recorded, never followed.</summary>
    void OnLink(LinkItem link);

    /// <summary>Something the reader could not do in full (where it stopped, what it skipped).</summary>
    void OnDiagnostic(ScanDiagnostic diagnostic);

    /// <summary>
    /// The raw bytes of an archive, for checks over the archive as a whole (signed package content hashes,
    /// checksums of nested archives): the package file itself (<paramref name="path"/> empty, after its
    /// entries were read) or a nested zip (its entry path, spooled, before its entries are read).
    /// <paramref name="bytes"/> is seekable, read-only and valid only during the call.
    /// </summary>
    ValueTask OnArchiveBytesAsync(string path, Stream bytes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Asked once for an entry that fills <c>PackageLimits.AnalysisWindowBytes</c> before its end: whether it may be
    /// handed over in windows (each an entry with its window set, the last one marked) rather than whole. A sink
    /// that says nothing gets every entry whole.
    /// </summary>
    internal WindowPlan PlanWindows(string path, int depth, long declaredSize, ReadOnlySpan<byte> head) => WindowPlan.Whole;
}

/// <summary>A problem the reader found with the archive's structure.</summary>
/// <param name="Rule">One of the <c>package</c> detector's rules.</param>
/// <param name="Location">Where.</param>
/// <param name="Message">One sentence; paths in it are already relative to the package.</param>
/// <param name="Identity">What makes this issue distinct at this location, for the fingerprint.</param>
/// <param name="Severity">When not null, overrides the rule's default (a link escaping the root is high, one inside it info).</param>
/// <param name="Properties">Facts such as the limit and the measured value.</param>
public sealed record PackageIssue(
    RuleDescriptor Rule,
    Location Location,
    string Message,
    string Identity,
    Severity? Severity = null,
    IReadOnlyDictionary<string, string>? Properties = null);

/// <summary>What the reader learned of the top-level package.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the package file; for a folder, a hash over the sorted relative paths and file hashes.</param>
/// <param name="SizeBytes">Size of the package file (sum of file sizes for a folder).</param>
/// <param name="Entries">Regular-file entries seen, nested ones included.</param>
public sealed record PackageSummary(string Path, string Sha256, long SizeBytes, int Entries);

/// <summary>The top-level input cannot be read at all: it does not exist, or it is no package.</summary>
public sealed class PackageUnreadableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PackageUnreadableException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public PackageUnreadableException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public PackageUnreadableException() { }

    /// <summary>True when the path does not exist (a usage error, exit code 2), false when it exists but is no package (exit code 3).</summary>
    public bool NotFound { get; init; }
}
