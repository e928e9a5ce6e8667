namespace Preflight.Findings;

/// <summary>
/// One rule of the catalog. A rule id is forever: a retired rule keeps its id reserved.
/// </summary>
/// <param name="Id">Stable id such as <c>PF301</c>; the hundreds digit names the detector.</param>
/// <param name="Name">Stable kebab-case name such as <c>aws-access-key</c>.</param>
/// <param name="Detector">The id of the detector that owns the rule.</param>
/// <param name="DefaultSeverity">Severity unless the finding or the configuration says otherwise.</param>
/// <param name="Summary">One line saying what the rule finds.</param>
/// <param name="Help">What it means and how to fix it.</param>
public sealed record RuleDescriptor(
    string Id,
    string Name,
    string Detector,
    Severity DefaultSeverity,
    string Summary,
    string Help)
{
    /// <summary>The CVSS-like score that code-scanning services sort by (<c>security-severity</c> in SARIF).</summary>
    public string SecuritySeverity => DefaultSeverity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "3.0",
        _ => "0.0",
    };
}
