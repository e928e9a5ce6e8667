namespace Preflight.Configuration;

/// <summary>
/// Bounds on the work one package may cause. Hitting a limit produces a <c>package</c> finding at that
/// location and the scan goes on with the rest.
/// </summary>
public sealed record PackageLimits
{
    /// <summary>The defaults documented in the README.</summary>
    public static PackageLimits Default { get; } = new();

    /// <summary>Total bytes decompressed across the package and everything nested in it. Default 4 GiB.</summary>
    public long MaxTotalBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Bytes of one entry. Default 512 MiB.</summary>
    public long MaxEntryBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Largest ratio of decompressed to compressed bytes, checked once an entry exceeds <see cref="RatioThresholdBytes"/>. Default 100.</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary>
    /// Largest ratio of all bytes decompressed (nested archives included) to the size of the package file,
    /// checked once more than <see cref="RatioThresholdBytes"/> were read. Catches recursive bombs (42.zip)
    /// whose every layer stays under <see cref="MaxCompressionRatio"/>. Hitting it stops reading. Default 1000.
    /// </summary>
    public double MaxPackageCompressionRatio { get; init; } = 1000;

    /// <summary>Entries at or below this many decompressed bytes are never ratio-checked. Default 1 MiB.</summary>
    public long RatioThresholdBytes { get; init; } = 1024 * 1024;

    /// <summary>Entries across the package and everything nested in it. Default 200,000.</summary>
    public int MaxEntries { get; init; } = 200_000;

    /// <summary>How deep archives may nest inside the package (the package itself is depth 0). Default 8.</summary>
    public int MaxDepth { get; init; } = 8;

    /// <summary>Wall-clock budget for reading one package. Default 10 minutes.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Bytes of one entry held in memory for a detector that needs the entry whole (SQL, unit files, C# source, YAML,
    /// JSON, executables, assemblies). Larger such entries are still read to the end (for the limits and the hash) but
    /// only this prefix is analysed, and the report says so. Other text and data entries are read in windows of
    /// <see cref="AnalysisWindowBytes"/> to their end. Default 32 MiB: a text of that size is held twice (bytes and
    /// decoded UTF-16).
    /// </summary>
    public int MaxAnalyzedEntryBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// Entries larger than this are analysed in windows of this many bytes, never held whole, when every detector
    /// that wants them can read them so: text (UTF-8 or Latin-1, cut after a line end and never inside a PEM block)
    /// and binary data other than executables, assemblies and key stores. Such entries are analysed to their end,
    /// whatever <see cref="MaxAnalyzedEntryBytes"/> says. An entry some detector needs whole (a SQL migration, a
    /// unit file, a signed executable) is held whole up to <see cref="MaxAnalyzedEntryBytes"/> as before. A window holds
    /// at least 8 KiB (the prefix an entry's kind is decided on). 0 turns windows off; a value at or above
    /// <see cref="MaxAnalyzedEntryBytes"/> has the same effect. Default 1 MiB.
    /// </summary>
    public int AnalysisWindowBytes { get; init; } = 1024 * 1024;

    /// <summary>A nested archive larger than this is spooled to a temporary file (always deleted) instead of memory. Default 64 MiB.</summary>
    public long MaxInMemoryNestedArchiveBytes { get; init; } = 64L * 1024 * 1024;
}
