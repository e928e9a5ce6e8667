namespace Preflight.Findings;

/// <summary>
/// What the package holds and installs, independent of whether any of it is a problem. Each section is
/// filled by one detector; the baseline comparison works on inventories.
/// </summary>
public sealed record Inventory
{
    /// <summary>An inventory with every section empty.</summary>
    public static Inventory Empty { get; } = new();

    /// <summary>Schedules the package installs (cron, timers, Windows tasks, CronJobs, code).</summary>
    public IReadOnlyList<ScheduledTaskItem> ScheduledTasks { get; init; } = [];

    /// <summary>Hosts and URLs the package will talk to, each once with all its locations.</summary>
    public IReadOnlyList<EndpointItem> Endpoints { get; init; } = [];

    /// <summary>Service units and services the package provides or references.</summary>
    public IReadOnlyList<ServiceUnitItem> ServiceUnits { get; init; } = [];

    /// <summary>Schema migrations in the order their runner applies them.</summary>
    public IReadOnlyList<MigrationItem> Migrations { get; init; } = [];

    /// <summary>Certificates found anywhere in the package.</summary>
    public IReadOnlyList<CertificateItem> Certificates { get; init; } = [];

    /// <summary>Credentials: rule, location and fingerprint only; never the secret.</summary>
    public IReadOnlyList<CredentialItem> Credentials { get; init; } = [];

    /// <summary>Symbolic and hard links in the package; recorded, never followed.</summary>
    public IReadOnlyList<LinkItem> Links { get; init; } = [];
}

/// <summary>A link entry of an archive.</summary>
/// <param name="Location">The link entry itself.</param>
/// <param name="Kind"><c>symlink</c> or <c>hardlink</c>.</param>
/// <param name="Target">The target as written in the archive.</param>
/// <param name="EscapesRoot">True when the target resolves outside the package root.</param>
public sealed record LinkItem(Location Location, string Kind, string Target, bool EscapesRoot);

/// <summary>A credential as the inventory lists it: never the value.</summary>
/// <param name="RuleId">The rule that recognised it.</param>
/// <param name="Location">Where it is.</param>
/// <param name="Fingerprint">The finding's fingerprint; the identity used by baseline comparisons.</param>
public sealed record CredentialItem(string RuleId, Location Location, string Fingerprint);

/// <summary>A scheduled task.</summary>
/// <param name="Location">The file (and line) that defines it.</param>
/// <param name="Format">e.g. <c>crontab</c>, <c>cron.d</c>, <c>systemd-timer</c>, <c>windows-task</c>, <c>kubernetes-cronjob</c>, <c>hangfire</c>.</param>
/// <param name="Schedule">The schedule as written.</param>
/// <param name="Description">A normalised description for people.</param>
/// <param name="Command">The command or unit it runs, when known.</param>
/// <param name="User">The user or principal it runs as, when known.</param>
/// <param name="TimeZone">The schedule's time zone id, when one is given.</param>
/// <param name="NextRuns">The next run times after the evaluation time, in UTC.</param>
public sealed record ScheduledTaskItem(
    Location Location,
    string Format,
    string Schedule,
    string Description,
    string? Command,
    string? User,
    string? TimeZone,
    IReadOnlyList<DateTimeOffset> NextRuns);

/// <summary>An external endpoint and everywhere it appears.</summary>
/// <param name="Host">Host name or IP literal, lower-case.</param>
/// <param name="Scheme">URL scheme, or null for a bare host.</param>
/// <param name="Class">e.g. <c>public</c>, <c>private</c>, <c>loopback</c>, <c>metadata</c>, <c>documentation</c>, <c>internal</c>.</param>
/// <param name="Urls">Distinct URLs seen for this host (credentials removed).</param>
/// <param name="Locations">Every place it appears.</param>
public sealed record EndpointItem(
    string Host,
    string? Scheme,
    string Class,
    IReadOnlyList<string> Urls,
    IReadOnlyList<Location> Locations);

/// <summary>A service unit or service the package provides.</summary>
/// <param name="Name">Unit or service name (<c>acme-worker.service</c>).</param>
/// <param name="Kind">e.g. <c>systemd</c>, <c>sysv</c>, <c>windows-service</c>.</param>
/// <param name="Location">Where it is defined.</param>
/// <param name="Aliases">Other names it is reachable by.</param>
/// <param name="ExecStart">The program it starts, when known.</param>
public sealed record ServiceUnitItem(
    string Name,
    string Kind,
    Location Location,
    IReadOnlyList<string> Aliases,
    string? ExecStart)
{
    /// <summary>The unit's <c>Description=</c>, when it has one.</summary>
    public string? Description { get; init; }

    /// <summary>For a timer, socket or path unit: the unit it activates.</summary>
    public string? Activates { get; init; }

    /// <summary>True when the unit has an <c>[Install]</c> section that enables it (<c>WantedBy=</c>, <c>RequiredBy=</c>).</summary>
    public bool Enabled { get; init; }
}

/// <summary>A schema migration.</summary>
/// <param name="Location">The migration's file or class.</param>
/// <param name="Runner">e.g. <c>flyway</c>, <c>liquibase</c>, <c>ef-core</c>, <c>golang-migrate</c>, <c>plain</c>.</param>
/// <param name="Dialect"><c>postgresql</c>, <c>sqlserver</c>, <c>mysql</c> or <c>unknown</c>.</param>
/// <param name="Version">The version or order key the runner sorts by.</param>
/// <param name="Statements">Number of statements.</param>
public sealed record MigrationItem(
    Location Location,
    string Runner,
    string Dialect,
    string? Version,
    int Statements)
{
    /// <summary>
    /// Whether the runner takes a lock against a concurrent run of the same migrations (Flyway, Liquibase unless
    /// <c>nochangeloglock</c>, golang-migrate, EF Core 9 and later: true; EF Core before 9, DbUp, FluentMigrator:
    /// false); null when it is not known (plain SQL files: whatever applies them decides; EF Core of unknown version).
    /// </summary>
    public bool? RunnerLocks { get; init; }

    /// <summary>For a migration compiled into an assembly: its class (the location is the assembly).</summary>
    public string? Member { get; init; }
}

/// <summary>A certificate found in the package.</summary>
public sealed record CertificateItem(
    Location Location,
    string Subject,
    string Issuer,
    string SerialNumber,
    string Sha256,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string KeyAlgorithm,
    int KeySize,
    string SignatureAlgorithm,
    IReadOnlyList<string> SubjectAlternativeNames,
    IReadOnlyList<string> KeyUsage,
    IReadOnlyList<string> ExtendedKeyUsage,
    bool IsCertificateAuthority);
