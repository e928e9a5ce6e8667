namespace Preflight.Findings;

/// <summary>How much a finding matters. Ordered: <c>Info</c> &lt; <c>Low</c> &lt; <c>Medium</c> &lt; <c>High</c> &lt; <c>Critical</c>.</summary>
public enum Severity
{
    /// <summary>Inventory worth seeing; never a problem.</summary>
    Info = 0,
    /// <summary>Worth knowing; rarely worth stopping for.</summary>
    Low = 1,
    /// <summary>Should be looked at before the upgrade.</summary>
    Medium = 2,
    /// <summary>Likely to hurt the upgrade or leak something; fails a build by default.</summary>
    High = 3,
    /// <summary>Stop: the package is unsafe as it is.</summary>
    Critical = 4,
}

/// <summary>Parsing and naming of <see cref="Severity"/> values as they appear in reports and on the command line.</summary>
public static class SeverityNames
{
    /// <summary>The lower-case name used in reports: <c>info</c>, <c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>.</summary>
    public static string ToName(this Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        Severity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "unknown severity"),
    };

    /// <summary>Parses a severity name (case-insensitive).</summary>
    public static bool TryParse(string? text, out Severity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "info": severity = Severity.Info; return true;
            case "low": severity = Severity.Low; return true;
            case "medium": severity = Severity.Medium; return true;
            case "high": severity = Severity.High; return true;
            case "critical": severity = Severity.Critical; return true;
            default: severity = default; return false;
        }
    }
}
