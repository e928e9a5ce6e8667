using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Preflight.Detectors.Migrations;

/// <summary>
/// What the package says about how its migrations are applied, gathered across entries (thread-safe): the EF Core
/// version it uses, application code that applies migrations itself at start (EF Core <c>Migrate()</c>, DbUp
/// <c>PerformUpgrade()</c>, FluentMigrator <c>MigrateUp()</c>), Liquibase's <c>nochangeloglock</c>, and what starts
/// scripts (systemd units, Kubernetes workloads with several replicas). Decides at the end whether each runner locks.
/// </summary>
internal sealed partial class MigrationRunners
{
    private readonly ConcurrentBag<(int Major, string Source)> _efVersions = [];
    private readonly ConcurrentBag<string> _efMigrateCalls = [];
    private readonly ConcurrentBag<(string Runner, string Path, string? Caller)> _appRunners = [];
    private readonly ConcurrentBag<(string Path, string What, string Text)> _launchers = [];
    private int _noChangelogLock;
    private int _flywayConfig;

    /// <summary>The package has a Flyway configuration (<c>flyway.conf</c>, <c>flyway.toml</c>): Flyway-named files are applied by Flyway.</summary>
    public void FlywayConfigured() => Interlocked.Exchange(ref _flywayConfig, 1);

    /// <summary>A script that applies SQL files in a loop without a lock (PF518 candidate).</summary>
    public ConcurrentBag<(string Path, string FileName, int Line, string Evidence)> UnlockedScripts { get; } = [];

