using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Migrations;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>
/// The dialect of a SQL file is sniffed by marker patterns, run only where one of their literal anchors occurs. That
/// gate may never change the answer: it is held to the patterns alone on every SQL file of the repository and on
/// generated texts made of markers, near misses, case variants and non-ASCII look-alikes.
/// </summary>
public class DialectSniffTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Preflight.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository root was not found");
    }

    private static string Expected(string text) => MigrationDiscovery.SniffDialectByPatterns(text.AsSpan(0, Math.Min(text.Length, 64 * 1024)));

    [Test]
    public void Every_sql_file_of_the_repository_gets_the_dialect_the_patterns_give()
    {
        var root = RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.sql", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "fixtures"), "*.sql", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        files.Should().HaveCountGreaterThan(50);
        var dialects = new HashSet<string>();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var dialect = MigrationDiscovery.SniffDialect(text);
            dialect.Should().Be(Expected(text), file);
            dialects.Add(dialect);
        }
        dialects.Should().Contain(["postgresql", "sqlserver"], "the files cover both (MySQL comes from the generated texts below)");
    }

    [Test]
    public void Generated_texts_get_the_dialect_the_patterns_give()
    {
        string[] pieces =
        [
            "SELECT 1;", "\n", "\r\n", " ", "GO", "go", "Go", "\nGO\n", "[dbo]", "[DBO]", "NVARCHAR(10)", "nvarchar", "IDENTITY(1,1)", "identity (1, 2)",
            "sp_rename", "SP_help", "WITH (ONLINE = ON)", "with(online=", "SET LOCK_TIMEOUT 5000", "set lock_timeout -1", "WAIT_AT_LOW_PRIORITY",
            "`users`", "ENGINE=InnoDB", "engine = x", "AUTO_INCREMENT", "ALGORITHM=INPLACE", "algorithm = copy", "lock_wait_timeout",
            "category", "google", "online", "identityx", "engineer", "gold", "ſp_x", "loc\u212A_timeout", "SET LOC\u212A_TIMEOUT 1", "\u212Aey",
            "ENGINE\u212A", "é", "CREATE INDEX CONCURRENTLY i ON t (c);",
            // around a batch separator: white space of every ASCII kind, and words that hold "go"
            "\t", "\v", "\f", "\r", "GO\t", " gO ", "xgo", "go;", "\rGO\r", "ago", "GOTO", "\n  go  \r\n",
            // around T-SQL's SET LOCK_TIMEOUT <ms> and PostgreSQL's SET lock_timeout = '5s'
            "SET lock_timeout = '5s';", "SET LOCAL lock_timeout TO '1s'", "set LOCK_TIMEOUT\t-1", "SET\nlock_timeout\n5", "xset lock_timeout 5",
            "_SET lock_timeout 5", "lock_timeout 5", "SET lock_timeout5", "SET lock_timeout -x", "SET", "set ", "lock_timeout", " 5", "-", "7",
            // around WITH (ONLINE = ON) and comments about building online
            "-- built online", "WITH (ONLINE=ON)", "with\n(\nonline\n=", "WITH(online =", "xwith (online=", "with online =", "(ONLINE = ON)",
            "WITH (", "online =", "(", "=", "with",
        ];
        var random = new Random(20261129);
        var seen = new Dictionary<string, int>();
        for (int n = 0; n < 20_000; n++)
        {
            var sb = new StringBuilder();
            for (int i = random.Next(0, 12); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            var text = sb.ToString();
            var dialect = MigrationDiscovery.SniffDialect(text);
            dialect.Should().Be(Expected(text), "for \"{0}\"", text);
            seen[dialect] = seen.GetValueOrDefault(dialect) + 1;
        }
        seen.Should().ContainKeys("postgresql", "sqlserver", "mysql");
        seen.Values.Should().OnlyContain(c => c > 1000);
    }

    [TestCase("SELECT category, algorithm FROM google_ago;", false)]
    [TestCase("CREATE TABLE t (a int)\nGOTO\n", false)]
    [TestCase("x go\n", false)]
    [TestCase("go x", false)]
    [TestCase("GO", true)]
    [TestCase("CREATE TABLE t (a int)\n  go \r\nSELECT 1", true)]
    [TestCase("SELECT 1\n\t\v\f GO\t\r", true)]
    public void The_batch_separator_gate_lets_through_only_a_line_that_is_GO(string text, bool expected)
    {
        // The gate must never stop a text the pattern matches (the tests above); this holds it to stopping the others,
        // which is what spares building the pattern.
        MigrationDiscovery.HasGoLine(text).Should().Be(expected);
        MigrationDiscovery.SniffDialect(text).Should().Be(expected ? "sqlserver" : "postgresql");
    }

    [TestCase("SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i ON t (c);", false)]
    [TestCase("SET LOCAL lock_timeout TO '1s';", false)]
    [TestCase("SET LOCK_TIMEOUT 5000;", true)]
    [TestCase("set lock_timeout\n-1", true)]
    [TestCase("RESET lock_timeout; SET statement_timeout 5", false)]
    [TestCase("RESET lock_timeout 5", false)]
    public void The_lock_timeout_gate_lets_through_only_a_value_in_milliseconds(string text, bool expected)
    {
        MigrationDiscovery.HasLockTimeoutInMilliseconds(text).Should().Be(expected);
        MigrationDiscovery.SniffDialect(text).Should().Be(expected ? "sqlserver" : "postgresql");
    }

    [TestCase("-- the safe way: built online, outside a transaction.\nCREATE INDEX CONCURRENTLY i ON t (c);", false)]
    [TestCase("ALTER INDEX i REBUILD WITH (ONLINE = ON);", true)]
    [TestCase("create index i on t (c) with(online=on)", true)]
    [TestCase("bandwith (online = 1)", false)]
    [TestCase("WITH (online)", false)]
    [TestCase("with x online = 1", false)]
    public void The_online_gate_lets_through_only_an_online_option(string text, bool expected)
    {
        MigrationDiscovery.HasWithOnline(text).Should().Be(expected);
        MigrationDiscovery.SniffDialect(text).Should().Be(expected ? "sqlserver" : "postgresql");
    }
}
