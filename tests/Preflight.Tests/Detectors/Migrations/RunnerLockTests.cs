using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>Which runner applies the migrations and whether it locks against a concurrent run (PF518, inventory <c>runnerLocks</c>).</summary>
public class RunnerLockTests
{
    private const string LoopScript = "#!/bin/sh\nset -eu\nfor f in /opt/app/db/*.sql; do\n  psql -v ON_ERROR_STOP=1 -f \"$f\"\ndone\n";

    [Test]
    public async Task An_extensionless_shell_script_applying_sql_files_with_psql_is_reported()
    {
        var report = await MigrationScan.ScanFolder(new() { ["opt/app/bin/app-migrate"] = LoopScript });

        var finding = report.Findings.Should().ContainSingle().Which;
        finding.RuleId.Should().Be("PF518");
        finding.Location.Should().Be(new Location("opt/app/bin/app-migrate", 4, 1));
        finding.Severity.Should().Be(Severity.Medium);
        finding.Properties["runner"].Should().Be("script");
        finding.Properties["runnerLocks"].Should().Be("false");
    }

    [TestCase("#!/usr/bin/env bash\nfor f in db/*.sql; do psql -f \"$f\"; done\n", true)]
    [TestCase("for f in db/*.sql; do psql -f \"$f\"; done\n", false)] // no #! line: not known to be a script
    [TestCase("#!/usr/bin/python3\nfor f in db/*.sql; do psql -f \"$f\"; done\n", false)]
    [TestCase("#!/bin/sh\nexec 9>/var/lock/app-migrate\nflock -n 9\nfor f in db/*.sql; do psql -f \"$f\"; done\n", false)]
    public async Task Only_extensionless_files_with_a_shell_line_are_read_as_scripts(string text, bool reported)
    {
        var report = await MigrationScan.ScanFolder(new() { ["bin/migrate"] = text });
        report.Findings.Any(f => f.RuleId == "PF518").Should().Be(reported);
    }

