using Preflight.Findings;

namespace Preflight.Detectors.Package;

/// <summary>
/// The <c>package</c> detector (PF0xx). The archive reader finds these problems while it walks the package;
/// the pipeline hands them here as <see cref="Packages.PackageIssue"/>s. The detector wants no entries.
/// </summary>
public sealed class PackageDetector : IDetector
{
    /// <inheritdoc />
    public string Id => PackageRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => PackageRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry) => false;

    /// <inheritdoc />
    public void Analyze(EntryContext context) { }

    /// <inheritdoc />
    public void Complete(DetectorContext context) { }

    /// <summary>Turns a reader issue into a finding.</summary>
    public static void Report(DetectorContext context, Packages.PackageIssue issue)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(issue);
        context.Report(issue.Rule, issue.Location, issue.Message, issue.Identity, evidence: null, issue.Severity, issue.Properties);
    }
}
