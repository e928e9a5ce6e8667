using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using Preflight.Content;
using Preflight.Detectors.Migrations;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>
/// Migration discovery matches file names and script lines on the backtracking engine first (see TimedRegex); each
/// pattern must give the same matches and groups as on the non-backtracking engine, which answers where the first gives up.
/// </summary>
public class MigrationPatternEngineTests
{
    [Test]
    public void Generated_file_names_get_the_same_matches_from_both_engines()
    {
        // A name is a prefix, a version, a separator, a description and a suffix, each drawn from right spellings and
        // near misses.
        string[][] parts =
        [
            ["V", "v", "R", "U", "", "x"],
            ["1", "2_1", "10.3", "0042", "1..2", "", "1_", "a"],
            ["__", "_", "___", "-", ""],
            ["add_users", "x", ".", "é", "\u212A", "a b", ""],
            [".sql", ".SQL", ".up.sql", ".down.sql", ".Up.Sql", ".sq", ".sql.bak", ""],
        ];
        TimedRegex[] patterns = [MigrationDiscovery.FlywayVersioned, MigrationDiscovery.FlywayRepeatable, MigrationDiscovery.FlywayUndo, MigrationDiscovery.GolangMigrate];
        var random = new Random(20261130);
        int matches = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var name = RegexEngines.Build(random, parts);
            foreach (var pattern in patterns) matches += RegexEngines.AssertSameAsLinear(pattern, name);
        }
        matches.Should().BeGreaterThan(1_000, "the generated names hold migrations of every kind");
    }

    [Test]
    public void Generated_script_lines_and_configurations_get_the_same_matches_from_both_engines()
    {
        string[][] parts =
        [
            ["", "  ", "\t", "for f in *.sql; do ", "ls | xargs ", "# ", "\n", "flyway.", "x"],
            ["psql", "PSQL", "sqlcmd", "psqlx", "initSql", "initsql", ""],
            [" ", "\t", "", " -U app ", " = ", "=", " -h db "],
            ["-f", "--file=", "--file ", "-i", "-F", "", "SET lock_timeout='5s'", "'x'"],
            [" ", "", "\"", "\t"],
            ["$f", "\"$f\"", "${f}", "$", "f", "file.sql"],
            ["", "; done", "\n", "\r\n", " $"],
        ];
        var random = new Random(20261131);
        int matches = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var text = RegexEngines.Build(random, parts);
            matches += RegexEngines.AssertSameAsLinear(MigrationDiscovery.ApplyCommand, text) + RegexEngines.AssertSameAsLinear(MigrationDiscovery.FlywayInitSqlLine, text);
        }
        matches.Should().BeGreaterThan(1_000);
    }

    [Test]
    public void Generated_manifests_and_directives_get_the_same_matches_from_both_engines()
    {
        string[][] packages = [["", "  ", "<PackageReference Include="], ["\"Microsoft.EntityFrameworkCore", "\"Microsoft.EntityFrameworkCore.Relational", "\"dbup-core", "\"DbUp.SqlServer", "\"FluentMigrator.Runner.Postgres", "\"x"],
            ["/", "\" Version=\"", "\"  Version = \"", "\"", ""], ["8.", "10.0.1", "x", "123.4", ""], ["\"", "", "\n"]];
        string[][] manifests = [["", "kind: Deployment", "kind: StatefulSet", "kind:Job", "kind: DaemonSet  ", "  replicas: 3", "replicas: 1000000", "replicas:x"], ["\n", "\r\n", " ", ""]];
        string[][] directives = [["-- ", "/* ", "", "--"], ["preflight-ignore", "PREFLIGHT-IGNORE", "preflight-ignor", "changeset"], [" ", "  ", ""],
            ["PF501", "PF501, PF502", "PF5", "pf503 ,PF504", "alice:1", "x"], ["", ": reviewed by dba", ":", " : why\r"], ["\n", ""]];
        var random = new Random(20261133);
        int matches = 0;
        for (int n = 0; n < 10_000; n++)
        {
            var pkg = RegexEngines.Build(random, packages) + RegexEngines.Build(random, packages);
            var manifest = RegexEngines.Build(random, manifests) + RegexEngines.Build(random, manifests) + RegexEngines.Build(random, manifests);
            var directive = RegexEngines.Build(random, directives) + RegexEngines.Build(random, directives);
            matches += RegexEngines.AssertSameAsLinear(MigrationRunners.EfPackageVersion, pkg) + RegexEngines.AssertSameAsLinear(MigrationRunners.OtherRunnerPackage, pkg)
                + RegexEngines.AssertSameAsLinear(MigrationRunners.WorkloadKind, manifest) + RegexEngines.AssertSameAsLinear(MigrationRunners.Replicas, manifest)
                + RegexEngines.AssertSameAsLinear(Preflight.Detectors.Migrations.Postgres.PgScript.IgnoreDirective, directive)
                + RegexEngines.AssertSameAsLinear(Preflight.Detectors.Migrations.Postgres.PgScript.LiquibaseChangeset, directive);
        }
        matches.Should().BeGreaterThan(10_000);
    }

}
