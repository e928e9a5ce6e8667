using System.Text.Json.Serialization;

namespace Preflight.Reporting;

// The JSON report's wire model (schemaVersion 1.0). These types exist only to give the contract an exact,
// reviewable shape: field names, order and JSON types are decided here, not by the domain records. Fields
// of the original contract are `required` (a report without them is rejected on reading); fields added
// since are optional so that older reports still read.

internal sealed class JsonReport
{
    public required string SchemaVersion { get; init; }
    public required JsonTool Tool { get; init; }
    public required JsonPackage Package { get; init; }
    public required JsonBaseline? Baseline { get; init; }
    public required string AsOf { get; init; }
    public required JsonSummary Summary { get; init; }
    // Written as it is enumerated: a report's findings are not copied into a second list (a large package has tens
    // of thousands). Read back as a list.
    public required IEnumerable<JsonFinding> Findings { get; init; }
    public required JsonInventory Inventory { get; init; }

    // Added to 1.0 (additive): the comparison with --baseline (null without one) and the suppressions' fate.
    public List<JsonChange>? Changes { get; init; }
    public List<JsonSuppressionResult> Suppressions { get; init; } = [];

    public required List<JsonDiagnostic> Diagnostics { get; init; }

    // Added to 1.0 (additive, only when asked for): where the scan spent its time.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonStatistics? Statistics { get; init; }
}

internal sealed class JsonStatistics
{
    public required double ElapsedSeconds { get; init; }
    public required int Entries { get; init; }
    public required long ContentBytes { get; init; }
    public required int Workers { get; init; }
    public required double SniffingSeconds { get; init; }
    public required List<JsonDetectorTiming> Detectors { get; init; }
}

internal sealed class JsonDetectorTiming
{
    public required string Detector { get; init; }
    public required int Entries { get; init; }
    public required long Bytes { get; init; }
    public required double Seconds { get; init; }
}

internal sealed class JsonChange
{
    public required string Section { get; init; }
    public required string Change { get; init; }
    public required string Identity { get; init; }
    public required string Detail { get; init; }
    public JsonLocation? Location { get; init; }
}

internal sealed class JsonSuppressionResult
{
    public required int Index { get; init; }
    public string? Fingerprint { get; init; }
    public string? RuleId { get; init; }
    public string? Path { get; init; }
    public required string Reason { get; init; }
    public string? Expires { get; init; }
    public required string Status { get; init; }
    public required int Matched { get; init; }
}

internal sealed class JsonTool
{
    public required string Name { get; init; }
    public required string Version { get; init; }
}

internal sealed class JsonPackage
{
    public required string Path { get; init; }
    public required string Sha256 { get; init; }
    public required long SizeBytes { get; init; }
    public required int Entries { get; init; }
}

internal sealed class JsonBaseline
{
    public required string Path { get; init; }
    public required string Sha256 { get; init; }
}

internal sealed class JsonSummary
{
    public required int Critical { get; init; }
    public required int High { get; init; }
    public required int Medium { get; init; }
    public required int Low { get; init; }
    public required int Info { get; init; }
    public required int Suppressed { get; init; }

    /// <summary>A severity name, or <c>none</c> when the scan never fails.</summary>
    public required string? FailOn { get; init; }
    public required bool Failed { get; init; }
}

/// <summary>Written by hand (JsonReportWriters, as is <see cref="JsonLocation"/>): a field added here is written there too; JsonReportWriterTests holds both to the same bytes.</summary>
internal sealed class JsonFinding
{
    public required string RuleId { get; init; }
    public required string Rule { get; init; }
    public required string Detector { get; init; }
    public required string Severity { get; init; }
    public required string Message { get; init; }
    public required JsonLocation Location { get; init; }
    public string? Evidence { get; init; }
    public required string Fingerprint { get; init; }
    /// <summary>Written in ordinal key order (a finding's own properties already are; others are sorted on the way out).</summary>
    public required IReadOnlyDictionary<string, string> Properties { get; init; }

    // Added to 1.0 (additive).
    public bool Suppressed { get; init; }
    public string? SuppressionReason { get; init; }
}

/// <summary>A value: a report of a large package writes hundreds of thousands of them (every endpoint's places).</summary>
internal struct JsonLocation
{
    public required string Path { get; init; }
    public int? Line { get; init; }
    public int? Column { get; init; }
}

internal sealed class JsonDiagnostic
{
    public required string Path { get; init; }
    public required string Message { get; init; }
}

internal sealed class JsonInventory
{
    public required List<JsonScheduledTask> ScheduledTasks { get; init; }
    public required List<JsonEndpoint> Endpoints { get; init; }
    public required List<JsonServiceUnit> ServiceUnits { get; init; }
    public required List<JsonMigration> Migrations { get; init; }
    public required List<JsonCertificate> Certificates { get; init; }

    // Added to 1.0 (additive).
    public List<JsonCredential> Credentials { get; init; } = [];
    public List<JsonLink> Links { get; init; } = [];
}

internal sealed class JsonScheduledTask
{
    public required JsonLocation Location { get; init; }
    public required string Format { get; init; }
    public required string Schedule { get; init; }
    public required string Description { get; init; }
    public string? Command { get; init; }
    public string? User { get; init; }
    public string? TimeZone { get; init; }
    public List<string> NextRuns { get; init; } = [];
}

internal sealed class JsonEndpoint
{
    public required string Host { get; init; }
    public string? Scheme { get; init; }
    [JsonPropertyName("class")]
    public required string Class { get; init; }
    public List<string> Urls { get; init; } = [];
    // Converted as written, like the report's findings: up to 200 per endpoint.
    public IEnumerable<JsonLocation> Locations { get; init; } = [];
}

internal sealed class JsonServiceUnit
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public required JsonLocation Location { get; init; }
    public List<string> Aliases { get; init; } = [];
    public string? ExecStart { get; init; }
    public string? Description { get; init; }
    public string? Activates { get; init; }
    public bool Enabled { get; init; }
}

internal sealed class JsonMigration
{
    public required JsonLocation Location { get; init; }
    public required string Runner { get; init; }
    public required string Dialect { get; init; }
    public string? Version { get; init; }
    public required int Statements { get; init; }
    public bool? RunnerLocks { get; init; }
    public string? Member { get; init; }
}

internal sealed class JsonCertificate
{
    public required JsonLocation Location { get; init; }
    public required string Subject { get; init; }
    public required string Issuer { get; init; }
    public required string SerialNumber { get; init; }
    public required string Sha256 { get; init; }
    public required string NotBefore { get; init; }
    public required string NotAfter { get; init; }
    public required string KeyAlgorithm { get; init; }
    public required int KeySize { get; init; }
    public required string SignatureAlgorithm { get; init; }
    public List<string> SubjectAlternativeNames { get; init; } = [];
    public List<string> KeyUsage { get; init; } = [];
    public List<string> ExtendedKeyUsage { get; init; } = [];
    public required bool IsCertificateAuthority { get; init; }
}

internal sealed class JsonCredential
{
    public required string RuleId { get; init; }
    public required JsonLocation Location { get; init; }
    public required string Fingerprint { get; init; }
}

internal sealed class JsonLink
{
    public required JsonLocation Location { get; init; }
    public required string Kind { get; init; }
    public required string Target { get; init; }
    public required bool EscapesRoot { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(JsonReport))]
internal sealed partial class JsonReportContext : JsonSerializerContext;
