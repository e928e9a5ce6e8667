using Preflight.Findings;

namespace Preflight.Detectors.ServiceUnits;

/// <summary>
/// Decides, for every reference, whether its name resolves; with a baseline, which units were renamed or
/// removed. Every finding names both ends: the reference's location and the unit (or its absence).
/// </summary>
internal sealed class UnitChecks(UnitModel model, DetectorContext context)
{
    private readonly Dictionary<string, ServiceUnitItem> _baselineSystemd = BaselineByName(context.Baseline, "systemd", StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceUnitItem> _baselineSysV = BaselineByName(context.Baseline, "sysv", StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceUnitItem> _baselineWindows = BaselineByName(context.Baseline, "windows-service", StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _cleanedUp = new(StringComparer.Ordinal);

    // Scripts name the same few units over and over (127,000 references to a few hundred names at 2 GiB): whether a
    // name resolves is decided once per name, and a dangling reference's fingerprint once per script, name and command.
    private readonly Dictionary<string, bool> _systemdResolves = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _sysVResolves = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string How), string> _danglingFingerprints = [];
    private string? _danglingPath;

    public void Run()
    {
        var referencedOldNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in model.References)
        {
            // Stopping, disabling or purging a unit that is gone is what an upgrade should do to the unit it
            // replaces; for a unit that never existed it is harmless. Either way nothing will fail.
            if (reference.Cleanup)
            {
                if (_baselineSystemd.ContainsKey(reference.Name) || _baselineSysV.ContainsKey(reference.Name))
                    _cleanedUp.Add(reference.Name);
                continue;
            }
            switch (reference.Namespace)
            {
                case ReferenceNamespace.Windows:
                    CheckWindows(reference);
                    break;
                case ReferenceNamespace.SysV:
                    if (!_sysVResolves.TryGetValue(reference.Name, out bool sysV)) _sysVResolves[reference.Name] = sysV = ResolvesSysV(reference.Name);
                    if (!sysV) CheckUnresolved(reference, UnitNames.Normalize(reference.Name), referencedOldNames);
                    break;
                default:
                    if (!_systemdResolves.TryGetValue(reference.Name, out bool systemd)) _systemdResolves[reference.Name] = systemd = Resolves(reference.Name);
                    if (!systemd) CheckUnresolved(reference, reference.Name, referencedOldNames);
                    break;
            }
        }
        CheckBaselineRenames(referencedOldNames);
    }

    private bool Resolves(string name)
    {
        if (model.Provided.ContainsKey(name)) return true;
        if (UnitNames.TemplateOf(name) is { } template && model.Provided.ContainsKey(template)) return true;
        if (WellKnownUnits.Contains(name)) return true;
        if (context.InstalledUnits is { } installed && (installed.Contains(name) || (UnitNames.TemplateOf(name) is { } t && installed.Contains(t)))) return true;
        // systemd-sysv-generator turns /etc/init.d/foo into foo.service.
        if (name.EndsWith(".service", StringComparison.Ordinal) && model.InitScripts.ContainsKey(UnitNames.Stem(name))) return true;
        return false;
    }

    private bool ResolvesSysV(string name) =>
        model.InitScripts.ContainsKey(name) || WellKnownUnits.Contains(name) || Resolves(UnitNames.Normalize(name))
        || (context.InstalledUnits?.Contains(name) ?? false);

    private void CheckUnresolved(UnitReference reference, string name, HashSet<string> referencedOldNames)
    {
        bool inBaseline = _baselineSystemd.TryGetValue(name, out var old)
                          || (_baselineSysV.TryGetValue(UnitNames.Stem(name), out old));
        if (inBaseline && old is not null)
        {
            referencedOldNames.Add(old.Name);
            var successor = FindSuccessor(old);
            if (successor is not null)
            {
                context.Report(ServiceUnitRules.RenamedWithoutCompatibility, reference.Location,
                    $"{Describe(reference)} uses {name}, which the installed version has but this package renames to {successor.Name} without keeping the old name (no Alias= or symlink).",
                    $"{name}\0{reference.How}", properties: Props(name, reference, successor.Name));
            }
            else
            {
                context.Report(ServiceUnitRules.RemovedStillReferenced, reference.Location,
                    $"{Describe(reference)} uses {name}, which the installed version has and this package removes.",
                    $"{name}\0{reference.How}", properties: Props(name, reference, null));
            }
            return;
        }
        if (reference.Activation)
        {
            context.Report(ServiceUnitRules.ActivationTargetMissing, reference.Location,
                $"The {reference.How.Split(' ')[0]} {reference.From} activates {name}, which neither this package nor the system provides; it will never run.",
                $"{name}\0{reference.How}", properties: Props(name, reference, null));
            return;
        }
        // Scripts repeat the same call: the message and properties are built only for the occurrence that is shown.
        var fingerprint = DanglingFingerprint(reference.Location.Path, name, reference.How);
        if (context.TryCountRepeat(ServiceUnitRules.DanglingReference, reference.Location, fingerprint)) return;
        context.ReportFingerprinted(ServiceUnitRules.DanglingReference, reference.Location,
            $"{Describe(reference)} uses {name}, which this package does not ship{(context.Baseline is null ? "" : ", the installed version did not have,")} and is not a known system unit.",
            fingerprint,
            properties: CompactProperties.OfSorted(reference.From is { } f ? ["reference", reference.How, "referencedFrom", f, "unit", name] : ["reference", reference.How, "unit", name]));
    }

    /// <summary>The fingerprint <see cref="DetectorContext.Report"/> gives a dangling reference; references come grouped by path.</summary>
    private string DanglingFingerprint(string path, string name, string how)
    {
        if (!string.Equals(path, _danglingPath, StringComparison.Ordinal))
        {
            _danglingFingerprints.Clear();
            _danglingPath = path;
        }
        if (!_danglingFingerprints.TryGetValue((name, how), out var fingerprint))
            _danglingFingerprints[(name, how)] = fingerprint = Fingerprint.Compute(ServiceUnitRules.DanglingReference.Id, path, $"{name}\0{how}");
        return fingerprint;
    }

    private void CheckWindows(UnitReference reference)
    {
        if (model.WindowsServices.ContainsKey(reference.Name) || WellKnownUnits.Contains(reference.Name, ignoreCase: true)) return;
        if (context.InstalledUnits?.Contains(reference.Name) ?? false) return;
        if (!_baselineWindows.ContainsKey(reference.Name))
        {
            // A service the package neither creates nor had: only worth saying when it creates others.
            if (model.WindowsServices.Count > 0 || context.Baseline is not null)
                context.Report(ServiceUnitRules.DanglingReference, reference.Location,
                    $"{Describe(reference)} uses the Windows service {reference.Name}, which this package does not create and is not a known system service.",
                    $"{reference.Name}\0{reference.How}", properties: Props(reference.Name, reference, null));
            return;
        }
        var created = model.WindowsServices.Keys.Where(n => !_baselineWindows.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        string what = created.Count == 1 ? $"renamed to {created[0]}" : created.Count > 1 ? $"replaced by {string.Join(", ", created)}" : "deleted";
        context.Report(ServiceUnitRules.WindowsServiceRenamed, reference.Location,
            $"{Describe(reference)} uses the Windows service {reference.Name}, which the installed version creates and this package no longer does ({what}).",
            $"{reference.Name}\0{reference.How}", properties: Props(reference.Name, reference, created.Count == 1 ? created[0] : null));
    }

    /// <summary>Baseline units that this package no longer provides by name: renames with and without compatibility.</summary>
    private void CheckBaselineRenames(HashSet<string> referencedOldNames)
    {
        foreach (var old in _baselineSystemd.Values.OrderBy(u => u.Name, StringComparer.Ordinal))
        {
            if (model.Units.ContainsKey(old.Name)) continue;
            if (model.Provided.TryGetValue(old.Name, out var provider))
            {
                context.Report(ServiceUnitRules.RenamedWithAlias, new Location(provider.Unit.File.Path),
                    $"{old.Name} is renamed to {provider.Unit.Name}, which keeps the old name through {provider.Via}; references to {old.Name} still work.",
                    old.Name, properties: new Dictionary<string, string> { ["oldUnit"] = old.Name, ["newUnit"] = provider.Unit.Name, ["via"] = provider.Via });
                continue;
            }
            if (referencedOldNames.Contains(old.Name)) continue; // reported at each reference
            if (_cleanedUp.Contains(old.Name)) continue; // the package stops and disables it
            var successor = FindSuccessor(old);
            if (successor is null || !old.Enabled) continue;
            context.Report(ServiceUnitRules.RenamedWithoutCompatibility, new Location(successor.File.Path),
                $"{old.Name} of the installed version is renamed to {successor.Name}; the upgrade does not remove the old unit, which stays enabled on the host and may start the same program twice.",
                old.Name, properties: new Dictionary<string, string> { ["oldUnit"] = old.Name, ["newUnit"] = successor.Name });
        }
    }

    /// <summary>
    /// The new unit that most looks like the successor of <paramref name="old"/>: same unit type, not in the
    /// baseline, and the same program (<c>ExecStart</c> binary), a similar <c>Description</c>, or the same
    /// activation pairing.
    /// </summary>
    private UnitDefinition? FindSuccessor(ServiceUnitItem old)
    {
        string suffix = UnitNames.Suffix(old.Name);
        UnitDefinition? best = null;
        int bestScore = 0;
        foreach (var unit in model.Units.Values.OrderBy(u => u.Name, StringComparer.Ordinal))
        {
            if (_baselineSystemd.ContainsKey(unit.Name) || UnitNames.Suffix(unit.Name) != suffix) continue;
            int score = 0;
            var exec = UnitModel.ExecBinary(unit.ExecStart);
            if (exec is not null && old.ExecStart is not null && string.Equals(exec, old.ExecStart, StringComparison.Ordinal)) score += 3;
            if (Similar(unit.Description, old.Description)) score += 2;
            if (unit.Activates is not null && old.Activates is not null && PairedRename(old.Activates, unit.Activates)) score += 2;
            if (score > bestScore) { best = unit; bestScore = score; }
        }
        return bestScore >= 2 ? best : null;
    }

    /// <summary>True when the old activation target was itself renamed to the new one.</summary>
    private bool PairedRename(string oldTarget, string newTarget) =>
        oldTarget == newTarget || (_baselineSystemd.ContainsKey(oldTarget) && !model.Units.ContainsKey(oldTarget) && !_baselineSystemd.ContainsKey(newTarget));

    private static bool Similar(string? a, string? b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b)) return false;
        var x = Words(a);
        var y = Words(b);
        int common = x.Intersect(y).Count();
        int all = x.Union(y).Count();
        return all > 0 && common * 2 >= all;
    }

    private static HashSet<string> Words(string text) =>
        new(text.ToLowerInvariant().Split((char[])[' ', '\t', '-', '_', '(', ')', ',', '.', ':'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private static string Describe(UnitReference r) => r.From is not null ? $"{r.From} ({r.How})" : $"`{r.How}`";

    private static Dictionary<string, string> Props(string name, UnitReference r, string? successor)
    {
        var p = new Dictionary<string, string> { ["unit"] = name, ["reference"] = r.How };
        if (r.From is not null) p["referencedFrom"] = r.From;
        if (successor is not null) p["successor"] = successor;
        return p;
    }

    private static Dictionary<string, ServiceUnitItem> BaselineByName(Inventory? baseline, string kind, StringComparer comparer)
    {
        var map = new Dictionary<string, ServiceUnitItem>(comparer);
        if (baseline is null) return map;
        foreach (var u in baseline.ServiceUnits)
        {
            if (u.Kind != kind) continue;
            map.TryAdd(u.Name, u);
        }
        return map;
    }
}
