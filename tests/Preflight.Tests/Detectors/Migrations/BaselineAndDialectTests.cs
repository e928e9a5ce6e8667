using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>The <c>--baseline</c> package's migrations as the existing schema, and the configured dialect override.</summary>
public class BaselineAndDialectTests
{
    private static async Task<Preflight.Reporting.ScanReport> Scan(Dictionary<string, string> package, Dictionary<string, string>? baseline, ScanOptions? options = null)
    {
        var root = Directory.CreateTempSubdirectory("pf-mig-base-");
        try
        {
            static async Task Write(string folder, Dictionary<string, string> files)
            {
                foreach (var (path, text) in files)
                {
                    var full = Path.Combine(folder, path);
                    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                    await File.WriteAllTextAsync(full, text);
                }
            }
            var newFolder = Path.Combine(root.FullName, "new");
            await Write(newFolder, package);
            string? baseFolder = null;
            if (baseline is not null)
            {
                baseFolder = Path.Combine(root.FullName, "old");
                await Write(baseFolder, baseline);
            }
            return await PreflightScanner.ScanAsync(newFolder, (options ?? MigrationScan.Options) with { Baseline = baseFolder });
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static readonly Dictionary<string, string> Installed = new()
    {
        ["db/migration/V1__create_orders.sql"] = "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(10));",
    };

    private static Dictionary<string, string> Upgrade() => new()
    {
        ["db/migration/V1__create_orders.sql"] = "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(10));",
        ["db/migration/V2__orders_index.sql"] = "SET lock_timeout = '5s';\nCREATE INDEX ix_orders_note ON orders (note);",
        ["db/migration/V3__widen_note.sql"] = "SET lock_timeout = '5s';\nALTER TABLE orders ALTER COLUMN note TYPE varchar(20);",
        ["db/migration/V4__events.sql"] = "CREATE TABLE events (id bigint);\nCREATE INDEX ix_events_id ON events (id);",
    };

    [Test]
    public async Task Without_a_baseline_a_table_created_earlier_in_the_set_is_new()
    {
        var report = await Scan(Upgrade(), baseline: null);
        report.Findings.Should().BeEmpty("orders is created by V1 of the same set, so it is empty when V2 runs");
    }

    [Test]
    public async Task Tables_the_baseline_migrations_created_are_existing_and_their_column_types_are_known()
    {
        var report = await Scan(Upgrade(), Installed);

        // V1 is already applied by the installed version: orders exists with rows when V2 runs
        report.Findings.Select(f => $"{f.RuleId} {f.Location.Path}:{f.Location.Line}").Should().Equal("PF501 db/migration/V2__orders_index.sql:2");
        // V3 widens varchar(10) (known from the baseline) to varchar(20): no rewrite, nothing to say;
        // V4 indexes a table created earlier in the new package's own set: still new
    }

    [Test]
    public async Task A_baseline_that_did_not_create_the_table_leaves_it_new()
    {
        var report = await Scan(Upgrade(), new() { ["db/migration/V0__init.sql"] = "CREATE TABLE customers (id bigint);" });
        report.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task A_type_change_of_a_baseline_column_that_rewrites_is_high()
    {
        var upgrade = Upgrade();
        upgrade["db/migration/V3__widen_note.sql"] = "SET lock_timeout = '5s';\nALTER TABLE orders ALTER COLUMN note TYPE varchar(5);";
        var report = await Scan(upgrade, Installed);

        report.Findings.Should().Contain(f => f.RuleId == "PF507" && f.Severity == Preflight.Findings.Severity.High
            && f.Message.Contains("from varchar(10)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_tsql_migration_the_baseline_already_applied_is_not_run_again_so_its_table_exists()
    {
        const string create = "CREATE TABLE [dbo].[orders] ([id] INT NOT NULL, [status] NVARCHAR(20) NULL);\nGO\n";
        var upgrade = new Dictionary<string, string>
        {
            ["sql/mssql/001_orders.sql"] = create,
            ["sql/mssql/002_orders_status.sql"] = "SET LOCK_TIMEOUT 5000;\nCREATE INDEX [ix_orders_status] ON [dbo].[orders] ([status]);\nGO\n",
        };

        (await Scan(upgrade, baseline: null)).Findings.Should().BeEmpty();
        var report = await Scan(upgrade, new() { ["sql/mssql/001_orders.sql"] = create });
        report.Findings.Should().ContainSingle().Which.Should().Match<Preflight.Findings.Finding>(f =>
            f.RuleId == "PF501" && f.Location.Path == "sql/mssql/002_orders_status.sql" && f.Properties["dialect"] == "sqlserver");
    }

    [TestCase(null, "CONCURRENTLY", "postgresql")]
    [TestCase("sqlserver", "ONLINE = ON", "sqlserver")]
    public async Task The_configured_dialect_overrides_the_sniffed_one(string? dialect, string advice, string reported)
    {
        var options = dialect is null
            ? MigrationScan.Options
            : ConfigFile.Apply($$"""{ "migrations": { "dialect": "{{dialect}}" } }""", ".", "preflight.json", MigrationScan.Options);
        var report = await Scan(new() { ["migrations/001_index.sql"] = "CREATE INDEX ix_orders_status ON orders (status);" }, null, options);

        report.Findings.Should().Contain(f => f.RuleId == "PF501" && f.Message.Contains(advice, StringComparison.Ordinal));
        report.Inventory.Migrations.Single().Dialect.Should().Be(reported);
    }

    [TestCase("""{ "migrations": { "dialect": "oracle" } }""", "$.migrations.dialect")]
    [TestCase("""{ "migrations": { "flavour": "mysql" } }""", "$.migrations.flavour")]
    [TestCase("""{ "migrations": "mysql" }""", "$.migrations")]
    public void A_bad_migrations_setting_is_a_configuration_error_naming_its_path(string json, string path)
    {
        var act = () => ConfigFile.Apply(json, ".", "preflight.json", ScanOptions.Default);
        act.Should().Throw<ConfigurationException>().Which.Message.Should().Contain(path);
    }

    [Test]
    public async Task The_shipped_schema_accepts_the_dialect_and_rejects_others()
    {
        var schema = await NJsonSchema.JsonSchema.FromFileAsync(Path.Combine(Preflight.Tests.Support.SharedData.RepositoryRoot, "schema", "preflight.schema.json"));
        schema.Validate("""{ "migrations": { "dialect": "mysql" } }""").Should().BeEmpty();
        schema.Validate("""{ "migrations": { "dialect": "oracle" } }""").Should().NotBeEmpty();
        schema.Validate("""{ "migrations": { "flavour": "mysql" } }""").Should().NotBeEmpty();
        ConfigFile.Apply("""{ "migrations": { "dialect": "mysql" } }""", ".", "preflight.json", ScanOptions.Default).MigrationsDialect.Should().Be("mysql");
    }
}
