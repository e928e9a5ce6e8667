using Preflight.Findings;

namespace Preflight;

/// <summary>One difference between the installed version's inventory and the new package's.</summary>
/// <param name="Section">The inventory section: <c>serviceUnits</c>, <c>scheduledTasks</c>, <c>endpoints</c>, <c>credentials</c>, <c>certificates</c>, <c>migrations</c>.</param>
/// <param name="Change"><c>added</c>, <c>removed</c>, <c>changed</c> or <c>renamed</c>.</param>
/// <param name="Identity">What identifies the item across versions (unit name, host, fingerprint, …); for a rename, <c>old → new</c>.</param>
/// <param name="Detail">What changed, for people.</param>
/// <param name="Location">Where the item is in the new package (or, when removed, in the baseline).</param>
public sealed record InventoryChange(string Section, string Change, string Identity, string Detail, Location? Location);

/// <summary>
/// The comparison step after both inventories exist: labels items added, removed, changed or renamed by a
/// stable identity per section. Unchanged items are not listed.
/// </summary>
public static class InventoryComparison
{
    /// <summary>Compares <paramref name="baseline"/> (installed today) with <paramref name="current"/> (the new package).</summary>
    /// <param name="baseline">The baseline inventory.</param>
    /// <param name="current">The new package's inventory.</param>
    /// <param name="findings">The new package's findings; unit renames are read from the service-unit rules.</param>
    public static IReadOnlyList<InventoryChange> Compare(Inventory baseline, Inventory current, IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(findings);
        var changes = new List<InventoryChange>();
        CompareUnits(baseline, current, findings, changes);
        Diff(changes, "scheduledTasks", baseline.ScheduledTasks, current.ScheduledTasks,
            t => $"{t.Location.Path}\0{t.Command ?? t.Schedule}", t => $"{t.Format} {t.Schedule} {t.Command}".TrimEnd(),
            (a, b) => a.Schedule == b.Schedule && a.User == b.User && a.TimeZone == b.TimeZone ? null : $"schedule {a.Schedule} → {b.Schedule}", t => t.Location,
            t => $"{t.Location.Path}: {t.Command ?? t.Schedule}");
        Diff(changes, "endpoints", baseline.Endpoints, current.Endpoints,
            e => $"{e.Scheme}://{e.Host}", e => $"{e.Class} endpoint", (a, b) => a.Class == b.Class ? null : $"class {a.Class} → {b.Class}",
            e => e.Locations.FirstOrDefault(), e => e.Scheme is null ? e.Host : $"{e.Scheme}://{e.Host}");
        Diff(changes, "credentials", baseline.Credentials, current.Credentials,
            c => c.Fingerprint, c => $"{c.RuleId} credential", (_, _) => null, c => c.Location, c => c.Fingerprint);
        Diff(changes, "certificates", baseline.Certificates, current.Certificates,
            c => c.Sha256, c => $"certificate valid until {c.NotAfter:yyyy-MM-dd}", (_, _) => null, c => c.Location, c => c.Subject);
        Diff(changes, "migrations", baseline.Migrations, current.Migrations,
            m => m.Location.Path, m => $"{m.Runner} migration {m.Version}".TrimEnd(), (a, b) => a.Statements == b.Statements ? null : $"{a.Statements} → {b.Statements} statements",
            m => m.Location, m => m.Location.Path);
        return changes;
    }

    private static void CompareUnits(Inventory baseline, Inventory current, IEnumerable<Finding> findings, List<InventoryChange> changes)
    {
        static string Key(ServiceUnitItem u) => $"{u.Kind}\0{(u.Kind == "windows-service" ? u.Name.ToUpperInvariant() : u.Name)}";
        var before = baseline.ServiceUnits.GroupBy(Key).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var after = current.ServiceUnits.GroupBy(Key).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        // Renames come from the service-unit detector, which matched the units by program, description and pairing.
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in findings)
        {
            if (f.Detector != "service-units") continue;
            string? oldName = f.Properties.GetValueOrDefault("oldUnit") ?? f.Properties.GetValueOrDefault("unit");
            string? newName = f.Properties.GetValueOrDefault("newUnit") ?? f.Properties.GetValueOrDefault("successor");
            if (oldName is not null && newName is not null) renamed.TryAdd(oldName, newName);
        }
        var renamedTo = new HashSet<string>(renamed.Values, StringComparer.Ordinal);

        foreach (var (key, old) in before.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (after.TryGetValue(key, out var now))
            {
                var what = new List<string>();
                if (old.ExecStart != now.ExecStart) what.Add($"ExecStart {old.ExecStart} → {now.ExecStart}");
                if (!old.Aliases.SequenceEqual(now.Aliases)) what.Add($"aliases [{string.Join(' ', old.Aliases)}] → [{string.Join(' ', now.Aliases)}]");
                if (old.Activates != now.Activates) what.Add($"activates {old.Activates} → {now.Activates}");
                if (what.Count > 0) changes.Add(new InventoryChange("serviceUnits", "changed", now.Name, string.Join("; ", what), now.Location));
            }
            else if (renamed.TryGetValue(old.Name, out var newName))
            {
                var target = current.ServiceUnits.FirstOrDefault(u => u.Name == newName);
                changes.Add(new InventoryChange("serviceUnits", "renamed", $"{old.Name} → {newName}",
                    target?.Aliases.Contains(old.Name) == true ? "the new unit keeps the old name as an alias" : "the old name is no longer provided",
                    target?.Location));
            }
            else
            {
                changes.Add(new InventoryChange("serviceUnits", "removed", old.Name, $"{old.Kind} unit", old.Location));
            }
        }
        foreach (var (key, now) in after.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (before.ContainsKey(key) || renamedTo.Contains(now.Name)) continue;
            changes.Add(new InventoryChange("serviceUnits", "added", now.Name, $"{now.Kind} unit", now.Location));
        }
    }

    private static void Diff<T>(
        List<InventoryChange> changes,
        string section,
        IReadOnlyList<T> before,
        IReadOnlyList<T> after,
        Func<T, string> identity,
        Func<T, string> describe,
        Func<T, T, string?> difference,
        Func<T, Location?> location,
        Func<T, string> shown)
    {
        var old = before.GroupBy(identity).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var now = after.GroupBy(identity).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (key, item) in old.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (now.TryGetValue(key, out var current))
            {
                if (difference(item, current) is { } what) changes.Add(new InventoryChange(section, "changed", shown(current), what, location(current)));
            }
            else changes.Add(new InventoryChange(section, "removed", shown(item), describe(item), location(item)));
        }
        foreach (var (key, item) in now.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!old.ContainsKey(key)) changes.Add(new InventoryChange(section, "added", shown(item), describe(item), location(item)));
    }
}
