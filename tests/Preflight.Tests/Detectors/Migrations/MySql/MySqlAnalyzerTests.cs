using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Migrations;
using Preflight.Detectors.Migrations.MySql;

namespace Preflight.Tests.Detectors.Migrations.MySql;

public class MySqlAnalyzerTests
{
    private static List<string> Rules(string sql)
    {
        var analysis = MySqlAnalyzer.Analyze(sql);
        analysis.Malformed.Should().BeNull();
        return [.. SqlEvent.Effective(analysis.Events, new HashSet<string>(StringComparer.Ordinal)).Select(i => i.Rule.Id)];
    }

    private const string Timeout = "SET SESSION lock_wait_timeout = 5;\n";

    [TestCase("ALTER TABLE `orders` ADD COLUMN `note` VARCHAR(100) NULL;", true)]
    [TestCase("ALTER TABLE orders ADD INDEX idx_status (status);", true)]
    [TestCase("ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=INPLACE;", true)]
    [TestCase("ALTER TABLE orders ADD INDEX idx_status (status), LOCK=NONE;", true)]
    [TestCase("ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=COPY, LOCK=SHARED;", true)]
    [TestCase("CREATE INDEX idx_status ON shop.orders (status);", true)]
    [TestCase("ALTER TABLE orders MODIFY COLUMN status BIGINT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [TestCase("ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [TestCase("ALTER TABLE orders ADD FULLTEXT INDEX ft_note (note), ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [TestCase("ALTER TABLE orders ADD COLUMN note VARCHAR(100) NULL, ALGORITHM=INSTANT;", false)]
    [TestCase("ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=INPLACE, LOCK=NONE;", false)]
    [TestCase("ALTER TABLE `orders` ADD INDEX `idx_status` (`status`), ALGORITHM = INPLACE, LOCK = NONE;", false)]
    [TestCase("CREATE INDEX idx_status ON orders (status) ALGORITHM=INPLACE LOCK=NONE;", false)]
    [TestCase("/*!50600 ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=INPLACE, LOCK=NONE */;", false)]
    [TestCase("CREATE TABLE `fresh` (`id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\nALTER TABLE fresh ADD COLUMN note TEXT;", false)]
    [TestCase("-- ALTER TABLE orders ADD COLUMN note TEXT;\n# ALTER TABLE orders DROP COLUMN x;\nSELECT 'ALTER TABLE orders ADD COLUMN y INT';", false)]
    public void Alter_on_an_existing_table_without_an_online_algorithm_is_PF522(string sql, bool expected)
    {
        Rules(Timeout + sql).Contains("PF522").Should().Be(expected);
    }

    [TestCase("ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;", true)]
    [TestCase("ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;\nSET SESSION lock_wait_timeout = 5;", true)]
    [TestCase("SET GLOBAL lock_wait_timeout = 5;\nALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;", true)]
    [TestCase("SET lock_wait_timeout = 31536000;\nALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;", true)]
    [TestCase("RENAME TABLE orders TO orders_old;", true)]
    [TestCase("DROP INDEX idx_status ON orders;", true)]
    [TestCase("SET lock_wait_timeout = 5;\nALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;", false)]
    [TestCase("SET SESSION lock_wait_timeout=10;\nCREATE INDEX idx ON orders (status) ALGORITHM=INPLACE LOCK=NONE;", false)]
    [TestCase("SET @@session.lock_wait_timeout = 10;\nDROP INDEX idx_status ON orders;", false)]
    [TestCase("SELECT 1;", false)]
    public void Lock_taking_statement_without_lock_wait_timeout_is_PF503(string sql, bool expected)
    {
        Rules(sql).Contains("PF503").Should().Be(expected);
    }

    [Test]
    public void Tokenizer_handles_escapes_doubled_quotes_backticks_and_delimiter_blocks()
    {
        var sql = """
            INSERT INTO t VALUES ('it\'s; fine', 'a''b; c', "x;y");
            SELECT `weird;name` FROM t;
            DELIMITER //
            CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//
            DELIMITER ;
            ALTER TABLE orders ADD COLUMN note TEXT;
            """;

        var statements = MySqlAnalyzer.Split(sql, out var unterminated);

        unterminated.Should().BeNull();
        statements.Should().HaveCount(4);
        statements[1].Tokens[1].Text.Should().Be("weird;name");
        statements[3].Tokens[0].Line.Should().Be(6);
    }

    [TestCase("ALTER TABLE orders ADD COLUMN note VARCHAR(10) DEFAULT 'x;\n", 1)]
    [TestCase("SELECT 1;\n/* open\nALTER TABLE orders ADD COLUMN note TEXT;", 2)]
    [TestCase("SELECT `id FROM orders;", 1)]
    public void Unterminated_literal_or_comment_is_reported_with_its_line(string sql, int line)
    {
        var analysis = MySqlAnalyzer.Analyze(sql);

        analysis.Malformed.Should().NotBeNull();
        analysis.Malformed!.Value.Line.Should().Be(line);
    }

    [Test]
    public async Task Scan_reports_mysql_findings_with_the_dialect_and_skips_tables_created_earlier()
    {
        var files = new Dictionary<string, string>
        {
            ["db/migration/V1__create.sql"] = "CREATE TABLE `fresh` (`id` INT NOT NULL) ENGINE=InnoDB;\n",
            ["db/migration/V2__alter.sql"] = "ALTER TABLE `fresh` ADD COLUMN `note` TEXT;\n\nALTER TABLE `orders` ADD COLUMN `note` TEXT;\n",
            ["db/migration/V3__safe.sql"] = "SET SESSION lock_wait_timeout = 5;\nALTER TABLE `orders` ADD COLUMN `rank` INT, ALGORITHM=INSTANT;\n",
        };

        var report = await MigrationScan.ScanFolder(files);

        report.Findings.Select(f => $"{f.RuleId} {f.Location.Path}:{f.Location.Line}").Should().BeEquivalentTo(
            "PF522 db/migration/V2__alter.sql:3",
            "PF503 db/migration/V2__alter.sql:3");
        report.Findings.Should().OnlyContain(f => f.Properties["dialect"] == "mysql" && f.Properties["table"] == "orders");
    }
}
