using System.Collections.Concurrent;
using Preflight.Content;
using Preflight.Detectors.Migrations.MySql;
using Preflight.Detectors.Migrations.Postgres;
using Preflight.Detectors.Migrations.SqlServer;
using Preflight.Findings;

namespace Preflight.Detectors.Migrations;

/// <summary>
/// The <c>migrations</c> detector (PF5xx). Finds schema migrations by convention and content (Flyway,
/// Liquibase formatted SQL, golang-migrate, EF Core C#, plain SQL under <c>migrations/</c>, <c>db/</c>,
/// <c>sql/</c>, <c>schema/</c>), parses each PostgreSQL migration once into a compact statement model, and at
/// the end walks them in the runner's order to find statements that lock, rewrite or break.
/// </summary>
public sealed class MigrationsDetector : IDetector, IDisposable
{
    /// <summary>Assemblies examined so far that reference no migration library (EF Core, DbUp, FluentMigrator).</summary>
    private readonly CopyMemo<string> _withoutMigrations = new();

    private readonly ConcurrentBag<Parsed> _migrations = [];
    // Created with the first migration (the budget comes with the scan's options); closed at the end of the scan.
    private PgStatementSpill? _spill;
    private readonly ConcurrentDictionary<string, string> _flywayInitSql = new(StringComparer.Ordinal);
    private readonly MigrationRunners _runners = new();

    private sealed record Parsed(PgMigration Migration, MigrationKind Kind, string Dialect, int Statements, IReadOnlyList<SqlEvent>? Events = null);

    /// <summary>What the baseline scan keeps for the new package's scan: its PostgreSQL migrations in order (the schema that exists) and the keys of every migration it applied.</summary>
    private sealed record BaselineSchema(IReadOnlyList<PgMigration> Migrations, IReadOnlySet<string> Applied);

