using Preflight.Detectors.Migrations.Postgres;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>One sample of a rule: SQL run against <see cref="PgRuleSamples.Seed"/> and whether the rule fires.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Sql">The migration (after the seed). Its last statement is the one whose lock and rewrite are checked.</param>
/// <param name="Fires">True for a positive sample.</param>
public sealed record PgRuleSample(string RuleId, string Sql, bool Fires)
{
    /// <summary>The corpus file the sample comes from, if any.</summary>
    public string? Name { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name ?? $"{RuleId} {(Fires ? "+" : "-")} {Sql.ReplaceLineEndings(" ")}";
}

/// <summary>Positive and negative samples of every PostgreSQL rule, shared by the analyser tests and the
/// real-PostgreSQL ground-truth suite.</summary>
public static class PgRuleSamples
{
    /// <summary>The existing schema every sample runs on (committed before the sample).</summary>
    public const string Seed = """
        CREATE TABLE customers (id bigint PRIMARY KEY, email text);
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, amount int, status varchar(20), ref text,
            price numeric(10,2), note text, created timestamp, total numeric, legacy text,
            CONSTRAINT orders_note_nn CHECK (note IS NOT NULL));
        CREATE INDEX orders_customer_idx ON orders (customer_id);
        CREATE UNIQUE INDEX orders_ref_uidx ON orders (ref);
        INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;
        INSERT INTO orders SELECT g, g % 100 + 1, g, 'new', 'r' || g, g, 'n', '2026-01-01', g, 'l' FROM generate_series(1, 1000) g;
        CREATE MATERIALIZED VIEW mv AS SELECT id FROM orders;
        CREATE UNIQUE INDEX mv_id ON mv (id);
        """;

