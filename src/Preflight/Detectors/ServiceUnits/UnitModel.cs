using Preflight.Findings;

namespace Preflight.Detectors.ServiceUnits;

/// <summary>A reference from somewhere in the package to a unit or service name.</summary>
/// <param name="Name">The name referenced (systemd names normalised with a suffix).</param>
/// <param name="Namespace">Which kind of name.</param>
/// <param name="Location">Where the reference is.</param>
/// <param name="How">What refers to it, for messages (<c>Wants=</c>, <c>systemctl restart</c>, <c>timer Unit=</c>).</param>
/// <param name="Activation">True for timer/socket/path activation targets.</param>
/// <param name="From">The unit that holds the reference, when it is a unit.</param>
/// <param name="Cleanup">True for a script command that stops, disables or removes the unit, or only asks about it.</param>
internal sealed record UnitReference(string Name, ReferenceNamespace Namespace, Location Location, string How, bool Activation, string? From, bool Cleanup = false);

/// <summary>A systemd unit of the package after drop-ins are merged.</summary>
internal sealed record UnitDefinition(string Name, UnitFile File, IReadOnlyList<string> Aliases, string? ExecStart, string? Description, string? Activates, bool Enabled);

/// <summary>What the package provides and references, built once at the end of the scan.</summary>
internal sealed class UnitModel
{
    public Dictionary<string, UnitDefinition> Units { get; } = new(StringComparer.Ordinal);

