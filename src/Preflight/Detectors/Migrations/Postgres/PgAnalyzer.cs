using Preflight.Findings;

namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>How a runner wraps a migration in a transaction.</summary>
internal enum RunnerTransaction
{
    /// <summary>Autocommit: only explicit BEGIN/COMMIT make a transaction (psql -f, plain scripts, DbUp per script is not modelled).</summary>
    None,
    /// <summary>One transaction per file, unless the file holds a statement that cannot run in one (Flyway on PostgreSQL).</summary>
    PerFileUnlessNonTransactional,
    /// <summary>One transaction per file (EF Core without suppressTransaction).</summary>
    PerFile,
    /// <summary>The whole file is sent as one multi-statement query: an implicit transaction when it holds more than one statement (golang-migrate).</summary>
    MultiStatementQuery,
    /// <summary>One transaction per Liquibase changeset unless <c>runInTransaction:false</c>.</summary>
    PerChangeset,
}

/// <summary>A migration in the runner's order.</summary>
// SessionInit: SQL the runner runs on every connection before the migration (Flyway initSql).
internal sealed record PgMigration(string Path, string Runner, string? Version, RunnerTransaction Transaction, PgScript Script, PgScript? SessionInit = null)
{
    /// <summary>For a migration compiled into an assembly: its class (<see cref="Path"/> is the assembly).</summary>
    public string? Member { get; init; }
}

/// <summary>A rule hit.</summary>
internal sealed record PgIssue(
    RuleDescriptor Rule,
    PgMigration Migration,
    PgScriptStatement Statement,
    string Message,
    string? Table,
    PgLockMode Lock,
    Severity? Severity,
    string? SuppressedBecause);

/// <summary>What the analyser claims one statement does on PostgreSQL.</summary>
internal sealed record PgStatementFacts(PgMigration Migration, PgScriptStatement Statement, string? Table, PgLockMode Lock, bool Rewrites, bool InTransaction, bool ExistingTable);