    [TestCase(null, null, "medium")]
    [TestCase("etc/systemd/system/app.service", "[Unit]\nDescription=App\n[Service]\nExecStartPre=/opt/app/bin/app-migrate\nExecStart=/opt/app/bin/app\n", "high")]
    [TestCase("etc/systemd/system/app.service", "[Service]\nExecStart=/opt/app/bin/app-migrate-legacy\n", "medium")]
    [TestCase("etc/systemd/system/app.service", "[Service]\n# app-migrate runs from the installer\nExecStart=/opt/app/bin/app\n", "medium")]
    [TestCase("deploy/app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 3\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          command: [\"/opt/app/bin/app-migrate\"]\n", "high")]
    [TestCase("deploy/app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          command: [\"/opt/app/bin/app-migrate\"]\n", "medium")]
    [TestCase("deploy/app.yaml", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - command: [\"/opt/app/bin/app-migrate\"]\n", "high")]
    public async Task A_script_without_a_lock_is_high_when_a_unit_or_a_replicated_workload_starts_it(string? launcher, string? text, string severity)
    {
        var files = new Dictionary<string, string> { ["opt/app/bin/app-migrate"] = LoopScript };
        if (launcher is not null) files[launcher] = text!;
        var report = await MigrationScan.ScanFolder(files);

        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF518").Which;
        finding.Severity.ToString().ToLowerInvariant().Should().Be(severity);
        if (severity == "high") finding.Message.Should().Contain("several instances");
    }

    [Test]
    public async Task Inventory_names_the_runner_and_whether_it_locks()
    {
        var files = new Dictionary<string, string>
        {
            ["conf/flyway.conf"] = "flyway.url=jdbc:postgresql://db/app\n",
            ["db/flyway/V1__a.sql"] = "CREATE TABLE a (id int);",
            ["db/liquibase/changelog.sql"] = "--liquibase formatted sql\n--changeset me:1\nCREATE TABLE b (id int);\n",
            ["db/golang/000001_c.up.sql"] = "CREATE TABLE c (id int);",
            ["sql/001_d.sql"] = "CREATE TABLE d (id int);",
        };
        var report = await MigrationScan.ScanFolder(files);
        report.Inventory.Migrations.Select(m => (m.Runner, m.RunnerLocks)).Should().Equal(
            ("flyway", true), ("liquibase", true), ("golang-migrate", true), ("plain", (bool?)null));

        files["lib/liquibase-nochangeloglock-1.1.jar"] = "PK binary stand-in";
        report = await MigrationScan.ScanFolder(files);
        report.Inventory.Migrations.Single(m => m.Runner == "liquibase").RunnerLocks.Should().BeFalse();
    }

    [Test]
    public async Task Flyway_named_files_without_flyway_configuration_and_a_psql_loop_script_have_an_unknown_runner_lock()
    {
        var report = await MigrationScan.ScanFolder(new()
        {
            ["db/migrations/V1__a.sql"] = "CREATE TABLE a (id int);",
            ["bin/migrate"] = LoopScript,
        });
        report.Inventory.Migrations.Single().RunnerLocks.Should().BeNull();
    }

    private const string EfSourceMigration = """
        using Microsoft.EntityFrameworkCore.Migrations;

        public partial class AddNote : Migration
        {
            protected override void Up(MigrationBuilder migrationBuilder)
            {
                migrationBuilder.Sql("CREATE TABLE notes (id int);");
            }
        }
        """;

    [TestCase("src/App/App.csproj", "<Project><ItemGroup><PackageReference Include=\"Microsoft.EntityFrameworkCore.Relational\" Version=\"8.0.10\" /></ItemGroup></Project>", false)]
    [TestCase("Directory.Packages.props", "<Project><ItemGroup><PackageVersion Include=\"Microsoft.EntityFrameworkCore\" Version=\"9.0.1\" /></ItemGroup></Project>", true)]
    [TestCase("app/App.deps.json", "{ \"libraries\": { \"Microsoft.EntityFrameworkCore/7.0.20\": { \"type\": \"package\" } } }", false)]
    [TestCase("app/App.deps.json", "{ \"libraries\": { \"Microsoft.EntityFrameworkCore.Relational/10.0.2\": { \"type\": \"package\" } } }", true)]
    [TestCase("app/App.deps.json", "{ \"libraries\": { \"Microsoft.EntityFrameworkCore.Design/8.0.1\": { \"type\": \"package\" } } }", null)]
    public async Task EF_Core_locks_from_version_9_on(string file, string text, bool? locks)
    {
        var report = await MigrationScan.ScanFolder(new()
        {
            ["src/App/Migrations/20260101000000_AddNote.cs"] = EfSourceMigration,
            [file] = text,
        });

        report.Inventory.Migrations.Single().RunnerLocks.Should().Be(locks);
        var pf518 = report.Findings.Where(f => f.RuleId == "PF518").ToList();
        if (locks == false)
        {
            var finding = pf518.Should().ContainSingle().Which;
            finding.Severity.Should().Be(Severity.Medium, "nothing in the package applies the migrations at start");
            finding.Location.Path.Should().Be("src/App/Migrations/20260101000000_AddNote.cs");
            finding.Message.Should().Contain("__EFMigrationsLock").And.Contain(file);
        }
        else pf518.Should().BeEmpty();
    }

    [Test]
    public async Task FluentMigrator_referenced_by_the_project_takes_no_lock()
    {
        var report = await MigrationScan.ScanFolder(new()
        {
            ["src/Upgrader/Upgrader.csproj"] = "<Project><ItemGroup><PackageReference Include=\"FluentMigrator.Runner.Postgres\" Version=\"7.1.0\" /></ItemGroup></Project>",
        });
        var finding = report.Findings.Should().ContainSingle().Which;
        finding.RuleId.Should().Be("PF518");
        finding.Location.Path.Should().Be("src/Upgrader/Upgrader.csproj");
        finding.Properties["runner"].Should().Be("fluentmigrator");
        finding.Severity.Should().Be(Severity.Medium);
    }

    [TestCase("<PackageReference Include=\"DbUp-PostgreSQL\" Version=\"5.0.40\" />", "dbup")]
    [TestCase("<PackageReference Include=\"fluentmigrator.runner\" Version=\"7.1.0\" />", "fluentmigrator")]
    public async Task Runner_package_names_are_found_in_any_case(string reference, string runner)
    {
        // The pattern ignores case, and so must the literal check that spares building it for other projects.
        var report = await MigrationScan.ScanFolder(new()
        {
            ["src/Upgrader/Upgrader.csproj"] = $"<Project><ItemGroup>{reference}</ItemGroup></Project>",
        });
        report.Findings.Should().ContainSingle().Which.Properties["runner"].Should().Be(runner);
    }

    /// <summary>A stand-in for EF Core 8's relational assembly: same assembly name, version and type names, compiled here.</summary>
    private static byte[] EfCore8StandIn() => CompiledPackage.Compile("Microsoft.EntityFrameworkCore.Relational", """
        [assembly: System.Reflection.AssemblyVersion("8.0.0.0")]
        namespace Microsoft.EntityFrameworkCore
        {
            public static class RelationalDatabaseFacadeExtensions
            {
                public static void Migrate(this object databaseFacade) { }
            }
        }
        """, CompiledPackage.FrameworkOnly);

    [TestCase(true)]
    [TestCase(false)]
    public async Task EF_Core_before_9_applied_by_the_application_at_start_is_high(bool callsMigrate)
    {
        var standIn = EfCore8StandIn();
        var app = CompiledPackage.Compile("Acme.App", $$"""
            using Microsoft.EntityFrameworkCore;
            public static class Program
            {
                public static void Main()
                {
                    object database = new object();
                    {{(callsMigrate ? "database.Migrate();" : "System.Console.WriteLine(typeof(RelationalDatabaseFacadeExtensions));")}}
                }
            }
            """, [.. CompiledPackage.FrameworkOnly, Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(standIn)]);

        var report = await CompiledPackage.ScanZip(new()
        {
            ["app/Acme.App.dll"] = app,
            ["src/Migrations/20260101000000_AddNote.cs"] = Encoding.UTF8.GetBytes(EfSourceMigration),
        });

        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF518").Which;
        finding.Properties["efCoreVersion"].Should().Be("8");
        finding.Severity.Should().Be(callsMigrate ? Severity.High : Severity.Medium);
        if (callsMigrate) finding.Message.Should().Contain("Program::Main");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task DbUp_takes_no_lock_and_is_high_when_the_application_runs_it(bool performs)
    {
        var dbUp = CompiledPackage.Compile("dbup-core", """
            namespace DbUp.Engine
            {
                public class UpgradeEngine { public object? PerformUpgrade() => null; }
            }
            """, CompiledPackage.FrameworkOnly);
        var app = CompiledPackage.Compile("Acme.Upgrader", $$"""
            public static class Program
            {
                public static void Main()
                {
                    var engine = new DbUp.Engine.UpgradeEngine();
                    {{(performs ? "engine.PerformUpgrade();" : "System.Console.WriteLine(engine);")}}
                }
            }
            """, [.. CompiledPackage.FrameworkOnly, Microsoft.CodeAnalysis.MetadataReference.CreateFromImage(dbUp)]);

        var report = await CompiledPackage.ScanZip(new() { ["bin/Acme.Upgrader.dll"] = app });

        var finding = report.Findings.Should().ContainSingle().Which;
        finding.RuleId.Should().Be("PF518");
        finding.Location.Path.Should().Be("bin/Acme.Upgrader.dll");
        finding.Properties["runner"].Should().Be("dbup");
        finding.Severity.Should().Be(performs ? Severity.High : Severity.Medium);
    }
}