    /// <summary>Every sample.</summary>
    public static IEnumerable<PgRuleSample> All()
    {
        const string Timeout = "SET lock_timeout = '2s';\n";
        // PF501 index without CONCURRENTLY
        yield return new("PF501", "CREATE INDEX i1 ON orders (amount)", true);
        yield return new("PF501", "CREATE UNIQUE INDEX i2 ON orders (id, amount)", true);
        yield return new("PF501", "CREATE TABLE fresh (id int);\nCREATE INDEX i3 ON fresh (id)", false);
        // PF502 CONCURRENTLY inside a transaction
        yield return new("PF502", "BEGIN;\nCREATE INDEX CONCURRENTLY i4 ON orders (amount)", true);
        yield return new("PF502", "BEGIN;\nDROP INDEX CONCURRENTLY orders_customer_idx", true);
        yield return new("PF502", "BEGIN;\nREINDEX INDEX CONCURRENTLY orders_customer_idx", true);
        yield return new("PF502", "BEGIN;\nVACUUM orders", true);
        // PF503 heavy lock without an effective lock_timeout
        yield return new("PF503", "ALTER TABLE orders ADD COLUMN c1 text", true);
        yield return new("PF503", "SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN c1 text", true);
        yield return new("PF503", "SET lock_timeout = '0s';\nALTER TABLE orders DROP CONSTRAINT orders_note_nn", true);
        yield return new("PF503", "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN c1 text", true); // SET LOCAL outside a transaction does nothing
        yield return new("PF503", Timeout + "ALTER TABLE orders ADD COLUMN c1 text", false);
        yield return new("PF503", "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN status SET DEFAULT 'n'", false);
        yield return new("PF503", "SELECT set_config('lock_timeout', '3s', false);\nALTER TABLE orders ALTER COLUMN status DROP DEFAULT", false);
        yield return new("PF503", "ALTER TABLE orders SET (fillfactor = 90)", false);
        // PF504 constraint without NOT VALID
        yield return new("PF504", Timeout + "ALTER TABLE orders ADD CONSTRAINT c_chk CHECK (amount > 0)", true);
        yield return new("PF504", Timeout + "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)", true);
        yield return new("PF504", Timeout + "ALTER TABLE orders ADD CONSTRAINT c_chk CHECK (amount > 0) NOT VALID", false);
        yield return new("PF504", Timeout + "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID", false);
        // PF505 VALIDATE in the same transaction as the ADD ... NOT VALID
        yield return new("PF505", "BEGIN;\n" + Timeout + "ALTER TABLE orders ADD CONSTRAINT c_chk CHECK (amount > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c_chk", true);
        yield return new("PF505", Timeout + "ALTER TABLE orders ADD CONSTRAINT c_chk CHECK (amount > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c_chk", false);
        // PF506 SET NOT NULL without a validated CHECK
        yield return new("PF506", Timeout + "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL", true);
        yield return new("PF506", Timeout + "ALTER TABLE orders ALTER COLUMN note SET NOT NULL", false);
        // PF507 rewriting type change, and the binary-coercible exceptions
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN amount TYPE bigint", true);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN status TYPE varchar(10)", true);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN ref TYPE varchar(100)", true);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN price TYPE numeric(10,3)", true);
        yield return new("PF507", Timeout + "SET timezone = 'Europe/Oslo';\nALTER TABLE orders ALTER COLUMN created TYPE timestamptz", true);
        yield return new("PF507", Timeout + "SET timezone = 'UTC';\nALTER TABLE orders ALTER COLUMN created TYPE timestamptz", false);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN amount TYPE int", false);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN status TYPE varchar(50)", false);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN status TYPE text", false);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN price TYPE numeric(12,2)", false);
        yield return new("PF507", Timeout + "ALTER TABLE orders ALTER COLUMN price TYPE numeric", false);
        yield return new("PF507", "BEGIN;\nSET LOCAL lock_timeout = '2s';\nSET LOCAL timezone = 'UTC';\nALTER TABLE orders ALTER COLUMN created TYPE timestamptz", false);
        // PF508 rewriting ADD COLUMN
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c5 uuid DEFAULT gen_random_uuid()", true);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c6 timestamptz DEFAULT clock_timestamp()", true);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c7 bigserial", true);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c8 numeric GENERATED ALWAYS AS (total * 2) STORED", true);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c9 bigint GENERATED ALWAYS AS IDENTITY", true);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c2 text DEFAULT 'x'", false);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c4 timestamptz DEFAULT now()", false);
        yield return new("PF508", Timeout + "ALTER TABLE orders ADD COLUMN c3 int NOT NULL DEFAULT 0", false);
        // PF509 UNIQUE / PRIMARY KEY without USING INDEX
        yield return new("PF509", Timeout + "ALTER TABLE orders ADD CONSTRAINT u UNIQUE (ref)", true);
        yield return new("PF509", Timeout + "ALTER TABLE orders ADD CONSTRAINT u UNIQUE USING INDEX orders_ref_uidx", false);
        // PF510 DROP INDEX without CONCURRENTLY
        yield return new("PF510", Timeout + "DROP INDEX orders_customer_idx", true);
        yield return new("PF510", "DROP INDEX CONCURRENTLY orders_customer_idx", false);
        // PF511 blocking maintenance
        yield return new("PF511", Timeout + "VACUUM FULL orders", true);
        yield return new("PF511", Timeout + "CLUSTER orders USING orders_pkey", true);
        yield return new("PF511", Timeout + "REINDEX TABLE orders", true);
        yield return new("PF511", Timeout + "REINDEX INDEX orders_customer_idx", true);
        yield return new("PF511", Timeout + "REFRESH MATERIALIZED VIEW mv", true);
        yield return new("PF511", Timeout + "LOCK TABLE orders", true);
        yield return new("PF511", "REINDEX INDEX CONCURRENTLY orders_customer_idx", false);
        yield return new("PF511", "REFRESH MATERIALIZED VIEW CONCURRENTLY mv", false);
        yield return new("PF511", "VACUUM orders", false);
        // PF512 backward-incompatible renames and drops
        yield return new("PF512", Timeout + "ALTER TABLE orders DROP COLUMN legacy", true);
        yield return new("PF512", Timeout + "ALTER TABLE orders RENAME COLUMN note TO note2", true);
        yield return new("PF512", Timeout + "ALTER TABLE orders RENAME TO orders2", true);
        yield return new("PF512", Timeout + "DROP TABLE customers CASCADE", true);
        yield return new("PF512", "CREATE TABLE scratch (id int, tmp text);\nALTER TABLE scratch DROP COLUMN tmp", false);
        // PF513 full-table UPDATE / DELETE
        yield return new("PF513", "UPDATE orders SET status = 'old'", true);
        yield return new("PF513", "DELETE FROM customers", true);
        yield return new("PF513", "UPDATE orders SET status = 'old' WHERE id < 100", false);
        // PF514 DDL and backfill in one transaction
        yield return new("PF514", "BEGIN;\n" + Timeout + "ALTER TABLE orders ADD COLUMN c1 text;\nUPDATE orders SET c1 = 'x' WHERE id > 0", true);
        yield return new("PF514", Timeout + "ALTER TABLE orders ADD COLUMN c1 text;\nUPDATE orders SET c1 = 'x' WHERE id > 0", false);
        // PF516 NOT NULL column without a default
        yield return new("PF516", Timeout + "ALTER TABLE orders ADD COLUMN c10 int NOT NULL", true);
        yield return new("PF516", Timeout + "ALTER TABLE orders ADD COLUMN c10 int NOT NULL DEFAULT 0", false);
    }

    /// <summary>Runs the analyser on a sample after the seed, as a plain psql script (no runner transaction).</summary>
    internal static PgAnalyzer Analyze(string sql, int pgVersion = 15, RunnerTransaction transaction = RunnerTransaction.None)
    {
        var analyzer = new PgAnalyzer(pgVersion) { RecordFacts = true };
        analyzer.Seed(PgScript.Parse(Seed));
        analyzer.Analyze(new PgMigration("db/migrations/sample.sql", "plain", null, transaction, PgScript.Parse(sql)));
        return analyzer;
    }
}
