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

    /// <summary>The maintenance window (<c>--window</c>); scheduled tasks firing inside it are reported. Null: no window.</summary>
    public MaintenanceWindow? MaintenanceWindow { get; init; }

    /// <summary>
    /// Endpoints the operator has approved: host names with an optional leading wildcard (<c>*.acme.com</c>,
    /// <c>api.example.org</c>) and CIDR ranges or single addresses (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>).
    /// Allowed endpoints stay in the inventory and raise no finding above info.
    /// </summary>
    public IReadOnlyList<string> EndpointAllowlist { get; init; } = [];

    /// <summary>The evaluation time this scan uses.</summary>
    public DateTimeOffset EvaluationTime => AsOf ?? TimeProvider.GetUtcNow();
}