    /// <summary>The gate for the entries that carry runner facts (beyond migrations and scripts themselves).</summary>
    public static bool Wants(string fileName, string extension) =>
        fileName.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)
        || extension is ".csproj" or ".props" or ".service" or ".yaml" or ".yml"
        || fileName.Contains("nochangeloglock", StringComparison.OrdinalIgnoreCase)
        || fileName.Equals("liquibase.properties", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the runner facts of a text entry; true when it was one of the entries <see cref="Wants"/> names.</summary>
    public bool ReadText(string path, string fileName, string extension, string text)
    {
        if (fileName.Contains("nochangeloglock", StringComparison.OrdinalIgnoreCase)
            || (fileName.Equals("liquibase.properties", StringComparison.OrdinalIgnoreCase) && text.Contains("nochangeloglock", StringComparison.OrdinalIgnoreCase)))
        {
            Interlocked.Exchange(ref _noChangelogLock, 1);
            return true;
        }
        if (fileName.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase) || extension is ".csproj" or ".props")
        {
            // Each pattern starts with a literal the text must hold; most project files hold neither, and the
            // non-backtracking regexes are built (and keep their state, 1-2 MiB each) only when one is there.
            // OrdinalIgnoreCase stands for the pattern's IgnoreCase: package ids are ASCII, and of these letters
            // only "i" has a non-ASCII variant, and only under a Turkish culture.
            if (text.Contains("\"Microsoft.EntityFrameworkCore", StringComparison.Ordinal))
            {
                foreach (Match m in EfPackageVersion.Matches(text))
                    _efVersions.Add((int.Parse(m.Groups["major"].Value, CultureInfo.InvariantCulture), path));
            }
            if (text.Contains("\"dbup", StringComparison.OrdinalIgnoreCase) || text.Contains("\"FluentMigrator.Runner", StringComparison.OrdinalIgnoreCase))
            {
                foreach (Match m in OtherRunnerPackage.Matches(text))
                    _appRunners.Add((m.Groups["name"].Value.StartsWith("dbup", StringComparison.OrdinalIgnoreCase) ? "dbup" : "fluentmigrator", path, null));
            }
            return true;
        }
        if (extension == ".service")
        {
            var exec = string.Join('\n', text.Split('\n').Where(l => l.TrimStart().StartsWith("Exec", StringComparison.Ordinal)));
            if (exec.Length > 0) _launchers.Add((path, $"the systemd unit {fileName}", exec));
            return true;
        }
        if (extension is ".yaml" or ".yml")
        {
            // a Kubernetes workload that runs several pods at once: every pod runs the container's command
            if (!text.Contains("kind:", StringComparison.Ordinal)) return true; // the pattern's literal: most YAML is no workload
            var kind = WorkloadKind.Match(text);
            if (!kind.Success) return true;
            int replicas = Replicas.Match(text) is { Success: true } r && int.TryParse(r.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 1;
            if (kind.Groups["kind"].Value == "DaemonSet" || replicas > 1)
                _launchers.Add((path, $"the Kubernetes {kind.Groups["kind"].Value} in {fileName} ({(kind.Groups["kind"].Value == "DaemonSet" ? "one pod per node" : $"{replicas} replicas")})", text.Length > 65536 ? text[..65536] : text));
            return true;
        }
        return false;
    }

    /// <summary>Reads the runner facts of an assembly: the EF Core it references, and calls that apply migrations at start.</summary>
    public void ReadAssembly(string path, ModuleDefinition module)
    {
        string? name = module.Assembly?.Name.Name;
        if (name is "Microsoft.EntityFrameworkCore" or "Microsoft.EntityFrameworkCore.Relational" && module.Assembly!.Name.Version is { Major: > 0 } own)
            _efVersions.Add((own.Major, path));
        bool efCore = false, dbUp = false, fluent = false;
        foreach (var r in module.AssemblyReferences)
        {
            if (r.Name is "Microsoft.EntityFrameworkCore" or "Microsoft.EntityFrameworkCore.Relational")
            {
                efCore = true;
                if (r.Version is { Major: > 0 }) _efVersions.Add((r.Version.Major, path));
            }
            else if (r.Name.StartsWith("dbup", StringComparison.OrdinalIgnoreCase)) dbUp = true;
            else if (r.Name.StartsWith("FluentMigrator", StringComparison.Ordinal)) fluent = true;
        }
        if (!efCore && !dbUp && !fluent) return;
        string? dbUpCaller = null, fluentCaller = null;
        foreach (var type in module.GetTypes())
        {
            foreach (var method in type.Methods)
            {
                if (!method.HasBody) continue;
                foreach (var ins in method.Body.Instructions)
                {
                    if (ins.OpCode.Code is not (Code.Call or Code.Callvirt) || ins.Operand is not MethodReference callee) continue;
                    string caller = type.FullName + "::" + method.Name;
                    if (efCore && callee.Name is "Migrate" or "MigrateAsync" && callee.DeclaringType.Name == "RelationalDatabaseFacadeExtensions")
                        _efMigrateCalls.Add($"{path} ({caller})");
                    else if (dbUp && callee.Name == "PerformUpgrade") dbUpCaller ??= caller;
                    else if (fluent && callee.Name is "MigrateUp") fluentCaller ??= caller;
                }
            }
        }
        if (dbUp) _appRunners.Add(("dbup", path, dbUpCaller));
        if (fluent) _appRunners.Add(("fluentmigrator", path, fluentCaller));
    }

    /// <summary>The EF Core major version the package uses (the highest seen), with where it was seen; null when unknown.</summary>
    public (int Major, string Source)? EfCoreVersion => _efVersions.IsEmpty ? null : _efVersions.OrderByDescending(v => v.Major).ThenBy(v => v.Source, StringComparer.Ordinal).First();

    /// <summary>Where the package's code calls EF Core's <c>Migrate()</c>/<c>MigrateAsync()</c> (applied by the application at start).</summary>
    public IReadOnlyList<string> EfMigrateCalls => [.. _efMigrateCalls.Distinct().Order(StringComparer.Ordinal)];

    /// <summary>DbUp and FluentMigrator runners: the assembly or project that uses them and the method that runs them, if found.</summary>
    public IReadOnlyList<(string Runner, string Path, string? Caller)> AppRunners =>
        [.. _appRunners.GroupBy(r => (r.Runner, r.Path)).Select(g => g.OrderBy(r => r.Caller is null).First()).OrderBy(r => r.Runner, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal)];

    /// <summary>Whether a runner locks against a concurrent run: true, false, or null when it is not known.</summary>
    public bool? Locks(string runner) => runner switch
    {
        // Flyway-named files without a Flyway configuration, in a package whose script applies SQL files with
        // psql/sqlcmd: that script may be their runner, so whether they run under a lock is not known
        "flyway" => Volatile.Read(ref _flywayConfig) == 1 || UnlockedScripts.IsEmpty ? true : null,
        "golang-migrate" => true,
        "liquibase" => Volatile.Read(ref _noChangelogLock) == 0,
        "ef-core" => EfCoreVersion is { } v ? v.Major >= 9 : null,
        "dbup" or "fluentmigrator" => false,
        _ => null,
    };

    /// <summary>What starts <paramref name="fileName"/> so that several instances could run it at once, or null.</summary>
    public string? SeveralInstances(string fileName)
    {
        foreach (var (_, what, text) in _launchers.OrderBy(l => l.Path, StringComparer.Ordinal))
        {
            int at = 0;
            while ((at = text.IndexOf(fileName, at, StringComparison.Ordinal)) >= 0)
            {
                bool before = at == 0 || !IsNameChar(text[at - 1]);
                bool after = at + fileName.Length >= text.Length || !IsNameChar(text[at + fileName.Length]);
                if (before && after) return what;
                at += fileName.Length;
            }
        }
        return null;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    // Run on the backtracking engine first, the non-backtracking one past this limit (for one search through a whole
    // file; see Content.TimedRegex): a non-backtracking regex costs tens of milliseconds to build, and the first one
    // brings its engine to the JIT.
    private const int PatternLimitMilliseconds = 200;

    [GeneratedRegex(@"""Microsoft\.EntityFrameworkCore(\.Relational)?(/|""\s+Version\s*=\s*"")(?<major>\d{1,3})\.", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex EfPackageVersionPattern();

    internal static readonly Content.TimedRegex EfPackageVersion = new(EfPackageVersionPattern());

    [GeneratedRegex(@"""(?<name>dbup[\w.-]*|FluentMigrator\.Runner[\w.]*)(/|""\s+Version\s*=)", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex OtherRunnerPackagePattern();

    internal static readonly Content.TimedRegex OtherRunnerPackage = new(OtherRunnerPackagePattern());

    [GeneratedRegex(@"^kind:\s*(?<kind>Deployment|StatefulSet|DaemonSet|ReplicaSet)\s*$", RegexOptions.Multiline, PatternLimitMilliseconds)]
    private static partial Regex WorkloadKindPattern();

    internal static readonly Content.TimedRegex WorkloadKind = new(WorkloadKindPattern());

    [GeneratedRegex(@"^\s*replicas:\s*(?<n>\d{1,6})\s*$", RegexOptions.Multiline, PatternLimitMilliseconds)]
    private static partial Regex ReplicasPattern();

    internal static readonly Content.TimedRegex Replicas = new(ReplicasPattern());
}
