using Preflight.Findings;

namespace Preflight.Detectors.ServiceUnits;

/// <summary>The <c>service-units</c> detector's rules (PF4xx).</summary>
public static class ServiceUnitRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "service-units";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);

    /// <summary>PF401.</summary>
    public static readonly RuleDescriptor RenamedWithoutCompatibility = R("PF401", "unit-renamed-without-alias", Severity.High,
        "A unit of the installed version is renamed and nothing provides the old name, while something still uses it.",
        "Scripts, timers and other units that still name the old unit will fail, and the old unit may stay enabled on the host next to the new one. Add `Alias=<old name>` to the new unit's [Install] section (or ship a symlink), update every reference, and disable the old unit in the upgrade script.");

    /// <summary>PF402.</summary>
    public static readonly RuleDescriptor RemovedStillReferenced = R("PF402", "removed-unit-referenced", Severity.High,
        "A unit of the installed version is removed but the new package still references it.",
        "The reference will fail after the upgrade (`Unit … not found`). Remove the reference or keep shipping the unit.");

    /// <summary>PF403.</summary>
    public static readonly RuleDescriptor DanglingReference = R("PF403", "dangling-unit-reference", Severity.Medium,
        "A script or unit references a unit that the package does not ship, the installed version did not have, and the system does not provide.",
        "Check the name for a typo or a rename. If the unit comes from another package, declare that dependency; list the host's units with `--installed-units` to silence references to units it has.");

    /// <summary>PF404.</summary>
    public static readonly RuleDescriptor ActivationTargetMissing = R("PF404", "activation-target-missing", Severity.High,
        "A timer, socket or path unit activates a unit that does not exist.",
        "systemd refuses to start the timer/socket/path (`Refusing to start, unit … to trigger not loaded`), so the job silently never runs. Point `Unit=` at a shipped unit or ship the missing one.");

    /// <summary>PF405.</summary>
    public static readonly RuleDescriptor WindowsServiceRenamed = R("PF405", "windows-service-renamed", Severity.High,
        "A Windows service of the installed version is renamed or deleted while scripts still start, stop or configure the old name.",
        "`sc.exe`/`Start-Service` on the old name fails after the upgrade and the old service may remain registered. Update the scripts and delete the old service in the upgrade step.");

    /// <summary>PF406.</summary>
    public static readonly RuleDescriptor RenamedWithAlias = R("PF406", "unit-renamed-with-alias", Severity.Info,
        "A unit is renamed and the new unit keeps the old name as an Alias (or symlink).",
        "Nothing breaks: the old name still resolves. Plan to drop the alias once nothing uses the old name.");

    /// <summary>PF407.</summary>
    public static readonly RuleDescriptor MalformedUnit = R("PF407", "malformed-unit-file", Severity.Low,
        "A unit file has lines systemd will ignore (not a section, comment or Key=Value).",
        "systemd logs and skips such lines, so a setting you expect may not apply. Fix the syntax; `systemd-analyze verify` shows the same problems.");

    /// <summary>All PF4xx rules.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } =
        [RenamedWithoutCompatibility, RemovedStillReferenced, DanglingReference, ActivationTargetMissing, WindowsServiceRenamed, RenamedWithAlias, MalformedUnit];
}
