using Preflight.Findings;

namespace Preflight.Configuration;

/// <summary>What to scan against and how. Immutable; derive variants with <c>with</c>.</summary>
public sealed record ScanOptions
{
    /// <summary>The defaults.</summary>
    public static ScanOptions Default { get; } = new();

    /// <summary>The evaluation time for expiry and schedules. Null means now, from <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Where "now" comes from when <see cref="AsOf"/> is not set. Tests pass a fake.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Reading limits.</summary>
    public PackageLimits Limits { get; init; } = PackageLimits.Default;

    /// <summary>The severity at or above which an unsuppressed finding fails the scan; null never fails.</summary>
    public Severity? FailOn { get; init; } = Severity.High;

    /// <summary>How many entries are analysed at once. Default: the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Detector ids to run; null runs all registered detectors.</summary>
    public IReadOnlySet<string>? EnabledDetectors { get; init; }

    /// <summary>Severity overrides per rule id.</summary>
    public IReadOnlyDictionary<string, Severity> SeverityOverrides { get; init; } = new Dictionary<string, Severity>();

    /// <summary>
    /// The package (archive or folder) installed today, the previous version. It is read with the same
    /// pipeline and limits for its inventory only; its own findings are not reported. The report then has an
    /// "upgrade changes" section, and detectors compare against it (renamed and removed units, new items).
    /// </summary>
    public string? Baseline { get; init; }

    /// <summary>
    /// A file holding the output of <c>systemctl list-unit-files --no-legend</c> from the target host: unit
    /// names that exist there, so references to them are not reported as dangling. A lighter baseline for names.
    /// </summary>
    public string? InstalledUnitsFile { get; init; }

    /// <summary>Rule ids whose findings are not reported at all (the configuration's <c>"enabled": false</c>).</summary>
    public IReadOnlySet<string> DisabledRules { get; init; } = new HashSet<string>();

    /// <summary>
    /// Globs (Microsoft.Extensions.FileSystemGlobbing syntax, <c>**</c> across folders) of entry paths that
    /// detectors do not analyse. The package detector still checks every entry: an excluded entry can still
    /// be a traversal or a bomb.
    /// </summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>A suppressions file (<c>preflight-suppressions.json</c>) applied after the scan.</summary>
    public string? SuppressionsFile { get; init; }

    /// <summary>
    /// A previous JSON report of this tool (<c>--since</c>): findings whose fingerprints it already holds are left
    /// out, so the report (and the verdict) covers only what is new. Unlike <see cref="Baseline"/>, which
    /// compares packages, this compares reports.
    /// </summary>
    public string? Since { get; init; }

    /// <summary>PEM bundles of the root certificates to trust when validating chains. Empty: chains are not validated (the machine's store is never used silently).</summary>
    public IReadOnlyList<string> TrustedRoots { get; init; } = [];

    /// <summary>
    /// A detached CMS/PKCS#7 signature (DER or PEM) over the package file itself (<c>--signature</c>): its digest
    /// and signature are verified against the package's bytes, its signer's chain like every other (purpose
    /// code signing). Null: the package file is not checked against a signature.
    /// </summary>
    public string? PackageSignaturePath { get; init; }

    /// <summary>A certificate expiring within this many days of the evaluation time is reported as expiring soon.</summary>
    public int ExpiryWarningDays { get; init; } = 30;

    /// <summary>The PostgreSQL major version migrations are checked against (<c>--pg-version</c>); gates version-dependent rules.</summary>
    public int PostgresVersion { get; init; } = 14;

    /// <summary>
    /// The SQL dialect of the package's migration files (<c>postgresql</c>, <c>sqlserver</c> or <c>mysql</c>;
    /// configuration <c>"migrations": {"dialect": …}</c>), overriding the dialect sniffed from each file's syntax.
    /// Null: sniffed.
    /// </summary>
    public string? MigrationsDialect { get; init; }

    /// <summary>
    /// PostgreSQL statements the migrations detector keeps in memory until the end of the package; the statements
    /// of later migrations wait in a temporary file (docs/migrations.md, "Memory"). Tests set 0 to spill all.
    /// </summary>
    internal int MigrationStatementsInMemory { get; init; } = Detectors.Migrations.Postgres.PgStatementSpill.DefaultBudget;

    /// <summary>The maintenance window (<c>--window</c>); scheduled tasks firing inside it are reported. Null: no window.</summary>
    public MaintenanceWindow? MaintenanceWindow { get; init; }

    /// <summary>
    /// Endpoints the operator has approved: host names with an optional leading wildcard (<c>*.acme.com</c>,
    /// <c>api.example.org</c>) and CIDR ranges or single addresses (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>).
    /// Allowed endpoints stay in the inventory and raise no finding above info.
    /// </summary>
    public IReadOnlyList<string> EndpointAllowlist { get; init; } = [];

    /// <summary>
    /// Receives <see cref="ScanProgress"/> reports (entries and bytes read, the current entry and detector) while
    /// the scan runs, from its worker threads, one at a time and in order: the counts never go back. The scan waits
    /// for the handler, so it should be quick. Null: no reports.
    /// </summary>
    public IProgress<ScanProgress>? Progress { get; init; }

    /// <summary>
    /// Measures where the scan spends its time (per detector, sniffing, the whole) into
    /// <see cref="Reporting.ScanReport.Statistics"/>. Off by default: the numbers differ from run to run, and a
    /// report that should compare equal across runs must not carry them.
    /// </summary>
    public bool CollectStatistics { get; init; }

    /// <summary>The least time between two progress reports; tests set zero to see every step.</summary>
    internal TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Called once a package's every entry has been analysed, before the detectors' cross-entry steps (for a scan with a
    /// baseline, once per package). The command line compacts its heap there: the entries' garbage is dead, and what
    /// the cross-entry steps and the report add comes on top of whatever the collector still holds.
    /// </summary>
    internal Action? EntriesAnalysed { get; init; }

    /// <summary>The evaluation time this scan uses.</summary>
    public DateTimeOffset EvaluationTime => AsOf ?? TimeProvider.GetUtcNow();
}
