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
public sealed class MigrationsDetector : IDetector
{
    private readonly ConcurrentBag<Parsed> _migrations = [];
    private readonly ConcurrentDictionary<string, string> _flywayInitSql = new(StringComparer.Ordinal);

    private sealed record Parsed(PgMigration Migration, MigrationKind Kind, string Dialect, int Statements, IReadOnlyList<SqlEvent>? Events = null);

    /// <inheritdoc />
    public string Id => MigrationRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => MigrationRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry) =>
        entry.Kind is ContentKind.Text && MigrationDiscovery.Wants(entry.Path, entry.FileName, entry.Extension);

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        var info = context.Info;
        if (!context.Content.IsText) return;
        var text = context.Content.Text;
        if (info.FileName is "flyway.conf" or "flyway.toml")
        {
            if (MigrationDiscovery.FlywayInitSql(text) is { } init) _flywayInitSql[info.Path] = init;
            return;
        }
        if (info.Extension is ".sh" or ".bash" || info.FileName is "postinst" or "preinst")
        {
            int line = MigrationDiscovery.UnlockedApplyLoop(text);
            if (line > 0)
            {
                var evidence = TrimEvidence(context.Content.Lines[line]);
                context.Report(MigrationRules.RunnerWithoutLock, context.At(line, 1),
                    $"{info.FileName} applies SQL files one by one with psql/sqlcmd and takes no lock: two hosts upgrading at once run the same migrations twice; serialise it with flock or use a runner that locks",
                    identity: evidence, evidence: evidence,
                    properties: new Dictionary<string, string>(StringComparer.Ordinal) { ["runner"] = "script" });
            }
            return;
        }
        if (info.Extension == ".cs")
        {
            if (!text.Contains("MigrationBuilder", StringComparison.Ordinal)) return;
            AnalyzeEfCore(context);
            return;
        }
        var kind = MigrationDiscovery.ClassifySql(info.Path, info.FileName, text);
        if (kind is null) return;
        string dialect = MigrationDiscovery.SniffDialect(text);
        if (dialect != "postgresql")
        {
            var other = dialect == "sqlserver" ? TSqlAnalyzer.Analyze(text) : MySqlAnalyzer.Analyze(text);
            if (other.Malformed is { } m)
                context.Report(dialect == "sqlserver" ? MigrationRules.MalformedTSql : MigrationRules.Unterminated, context.At(m.Line, m.Column), $"{info.FileName}: {m.Message}; the file was not analysed", $"malformed:{m.Line}");
            _migrations.Add(new Parsed(new PgMigration(info.Path, kind.Runner, kind.Version, kind.Transaction, new PgScript([], null)), kind, dialect, other.Statements, Suppress(context, other.Events)));
            return;
        }
        var script = PgScript.Parse(text, context.Content.Lines);
        if (script.Unterminated is { } u)
            context.Report(MigrationRules.Unterminated, context.At(u.Line, u.Column),
                $"a literal or comment opened at line {u.Line} is never closed; the rest of {info.FileName} was not analysed", $"unterminated:{u.Line}");
        _migrations.Add(new Parsed(new PgMigration(info.Path, kind.Runner, kind.Version, kind.Transaction, script), kind, dialect, script.Statements.Count));
    }

    private void AnalyzeEfCore(EntryContext context)
    {
        var pieces = EfCoreMigrationReader.Read(context.Content.CSharpSyntaxTree, context.CancellationToken);
        if (pieces is null) return;
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
                var mapped = piece.Verbatim
                    ? st with { Line = piece.Line + st.Line - 1, Column = st.Line == 1 ? piece.Column : st.Column }
                    : st with { Line = piece.Line, Column = piece.Column, Evidence = TrimEvidence(context.Content.Lines[piece.Line]) };
                statements.Add(anySuppressed && first && startsUnit ? mapped with { StartsChangeset = !piece.SuppressTransaction } : mapped with { StartsChangeset = null });
                first = false;
            }
        }
        var merged = MergeSuppressions(context, statements);
        var version = EfCoreMigrationReader.MigrationId(context.Info.FileName);
        var kind = new MigrationKind("ef-core", version, 0, anySuppressed ? RunnerTransaction.PerChangeset : RunnerTransaction.PerFile);
        _migrations.Add(new Parsed(new PgMigration(context.Info.Path, "ef-core", version, kind.Transaction, new PgScript(merged, null)), kind, "postgresql", merged.Count));
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
            context.Inventory.Add(new MigrationItem(new Location(p.Migration.Path), p.Kind.Runner, p.Dialect, p.Kind.Version, p.Statements));
        ReportOtherDialects(context, ordered);
        // Flyway's initSql runs on every connection: its SET lock_timeout is in force in every Flyway migration
        var init = _flywayInitSql.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => PgScript.Parse(kv.Value)).FirstOrDefault();
        var analyzer = PgAnalyzer.Run(ordered.Where(p => p.Dialect == "postgresql")
            .Select(p => init is not null && p.Kind.Runner == "flyway" ? p.Migration with { SessionInit = init } : p.Migration), context.Options.PostgresVersion);
        foreach (var issue in analyzer.Issues)
        {
            var st = issue.Statement;
            var properties = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["runner"] = issue.Migration.Runner,
                ["statement"] = st.Statement.Verb,
            };
            if (issue.Table is not null) properties["table"] = issue.Table;
            if (issue.Lock != PgLockMode.None)
            {
                properties["lock"] = PgLockModes.Name(issue.Lock);
                properties["blocks"] = PgLockModes.Blocks(issue.Lock);
            }
            context.Report(issue.Rule, new Location(issue.Migration.Path, st.Line, st.Column), issue.Message,
                identity: $"{st.Evidence}\n{issue.Message}", evidence: st.Evidence, severity: issue.Severity,
                properties: properties, suppressionReason: issue.SuppressedBecause);
        }
    }

    /// <summary>T-SQL and MySQL: walks the files in order, dropping findings on tables an earlier statement of the set created.</summary>
    private static void ReportOtherDialects(DetectorContext context, List<Parsed> ordered)
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
