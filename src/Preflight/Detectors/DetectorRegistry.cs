using Preflight.Detectors.Package;
using Preflight.Findings;

namespace Preflight.Detectors;

/// <summary>
/// The one list of detectors. Adding a detector means adding its folder under <c>Detectors/</c> and one
/// line here.
/// </summary>
public static class DetectorRegistry
{
    private static readonly Func<IDetector>[] Factories =
    [
        static () => new PackageDetector(),
        static () => new ServiceUnits.ServiceUnitsDetector(),
        static () => new Certificates.CertificatesDetector(),
    ];

    /// <summary>Fresh instances of every detector, for one scan.</summary>
    public static IReadOnlyList<IDetector> CreateAll() => [.. Factories.Select(static f => f())];

    /// <summary>Every rule of every detector, in id order: the catalog behind <c>preflight rules</c> and the README's table.</summary>
    public static IReadOnlyList<RuleDescriptor> Rules { get; } =
        [.. CreateAll().SelectMany(static d => d.Rules).OrderBy(static r => r.Id, StringComparer.Ordinal)];

    /// <summary>The ids of all detectors.</summary>
    public static IReadOnlyList<string> DetectorIds { get; } = [.. CreateAll().Select(static d => d.Id)];

    /// <summary>Finds a rule by id (<c>PF301</c>) or name (<c>aws-access-key</c>), case-insensitively.</summary>
    public static RuleDescriptor? FindRule(string idOrName) =>
        Rules.FirstOrDefault(r => string.Equals(r.Id, idOrName, StringComparison.OrdinalIgnoreCase)
                               || string.Equals(r.Name, idOrName, StringComparison.OrdinalIgnoreCase));
}