    /// <summary>Every systemd name that resolves, to the unit that provides it (itself, an alias or a symlink).</summary>
    public Dictionary<string, (UnitDefinition Unit, string Via)> Provided { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> InitScripts { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Location> WindowsServices { get; } = new(StringComparer.OrdinalIgnoreCase);

    // Script references stay as the detector gathered them (one array of values per script, scripts in path order) and
    // become UnitReference records only while the checks walk them: a package's scripts can name units a hundred
    // thousand times, and a record and a location for each, all alive at once, were 15 MB at 2 GiB.
    private (string Path, ScriptReference[] References)[] _scripts = [];
    private readonly List<UnitReference> _unitReferences = [];

    /// <summary>
    /// Every reference: those of scripts in the order of their text (line, then column), scripts in path order; then
    /// those of units, units in name order; then drop-in folders for units nobody ships. Made afresh on each walk.
    /// </summary>
    public IEnumerable<UnitReference> References
    {
        get
        {
            foreach (var (path, references) in _scripts)
            {
                foreach (var r in references)
                {
                    if (r.Creates && r.Namespace == ReferenceNamespace.Windows) continue;
                    yield return new UnitReference(r.Name, r.Namespace, new Location(path, r.Line, r.Column), r.Command, Activation: false, From: null, r.Cleanup);
                }
            }
            foreach (var reference in _unitReferences) yield return reference;
        }
    }

    public static UnitModel Build(
        IEnumerable<UnitFile> units,
        IEnumerable<(string Unit, string Path, string Text)> dropIns,
        IEnumerable<(string Path, string Name, IReadOnlyList<string> Provides)> initScripts,
        IEnumerable<(string Path, ScriptReference[] References)> scriptReferences,
        IEnumerable<LinkItem> links)
    {
        var model = new UnitModel();
        var files = units.OrderBy(u => u.Path, StringComparer.Ordinal).ToList();
        var dropInsByUnit = dropIns.OrderBy(d => FileName(d.Path), StringComparer.Ordinal).ThenBy(d => d.Path, StringComparer.Ordinal)
            .GroupBy(d => d.Unit, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        foreach (var file in files)
        {
            string name = FileName(file.Path);
            if (model.Units.ContainsKey(name)) continue; // the same unit shipped twice: first path wins, deterministic
            // Drop-ins for the unit itself, and for its template when it is an instance.
            if (dropInsByUnit.TryGetValue(name, out var own))
                foreach (var d in own) file.Merge(d.Path, d.Text);
            var aliases = file.List("Install", "Alias")
                .Select(a => UnitNames.ResolveSpecifiers(a.Value, name))
                .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            string? exec = file.Last("Service", "ExecStart")?.Value;
            string? description = file.Last("Unit", "Description")?.Value;
            string? activates = ActivationTarget(file, name)?.Target;
            bool enabled = file.List("Install", "WantedBy").Count > 0 || file.List("Install", "RequiredBy").Count > 0 || file.List("Install", "UpheldBy").Count > 0;
            var unit = new UnitDefinition(name, file, aliases, exec, description, activates, enabled);
            model.Units[name] = unit;
            model.Provided.TryAdd(name, (unit, "file"));
            foreach (var alias in aliases) model.Provided.TryAdd(alias, (unit, "Alias="));
        }

        // Symlinks such as etc/systemd/system/old.service -> /lib/systemd/system/new.service provide an alias.
        foreach (var link in links.OrderBy(l => l.Location.Path, StringComparer.Ordinal))
        {
            string linkName = FileName(link.Location.Path);
            string targetName = FileName(link.Target);
            if (!UnitNames.HasUnitSuffix(linkName) || linkName == targetName) continue;
            if (model.Units.TryGetValue(targetName, out var target)) model.Provided.TryAdd(linkName, (target, "symlink"));
        }

        foreach (var (path, name, provides) in initScripts.OrderBy(i => i.Path, StringComparer.Ordinal))
        {
            model.InitScripts.TryAdd(name, path);
            foreach (var p in provides) model.InitScripts.TryAdd(p, path);
        }

        // A script's references come in the order of its text (line, then column); scripts in path order. The Windows
        // services scripts create are known before any reference is checked.
        model._scripts = [.. scriptReferences.OrderBy(s => s.Path, StringComparer.Ordinal)];
        foreach (var (path, references) in model._scripts)
            foreach (var r in references)
                if (r.Creates && r.Namespace == ReferenceNamespace.Windows) model.WindowsServices.TryAdd(r.Name, new Location(path, r.Line, r.Column));

        foreach (var unit in model.Units.Values.OrderBy(u => u.Name, StringComparer.Ordinal))
            model.AddUnitReferences(unit);

        // A drop-in folder for a unit nobody ships is a reference to that unit.
        foreach (var (unitName, group) in dropInsByUnit.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (model.Units.ContainsKey(unitName)) continue;
            model._unitReferences.Add(new UnitReference(unitName, ReferenceNamespace.Systemd, new Location(group[0].Path), "drop-in folder", Activation: false, From: null));
        }
        return model;
    }

    private void AddUnitReferences(UnitDefinition unit)
    {
        var file = unit.File;
        foreach (var key in DependencyKeys)
        {
            foreach (var (value, from) in file.List("Unit", key, emptyResets: false))
            {
                var resolved = UnitNames.ResolveSpecifiers(value, unit.Name);
                if (resolved is null || !UnitNames.HasUnitSuffix(resolved)) continue;
                _unitReferences.Add(new UnitReference(resolved, ReferenceNamespace.Systemd, new Location(from.Source, from.Line), $"{key}=", Activation: false, From: unit.Name));
            }
        }
        // Template files are instantiated elsewhere; their activation target may depend on %i.
        if (ActivationTarget(file, unit.Name) is { } activation && !UnitNames.IsTemplate(unit.Name))
        {
            _unitReferences.Add(new UnitReference(activation.Target, ReferenceNamespace.Systemd,
                activation.From is { } a ? new Location(a.Source, a.Line) : new Location(file.Path),
                activation.How, Activation: true, From: unit.Name));
        }
        // systemctl calls in Exec* lines.
        foreach (var a in file.Assignments)
        {
            if (!a.Key.StartsWith("Exec", StringComparison.Ordinal) || !a.Value.Contains("systemctl", StringComparison.Ordinal)) continue;
            foreach (var r in ScriptReferences.Find(a.Value))
                _unitReferences.Add(new UnitReference(r.Name, r.Namespace, new Location(a.Source, a.Line), $"{a.Key}= {r.Command}", Activation: false, From: unit.Name, r.Cleanup));
        }
    }

    private static readonly string[] DependencyKeys =
        ["Requires", "Requisite", "Wants", "BindsTo", "PartOf", "Upholds", "After", "Before", "Conflicts", "OnFailure", "OnSuccess", "PropagatesReloadTo", "ReloadPropagatedFrom"];

    /// <summary>The unit a timer, socket or path unit activates: <c>Unit=</c>/<c>Service=</c>, else the same name with <c>.service</c>.</summary>
    private static (string Target, UnitAssignment? From, string How)? ActivationTarget(UnitFile file, string name)
    {
        string suffix = UnitNames.Suffix(name);
        (string Section, string Key)? setting = suffix switch
        {
            ".timer" => ("Timer", "Unit"),
            ".path" => ("Path", "Unit"),
            ".socket" => ("Socket", "Service"),
            _ => null,
        };
        if (setting is null) return null;
        var explicitTarget = file.Last(setting.Value.Section, setting.Value.Key);
        string kind = suffix[1..];
        if (explicitTarget is not null)
        {
            var resolved = UnitNames.ResolveSpecifiers(explicitTarget.Value, name);
            return resolved is null ? null : (UnitNames.Normalize(resolved), explicitTarget, $"{kind} {setting.Value.Key}=");
        }
        // A socket with Accept=yes activates a template service foo@.service.
        bool accept = suffix == ".socket" && file.Last("Socket", "Accept")?.Value is "yes" or "true" or "1" or "on";
        string stem = UnitNames.Stem(name);
        return (accept ? stem + "@.service" : stem + ".service", null, $"{kind} (same name)");
    }

    /// <summary>The inventory items for what the package provides.</summary>
    public IEnumerable<ServiceUnitItem> InventoryItems()
    {
        foreach (var unit in Units.Values)
        {
            yield return new ServiceUnitItem(unit.Name, "systemd", new Location(unit.File.Path), unit.Aliases, ExecBinary(unit.ExecStart))
            {
                Description = unit.Description,
                Activates = unit.Activates,
                Enabled = unit.Enabled,
            };
        }
        foreach (var (name, path) in InitScripts)
            yield return new ServiceUnitItem(name, "sysv", new Location(path), [], null);
        foreach (var (name, location) in WindowsServices)
            yield return new ServiceUnitItem(name, "windows-service", location, [], null);
    }

    /// <summary>The program an <c>ExecStart=</c> runs: its first word without systemd's prefixes (<c>-@:+!</c>).</summary>
    public static string? ExecBinary(string? execStart)
    {
        if (string.IsNullOrWhiteSpace(execStart)) return null;
        var first = execStart.TrimStart().Split((char[])[' ', '\t'], 2)[0].TrimStart('-', '@', ':', '+', '!');
        return first.Length == 0 ? null : first;
    }

    private static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