    /// <inheritdoc />
    public string Id => MigrationRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => MigrationRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry) =>
        entry.Kind is ContentKind.DotNetAssembly
        || (entry.Kind is ContentKind.Text && (MigrationDiscovery.Wants(entry.Path, entry.FileName, entry.Extension) || MigrationRunners.Wants(entry.FileName, entry.Extension)))
        || (entry.FileName.Contains("nochangeloglock", StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        var info = context.Info;
        if (info.Kind == ContentKind.DotNetAssembly)
        {
            try
            {
                AnalyzeAssembly(context);
            }
            catch (Exception ex) when (CecilFailures.IsMalformedMetadata(ex))
            {
                context.Diagnostic(info.Path, $"the assembly's metadata is malformed ({ex.GetType().Name}); its migrations could not be read");
            }
            return;
        }
        if (info.FileName.Contains("nochangeloglock", StringComparison.OrdinalIgnoreCase))
        {
            _runners.ReadText(info.Path, info.FileName, info.Extension, string.Empty);
            return;
        }
        if (!context.Content.IsText) return;
        // A migration is read from the entry's decoded characters; a string of the whole file is made only for the
        // paths that need one (runner configs, shell scripts, C#, the T-SQL and MySQL parsers). SQL files of a
        // package were most of the scan's large strings.
        var chars = context.Content.TextMemory;
        if (MigrationRunners.Wants(info.FileName, info.Extension) && _runners.ReadText(info.Path, info.FileName, info.Extension, context.Content.Text)) return;
        if (info.FileName is "flyway.conf" or "flyway.toml")
        {
            _runners.FlywayConfigured();
            if (MigrationDiscovery.FlywayInitSql(context.Content.Text) is { } init) _flywayInitSql[info.Path] = init;
            return;
        }
        if (MigrationDiscovery.IsShellScript(info.FileName, info.Extension, chars.Span))
        {
            int line = MigrationDiscovery.UnlockedApplyLoop(chars.Span);
            // The loop finder counts lines on '\n' alone; LineIndex also ends a line at a lone '\r'. Clamp, so a file
            // mixing the two (found by fuzzing) cannot point past the index.
            var lines = context.Content.Lines;
            if (line > 0) _runners.UnlockedScripts.Add((info.Path, info.FileName, Math.Min(line, lines.Count), TrimEvidence(lines[Math.Min(line, lines.Count)])));
            return;
        }
        if (info.Extension == "") return;
        if (info.Extension == ".cs")
        {
            if (!chars.Span.Contains("MigrationBuilder", StringComparison.Ordinal)) return;
            AnalyzeEfCore(context);
            return;
        }
        var kind = MigrationDiscovery.ClassifySql(info.Path, info.FileName, chars.Span);
        if (kind is null) return;
        string dialect = context.Options.MigrationsDialect ?? MigrationDiscovery.SniffDialect(chars.Span);
        if (dialect != "postgresql")
        {
            var text = context.Content.Text;
            var other = dialect == "sqlserver" ? TSqlAnalyzer.Analyze(text) : MySqlAnalyzer.Analyze(text);
            if (other.Malformed is { } m)
                context.Report(dialect == "sqlserver" ? MigrationRules.MalformedTSql : MigrationRules.Unterminated, context.At(m.Line, m.Column), $"{info.FileName}: {m.Message}; the file was not analysed", $"malformed:{m.Line}");
            _migrations.Add(new Parsed(new PgMigration(info.Path, kind.Runner, kind.Version, kind.Transaction, new PgScript([], null)), kind, dialect, other.Statements, Suppress(context, other.Events)));
            return;
        }
        var script = PgScript.Parse(chars, context.Content.Lines);
        if (script.Unterminated is { } u)
            context.Report(MigrationRules.Unterminated, context.At(u.Line, u.Column),
                $"a literal or comment opened at line {u.Line} is never closed; the rest of {info.FileName} was not analysed", $"unterminated:{u.Line}");
        _migrations.Add(new Parsed(new PgMigration(info.Path, kind.Runner, kind.Version, kind.Transaction, Spill(context).Keep(script)), kind, dialect, script.Count));
    }

    private PgStatementSpill Spill(DetectorContext context)
    {
        var spill = Volatile.Read(ref _spill);
        if (spill is not null) return spill;
        var created = new PgStatementSpill(context.Options.MigrationStatementsInMemory);
        spill = Interlocked.CompareExchange(ref _spill, created, null) ?? created;
        if (!ReferenceEquals(spill, created)) created.Dispose();
        return spill;
    }

    /// <summary>Closes the temporary file that held the statements of a large migration set, if there was one.</summary>
    public void Dispose() => Interlocked.Exchange(ref _spill, null)?.Dispose();

    private void AnalyzeEfCore(EntryContext context)
    {
        var pieces = EfCoreMigrationReader.Read(context.Content.CSharpSyntaxTree, context.CancellationToken);
        if (pieces is null) return;
        var lines = context.Content.Lines;
        var statements = MergeSuppressions(context, EfStatements(pieces, p => TrimEvidence(lines[p.Line])));
        var version = EfCoreMigrationReader.MigrationId(context.Info.FileName);
        AddEfMigration(context, context.Info.Path, version, null, pieces, statements);
    }

    /// <summary>EF Core migrations compiled into an assembly (Mono.Cecil, metadata only), plus the runner facts it carries.</summary>
    private void AnalyzeAssembly(EntryContext context)
    {
        // A copy of an assembly that references no migration library references none either.
        var key = CopyKey.Of(context);
        if (_withoutMigrations.TryGet(key, out _)) return;
        var module = context.Content.Module;
        if (module is null || !EfCoreAssemblyReader.ReferencesEfCore(module) && !module.AssemblyReferences.Any(r => r.Name.StartsWith("dbup", StringComparison.OrdinalIgnoreCase) || r.Name.StartsWith("FluentMigrator", StringComparison.Ordinal)))
        {
            _withoutMigrations.Remember(key, string.Empty);
            return;
        }
        List<EfCompiledMigration> migrations;
        try
        {
            _runners.ReadAssembly(context.Info.Path, module);
            if (!EfCoreAssemblyReader.ReferencesEfCore(module)) return;
            migrations = EfCoreAssemblyReader.Read(module, context.CancellationToken);
        }
        catch (Exception ex) when (Content.CecilFailures.IsMalformedMetadata(ex))
        {
            // method bodies are read lazily: a malformed one surfaces here
            context.Diagnostic(context.Info.Path, $"the EF Core migrations of this assembly could not be read ({ex.GetType().Name})");
            return;
        }
        foreach (var migration in migrations)
        {
            var statements = EfStatements(migration.Pieces, p => p.Call)
                .Select(st => st with { Evidence = Shorten($"{migration.TypeName}: {st.Evidence}") })
                .ToList();
            AddEfMigration(context, context.Info.Path, migration.Id, migration.TypeName, migration.Pieces, statements);
        }
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] : text;

    private void AddEfMigration(DetectorContext context, string path, string? version, string? member, IReadOnlyList<EfSqlPiece> pieces, List<PgScriptStatement> statements)
    {
        bool anySuppressed = pieces.Any(p => p.SuppressTransaction);
        var kind = new MigrationKind("ef-core", version, 0, anySuppressed ? RunnerTransaction.PerChangeset : RunnerTransaction.PerFile);
        var script = Spill(context).Keep(new PgScript(statements, null));
        _migrations.Add(new Parsed(new PgMigration(path, "ef-core", version, kind.Transaction, script) { Member = member }, kind, "postgresql", statements.Count));
    }

    /// <summary>
    /// The statements of an EF Core migration's pieces (from C# source or IL alike). A piece without a line (compiled)
    /// keeps line 0; a translated operation's evidence is <paramref name="evidence"/> of the piece.
    /// </summary>
    private static List<PgScriptStatement> EfStatements(IReadOnlyList<EfSqlPiece> pieces, Func<EfSqlPiece, string> evidence)
    {
        var statements = new List<PgScriptStatement>();
        bool anySuppressed = pieces.Any(p => p.SuppressTransaction);
        bool? previous = null;
        foreach (var piece in pieces)
        {
            // EF Core commits its transaction before a suppressTransaction command and opens a new one after it
            bool startsUnit = previous != piece.SuppressTransaction;
            previous = piece.SuppressTransaction;
            bool first = true;
            var script = PgScript.Parse(piece.Sql);
            foreach (var st in script.Statements)
            {
                var mapped = piece.Line == 0
                    ? st with { Line = 0, Column = 0, Evidence = piece.Verbatim ? st.Evidence : evidence(piece), BadSuppressions = [] }
                    : piece.Verbatim
                        ? st with { Line = piece.Line + st.Line - 1, Column = st.Line == 1 ? piece.Column : st.Column }
                        : st with { Line = piece.Line, Column = piece.Column, Evidence = evidence(piece) };
                statements.Add(anySuppressed && first && startsUnit ? mapped with { StartsChangeset = !piece.SuppressTransaction } : mapped with { StartsChangeset = null });
                first = false;
            }
        }
        return statements;
    }

    /// <summary>C# comments (<c>// preflight-ignore PF501: reason</c>) on the line above a call suppress its findings.</summary>
    private static List<PgScriptStatement> MergeSuppressions(EntryContext context, List<PgScriptStatement> statements)
    {
        var lines = context.Content.Lines;
        var result = new List<PgScriptStatement>(statements.Count);
        foreach (var st in statements)
        {
            if (st.Line < 2 || st.Line - 1 > lines.Count) { result.Add(st); continue; }
            var above = lines[st.Line - 1].Trim();
            if (!above.StartsWith("//", StringComparison.Ordinal) || !above.Contains("preflight-ignore", StringComparison.OrdinalIgnoreCase)) { result.Add(st); continue; }
            var parsed = PgScript.Parse("--" + above[2..].ToString() + "\nSELECT 1");
            var s0 = parsed.Statements[0];
            var suppressions = new Dictionary<string, string>(st.Suppressions, StringComparer.Ordinal);
            foreach (var kv in s0.Suppressions) suppressions[kv.Key] = kv.Value;
            result.Add(st with
            {
                Suppressions = suppressions,
                BadSuppressions = [.. st.BadSuppressions, .. s0.BadSuppressions.Select(b => (st.Line - 1, b.Column, b.RuleId))],
            });
        }
        return result;
    }

    /// <summary>T-SQL and MySQL: <c>-- preflight-ignore PF5xx: reason</c> in the comment lines right above a statement.</summary>
    private static List<SqlEvent> Suppress(EntryContext context, IReadOnlyList<SqlEvent> events)
    {
        var lines = context.Content.Lines;
        var result = new List<SqlEvent>(events.Count);
        var reported = new HashSet<int>();
        foreach (var e in events)
        {
            if (e.Issue is not { } issue || issue.Line < 2 || issue.Line > lines.Count) { result.Add(e); continue; }
            int first = issue.Line;
            while (first > 1 && lines[first - 1].TrimStart().StartsWith("--", StringComparison.Ordinal)) first--;
            if (first == issue.Line) { result.Add(e); continue; }
            var sb = new System.Text.StringBuilder();
            for (int l = first; l < issue.Line; l++) sb.Append(lines[l]).Append('\n');
            var comments = PgScript.Parse(sb.Append("SELECT 1").ToString()).Statements[0];
            foreach (var bad in comments.BadSuppressions)
            {
                int line = first + bad.Line - 1;
                if (reported.Add(line))
                    context.Report(MigrationRules.IgnoreWithoutReason, context.At(line, bad.Column),
                        $"preflight-ignore {bad.RuleId} gives no reason, so it suppresses nothing; write `-- preflight-ignore {bad.RuleId}: why this is safe here`",
                        $"ignore-without-reason:{line}");
            }
            result.Add(comments.Suppressions.TryGetValue(issue.Rule.Id, out var reason) ? SqlEvent.Of(issue with { SuppressedBecause = reason }) : e);
        }
        return result;
    }

    private static string TrimEvidence(ReadOnlySpan<char> line)
    {
        var t = line.Trim();
        return (t.Length > 160 ? t[..160] : t).ToString();
    }

    /// <inheritdoc />
    public void Complete(DetectorContext context)
    {
        var ordered = Order(_migrations);
        foreach (var p in ordered)
            context.Inventory.Add(new MigrationItem(new Location(p.Migration.Path), p.Kind.Runner, p.Dialect, p.Kind.Version, p.Statements)
            {
                RunnerLocks = _runners.Locks(p.Kind.Runner),
                Member = p.Migration.Member,
            });
        // Flyway's initSql runs on every connection: its SET lock_timeout is in force in every Flyway migration
        var init = _flywayInitSql.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => PgScript.Parse(kv.Value)).FirstOrDefault();
        var postgres = ordered.Where(p => p.Dialect == "postgresql")
            .Select(p => init is not null && p.Kind.Runner == "flyway" ? p.Migration with { SessionInit = init } : p.Migration)
            .ToList();
        if (context.ScanningBaseline)
        {
            // the installed version's migrations are the schema the new package's migrations run against; they outlive
            // this scan (and its spill file), so they are kept in memory
            context.KeepForUpgrade(Id, new BaselineSchema([.. postgres.Select(m => m with { Script = m.Script.InMemory() })],
                ordered.Select(p => AppliedKey(p.Migration)).ToHashSet(StringComparer.Ordinal)));
            return;
        }
        var baseline = context.BaselineSummary(Id) as BaselineSchema;
        var applied = baseline?.Applied;
        ReportOtherDialects(context, [.. ordered.Where(p => applied is null || !applied.Contains(AppliedKey(p.Migration)))]);
        var analyzer = new PgAnalyzer(context.Options.PostgresVersion);
        if (baseline is not null) analyzer.SeedMigrations(baseline.Migrations);
        foreach (var m in postgres)
            if (applied is null || !applied.Contains(AppliedKey(m))) analyzer.Analyze(m);
        foreach (var issue in analyzer.Issues)
        {
            var st = issue.Statement;
            var properties = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["runner"] = issue.Migration.Runner,
                ["runnerLocks"] = LocksText(issue.Migration.Runner),
                ["statement"] = st.Statement.Verb,
            };
            if (issue.Table is not null) properties["table"] = issue.Table;
            if (issue.Migration.Member is { } member) properties["member"] = member;
            if (issue.Lock != PgLockMode.None)
            {
                properties["lock"] = PgLockModes.Name(issue.Lock);
                properties["blocks"] = PgLockModes.Blocks(issue.Lock);
            }
            context.Report(issue.Rule, new Location(issue.Migration.Path, st.Line > 0 ? st.Line : null, st.Column > 0 ? st.Column : null), issue.Message,
                identity: $"{st.Evidence}\n{issue.Message}", evidence: st.Evidence, severity: issue.Severity,
                properties: properties, suppressionReason: issue.SuppressedBecause);
        }
        ReportRunnerLocks(context, ordered);
    }

    /// <summary>A migration the installed version already applied (same runner and version, or same path when unversioned) is not run again.</summary>
    private static string AppliedKey(PgMigration m) => $"{m.Runner}\0{m.Version ?? m.Path}";

    private string LocksText(string runner) => _runners.Locks(runner) switch
    {
        true => "true",
        false => "false",
        null => "unknown",
    };

    /// <summary>PF518: scripts looping psql/sqlcmd without a lock, EF Core before 9, DbUp and FluentMigrator.</summary>
    private void ReportRunnerLocks(DetectorContext context, List<Parsed> ordered)
    {
        foreach (var (path, fileName, line, evidence) in _runners.UnlockedScripts.OrderBy(s => s.Path, StringComparer.Ordinal))
        {
            var several = _runners.SeveralInstances(fileName);
            string why = several is not null
                ? $"{several} starts it, so several instances can run the same migrations at once (high)"
                : "nothing in the package starts it on several instances, but two hosts upgrading at once would still run the same migrations twice (medium)";
            context.Report(MigrationRules.RunnerWithoutLock, new Location(path, line, 1),
                $"{fileName} applies SQL files one by one with psql/sqlcmd and takes no lock (no flock, pg_advisory_lock or sp_getapplock): {why}; serialise it with flock or use a runner that locks",
                identity: evidence, evidence: evidence, severity: several is not null ? Severity.High : Severity.Medium,
                properties: new Dictionary<string, string>(StringComparer.Ordinal) { ["runner"] = "script", ["runnerLocks"] = "false", ["instances"] = several ?? "one" });
        }
        if (_runners.Locks("ef-core") == false && ordered.FirstOrDefault(p => p.Kind.Runner == "ef-core") is { } ef && _runners.EfCoreVersion is { } version)
        {
            var starts = _runners.EfMigrateCalls;
            string why = starts.Count > 0
                ? $"the application calls Migrate() at start ({starts[0]}), so every instance applies the migrations and several can run them at once (high)"
                : "run it from one place only (a migration bundle or `dotnet ef database update` in one job) (medium)";
            context.Report(MigrationRules.RunnerWithoutLock, new Location(ef.Migration.Path),
                $"EF Core {version.Major} (from {version.Source}) takes no lock against a concurrent migration run; the __EFMigrationsLock table came with EF Core 9: {why}",
                identity: $"ef-core {version.Major}", evidence: $"EF Core {version.Major} ({version.Source})", severity: starts.Count > 0 ? Severity.High : Severity.Medium,
                properties: new Dictionary<string, string>(StringComparer.Ordinal) { ["runner"] = "ef-core", ["runnerLocks"] = "false", ["efCoreVersion"] = version.Major.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        foreach (var group in _runners.AppRunners.GroupBy(r => r.Runner))
        {
            var (runner, path, caller) = group.OrderBy(r => r.Caller is null).First();
            string name = runner == "dbup" ? "DbUp" : "FluentMigrator";
            string why = caller is not null
                ? $"{caller} runs it, so every instance of the application applies the migrations and several can run them at once (high)"
                : "apply them from one place only (medium)";
            context.Report(MigrationRules.RunnerWithoutLock, new Location(path),
                $"{name} takes no lock against a concurrent migration run: {why}; take pg_advisory_lock / sp_getapplock around the upgrade",
                identity: $"{runner} {caller}", evidence: caller ?? name, severity: caller is not null ? Severity.High : Severity.Medium,
                properties: new Dictionary<string, string>(StringComparer.Ordinal) { ["runner"] = runner, ["runnerLocks"] = "false" });
        }
    }

    /// <summary>T-SQL and MySQL: walks the files in order, dropping findings on tables an earlier statement of the set created.</summary>
    private void ReportOtherDialects(DetectorContext context, List<Parsed> ordered)
    {
        var created = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var p in ordered)
        {
            if (p.Events is null) continue;
            if (!created.TryGetValue(p.Dialect, out var tables)) created[p.Dialect] = tables = new HashSet<string>(StringComparer.Ordinal);
            foreach (var issue in SqlEvent.Effective(p.Events, tables))
            {
                var properties = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["runner"] = p.Kind.Runner,
                    ["runnerLocks"] = LocksText(p.Kind.Runner),
                    ["dialect"] = p.Dialect,
                    ["statement"] = issue.Statement,
                };
                if (issue.Table is not null) properties["table"] = issue.Table;
                if (issue.Lock is not null) properties["lock"] = issue.Lock;
                context.Report(issue.Rule, new Location(p.Migration.Path, issue.Line, issue.Column), issue.Message,
                    identity: $"{issue.Evidence}\n{issue.Message}", evidence: issue.Evidence, properties: properties,
                    suppressionReason: issue.SuppressedBecause);
            }
        }
    }

    /// <summary>The runner's order: by runner, then versioned before repeatable, then version (natural order), then path.</summary>
    private static List<Parsed> Order(IEnumerable<Parsed> migrations) =>
        [.. migrations
            .OrderBy(p => RunnerRank(p.Kind.Runner))
            .ThenBy(p => p.Kind.Group)
            .ThenBy(p => p.Kind.Version, Comparer<string?>.Create(MigrationDiscovery.CompareVersions))
            .ThenBy(p => p.Migration.Path, Comparer<string>.Create(MigrationDiscovery.NaturalCompare))];

    private static int RunnerRank(string runner) => runner switch
    {
        "flyway" => 0,
        "liquibase" => 1,
        "golang-migrate" => 2,
        "ef-core" => 3,
        _ => 4,
    };
}
