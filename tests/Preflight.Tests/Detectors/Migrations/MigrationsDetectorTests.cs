using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Findings;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.Migrations;

public class MigrationsDetectorTests
{
    private static readonly ScanOptions Options = ScanOptions.Default with
    {
        AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
        EnabledDetectors = new HashSet<string> { "migrations" },
    };

    private static string Fixture => Path.Combine(SharedData.RepositoryRoot, "fixtures", "migrations", "mixed");

    private static async Task<Preflight.Reporting.ScanReport> ScanFolder(Dictionary<string, string> files, ScanOptions? options = null)
    {
        var dir = Directory.CreateTempSubdirectory("pf-mig-");
        try
        {
            foreach (var (path, text) in files)
            {
                var full = Path.Combine(dir.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, text);
            }
            return await PreflightScanner.ScanAsync(dir.FullName, options ?? Options);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Scan_of_the_mixed_fixture_reports_exactly_its_written_ground_truth()
    {
        var expectedText = await File.ReadAllTextAsync(Path.Combine(Fixture, "EXPECTED.md"));
        var section = expectedText[expectedText.IndexOf("Findings (rule path:line)", StringComparison.Ordinal)..expectedText.IndexOf("Suppressed:", StringComparison.Ordinal)];
        var expected = Regex.Matches(section, @"^- (PF\d{3}) (\S+):(\d+)", RegexOptions.Multiline, TimeSpan.FromSeconds(1))
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}:{m.Groups[3].Value}").ToList();
        expected.Should().HaveCountGreaterThan(5);

        var report = await PreflightScanner.ScanAsync(Fixture, Options);

        report.Findings.Where(f => !f.Suppressed).Select(f => $"{f.RuleId} {f.Location.Path}:{f.Location.Line}")
            .Should().BeEquivalentTo(expected);
        report.Findings.Should().ContainSingle(f => f.Suppressed).Which.Should().Match<Finding>(f =>
            f.RuleId == "PF512" && f.Location.Path == "db/liquibase/changelog.sql" && f.Location.Line == 13
            && f.SuppressionReason == "the column has been unused since 4.0, see ADR-17");
        report.Summary.Suppressed.Should().Be(1);
    }

    [Test]
    public async Task Inventory_lists_migrations_in_the_order_their_runners_apply_them()
    {
        var report = await PreflightScanner.ScanAsync(Fixture, Options);
        report.Inventory.Migrations.Select(m => (m.Location.Path, m.Runner, m.Version, m.Dialect)).Should().Equal(
            ("db/flyway/V1__create_events.sql", "flyway", "1", "postgresql"),
            ("db/flyway/V2__events_index.sql", "flyway", "2", "postgresql"),
            ("db/flyway/V9__orders_timeout_zero.sql", "flyway", "9", "postgresql"),
            ("db/flyway/V10__orders_index.sql", "flyway", "10", "postgresql"),
            ("db/flyway/V11__orders_index_online.sql", "flyway", "11", "postgresql"),
            ("db/flyway/R__views.sql", "flyway", null, "postgresql"),
            ("db/liquibase/changelog.sql", "liquibase", null, "postgresql"),
            ("db/golang/000001_backfill.up.sql", "golang-migrate", "000001", "postgresql"),
            ("src/Data/Migrations/20260101120000_RenameNote.cs", "ef-core", "20260101120000_RenameNote", "postgresql"),
            ("sql/mssql/001_orders.sql", "plain", null, "sqlserver"));
        report.Inventory.Migrations[0].Statements.Should().Be(1);
    }

    [Test]
    public async Task Findings_carry_the_lock_the_table_and_what_it_blocks()
    {
        var report = await ScanFolder(new() { ["migrations/001_idx.sql"] = "CREATE INDEX i ON orders (status);\n" });
        var finding = report.Findings.Single(f => f.RuleId == "PF501");
        finding.Location.Should().Be(new Location("migrations/001_idx.sql", 1, 1));
        finding.Properties.Should().Contain("lock", "SHARE").And.Contain("table", "orders").And.ContainKey("blocks");
        finding.Evidence.Should().Be("CREATE INDEX i ON orders (status)");
        finding.Detector.Should().Be("migrations");
    }

    [Test]
    public async Task A_table_created_in_an_earlier_migration_of_another_file_is_not_existing()
    {
        var report = await ScanFolder(new()
        {
            ["db/migrate/V1__t.sql"] = "CREATE TABLE t (id int, v varchar(10));",
            ["db/migrate/V2__i.sql"] = "CREATE INDEX ti ON t (v);\nALTER TABLE t ALTER COLUMN v TYPE bigint USING v::bigint;",
        });
        report.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task A_migration_order_reversed_by_version_changes_what_is_existing()
    {
        // V2 runs before V10 although "V10" sorts first as text: the index in V10 is on a table V2 created
        var report = await ScanFolder(new()
        {
            ["db/V10__idx.sql"] = "CREATE INDEX ti ON t (id);",
            ["db/V2__t.sql"] = "CREATE TABLE t (id int);",
        });
        report.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task Sql_files_outside_migration_folders_and_without_runner_names_are_not_analysed()
    {
        var report = await ScanFolder(new() { ["docs/samples/idx.sql"] = "CREATE INDEX i ON orders (status);" });
        report.Findings.Should().BeEmpty();
        report.Inventory.Migrations.Should().BeEmpty();
    }

    [Test]
    public async Task An_unterminated_dollar_quote_is_reported_and_the_scan_goes_on()
    {
        var report = await ScanFolder(new()
        {
            ["migrations/001_fn.sql"] = "CREATE INDEX i ON orders (a);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n",
            ["migrations/002_ok.sql"] = "SET lock_timeout = '1s';\nDROP INDEX orders_a;",
        });
        report.Findings.Should().Contain(f => f.RuleId == "PF517" && f.Location.Line == 2);
        report.Findings.Should().Contain(f => f.RuleId == "PF510" && f.Location.Path == "migrations/002_ok.sql");
    }

    [TestCase(11, "before PostgreSQL 12")]
    [TestCase(14, "VALIDATE it in a later transaction")]
    public async Task The_postgres_version_option_gates_version_dependent_advice(int version, string expected)
    {
        var report = await ScanFolder(new() { ["migrations/001.sql"] = "SET lock_timeout = '1s'; ALTER TABLE orders ALTER COLUMN c SET NOT NULL;" },
            Options with { PostgresVersion = version });
        report.Findings.Single(f => f.RuleId == "PF506").Message.Should().Contain(expected);
    }

    [Test]
    public async Task Ef_core_migrations_with_created_concurrently_and_suppress_transaction_are_safe()
    {
        var source = """
            using Microsoft.EntityFrameworkCore.Migrations;
            public partial class AddIndex : Migration
            {
                protected override void Up(MigrationBuilder migrationBuilder)
                {
                    migrationBuilder.Sql("SET lock_timeout = '2s';");
                    migrationBuilder.CreateIndex(name: "IX_Orders_Ref", table: "Orders", column: "Ref")
                        .Annotation("Npgsql:CreatedConcurrently", true);
                }
            }
            """;
        var report = await ScanFolder(new() { ["Migrations/20260202000000_AddIndex.cs"] = source });
        // Npgsql runs a CreatedConcurrently index outside the migration's transaction: nothing to report
        report.Findings.Should().BeEmpty();

        var unsafeSource = source.Replace(".Annotation(\"Npgsql:CreatedConcurrently\", true)", "", StringComparison.Ordinal);
        report = await ScanFolder(new() { ["Migrations/20260202000000_AddIndex.cs"] = unsafeSource });
        report.Findings.Select(f => f.RuleId).Should().Equal("PF501");

        var concurrentlyInTransaction = source.Replace("migrationBuilder.Sql(\"SET lock_timeout = '2s';\");",
            "migrationBuilder.Sql(\"CREATE INDEX CONCURRENTLY ix ON \\\"Orders\\\" (\\\"Ref\\\");\");", StringComparison.Ordinal);
        report = await ScanFolder(new() { ["Migrations/20260202000000_AddIndex.cs"] = concurrentlyInTransaction });
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF502").Which.Location.Line.Should().Be(6);

        var suppressed = concurrentlyInTransaction.Replace("\\\");\");", "\\\");\", suppressTransaction: true);", StringComparison.Ordinal);
        report = await ScanFolder(new() { ["Migrations/20260202000000_AddIndex.cs"] = suppressed });
        report.Findings.Should().BeEmpty();
    }

    [TestCase("flyway.conf", "flyway.initSql=SET lock_timeout = '5s'", false)]
    [TestCase("flyway.toml", "[flyway]\ninitSql = \"SET lock_timeout TO '5s'\"", false)]
    [TestCase("flyway.conf", "flyway.initSql=SET lock_timeout = 0", true)]
    [TestCase("flyway.conf", "flyway.url=jdbc:postgresql://db/app", true)]
    public async Task Flyway_init_sql_sets_the_lock_timeout_of_every_flyway_migration(string file, string config, bool reported)
    {
        var report = await ScanFolder(new()
        {
            [$"conf/{file}"] = config,
            ["db/migration/V3__col.sql"] = "ALTER TABLE orders ADD COLUMN c text;",
        });
        report.Findings.Any(f => f.RuleId == "PF503").Should().Be(reported);
    }

    [TestCase("for f in db/*.sql; do\n  psql -v ON_ERROR_STOP=1 -f \"$f\"\ndone\n", 2)]
    [TestCase("ls db/*.sql | while read f; do psql --file=\"$f\" app; done\n", 1)]
    [TestCase("for f in sql/*.sql; do sqlcmd -S db -i \"$f\"; done\n", 1)]
    [TestCase("exec 9>/var/lock/app-migrate\nflock 9\nfor f in db/*.sql; do psql -f \"$f\"; done\n", 0)]
    [TestCase("psql -f db/schema.sql\n", 0)]
    [TestCase("for f in *.txt; do cat \"$f\"; done\n", 0)]
    public async Task A_script_applying_sql_files_in_a_loop_without_a_lock_is_reported(string script, int line)
    {
        var report = await ScanFolder(new() { ["bin/migrate.sh"] = script });
        var hits = report.Findings.Where(f => f.RuleId == "PF518").ToList();
        if (line == 0) hits.Should().BeEmpty();
        else hits.Should().ContainSingle().Which.Location.Line.Should().Be(line);
    }

    [Test]
    public void The_detector_is_registered_with_its_rules()
    {
        DetectorRegistry.DetectorIds.Should().Contain("migrations");
        DetectorRegistry.Rules.Where(r => r.Detector == "migrations").Select(r => r.Id)
            .Should().OnlyContain(id => id.StartsWith("PF5", StringComparison.Ordinal)).And.HaveCountGreaterThan(15);
    }
}
