using Preflight.Findings;

namespace Preflight.Detectors.Package;

/// <summary>The <c>package</c> detector's rules (PF0xx): archive integrity and safety.</summary>
public static class PackageRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "package";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);

    /// <summary>PF001.</summary>
    public static readonly RuleDescriptor UnreadableEntry = R("PF001", "unreadable-entry", Severity.Medium,
        "An entry could not be read (corrupt data, bad checksum, unsupported compression).",
        "The entry's content was not analysed. Ask the vendor for an intact package, or verify it against the vendor's published checksum before installing.");

    /// <summary>PF002.</summary>
    public static readonly RuleDescriptor CorruptArchive = R("PF002", "corrupt-archive", Severity.High,
        "An archive is truncated or corrupt; entries after the damage were not read.",
        "Everything read before the damage was analysed; the report's diagnostics say where reading stopped. A truncated package will also fail to install: download it again and compare its checksum.");

    /// <summary>PF003.</summary>
    public static readonly RuleDescriptor PathTraversal = R("PF003", "path-traversal", Severity.High,
        "An entry name climbs out of the package (`..`), is rooted, or names a drive.",
        "An extractor that trusts this name writes outside its target folder (\"zip slip\"). Refuse the package, or extract it only with a tool that rejects such names.");

    /// <summary>PF004.</summary>
    public static readonly RuleDescriptor SuspiciousName = R("PF004", "suspicious-entry-name", Severity.Medium,
        "An entry name holds backslashes, NUL or control characters, or is not valid UTF-8.",
        "Such names are treated differently by different extractors and file systems, which can hide or replace files. Ask the vendor to fix the package.");

    /// <summary>PF005.</summary>
    public static readonly RuleDescriptor DuplicateEntry = R("PF005", "duplicate-entry", Severity.Medium,
        "Two entries have the same name (or names that collide on a case-insensitive file system).",
        "Which copy is installed depends on the extractor: the one analysed may not be the one that lands. Ask the vendor to remove the duplicate.");

    /// <summary>PF006.</summary>
    public static readonly RuleDescriptor LinkEntry = R("PF006", "link-entry", Severity.Info,
        "A symbolic or hard link entry; high when its target lies outside the package.",
        "Links are recorded and never followed. A link whose target leaves the package (such as /etc/shadow) lets a later entry or the installer write or read outside the install folder: refuse it unless the vendor explains it.");

    /// <summary>PF007.</summary>
    public static readonly RuleDescriptor EncryptedEntry = R("PF007", "encrypted-entry", Severity.Medium,
        "An entry is encrypted and could not be inspected.",
        "Preflight cannot see inside encrypted entries. Ask the vendor for an unencrypted package or scan the decrypted content.");

    /// <summary>PF008.</summary>
    public static readonly RuleDescriptor CompressionRatio = R("PF008", "compression-bomb", Severity.High,
        "An entry decompresses far beyond the allowed ratio (a decompression bomb).",
        "Reading stopped at the limit. A legitimate package rarely compresses above 100:1; treat the package as hostile or raise the limit in the configuration if the content is known.");

    /// <summary>PF009.</summary>
    public static readonly RuleDescriptor OverlappingEntries = R("PF009", "overlapping-entries", Severity.High,
        "Zip entries share compressed data (an overlapping-entry zip bomb).",
        "No legitimate zip writer produces overlapping entries; this is the non-recursive zip bomb construction. Treat the package as hostile.");

    /// <summary>PF010.</summary>
    public static readonly RuleDescriptor EntryTooLarge = R("PF010", "entry-size-limit", Severity.Medium,
        "An entry is larger than the per-entry limit; reading it stopped at the limit.",
        "Content past the limit was not analysed. Raise `limits.maxEntryBytes` in the configuration if such entries are expected.");

    /// <summary>PF011.</summary>
    public static readonly RuleDescriptor TotalSizeLimit = R("PF011", "total-size-limit", Severity.High,
        "The package decompresses to more than the total limit; the rest was not read.",
        "Entries after the limit were not analysed. Raise `limits.maxTotalBytes` if the package is known to be this large.");

    /// <summary>PF012.</summary>
    public static readonly RuleDescriptor EntryCountLimit = R("PF012", "entry-count-limit", Severity.High,
        "The package holds more entries than the limit; the rest were not read.",
        "Entries after the limit were not analysed. Raise `limits.maxEntries` if the package is known to be this large.");

    /// <summary>PF013.</summary>
    public static readonly RuleDescriptor NestingLimit = R("PF013", "nesting-depth-limit", Severity.Medium,
        "Archives nest deeper than the limit; the deepest one was not opened.",
        "Deeply nested archives are a classic way to hide content or build recursive bombs. Raise `limits.maxDepth` if the nesting is legitimate.");

    /// <summary>PF014.</summary>
    public static readonly RuleDescriptor TimeBudget = R("PF014", "time-budget-exceeded", Severity.High,
        "Reading the package took longer than its time budget; the rest was not read.",
        "Entries after the budget ran out were not analysed. Raise `limits.maxDuration` for very large packages.");

    /// <summary>PF015.</summary>
    public static readonly RuleDescriptor PartiallyAnalyzed = R("PF015", "entry-partially-analyzed", Severity.Info,
        "An entry is larger than the analysis window; only its beginning was analysed.",
        "The entry was read to the end for the limits, but detectors saw only its first part. Raise `limits.maxAnalyzedEntryBytes` to analyse it whole.");

    /// <summary>PF016.</summary>
    public static readonly RuleDescriptor NotParsed = R("PF016", "entry-not-parsed", Severity.Low,
        "A structured file nests too deeply to parse safely; only its text was scanned.",
        "Recursive parsers (C#, YAML) would exhaust the stack on input nested this deep, so the file was not parsed and findings that need its structure are missing. No real source or manifest nests this deep: look at why the package ships it.");

    /// <summary>All PF0xx rules, in id order.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } =
    [
        UnreadableEntry, CorruptArchive, PathTraversal, SuspiciousName, DuplicateEntry, LinkEntry, EncryptedEntry,
        CompressionRatio, OverlappingEntries, EntryTooLarge, TotalSizeLimit, EntryCountLimit, NestingLimit,
        TimeBudget, PartiallyAnalyzed, NotParsed,
    ];
}
