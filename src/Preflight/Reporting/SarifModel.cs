using System.Text.Json.Serialization;

namespace Preflight.Reporting;

// A minimal SARIF 2.1.0 object model: only what Preflight writes. Property names follow the specification
// (camelCase); null members are omitted, because the schema forbids null for most of them.

internal sealed class SarifLog
{
    [JsonPropertyName("$schema")]
    public string Schema { get; init; } = "https://json.schemastore.org/sarif-2.1.0.json";
    public string Version { get; init; } = "2.1.0";
    public required List<SarifRun> Runs { get; init; }
}

internal sealed class SarifRun
{
    public required SarifTool Tool { get; init; }
    public required List<SarifInvocation> Invocations { get; init; }
    public required Dictionary<string, SarifArtifactLocation> OriginalUriBaseIds { get; init; }
    public required List<SarifArtifact> Artifacts { get; init; }
    public required List<SarifResult> Results { get; init; }
    public string ColumnKind { get; init; } = "utf16CodeUnits";
    public required SarifRunProperties Properties { get; init; }
}

internal sealed class SarifTool
{
    public required SarifDriver Driver { get; init; }
}

internal sealed class SarifDriver
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string? SemanticVersion { get; init; }
    public required string InformationUri { get; init; }
    public required List<SarifRule> Rules { get; init; }
}

internal sealed class SarifRule
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required SarifText ShortDescription { get; init; }
    public required SarifText FullDescription { get; init; }
    public required SarifText Help { get; init; }
    public required SarifConfiguration DefaultConfiguration { get; init; }
    public required SarifRuleProperties Properties { get; init; }
}

internal sealed class SarifText
{
    public required string Text { get; init; }
    public string? Markdown { get; init; }
}

internal sealed class SarifConfiguration
{
    public required string Level { get; init; }
}

internal sealed class SarifRuleProperties
{
    /// <summary>GitHub code scanning's score: a number written as a string.</summary>
    [JsonPropertyName("security-severity")]
    public required string SecuritySeverity { get; init; }
    public required List<string> Tags { get; init; }
    public required string Detector { get; init; }
    public required string Severity { get; init; }
}

internal sealed class SarifResult
{
    public required string RuleId { get; init; }
    public required int RuleIndex { get; init; }
    public required string Level { get; init; }
    public required SarifText Message { get; init; }
    public required List<SarifLocation> Locations { get; init; }
    public required Dictionary<string, string> PartialFingerprints { get; init; }
    public List<SarifSuppression>? Suppressions { get; init; }
    public required SarifResultProperties Properties { get; init; }
}

internal sealed class SarifLocation
{
    public required SarifPhysicalLocation PhysicalLocation { get; init; }
}

internal sealed class SarifPhysicalLocation
{
    public required SarifArtifactLocation ArtifactLocation { get; init; }
    public SarifRegion? Region { get; init; }
}

internal sealed class SarifArtifactLocation
{
    public string? Uri { get; init; }
    public string? UriBaseId { get; init; }
    public int? Index { get; init; }
    public SarifText? Description { get; init; }
}

internal sealed class SarifRegion
{
    public int? StartLine { get; init; }
    public int? StartColumn { get; init; }
}

internal sealed class SarifSuppression
{
    public string Kind { get; init; } = "external";
    public string Status { get; init; } = "accepted";
    public string? Justification { get; init; }
}

internal sealed class SarifResultProperties
{
    public required string Severity { get; init; }
    public required string Detector { get; init; }
    public required string Rule { get; init; }
    public string? Evidence { get; init; }
    public SortedDictionary<string, string>? Details { get; init; }
}

internal sealed class SarifInvocation
{
    public required bool ExecutionSuccessful { get; init; }
    public required List<SarifNotification> ToolExecutionNotifications { get; init; }
}

internal sealed class SarifNotification
{
    public required string Level { get; init; }
    public required SarifText Message { get; init; }
    public List<SarifLocation>? Locations { get; init; }
}

internal sealed class SarifArtifact
{
    public required SarifArtifactLocation Location { get; init; }
    public required long Length { get; init; }
    public required List<string> Roles { get; init; }
    public required Dictionary<string, string> Hashes { get; init; }
}

internal sealed class SarifRunProperties
{
    public required string SchemaVersion { get; init; }
    public required string AsOf { get; init; }
    public required string FailOn { get; init; }
    public required bool Failed { get; init; }
    public required int Entries { get; init; }
    public SarifBaseline? Baseline { get; init; }

    /// <summary>Findings in the report, set only when more than <see cref="SarifReportWriter.MaxResults"/> (the rest are omitted).</summary>
    public int? FindingsInReport { get; init; }

    /// <summary>How many findings are not written as results (the least severe); set only when some are omitted.</summary>
    public int? ResultsOmitted { get; init; }
}

internal sealed class SarifBaseline
{
    public required string Path { get; init; }
    public required string Sha256 { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(SarifLog))]
internal sealed partial class SarifJsonContext : JsonSerializerContext;
