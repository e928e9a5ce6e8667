using FluentAssertions;
using NUnit.Framework;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>
/// EF Core migrations compiled into an assembly in the test (Roslyn, against the real
/// Microsoft.EntityFrameworkCore.Relational 10), zipped in the test, and read back by the scanner with Mono.Cecil.
/// </summary>
public class EfCoreAssemblyTests
{
    private const string Dll = "lib/Acme.Data.dll";

    private static string Migration(string className, string id, string up, string baseClass = "Migration") => $$"""
        using System;
        using Microsoft.EntityFrameworkCore.Migrations;

        namespace Acme.Data.Migrations
        {
            [Migration("{{id}}")]
            public partial class {{className}} : {{baseClass}}
            {
                protected override void Up(MigrationBuilder migrationBuilder)
                {
        {{up}}
                }

                protected override void Down(MigrationBuilder migrationBuilder)
                {
                    migrationBuilder.DropTable(name: "not_run_on_upgrade");
                }
            }
        }
        """;

    private const string UnsafeUp = """
                    migrationBuilder.CreateIndex(name: "IX_orders_status", table: "orders", column: "status");
                    migrationBuilder.AddColumn<Guid>(name: "public_id", table: "orders", type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()");
                    migrationBuilder.Sql("ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2) USING total::numeric(12,2);");
        """;

    private const string SafeUp = """
                    migrationBuilder.Sql("SET lock_timeout = '5s';");
                    migrationBuilder.CreateTable(name: "events", columns: table => new { id = table.Column<long>(type: "bigint", nullable: false) });
                    migrationBuilder.CreateIndex(name: "IX_events_id", table: "events", column: "id");
                    migrationBuilder.AddColumn<string>(name: "note", table: "orders", type: "text", nullable: true);
                    migrationBuilder.Sql("CREATE INDEX CONCURRENTLY ix_orders_created ON orders (created_at);", suppressTransaction: true);
        """;

    private static Task<Preflight.Reporting.ScanReport> ScanAssembly(string source) =>
        CompiledPackage.ScanZip(new() { [Dll] = CompiledPackage.Compile("Acme.Data", source, CompiledPackage.WithEfCore) });

    [Test]
    public async Task Scan_reports_the_unsafe_operations_of_a_compiled_migration_at_the_assembly_and_its_class()
    {
        var report = await ScanAssembly(Migration("OrdersIndex", "20260301000000_OrdersIndex", UnsafeUp));

        var findings = report.Findings.Where(f => !f.Suppressed).ToList();
        findings.Select(f => f.RuleId).Distinct().Should().BeEquivalentTo(["PF501", "PF503", "PF507", "PF508"]);
        findings.Should().OnlyContain(f => f.Location.Path == Dll && f.Location.Line == null
            && f.Properties["member"] == "Acme.Data.Migrations.OrdersIndex" && f.Properties["runner"] == "ef-core");
        findings.Single(f => f.RuleId == "PF501").Evidence.Should()
            .Be("Acme.Data.Migrations.OrdersIndex: CreateIndex(name: \"IX_orders_status\", table: \"orders\", column: \"status\")");
        findings.Single(f => f.RuleId == "PF508").Message.Should().Contain("gen_random_uuid").And.Contain("orders");
        findings.Single(f => f.RuleId == "PF507").Evidence.Should().Contain("ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2)");
        findings.Select(f => f.Fingerprint).Should().OnlyHaveUniqueItems();
    }

    [Test]
    public async Task Scan_of_a_compiled_migration_with_only_safe_operations_reports_nothing()
    {
        var report = await ScanAssembly(Migration("SafeIndex", "20260302000000_SafeIndex", SafeUp));

        report.Findings.Should().BeEmpty();
        report.Inventory.Migrations.Should().ContainSingle().Which.Should().Match<Preflight.Findings.MigrationItem>(m =>
            m.Location.Path == Dll && m.Runner == "ef-core" && m.Version == "20260302000000_SafeIndex"
            && m.Member == "Acme.Data.Migrations.SafeIndex" && m.Statements == 5 && m.RunnerLocks == true);
    }

    [Test]
    public async Task SuppressTransaction_is_read_from_the_IL_so_concurrently_inside_the_transaction_is_reported()
    {
        var inTransaction = SafeUp.Replace(", suppressTransaction: true", "", StringComparison.Ordinal);
        var report = await ScanAssembly(Migration("SafeIndex", "20260302000000_SafeIndex", inTransaction));

        report.Findings.Should().ContainSingle().Which.RuleId.Should().Be("PF502");
    }

