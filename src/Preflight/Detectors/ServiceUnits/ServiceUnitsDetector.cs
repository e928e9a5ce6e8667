using System.Collections.Concurrent;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.ServiceUnits;

/// <summary>
/// The <c>service-units</c> detector (PF4xx): the unit and service names a package provides (systemd units,
/// aliases, symlinks, SysV init scripts, Windows services created by scripts) and references (unit
/// dependencies, timer/socket/path activation, drop-in folders, maintainer and install scripts); with a
/// baseline, which units were renamed or removed while something still uses the old name.
/// </summary>
public sealed class ServiceUnitsDetector : IDetector
{
    private const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly string[] ScriptExtensions = [".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd", ".spec"];
    private static readonly string[] MaintainerScripts = ["postinst", "preinst", "prerm", "postrm", "config"];

    private readonly ConcurrentBag<UnitFile> _units = [];
    private readonly ConcurrentBag<(string Unit, string Path, string Text)> _dropIns = [];
    private readonly ConcurrentBag<(string Path, string Name, IReadOnlyList<string> Provides)> _initScripts = [];
    // One array of values per script: a reference costs 32 bytes here, where a record and its slot in the bag took 64.
    private readonly ConcurrentBag<(string Path, ScriptReference[] References)> _scriptReferences = [];
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Id => ServiceUnitRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => ServiceUnitRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind is not (ContentKind.Text or ContentKind.Empty) || entry.Size > MaxFileBytes) return false;
        return Classify(entry) != FileRole.None;
    }

    private enum FileRole { None, Unit, DropIn, InitScript, Script }

    private static FileRole Classify(EntryInfo entry)
    {
        string name = entry.FileName;
        if (UnitNames.HasUnitSuffix(name)) return FileRole.Unit;
        if (entry.Extension == ".conf" && DropInUnit(entry.Path) is not null) return FileRole.DropIn;
        if (entry.Path.Contains("init.d/", StringComparison.Ordinal) && !entry.Path.EndsWith('/')) return FileRole.InitScript;
        if (ScriptExtensions.Contains(entry.Extension)) return FileRole.Script;
        foreach (var m in MaintainerScripts)
            if (name == m || name.EndsWith("." + m, StringComparison.Ordinal)) return FileRole.Script;
        // Shebang scripts often have no extension; the keyword prefilter keeps reading them cheap.
        if (entry.Extension.Length == 0) return FileRole.Script;
        return FileRole.None;
    }

    /// <summary>For <c>…/foo.service.d/x.conf</c>, <c>foo.service</c>.</summary>
    private static string? DropInUnit(string path)
    {
        int slash = path.LastIndexOf('/');
        if (slash <= 0) return null;
        var folder = path[..slash];
        int prev = folder.LastIndexOf('/');
        var folderName = folder[(prev + 1)..];
        if (!folderName.EndsWith(".d", StringComparison.Ordinal)) return null;
        var unit = folderName[..^2];
        return UnitNames.HasUnitSuffix(unit) ? unit : null;
    }

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var info = context.Info;
        switch (Classify(info))
        {
            case FileRole.Unit:
            {
                var unit = UnitFile.Parse(info.Path, context.Content.Text);
                // A file that merely ends in .service but is no unit (no known section) is not one.
                if (unit.Sections.Count == 0) return;
                foreach (var error in unit.Errors)
                    context.Report(ServiceUnitRules.MalformedUnit, context.At(error.Line),
                        $"Unit file line {error.Line}: {error.Message}; systemd ignores it.", $"{error.Line}\0{error.Message}");
                _units.Add(unit);
                break;
            }
            case FileRole.DropIn:
                _dropIns.Add((DropInUnit(info.Path)!, info.Path, context.Content.Text));
                break;
            case FileRole.InitScript:
            {
                var text = context.Content.TextSpan;
                _initScripts.Add((info.Path, info.FileName, LsbProvides(text)));
                AddScriptReferences(info.Path, text);
                break;
            }
            case FileRole.Script:
                // read from the decoded characters: a string per script was most of this detector's allocation
                AddScriptReferences(info.Path, context.Content.TextSpan);
                break;
        }
    }

    private void AddScriptReferences(string path, ReadOnlySpan<char> text)
    {
        if (!ScriptReferences.MayContainReferences(text)) return;
        var found = ScriptReferences.Find(text);
        if (found.Count == 0) return;
        var kept = new ScriptReference[found.Count];
        for (int i = 0; i < kept.Length; i++)
            kept[i] = found[i] with { Name = Pooled(found[i].Name), Command = Pooled(found[i].Command) };
        _scriptReferences.Add((path, kept));
    }

    /// <summary>
    /// One copy of each unit name and command: references are kept to the end of the scan, and scripts name the same
    /// few units thousands of times (120k references at 2 GiB).
    /// </summary>
    private string Pooled(string text) => _strings.GetOrAdd(text, text);

    private static List<string> LsbProvides(ReadOnlySpan<char> text)
    {
        var names = new List<string>();
        foreach (var line in text.EnumerateLines())
        {
            var t = line.Trim();
            if (!t.StartsWith("#")) continue;
            t = t[1..].TrimStart();
            if (!t.StartsWith("Provides:", StringComparison.Ordinal)) continue;
            foreach (var n in t["Provides:".Length..].ToString().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                names.Add(n);
        }
        return names;
    }

    /// <inheritdoc />
    public void Complete(DetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = UnitModel.Build(_units, _dropIns, _initScripts, _scriptReferences, context.Inventory.Links);
        foreach (var item in model.InventoryItems()) context.Inventory.Add(item);
        new UnitChecks(model, context).Run();
    }
}
