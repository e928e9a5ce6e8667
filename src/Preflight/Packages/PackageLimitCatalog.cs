using Preflight.Configuration;
using Preflight.Detectors.Package;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>
/// One reading limit as the documentation describes it.
/// </summary>
/// <param name="Name">The <see cref="PackageLimits"/> property (and configuration key, camel-cased).</param>
/// <param name="Default">The default, as people read it.</param>
/// <param name="Rule">The <c>package</c> rule reported when the limit is hit.</param>
/// <param name="StopsPackage">True when hitting it stops reading the whole package; false when only the entry (or nested archive) is skipped.</param>
/// <param name="Meaning">One sentence on what is measured.</param>
public sealed record PackageLimitDescription(string Name, string Default, RuleDescriptor? Rule, bool StopsPackage, string Meaning);

/// <summary>
/// The reading limits of <see cref="PackageLimits"/> with their defaults, for the README and <c>preflight</c>
/// help. Every limit is measured on the bytes actually read, never on the sizes an archive header claims
/// (headers lie, and streamed entries have no size). Hitting a limit produces a <c>package</c> finding at the
/// entry where it happened, and the scan goes on: a per-entry limit skips the rest of that entry, a
/// package-wide limit stops reading and everything read before it is still analysed.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>limit (default)</term><description>hit →</description></listheader>
/// <item><term><c>MaxTotalBytes</c> (4 GiB)</term><description>PF011, reading stops.</description></item>
/// <item><term><c>MaxEntryBytes</c> (512 MiB)</term><description>PF010, the rest of the entry is skipped; its beginning is analysed.</description></item>
/// <item><term><c>MaxCompressionRatio</c> (100:1 above <c>RatioThresholdBytes</c>, 1 MiB)</term><description>PF008, the entry is skipped and not analysed.</description></item>
/// <item><term><c>MaxPackageCompressionRatio</c> (1000:1)</term><description>PF008, reading stops (recursive bombs such as 42.zip).</description></item>
/// <item><term><c>MaxEntries</c> (200,000)</term><description>PF012, reading stops.</description></item>
/// <item><term><c>MaxDepth</c> (8)</term><description>PF013, the deeper archive is not opened.</description></item>
/// <item><term><c>MaxDuration</c> (10 minutes)</term><description>PF014, reading stops.</description></item>
/// <item><term><c>MaxAnalyzedEntryBytes</c> (32 MiB)</term><description>PF015 (info), detectors see only the first part.</description></item>
/// <item><term><c>AnalysisWindowBytes</c> (1 MiB)</term><description>no finding: larger text and data entries are analysed in windows, to their end.</description></item>
/// <item><term><c>MaxInMemoryNestedArchiveBytes</c> (64 MiB)</term><description>no finding: larger nested zips go to a temporary file, deleted after the scan.</description></item>
/// </list>
/// </remarks>
public static class PackageLimitCatalog
{
    /// <summary>Every limit, in the order the README lists them.</summary>
    public static IReadOnlyList<PackageLimitDescription> All { get; } =
    [
        new(nameof(PackageLimits.MaxTotalBytes), "4 GiB", PackageRules.TotalSizeLimit, true,
            "Bytes decompressed across the package and everything nested in it."),
        new(nameof(PackageLimits.MaxEntryBytes), "512 MiB", PackageRules.EntryTooLarge, false,
            "Bytes of one entry; its beginning is still analysed."),
        new(nameof(PackageLimits.MaxCompressionRatio), "100", PackageRules.CompressionRatio, false,
            "Decompressed to compressed bytes of one entry, once it is over RatioThresholdBytes; the entry is not analysed."),
        new(nameof(PackageLimits.RatioThresholdBytes), "1 MiB", null, false,
            "Entries up to this size are never ratio-checked."),
        new(nameof(PackageLimits.MaxPackageCompressionRatio), "1000", PackageRules.CompressionRatio, true,
            "All bytes decompressed to the size of the package file: catches recursive bombs whose every layer looks modest."),
        new(nameof(PackageLimits.MaxEntries), "200,000", PackageRules.EntryCountLimit, true,
            "Regular-file entries, nested ones included."),
        new(nameof(PackageLimits.MaxDepth), "8", PackageRules.NestingLimit, false,
            "Archives inside archives; the package itself is depth 0."),
        new(nameof(PackageLimits.MaxDuration), "10 minutes", PackageRules.TimeBudget, true,
            "Wall-clock time spent reading one package."),
        new(nameof(PackageLimits.MaxAnalyzedEntryBytes), "32 MiB", PackageRules.PartiallyAnalyzed, false,
            "Bytes of one entry held in memory for the detectors; the rest is read for the limits only."),
        new(nameof(PackageLimits.AnalysisWindowBytes), "1 MiB", null, false,
            "Larger text and data entries that no detector needs whole are analysed in windows of this size, cut after line ends, to their end; 0 turns windows off."),
        new(nameof(PackageLimits.MaxInMemoryNestedArchiveBytes), "64 MiB", null, false,
            "Memory for nested zips (which need random access) across all nesting levels; beyond it they are spooled to one temporary folder per scan, always deleted."),
    ];
}
