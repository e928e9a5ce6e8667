using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Migrations.Postgres;

namespace Preflight.Tests.Detectors.Migrations;

public class PgAnalyzerTests
{
    private static IEnumerable<PgRuleSample> Samples() => PgRuleSamples.All();

    [TestCaseSource(nameof(Samples))]
    public void Each_rule_fires_on_its_positive_samples_and_not_on_its_negative_ones(PgRuleSample sample)
    {
        var issues = PgRuleSamples.Analyze(sample.Sql).Issues.Where(i => i.Rule.Id == sample.RuleId).ToList();
        if (sample.Fires) issues.Should().NotBeEmpty();
        else issues.Should().BeEmpty();
    }

    // A WHERE (for UPDATE and DELETE) or a SELECT (for INSERT) counts only outside parentheses: in a subquery, a row
    // constructor or a USING list it filters or feeds something else.
    [TestCase("UPDATE t SET a = 1 WHERE id = 2;", true)]
    [TestCase("update t set a = 1 where id = 2;", true)]
    [TestCase("UPDATE t SET a = (SELECT b FROM u WHERE u.id = t.id);", false)]
    [TestCase("UPDATE t SET a = (SELECT b FROM u WHERE u.id = (t.id)) WHERE t.id > 0;", true)]
    [TestCase("UPDATE t SET note = 'where';", false)]
    [TestCase("DELETE FROM t WHERE id IN (SELECT id FROM u);", true)]
    [TestCase("DELETE FROM t USING (SELECT 1 AS x WHERE true) s;", false)]
    [TestCase("DELETE FROM t USING u WHERE ((t.id = u.id));", true)]
    public void Where_counts_only_at_the_top_level_of_an_update_or_delete(string sql, bool hasWhere)
    {
        PgScript.Parse(sql).Statements.Single().Statement.HasWhere.Should().Be(hasWhere);
    }

    [TestCase("INSERT INTO t (a) SELECT a FROM u;", true)]
    [TestCase("insert into t (a) (select a from u) union select 1;", true)]
    [TestCase("INSERT INTO t (a) VALUES ((SELECT 1));", false)]
    [TestCase("INSERT INTO t VALUES (1, 'select'), (2, 'x');", false)]
    [TestCase("INSERT INTO t (a) VALUES (1) RETURNING (SELECT 2);", false)]
    public void Select_counts_only_at_the_top_level_of_an_insert(string sql, bool fromSelect)
    {
        PgScript.Parse(sql).Statements.Single().Statement.FromSelect.Should().Be(fromSelect);
    }

    [Test]
    public void Every_postgres_rule_has_a_positive_and_a_negative_sample()
    {
        var ids = PgRuleSamples.All().GroupBy(s => s.RuleId).Where(g => g.Any(s => s.Fires) && g.Any(s => !s.Fires)).Select(g => g.Key);
        ids.Should().BeEquivalentTo(["PF501", "PF503", "PF504", "PF505", "PF506", "PF507", "PF508", "PF509", "PF510", "PF511", "PF512", "PF513", "PF514", "PF516"]);
    }

    [Test]
    public void Concurrently_alone_in_a_flyway_migration_runs_outside_the_implicit_transaction()
    {
        var script = PgScript.Parse("CREATE INDEX CONCURRENTLY i ON orders (amount);");
        var analyzer = PgAnalyzer.Run([new PgMigration("V2__idx.sql", "flyway", "2", RunnerTransaction.PerFileUnlessNonTransactional, script)], 15);
        analyzer.Issues.Should().NotContain(i => i.Rule.Id == "PF502");
    }

    [Test]
    public void Concurrently_in_a_multi_statement_golang_migrate_file_runs_in_the_implicit_transaction()
    {
        var script = PgScript.Parse("SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON orders (amount);");
        var analyzer = PgAnalyzer.Run([new PgMigration("1_idx.up.sql", "golang-migrate", "1", RunnerTransaction.MultiStatementQuery, script)], 15);
        analyzer.Issues.Should().ContainSingle(i => i.Rule.Id == "PF502").Which.Message.Should().Contain("golang-migrate");
    }

    [Test]
    public void Set_local_in_the_runners_transaction_is_an_effective_timeout()
    {
        var script = PgScript.Parse("SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN c text;");
        var analyzer = PgAnalyzer.Run([new PgMigration("V3__c.sql", "flyway", "3", RunnerTransaction.PerFileUnlessNonTransactional, script)], 15);
        analyzer.Issues.Should().NotContain(i => i.Rule.Id == "PF503");
    }

    [Test]
    public void A_timeout_set_in_an_earlier_migration_file_does_not_count_for_a_later_one()
    {
        var first = PgScript.Parse("SET lock_timeout = '2s';");
        var second = PgScript.Parse("ALTER TABLE orders ADD COLUMN c text;");
        var analyzer = PgAnalyzer.Run(
        [
            new PgMigration("V1__t.sql", "flyway", "1", RunnerTransaction.PerFileUnlessNonTransactional, first),
            new PgMigration("V2__c.sql", "flyway", "2", RunnerTransaction.PerFileUnlessNonTransactional, second),
        ], 15);
        analyzer.Issues.Should().ContainSingle(i => i.Rule.Id == "PF503").Which.Migration.Path.Should().Be("V2__c.sql");
    }