    [TestCase(".Annotation(\"Npgsql:CreatedConcurrently\", true)", false)]
    [TestCase(".Annotation(\"Npgsql:CreatedConcurrently\", false)", true)]
    [TestCase(".Annotation(\"Relational:Comment\", \"x\")", true)]
    [TestCase("", true)]
    public async Task CreateIndex_annotated_created_concurrently_is_built_concurrently_outside_the_transaction(string annotation, bool reported)
    {
        var up = $"""
                    migrationBuilder.Sql("SET lock_timeout = '5s';");
                    migrationBuilder.CreateIndex(name: "IX_orders_customer", table: "orders", column: "customer_id"){annotation};
        """;
        var report = await ScanAssembly(Migration("CustomerIndex", "20260303000000_CustomerIndex", up));

        report.Findings.Select(f => f.RuleId).Should().Equal(reported ? ["PF501"] : []);
    }

    [Test]
    public async Task Compiled_migrations_are_ordered_by_their_migration_id_and_found_through_a_base_class_of_the_module()
    {
        var source = Migration("Second", "20260102000000_Second", "migrationBuilder.Sql(\"SELECT 2;\");") + "\n"
            + Migration("First", "20260101000000_First", "migrationBuilder.Sql(\"SELECT 1;\");", baseClass: "AuditedMigration").Replace("using System;", "", StringComparison.Ordinal).Replace("using Microsoft.EntityFrameworkCore.Migrations;", "", StringComparison.Ordinal) + """

            namespace Acme.Data.Migrations
            {
                public abstract class AuditedMigration : Microsoft.EntityFrameworkCore.Migrations.Migration { }

                // no [Migration] attribute: EF Core does not apply it, neither does the reader
                public class Draft : Microsoft.EntityFrameworkCore.Migrations.Migration
                {
                    protected override void Up(Microsoft.EntityFrameworkCore.Migrations.MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("orders");
                }
            }
            """;
        var report = await ScanAssembly(source);

        report.Inventory.Migrations.Select(m => (m.Version, m.Member)).Should().Equal(
            ("20260101000000_First", "Acme.Data.Migrations.First"),
            ("20260102000000_Second", "Acme.Data.Migrations.Second"));
        report.Findings.Should().BeEmpty("the Draft class has no [Migration] attribute");
    }

    [TestCase(UnsafeUp, 6)]
    [TestCase(SafeUp, 0)]
    [TestCase("""
                    migrationBuilder.RenameColumn(name: "note", table: "orders", newName: "remark");
                    migrationBuilder.DropColumn(name: "legacy", table: "orders");
                    migrationBuilder.RenameTable(name: "customers", newName: "clients");
                    migrationBuilder.AddForeignKey(name: "FK_orders_clients", table: "orders", column: "client_id", principalTable: "clients", principalColumn: "id");
                    migrationBuilder.AddUniqueConstraint(name: "AK_orders_number", table: "orders", column: "number");
                    migrationBuilder.AddPrimaryKey(name: "PK_lines", table: "lines", column: "id");
                    migrationBuilder.AlterColumn<int>(name: "qty", table: "lines", type: "bigint", nullable: false);
                    migrationBuilder.AddColumn<int>(name: "rank", table: "orders", type: "integer", nullable: false);
                    migrationBuilder.DropTable(name: "audit");
        """, 19)]
    public async Task A_compiled_migration_and_its_csharp_source_produce_the_same_findings(string up, int findings)
    {
        var source = Migration("Change", "20260304000000_Change", up);
        var compiled = await ScanAssembly(source);
        var fromSource = await MigrationScan.ScanFolder(new() { ["src/Migrations/20260304000000_Change.cs"] = source });

        static IEnumerable<string> Rules(Preflight.Reporting.ScanReport r) => r.Findings.Select(f => $"{f.RuleId} {f.Severity} {f.Message}").Order(StringComparer.Ordinal);
        Rules(compiled).Should().Equal(Rules(fromSource));
        compiled.Findings.Should().HaveCount(findings);
        compiled.Inventory.Migrations.Single().Statements.Should().Be(fromSource.Inventory.Migrations.Single().Statements);
    }
}
