using Preflight.Findings;

namespace Preflight.Detectors.Migrations;

/// <summary>The <c>migrations</c> detector's rules (PF5xx): schema migrations that lock, rewrite or break.</summary>
public static class MigrationRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "migrations";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);

    /// <summary>PF501.</summary>
    public static readonly RuleDescriptor IndexWithoutConcurrently = R("PF501", "index-without-concurrently", Severity.High,
        "CREATE INDEX on an existing table without CONCURRENTLY holds a SHARE lock for the whole build.",
        "SHARE blocks every INSERT, UPDATE and DELETE on the table until the index is built. Use `CREATE INDEX CONCURRENTLY` in a migration of its own that runs outside a transaction (Flyway: alone in its file; golang-migrate: alone in its file; EF Core: `suppressTransaction: true`).");

    /// <summary>PF502.</summary>
    public static readonly RuleDescriptor ConcurrentlyInTransaction = R("PF502", "concurrently-in-transaction", Severity.High,
        "A statement that cannot run inside a transaction block (CONCURRENTLY, VACUUM) runs inside one.",
        "PostgreSQL rejects it (`cannot run inside a transaction block`) and the migration fails. Move it to a migration of its own that the runner executes without a transaction, and remove any BEGIN around it.");

    /// <summary>PF503.</summary>
    public static readonly RuleDescriptor LockWithoutTimeout = R("PF503", "lock-without-timeout", Severity.Medium,
        "A heavy lock (SHARE or stronger) is taken on an existing table without a lock_timeout in force.",
        "While it waits behind a long-running query, every later query on the table queues behind it: an outage without a single slow statement of its own. Run `SET lock_timeout = '5s'` (or `SET LOCAL` inside the transaction) first and retry the migration on timeout. `lock_timeout = 0` disables the timeout.");

    /// <summary>PF504.</summary>
    public static readonly RuleDescriptor ConstraintWithoutNotValid = R("PF504", "constraint-without-not-valid", Severity.High,
        "A CHECK or FOREIGN KEY constraint is added to an existing table without NOT VALID, scanning it under lock.",
        "Add it `NOT VALID` (only new rows are checked, the lock is brief), then `ALTER TABLE ... VALIDATE CONSTRAINT` in a later transaction: validation takes SHARE UPDATE EXCLUSIVE, which does not block reads or writes.");

    /// <summary>PF505.</summary>
    public static readonly RuleDescriptor ValidateInSameTransaction = R("PF505", "validate-in-same-transaction", Severity.Medium,
        "VALIDATE CONSTRAINT runs in the same transaction that added the constraint NOT VALID.",
        "The ADD's lock is still held while the validation scans the table, so NOT VALID gained nothing. Commit between the ADD ... NOT VALID and the VALIDATE (separate migrations).");

    /// <summary>PF506.</summary>
    public static readonly RuleDescriptor SetNotNullWithoutCheck = R("PF506", "set-not-null-without-check", Severity.Medium,
        "SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL) scans the table under ACCESS EXCLUSIVE.",
        "On PostgreSQL 12 and later: `ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT c` (in a later transaction), then `SET NOT NULL` (no scan) and drop the CHECK.");

    /// <summary>PF507.</summary>
    public static readonly RuleDescriptor RewritingTypeChange = R("PF507", "rewriting-type-change", Severity.High,
        "A column type change rewrites the table and its indexes under ACCESS EXCLUSIVE.",
        "Changes PostgreSQL makes without a rewrite: varchar(n) to text or a wider/unbounded varchar, numeric(p,s) to a wider precision with the same scale or to unconstrained numeric. For anything else add a new column, backfill it in batches, and switch over.");

    /// <summary>PF508.</summary>
    public static readonly RuleDescriptor RewritingAddColumn = R("PF508", "rewriting-add-column", Severity.High,
        "A column with a volatile default, a stored generated expression, identity or serial is added to an existing table, rewriting it.",
        "Add the column without a default (or with a constant one), set the default for new rows with ALTER COLUMN SET DEFAULT, and backfill old rows in batches.");

    /// <summary>PF509.</summary>
    public static readonly RuleDescriptor UniqueWithoutUsingIndex = R("PF509", "unique-without-using-index", Severity.High,
        "A UNIQUE or PRIMARY KEY constraint is added to an existing table by building its index under lock.",
        "Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT ... UNIQUE USING INDEX` (or `PRIMARY KEY USING INDEX`), which only takes a brief lock.");

    /// <summary>PF510.</summary>
    public static readonly RuleDescriptor DropIndexWithoutConcurrently = R("PF510", "drop-index-without-concurrently", Severity.Medium,
        "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table.",
        "Use `DROP INDEX CONCURRENTLY` outside a transaction.");

    /// <summary>PF511.</summary>
    public static readonly RuleDescriptor BlockingMaintenance = R("PF511", "blocking-maintenance", Severity.High,
        "VACUUM FULL, CLUSTER, REINDEX, REFRESH MATERIALIZED VIEW, LOCK TABLE or SET LOGGED/UNLOGGED/TABLESPACE blocks the table for its whole run.",
        "Use the online variants: REINDEX CONCURRENTLY, REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index), pg_repack instead of VACUUM FULL or CLUSTER; never LOCK TABLE in a migration. Run maintenance outside the upgrade.");

    /// <summary>PF512.</summary>
    public static readonly RuleDescriptor BackwardIncompatible = R("PF512", "backward-incompatible-change", Severity.Medium,
        "A column or table is renamed or dropped, which breaks the version still running during a rolling upgrade.",
        "Expand and contract: add the new column or table, write to both, move readers, and drop or rename only in a later release once no running code uses the old name.");

    /// <summary>PF513.</summary>
    public static readonly RuleDescriptor FullTableDml = R("PF513", "full-table-dml", Severity.Medium,
        "UPDATE or DELETE without WHERE touches every row of an existing table in one statement.",
        "It locks every row until commit, bloats the table and can run for a long time. Backfill in batches (by primary key ranges) in separate transactions, outside the schema migration.");

    /// <summary>PF514.</summary>
    public static readonly RuleDescriptor DdlWithBackfill = R("PF514", "ddl-with-backfill", Severity.Medium,
        "One transaction takes a heavy lock on an existing table and also backfills data, holding the lock for the whole backfill.",
        "Commit the schema change first and run the backfill in batches in its own transactions.");

    /// <summary>PF515.</summary>
    public static readonly RuleDescriptor IgnoreWithoutReason = R("PF515", "ignore-without-reason", Severity.Low,
        "A `preflight-ignore` comment gives no reason, so it suppresses nothing.",
        "Write it as `-- preflight-ignore PF501: why this is safe here`.");

    /// <summary>PF516.</summary>
    public static readonly RuleDescriptor NotNullColumnWithoutDefault = R("PF516", "not-null-column-without-default", Severity.High,
        "A NOT NULL column without a default is added to an existing table; it fails on any table with rows.",
        "Add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or nullable, backfill, then enforce NOT NULL.");

    /// <summary>PF517.</summary>
    public static readonly RuleDescriptor Unterminated = R("PF517", "unterminated-sql", Severity.Low,
        "A string, quoted identifier, dollar quote or comment in a migration is never closed; the rest of the file was not analysed.",
        "The runner will fail on this file too. Close the literal or comment.");

    /// <summary>PF518.</summary>
    public static readonly RuleDescriptor RunnerWithoutLock = R("PF518", "runner-without-lock", Severity.Medium,
        "Migrations are applied without a lock against a concurrent run: a script looping `psql -f`/`sqlcmd -i`, EF Core before 9, DbUp or FluentMigrator.",
        "Two hosts upgrading at once apply the same migrations twice, interleaved. High when several instances can run it (a systemd unit or a replicated Kubernetes workload starts the script; the application applies migrations at start), medium otherwise. Use a runner that locks (Flyway, Liquibase, golang-migrate, EF Core 9+), or serialise the run with `flock` on a shared path or a session-held `pg_advisory_lock` / `sp_getapplock`.");

    /// <summary>PF519.</summary>
    public static readonly RuleDescriptor TSqlAlterColumn = R("PF519", "tsql-alter-column", Severity.High,
        "T-SQL ALTER TABLE ... ALTER COLUMN changes a column's type, size or nullability on an existing table under a Sch-M lock.",
        "Only widening a varchar/nvarchar/varbinary is metadata-only; other changes check or rewrite every row while blocking all reads and writes. Add a new column, backfill it in batches, and switch over.");

    /// <summary>PF520.</summary>
    public static readonly RuleDescriptor TSqlConstraintWithCheck = R("PF520", "tsql-constraint-with-check", Severity.High,
        "A T-SQL CHECK or FOREIGN KEY constraint is added to an existing table WITH CHECK (the default), scanning it under a Sch-M lock.",
        "Add it `WITH NOCHECK` (only new rows are checked, the lock is brief), then run `ALTER TABLE t WITH CHECK CHECK CONSTRAINT c` in a quiet window so the optimizer trusts it.");

    /// <summary>PF521.</summary>
    public static readonly RuleDescriptor MalformedTSql = R("PF521", "malformed-tsql", Severity.Low,
        "A T-SQL migration does not parse (ScriptDom, SQL Server 2022 grammar); it was not analysed.",
        "sqlcmd or the runner will likely fail on it too. Fix the syntax error at the reported line.");

    /// <summary>PF522.</summary>
    public static readonly RuleDescriptor MySqlAlterWithoutOnline = R("PF522", "mysql-alter-without-online", Severity.Medium,
        "A MySQL ALTER TABLE or CREATE INDEX on an existing table names neither ALGORITHM=INSTANT nor ALGORITHM=INPLACE with LOCK=NONE.",
        "Without them MySQL silently picks the best algorithm it can, which may copy the table and block writes. State `ALGORITHM=INSTANT` or `ALGORITHM=INPLACE, LOCK=NONE` so the statement fails instead of locking; operations that cannot run online (column type changes, CONVERT TO CHARACTER SET, FULLTEXT/SPATIAL indexes, dropping the primary key) belong in gh-ost or pt-online-schema-change.");

    /// <summary>All PF5xx rules, in id order.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } =
    [
        IndexWithoutConcurrently, ConcurrentlyInTransaction, LockWithoutTimeout, ConstraintWithoutNotValid,
        ValidateInSameTransaction, SetNotNullWithoutCheck, RewritingTypeChange, RewritingAddColumn,
        UniqueWithoutUsingIndex, DropIndexWithoutConcurrently, BlockingMaintenance, BackwardIncompatible,
        FullTableDml, DdlWithBackfill, IgnoreWithoutReason, NotNullColumnWithoutDefault, Unterminated, RunnerWithoutLock,
        TSqlAlterColumn, TSqlConstraintWithCheck, MalformedTSql, MySqlAlterWithoutOnline,
    ];
}
