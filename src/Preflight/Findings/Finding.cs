namespace Preflight.Findings;

/// <summary>One thing the package will do, or carries, that the operator should know before installing it.</summary>
/// <param name="RuleId">The rule's stable id (<c>PF301</c>).</param>
/// <param name="Rule">The rule's kebab-case name.</param>
/// <param name="Detector">The detector that found it.</param>
/// <param name="Severity">Severity after configuration overrides.</param>
/// <param name="Message">One sentence for a person. Never holds a secret in clear.</param>
/// <param name="Location">Where it is.</param>
/// <param name="Evidence">A short excerpt, redacted where it would show a secret; null when there is none.</param>
/// <param name="Fingerprint"><c>sha256:…</c>, stable across runs and machines.</param>
/// <param name="Properties">Rule-specific facts, as strings.</param>
public sealed record Finding(
    string RuleId,
    string Rule,
    string Detector,
    Severity Severity,
    string Message,
    Location Location,
    string? Evidence,
    string Fingerprint,
    IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>True when a suppression covers this finding; it stays in the report but does not fail the build.</summary>
    public bool Suppressed { get; init; }

    /// <summary>Why the finding is suppressed, when it is.</summary>
    public string? SuppressionReason { get; init; }

    /// <summary>Deterministic report order: path, line, column, rule id, fingerprint.</summary>
    public static IComparer<Finding> ReportOrder { get; } = Comparer<Finding>.Create(static (a, b) =>
    {
        int c = string.CompareOrdinal(a.Location.Path, b.Location.Path);
        if (c != 0) return c;
        c = Nullable.Compare(a.Location.Line, b.Location.Line);
        if (c != 0) return c;
        c = Nullable.Compare(a.Location.Column, b.Location.Column);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.RuleId, b.RuleId);
        return c != 0 ? c : string.CompareOrdinal(a.Fingerprint, b.Fingerprint);
    });
}
