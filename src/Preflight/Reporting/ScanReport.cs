using Preflight.Findings;

namespace Preflight.Reporting;

/// <summary>The result of a scan: the contract behind every output format.</summary>
public sealed record ScanReport
{
    /// <summary>The JSON report's schema version.</summary>
    public const string CurrentSchemaVersion = "1.0";

    /// <summary>Schema version of the report contract.</summary>
    public string SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The tool that wrote it.</summary>
    public required ToolInfo Tool { get; init; }

    /// <summary>The package scanned.</summary>
    public required PackageInfo Package { get; init; }

    /// <summary>The baseline package, when one was given.</summary>
    public BaselineInfo? Baseline { get; init; }

    /// <summary>The evaluation time.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Counts and the verdict.</summary>
    public required ReportSummary Summary { get; init; }

    /// <summary>Findings in report order (path, line, column, rule).</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>What the package holds and installs.</summary>
    public required Inventory Inventory { get; init; }

    /// <summary>What the upgrade changes compared with the baseline; null when no baseline was given.</summary>
    public IReadOnlyList<InventoryChange>? Changes { get; init; }

    /// <summary>What became of each suppression entry; empty without a suppressions file.</summary>
    public IReadOnlyList<SuppressionResult> Suppressions { get; init; } = [];

    /// <summary>What could not be done in full, and why.</summary>
    public required IReadOnlyList<ScanDiagnostic> Diagnostics { get; init; }

    /// <summary>Where the scan spent its time; null unless <see cref="Configuration.ScanOptions.CollectStatistics"/> was set.</summary>
    public ScanStatistics? Statistics { get; init; }

    /// <summary>True when an unsuppressed finding is at or above the fail-on level.</summary>
    public bool Failed => Summary.Failed;
}

/// <summary>Name and version of the tool.</summary>
public sealed record ToolInfo(string Name, string Version)
{
    /// <summary>This library.</summary>
    public static ToolInfo Current { get; } = new("preflight", typeof(ToolInfo).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
        .Select(a => a.InformationalVersion.Split('+')[0])
        .FirstOrDefault() ?? "0.0.0");

    /// <summary>
    /// Where people read about the tool and its rules (SARIF <c>tool.driver.informationUri</c>): the library's
    /// package page, derived from its PackageId.
    /// </summary>
    public static Uri InformationUri { get; } = new("https://www.nuget.org/packages/Preflight");
}

/// <summary>The scanned package.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Sha256">Lower-case hex SHA-256.</param>
/// <param name="SizeBytes">Size in bytes.</param>
/// <param name="Entries">Regular-file entries read, nested ones included.</param>
public sealed record PackageInfo(string Path, string Sha256, long SizeBytes, int Entries);

/// <summary>The baseline package.</summary>
/// <param name="Path">The path as given.</param>
/// <param name="Sha256">Lower-case hex SHA-256.</param>
public sealed record BaselineInfo(string Path, string Sha256);

/// <summary>Counts of unsuppressed findings by severity, the suppressed count and the verdict.</summary>
public sealed record ReportSummary(int Critical, int High, int Medium, int Low, int Info, int Suppressed, Severity? FailOn, bool Failed)
{
    /// <summary>Counts <paramref name="findings"/> and decides the verdict against <paramref name="failOn"/>.</summary>
    public static ReportSummary From(IEnumerable<Finding> findings, Severity? failOn)
    {
        ArgumentNullException.ThrowIfNull(findings);
        int critical = 0, high = 0, medium = 0, low = 0, info = 0, suppressed = 0;
        bool failed = false;
        foreach (var f in findings)
        {
            if (f.Suppressed) { suppressed++; continue; }
            switch (f.Severity)
            {
                case Severity.Critical: critical++; break;
                case Severity.High: high++; break;
                case Severity.Medium: medium++; break;
                case Severity.Low: low++; break;
                default: info++; break;
            }
            if (failOn is { } level && f.Severity >= level) failed = true;
        }
        return new ReportSummary(critical, high, medium, low, info, suppressed, failOn, failed);
    }
}