    [Test]
    public void A_table_created_earlier_in_the_migration_set_is_not_existing()
    {
        var create = PgScript.Parse("CREATE TABLE events (id bigint, kind text);");
        var later = PgScript.Parse("CREATE INDEX events_kind ON events (kind);\nALTER TABLE events ALTER COLUMN id TYPE numeric;\nUPDATE events SET kind = 'x';");
        var analyzer = PgAnalyzer.Run(
        [
            new PgMigration("V1__events.sql", "flyway", "1", RunnerTransaction.PerFileUnlessNonTransactional, create),
            new PgMigration("V2__idx.sql", "flyway", "2", RunnerTransaction.PerFileUnlessNonTransactional, later),
        ], 15);
        analyzer.Issues.Should().BeEmpty();
    }

    [Test]
    public void Set_not_null_after_a_check_validated_in_an_earlier_migration_needs_no_scan()
    {
        var analyzer = PgRuleSamples.Analyze("""
            SET lock_timeout = '2s';
            ALTER TABLE orders ADD CONSTRAINT cid_nn CHECK (customer_id IS NOT NULL) NOT VALID;
            ALTER TABLE orders VALIDATE CONSTRAINT cid_nn;
            ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
            """);
        analyzer.Issues.Select(i => i.Rule.Id).Should().NotContain(["PF504", "PF506"]);
    }

    [Test]
    public void Set_not_null_names_the_pg11_limitation_when_the_target_version_is_older()
    {
        var analyzer = PgRuleSamples.Analyze("SET lock_timeout = '2s'; ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;", pgVersion: 11);
        analyzer.Issues.Should().ContainSingle(i => i.Rule.Id == "PF506").Which.Message.Should().Contain("before PostgreSQL 12");
    }

    [Test]
    public void A_type_change_on_a_column_of_unknown_type_is_reported_as_possible_at_medium()
    {
        var script = PgScript.Parse("SET lock_timeout = '2s'; ALTER TABLE unknown_table ALTER COLUMN c TYPE text;");
        var analyzer = PgAnalyzer.Run([new PgMigration("x.sql", "plain", null, RunnerTransaction.None, script)], 15);
        analyzer.Issues.Should().ContainSingle(i => i.Rule.Id == "PF507").Which.Severity.Should().Be(Preflight.Findings.Severity.Medium);
    }

    [Test]
    public void Findings_name_the_lock_the_table_and_what_it_blocks()
    {
        var issue = PgRuleSamples.Analyze("CREATE INDEX i1 ON orders (amount)").Issues.Single(i => i.Rule.Id == "PF501");
        issue.Table.Should().Be("orders");
        issue.Lock.Should().Be(PgLockMode.Share);
        issue.Message.Should().Contain("SHARE").And.Contain("orders").And.Contain("blocks writes").And.Contain("CONCURRENTLY");
    }

    [Test]
    public void An_ignore_comment_with_a_reason_suppresses_and_one_without_is_reported()
    {
        var analyzer = PgRuleSamples.Analyze("""
            -- preflight-ignore PF501, PF503: the table holds ten rows
            CREATE INDEX i1 ON orders (amount);
            -- preflight-ignore PF501
            CREATE INDEX i2 ON orders (status);
            """);
        analyzer.Issues.Where(i => i.Rule.Id is "PF501" or "PF503" && i.Statement.Line == 2)
            .Should().HaveCount(2).And.OnlyContain(i => i.SuppressedBecause == "the table holds ten rows");
        analyzer.Issues.Should().Contain(i => i.Rule.Id == "PF501" && i.Statement.Line == 4 && i.SuppressedBecause == null);
        analyzer.Issues.Should().ContainSingle(i => i.Rule.Id == "PF515").Which.Statement.Line.Should().Be(3);
    }

    [TestCase("varchar(20)", "text", false)]
    [TestCase("varchar(20)", "varchar(50)", false)]
    [TestCase("varchar(20)", "varchar(10)", true)]
    [TestCase("text", "varchar(100)", true)]
    [TestCase("numeric(10,2)", "numeric(12,2)", false)]
    [TestCase("numeric(10,2)", "numeric(10,3)", true)]
    [TestCase("numeric(10,2)", "numeric", false)]
    [TestCase("int", "bigint", true)]
    [TestCase("character varying(5)", "character varying", false)]
    public void Type_changes_follow_postgres_binary_coercion(string from, string to, bool rewrites)
    {
        var analyzer = new PgAnalyzer(15);
        analyzer.Seed(PgScript.Parse($"CREATE TABLE t (c {from});"));
        analyzer.Analyze(new PgMigration("m.sql", "plain", null, RunnerTransaction.None, PgScript.Parse($"SET lock_timeout = '1s'; ALTER TABLE t ALTER COLUMN c TYPE {to};")));
        analyzer.Issues.Any(i => i.Rule.Id == "PF507").Should().Be(rewrites);
    }

    [TestCase("'5s'", true)]
    [TestCase("5000", true)]
    [TestCase("0", false)]
    [TestCase("'0'", false)]
    [TestCase("'0ms'", false)]
    [TestCase(null, false)]
    public void A_lock_timeout_of_zero_is_no_timeout(string? value, bool effective) =>
        PgAnalyzer.IsEffectiveTimeout(value).Should().Be(effective);
}