/// <summary>
/// Walks migrations in the runner's order with the state PostgreSQL would have: which tables the set
/// created, column types it declared, validated NOT NULL checks, the transaction in progress (explicit or the
/// runner's), and the lock_timeout in force. Emits issues and per-statement facts.
/// </summary>
internal sealed class PgAnalyzer
{
    private readonly int _pgVersion;
    private readonly HashSet<string> _createdTables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _indexTable = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Table, string Column), PgType> _columnTypes = [];
    private readonly Dictionary<string, (string Table, string Column)> _notNullChecks = new(StringComparer.Ordinal);
    private readonly HashSet<(string Table, string Column)> _validatedNotNull = [];
    private readonly Dictionary<string, int> _notValidAddedInTx = new(StringComparer.Ordinal);
    // tables the installed version's migrations created: existing, and a CREATE TABLE (IF NOT EXISTS) of one does not make it new
    private readonly HashSet<string> _baselineTables = new(StringComparer.Ordinal);
    private bool _seeding;

    // per-session / per-transaction state
    private bool _inTx;
    private bool _implicitTx;
    private int _txId;
    private string? _sessionLockTimeout;
    private string? _localLockTimeout;
    private bool _localLockTimeoutSet;
    private string? _sessionTimeZone;
    private string? _localTimeZone;
    private bool _localTimeZoneSet;
    private (PgScriptStatement Statement, string Table, PgLockMode Lock)? _txHeavyLock;
    private (PgScriptStatement Statement, string Table)? _txBackfill;
    private bool _txMixReported;

    public List<PgIssue> Issues { get; } = [];
    /// <summary>What the analyser claims for each statement, kept only when <see cref="RecordFacts"/> is set.</summary>
    public List<PgStatementFacts> Facts { get; } = [];

    /// <summary>
    /// Whether <see cref="Facts"/> is filled: the tests that check the claims against a real PostgreSQL need them; a
    /// scan does not, and a large migration set has a fact for each of its statements.
    /// </summary>
    public bool RecordFacts { get; init; }

    public PgAnalyzer(int pgVersion) => _pgVersion = pgVersion;

    public static PgAnalyzer Run(IEnumerable<PgMigration> migrations, int pgVersion)
    {
        var analyzer = new PgAnalyzer(pgVersion);
        foreach (var m in migrations) analyzer.Analyze(m);
        return analyzer;
    }

    /// <summary>
    /// Declares the schema that already exists (a baseline's migrations, a test's seed): its column types, indexes
    /// and validated NOT NULL checks become known, but its tables stay "existing", so the rules apply to them.
    /// </summary>
    public void Seed(PgScript existingSchema)
    {
        foreach (var st in existingSchema.Statements)
        {
            var s = st.Statement;
            if (s.Kind == PgStatementKind.CreateTable && s.Table is not null)
            {
                foreach (var (col, type) in s.Columns) if (type is not null) _columnTypes[(s.Table, col)] = type;
                foreach (var (_, col) in s.NotNullChecks) _validatedNotNull.Add((s.Table, col));
            }
            else if (s.Kind == PgStatementKind.CreateIndex && s.IndexName is not null && s.Table is not null)
                _indexTable[s.IndexName] = s.Table;
        }
    }

    /// <summary>
    /// Replays the installed version's migrations (the <c>--baseline</c> package's) without reporting: the schema they
    /// build (tables, column types, indexes, validated NOT NULL checks) is what the new migrations run against, and
    /// every table they created counts as existing.
    /// </summary>
    public void SeedMigrations(IEnumerable<PgMigration> installed)
    {
        _seeding = true;
        try
        {
            foreach (var m in installed) Analyze(m);
        }
        finally
        {
            _seeding = false;
        }
        _baselineTables.UnionWith(_createdTables);
        _createdTables.Clear();
        _notValidAddedInTx.Clear();
    }

    private static bool IsNonTransactional(PgStatement s, int pgVersion) => s.Kind switch
    {
        PgStatementKind.CreateIndex or PgStatementKind.DropIndex or PgStatementKind.Reindex => s.Concurrently,
        PgStatementKind.Vacuum => true,
        PgStatementKind.AlterTable => s.Actions.Any(a => a.Kind == PgAlterKind.DetachPartition && a.Concurrently),
        PgStatementKind.AlterTypeAddValue => pgVersion < 12,
        _ => false,
    };

    private static bool IsExecutable(PgStatement s) => s.Kind != PgStatementKind.MetaCommand;

    public void Analyze(PgMigration m)
    {
        // each migration starts a fresh session as far as settings go: a timeout set by an earlier file is not counted
        _sessionLockTimeout = null;
        _sessionTimeZone = null;
        EndTx();
        if (m.SessionInit is not null)
            foreach (var st in m.SessionInit.Statements)
                if (st.Statement.Kind == PgStatementKind.Set) ApplySet(st.Statement);
        var statements = m.Script.Statements;
        bool fileTx = m.Transaction switch
        {
            RunnerTransaction.PerFile => true,
            RunnerTransaction.PerFileUnlessNonTransactional => !statements.Any(s => IsNonTransactional(s.Statement, _pgVersion)),
            RunnerTransaction.MultiStatementQuery => statements.Count(s => IsExecutable(s.Statement)) > 1,
            _ => false,
        };
        if (fileTx) BeginTx(implicitTx: true);
        foreach (var st in statements)
        {
            foreach (var (line, column, ruleId) in _seeding ? [] : st.BadSuppressions)
                Issues.Add(new PgIssue(MigrationRules.IgnoreWithoutReason, m, st with { Line = line, Column = column },
                    $"`preflight-ignore {ruleId}` has no reason after a colon, so it suppresses nothing", null, PgLockMode.None, null, null));
            if (m.Transaction == RunnerTransaction.PerChangeset && st.StartsChangeset is { } inTx)
            {
                EndTx();
                if (inTx) BeginTx(implicitTx: true);
            }
            AnalyzeStatement(m, st);
        }
        EndTx();
    }

    private void BeginTx(bool implicitTx)
    {
        _inTx = true;
        _implicitTx = implicitTx;
        _txId++;
        _localLockTimeoutSet = false;
        _localTimeZoneSet = false;
        _txHeavyLock = null;
        _txBackfill = null;
        _txMixReported = false;
    }

    private void EndTx()
    {
        _inTx = false;
        _implicitTx = false;
        _localLockTimeoutSet = false;
        _localTimeZoneSet = false;
        _txHeavyLock = null;
        _txBackfill = null;
        _notValidAddedInTx.Clear();
    }

    private string? LockTimeout => _localLockTimeoutSet ? _localLockTimeout : _sessionLockTimeout;
    private string? TimeZone => _localTimeZoneSet ? _localTimeZone : _sessionTimeZone;

    /// <summary>A lock_timeout value that bounds the wait: set, and not zero.</summary>
    internal static bool IsEffectiveTimeout(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return false;
        var v = value.Trim().Trim('\'').Trim();
        int i = 0;
        while (i < v.Length && (char.IsAsciiDigit(v[i]) || v[i] == '.')) i++;
        if (i == 0) return false;
        return double.TryParse(v.AsSpan(0, i), System.Globalization.CultureInfo.InvariantCulture, out double d) && d > 0;
    }

    private bool IsExisting(string? table) => table is not null && !_createdTables.Contains(table);

    private void Report(PgMigration m, PgScriptStatement st, RuleDescriptor rule, string message, string? table, PgLockMode mode, Severity? severity = null)
    {
        if (_seeding) return;
        st.Suppressions.TryGetValue(rule.Id, out var reason);
        Issues.Add(new PgIssue(rule, m, st, message, table, mode, severity, reason));
    }

    private static string Lock(PgLockMode mode) => $"{PgLockModes.Name(mode)} ({PgLockModes.Blocks(mode)})";

    private void AnalyzeStatement(PgMigration m, PgScriptStatement st)
    {
        var s = st.Statement;
        switch (s.Kind)
        {
            case PgStatementKind.Begin:
                if (!_inTx) BeginTx(implicitTx: false);
                return;
            case PgStatementKind.Commit:
            case PgStatementKind.Rollback:
                if (_inTx && _implicitTx && m.Transaction != RunnerTransaction.MultiStatementQuery)
                {
                    // COMMIT inside the runner's transaction ends it; what follows runs in autocommit
                    EndTx();
                    return;
                }
                EndTx();
                return;
            case PgStatementKind.Set:
                ApplySet(s);
                return;
            case PgStatementKind.Reset:
                if (s.SettingName is "lock_timeout" or "all") { _sessionLockTimeout = null; _localLockTimeoutSet = false; }
                if (s.SettingName is "timezone" or "all") { _sessionTimeZone = null; _localTimeZoneSet = false; }
                return;
        }

        if (IsNonTransactional(s, _pgVersion) && _inTx)
        {
            string why = _implicitTx ? $"the runner ({m.Runner}) wraps this migration in a transaction" : "it follows an explicit BEGIN";
            Report(m, st, MigrationRules.ConcurrentlyInTransaction,
                $"{s.Verb}{(s.Concurrently ? " CONCURRENTLY" : "")} cannot run inside a transaction block, and {why}: PostgreSQL rejects it and the migration fails",
                s.Table, s.LockMode);
        }

        string? table = s.Table;
        if (s.Kind == PgStatementKind.DropIndex && s.IndexName is not null)
            table = _indexTable.GetValueOrDefault(s.IndexName);
        if (s.Kind == PgStatementKind.Reindex && s.IndexName is not null)
            table = _indexTable.GetValueOrDefault(s.IndexName);
        bool existing = s.Kind switch
        {
            PgStatementKind.DropIndex or PgStatementKind.Reindex when table is null => s.IndexName is null || !_indexTable.ContainsKey(s.IndexName),
            _ => IsExisting(table),
        };
        string tableText = table ?? (s.IndexName is not null ? $"the table of index {s.IndexName}" : "the table");
        bool rewrites = false;

        switch (s.Kind)
        {
            case PgStatementKind.CreateTable:
                if (s.Table is not null)
                {
                    if (!_baselineTables.Contains(s.Table)) _createdTables.Add(s.Table);
                    foreach (var (col, type) in s.Columns) if (type is not null) _columnTypes[(s.Table, col)] = type;
                    foreach (var (name, col) in s.NotNullChecks) { _validatedNotNull.Add((s.Table, col)); if (name is not null) _notNullChecks[name] = (s.Table, col); }
                }
                foreach (var referenced in s.References.Where(IsExisting).Distinct())
                    HeavyLock(m, st, referenced, PgLockMode.ShareRowExclusive, $"CREATE TABLE {s.Table} with a foreign key");
                existing = false;
                break;

            case PgStatementKind.CreateIndex:
                if (s.IndexName is not null && s.Table is not null) _indexTable[s.IndexName] = s.Table;
                if (existing && !s.Concurrently)
                {
                    Report(m, st, MigrationRules.IndexWithoutConcurrently,
                        $"{s.Verb} on existing table {table} takes {Lock(PgLockMode.Share)} for the whole build; use CREATE {(s.Unique ? "UNIQUE " : "")}INDEX CONCURRENTLY outside a transaction",
                        table, PgLockMode.Share);
                }
                break;

            case PgStatementKind.DropIndex:
                if (existing && !s.Concurrently)
                    Report(m, st, MigrationRules.DropIndexWithoutConcurrently,
                        $"DROP INDEX {s.IndexName} takes {Lock(PgLockMode.AccessExclusive)} on {tableText}; use DROP INDEX CONCURRENTLY outside a transaction",
                        table, PgLockMode.AccessExclusive);
                break;

            case PgStatementKind.DropTable:
                foreach (var t in s.Tables.Where(IsExisting))
                    Report(m, st, MigrationRules.BackwardIncompatible,
                        $"DROP TABLE {t} breaks the running version if it still reads or writes {t}; drop it in a later release", t, PgLockMode.AccessExclusive);
                foreach (var t in s.Tables) { _createdTables.Remove(t); _baselineTables.Remove(t); }
                existing = s.Tables.Any(IsExisting);
                break;

            case PgStatementKind.AlterTable:
                rewrites = AnalyzeAlter(m, st, s, existing);
                break;

            case PgStatementKind.Vacuum when s.Full:
            case PgStatementKind.Cluster:
                rewrites = true;
                if (existing || s.Tables.Count == 0)
                    Report(m, st, MigrationRules.BlockingMaintenance,
                        $"{s.Verb} {(s.Tables.Count == 0 ? "of every table" : string.Join(", ", s.Tables))} rewrites the table under {Lock(PgLockMode.AccessExclusive)}; use pg_repack outside the upgrade",
                        table, PgLockMode.AccessExclusive);
                break;

            case PgStatementKind.Reindex when !s.Concurrently:
                if (existing)
                    Report(m, st, MigrationRules.BlockingMaintenance,
                        $"REINDEX {s.Target} {s.IndexName ?? s.Table} takes {Lock(PgLockMode.Share)} on {tableText} (and ACCESS EXCLUSIVE on the index, blocking reads that use it); use REINDEX {s.Target} CONCURRENTLY (PostgreSQL 12+)",
                        table, PgLockMode.Share);
                break;

            case PgStatementKind.RefreshMaterializedView when !s.Concurrently:
                rewrites = true;
                if (existing)
                    Report(m, st, MigrationRules.BlockingMaintenance,
                        $"REFRESH MATERIALIZED VIEW {table} takes {Lock(PgLockMode.AccessExclusive)} for the whole refresh; use REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index)",
                        table, PgLockMode.AccessExclusive);
                break;

            case PgStatementKind.LockTable:
                if (existing && PgLockModes.IsHeavy(s.LockMode))
                    Report(m, st, MigrationRules.BlockingMaintenance,
                        $"LOCK TABLE {string.Join(", ", s.Tables)} takes {Lock(s.LockMode)} until the transaction ends", table, s.LockMode);
                break;

            case PgStatementKind.Truncate:
                rewrites = true;
                break;

            case PgStatementKind.Update:
            case PgStatementKind.Delete:
                if (existing && !s.HasWhere)
                    Report(m, st, MigrationRules.FullTableDml,
                        $"{s.Verb} without WHERE touches every row of existing table {table} in one transaction (row locks on all of them until commit); backfill in batches",
                        table, PgLockMode.RowExclusive);
                if (existing) NoteBackfill(m, st, table!);
                break;

            case PgStatementKind.Insert when s.FromSelect:
                if (existing) NoteBackfill(m, st, table!);
                break;
        }

        // heavy locks without a timeout, and DDL mixed with backfills, from the statement's own lock
        var mode = s.LockMode;
        if (s.Kind == PgStatementKind.Reindex && s.Concurrently) mode = PgLockMode.ShareUpdateExclusive;
        if (existing && PgLockModes.IsHeavy(mode) && table is not null || (existing && PgLockModes.IsHeavy(mode) && s.Kind is PgStatementKind.DropIndex or PgStatementKind.Reindex))
            HeavyLock(m, st, table ?? tableText, mode, s.Verb);

        if (!_seeding && RecordFacts) Facts.Add(new PgStatementFacts(m, st, table, mode, rewrites, _inTx, existing));
    }

    private void HeavyLock(PgMigration m, PgScriptStatement st, string table, PgLockMode mode, string what)
    {
        if (!IsEffectiveTimeout(LockTimeout))
        {
            string current = LockTimeout is null ? "no lock_timeout is set" : $"lock_timeout is '{LockTimeout}', which disables the timeout";
            Report(m, st, MigrationRules.LockWithoutTimeout,
                $"{what} waits for {Lock(mode)} on existing table {table} and {current}: while it waits, every later query on {table} queues behind it; SET {(_inTx ? "LOCAL " : "")}lock_timeout = '5s' first",
                table, mode);
        }
        if (_inTx)
        {
            _txHeavyLock ??= (st, table, mode);
            if (_txBackfill is { } b && !_txMixReported) MixReport(m, st, table, mode, b.Table);
        }
    }

    private void NoteBackfill(PgMigration m, PgScriptStatement st, string table)
    {
        if (!_inTx) return;
        _txBackfill ??= (st, table);
        if (_txHeavyLock is { } h && !_txMixReported) MixReport(m, st, h.Table, h.Lock, table);
    }

    private void MixReport(PgMigration m, PgScriptStatement st, string lockedTable, PgLockMode mode, string backfilled)
    {
        _txMixReported = true;
        Report(m, st, MigrationRules.DdlWithBackfill,
            $"this transaction holds {PgLockModes.Name(mode)} on {lockedTable} while it backfills {backfilled}: the lock ({PgLockModes.Blocks(mode)}) lasts for the whole backfill; commit the schema change first",
            lockedTable, mode);
    }

    private void ApplySet(PgStatement s)
    {
        string? name = s.SettingName;
        if (name is not ("lock_timeout" or "timezone")) return;
        if (s.IsLocal && !_inTx) return; // SET LOCAL outside a transaction block has no effect
        if (name == "lock_timeout")
        {
            if (s.IsLocal) { _localLockTimeout = s.SettingValue; _localLockTimeoutSet = true; }
            else { _sessionLockTimeout = s.SettingValue; _localLockTimeoutSet = false; }
        }
        else
        {
            if (s.IsLocal) { _localTimeZone = s.SettingValue; _localTimeZoneSet = true; }
            else { _sessionTimeZone = s.SettingValue; _localTimeZoneSet = false; }
        }
    }

    private bool AnalyzeAlter(PgMigration m, PgScriptStatement st, PgStatement s, bool existing)
    {
        string table = s.Table ?? "?";
        bool rewrites = false;
        foreach (var a in s.Actions)
        {
            switch (a.Kind)
            {
                case PgAlterKind.AddColumn:
                {
                    if (a.Column is not null && a.Type is not null) _columnTypes[(table, a.Column)] = a.Type;
                    string? reason = a.Serial ? $"a {a.Type?.Name} column"
                        : a.Identity ? "an identity column"
                        : a.GeneratedStored ? "a stored generated column"
                        : a.Default == PgDefaultKind.Volatile ? $"a volatile default ({a.DefaultFunction}())"
                        : null;
                    if (reason is not null) rewrites = true;
                    if (!existing) break;
                    if (reason is not null)
                        Report(m, st, MigrationRules.RewritingAddColumn,
                            $"adding {a.Column} as {reason} rewrites existing table {table} and all its indexes under {Lock(PgLockMode.AccessExclusive)}; add it without the default, SET DEFAULT for new rows, backfill in batches",
                            table, PgLockMode.AccessExclusive);
                    else if (a.Default == PgDefaultKind.Unknown)
                        Report(m, st, MigrationRules.RewritingAddColumn,
                            $"adding {a.Column} with DEFAULT {a.DefaultFunction}(...) rewrites existing table {table} under {Lock(PgLockMode.AccessExclusive)} if the function is volatile",
                            table, PgLockMode.AccessExclusive, Severity.Medium);
                    if (a.NotNull && a.Default == PgDefaultKind.None && !a.Serial && !a.Identity && !a.GeneratedStored)
                        Report(m, st, MigrationRules.NotNullColumnWithoutDefault,
                            $"adding NOT NULL column {a.Column} without a default to existing table {table} fails as soon as the table has a row",
                            table, PgLockMode.AccessExclusive);
                    if (a.ReferencedTable is not null && IsExisting(a.ReferencedTable))
                        HeavyLock(m, st, a.ReferencedTable, PgLockMode.ShareRowExclusive, $"the foreign key of {table}.{a.Column}");
                    break;
                }
                case PgAlterKind.DropColumn:
                    if (existing)
                        Report(m, st, MigrationRules.BackwardIncompatible,
                            $"dropping column {table}.{a.Column} breaks the running version if it still reads or writes it; stop using it first, drop it in a later release",
                            table, PgLockMode.AccessExclusive);
                    break;
                case PgAlterKind.RenameColumn:
                    if (existing)
                        Report(m, st, MigrationRules.BackwardIncompatible,
                            $"renaming column {table}.{a.Column} to {a.NewName} breaks the running version, which still uses the old name; add the new column and migrate instead",
                            table, PgLockMode.AccessExclusive);
                    if (a.Column is not null && a.NewName is not null && _columnTypes.Remove((table, a.Column), out var t)) _columnTypes[(table, a.NewName)] = t;
                    break;
                case PgAlterKind.RenameTable:
                    if (existing)
                        Report(m, st, MigrationRules.BackwardIncompatible,
                            $"renaming table {table} to {a.NewName} breaks the running version, which still uses the old name; a view with the old name can bridge the release",
                            table, PgLockMode.AccessExclusive);
                    else if (a.NewName is not null) _createdTables.Add(a.NewName);
                    break;
                case PgAlterKind.AlterColumnType:
                    rewrites |= TypeChange(m, st, table, a, existing);
                    break;
                case PgAlterKind.SetNotNull:
                    if (existing && a.Column is not null && !_validatedNotNull.Contains((table, a.Column)))
                        Report(m, st, MigrationRules.SetNotNullWithoutCheck,
                            _pgVersion >= 12
                                ? $"SET NOT NULL on {table}.{a.Column} scans the whole table under {Lock(PgLockMode.AccessExclusive)}; add CHECK ({a.Column} IS NOT NULL) NOT VALID, VALIDATE it in a later transaction, then SET NOT NULL"
                                : $"SET NOT NULL on {table}.{a.Column} scans the whole table under {Lock(PgLockMode.AccessExclusive)}; before PostgreSQL 12 there is no way to skip the scan, keep a CHECK constraint instead",
                            table, PgLockMode.AccessExclusive);
                    break;
                case PgAlterKind.AddConstraint:
                    AddConstraint(m, st, table, a, existing);
                    break;
                case PgAlterKind.ValidateConstraint:
                    if (a.ConstraintName is not null)
                    {
                        if (_notValidAddedInTx.TryGetValue(a.ConstraintName, out int tx) && tx == _txId && _inTx)
                            Report(m, st, MigrationRules.ValidateInSameTransaction,
                                $"VALIDATE CONSTRAINT {a.ConstraintName} runs in the transaction that added it NOT VALID: the ADD's ACCESS EXCLUSIVE lock on {table} is still held during the scan; commit in between",
                                table, PgLockMode.AccessExclusive);
                        if (_notNullChecks.TryGetValue(a.ConstraintName, out var col)) _validatedNotNull.Add(col);
                    }
                    break;
                case PgAlterKind.SetLogged:
                case PgAlterKind.SetTablespace:
                    rewrites = true;
                    if (existing)
                        Report(m, st, MigrationRules.BlockingMaintenance,
                            $"ALTER TABLE {table} {(a.Kind == PgAlterKind.SetLogged ? "SET LOGGED/UNLOGGED" : "SET TABLESPACE")} rewrites the table under {Lock(PgLockMode.AccessExclusive)}",
                            table, PgLockMode.AccessExclusive);
                    break;
            }
        }
        return rewrites;
    }

    private void AddConstraint(PgMigration m, PgScriptStatement st, string table, PgAlterAction a, bool existing)
    {
        if (a.CheckNotNullColumn is not null)
        {
            if (a.ConstraintName is not null) _notNullChecks[a.ConstraintName] = (table, a.CheckNotNullColumn);
            if (!a.NotValid) _validatedNotNull.Add((table, a.CheckNotNullColumn));
        }
        if (a.NotValid && a.ConstraintName is not null && _inTx) _notValidAddedInTx[a.ConstraintName] = _txId;
        if (!existing) return;
        switch (a.Constraint)
        {
            case PgConstraintKind.Check when !a.NotValid:
                Report(m, st, MigrationRules.ConstraintWithoutNotValid,
                    $"adding CHECK constraint {a.ConstraintName} scans existing table {table} under {Lock(PgLockMode.AccessExclusive)}; add it NOT VALID, then VALIDATE CONSTRAINT in a later transaction",
                    table, PgLockMode.AccessExclusive);
                break;
            case PgConstraintKind.ForeignKey when !a.NotValid:
                Report(m, st, MigrationRules.ConstraintWithoutNotValid,
                    $"adding FOREIGN KEY {a.ConstraintName} scans existing table {table} under {Lock(PgLockMode.ShareRowExclusive)} on {table} and {a.ReferencedTable}; add it NOT VALID, then VALIDATE CONSTRAINT in a later transaction",
                    table, PgLockMode.ShareRowExclusive);
                break;
            case PgConstraintKind.Unique or PgConstraintKind.PrimaryKey or PgConstraintKind.Exclude when !a.UsingIndex:
                Report(m, st, MigrationRules.UniqueWithoutUsingIndex,
                    $"adding {(a.Constraint == PgConstraintKind.PrimaryKey ? "PRIMARY KEY" : a.Constraint.ToString().ToUpperInvariant())} {a.ConstraintName} builds its index on existing table {table} under {Lock(PgLockMode.AccessExclusive)}; CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX",
                    table, PgLockMode.AccessExclusive);
                break;
        }
        if (a.Constraint == PgConstraintKind.ForeignKey && a.ReferencedTable is not null && IsExisting(a.ReferencedTable) && a.ReferencedTable != table)
            HeavyLock(m, st, a.ReferencedTable, PgLockMode.ShareRowExclusive, $"the foreign key {a.ConstraintName} of {table}");
    }

    /// <summary>Reports a rewriting type change; returns whether PostgreSQL rewrites the table.</summary>
    private bool TypeChange(PgMigration m, PgScriptStatement st, string table, PgAlterAction a, bool existing)
    {
        var to = a.Type;
        if (to is null || a.Column is null) return false;
        _columnTypes.TryGetValue((table, a.Column), out var from);
        _columnTypes[(table, a.Column)] = to;
        var verdict = a.HasUsing ? TypeVerdict.Rewrite : Coercion(from, to, TimeZone);
        if (!existing || verdict == TypeVerdict.NoRewrite) return verdict == TypeVerdict.Rewrite;
        if (verdict == TypeVerdict.Rewrite)
            Report(m, st, MigrationRules.RewritingTypeChange,
                $"changing {table}.{a.Column} {(from is null ? "" : $"from {from} ")}to {to} rewrites the table and its indexes under {Lock(PgLockMode.AccessExclusive)}; add a new column, backfill in batches, and switch",
                table, PgLockMode.AccessExclusive);
        else
            Report(m, st, MigrationRules.RewritingTypeChange,
                $"changing {table}.{a.Column} to {to} rewrites the table under {Lock(PgLockMode.AccessExclusive)} unless its current type is binary-coercible ({Coercible(to)}); the migration set does not say what it is",
                table, PgLockMode.AccessExclusive, Severity.Medium);
        return verdict == TypeVerdict.Rewrite;
    }

    private static string Coercible(PgType to) => to.Name switch
    {
        "text" => "varchar of any length",
        "varchar" when to.Length is null => "varchar or text",
        "varchar" => $"varchar({to.Length}) or shorter",
        "numeric" when to.Length is null => "numeric of any precision",
        "numeric" => $"numeric with precision at most {to.Length} and scale {to.Scale}",
        _ => "the same type",
    };

    internal enum TypeVerdict { NoRewrite, Rewrite, Unknown }

    /// <summary>Whether a type change is done without rewriting (PostgreSQL 15, measured).</summary>
    internal static TypeVerdict Coercion(PgType? from, PgType to, string? sessionTimeZone)
    {
        if (to.IsArray) return from is not null && from == to ? TypeVerdict.NoRewrite : from is null ? TypeVerdict.Unknown : TypeVerdict.Rewrite;
        if (from is null)
            return to.Name is "text" or "varchar" or "numeric" ? TypeVerdict.Unknown : TypeVerdict.Rewrite;
        if (from.IsArray) return TypeVerdict.Rewrite;
        if (from == to) return TypeVerdict.NoRewrite;
        switch (from.Name, to.Name)
        {
            case ("varchar", "text"):
            case ("text", "varchar") when to.Length is null:
                return TypeVerdict.NoRewrite;
            case ("varchar", "varchar"):
                return to.Length is null || (from.Length is not null && to.Length >= from.Length) ? TypeVerdict.NoRewrite : TypeVerdict.Rewrite;
            case ("numeric", "numeric"):
                if (to.Length is null) return TypeVerdict.NoRewrite;
                if (from.Length is null) return TypeVerdict.Rewrite;
                return to.Scale == from.Scale && to.Length >= from.Length ? TypeVerdict.NoRewrite : TypeVerdict.Rewrite;
            case ("timestamp", "timestamptz"):
                return IsUtc(sessionTimeZone) ? TypeVerdict.NoRewrite : TypeVerdict.Rewrite;
            case ("cidr", "inet"):
                return TypeVerdict.NoRewrite;
            case ("varbit", "varbit"):
                return to.Length is null || (from.Length is not null && to.Length >= from.Length) ? TypeVerdict.NoRewrite : TypeVerdict.Rewrite;
        }
        return TypeVerdict.Rewrite;
    }

    private static bool IsUtc(string? tz) => tz is not null && tz.Trim('\'', ' ').ToUpperInvariant() is "UTC" or "ETC/UTC" or "GMT" or "Z" or "UTC0" or "ZULU" or "UCT";
}
