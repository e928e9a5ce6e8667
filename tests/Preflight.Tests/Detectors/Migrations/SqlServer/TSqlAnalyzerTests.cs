using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors.Migrations;
using Preflight.Detectors.Migrations.SqlServer;

namespace Preflight.Tests.Detectors.Migrations.SqlServer;

public class TSqlAnalyzerTests
{
    private static List<string> Rules(string sql)
    {
        var analysis = TSqlAnalyzer.Analyze(sql);
        analysis.Malformed.Should().BeNull();
        return [.. SqlEvent.Effective(analysis.Events, new HashSet<string>(StringComparer.Ordinal)).Select(i => i.Rule.Id)];
    }

    [TestCase("CREATE INDEX IX_Orders_Status ON dbo.Orders (Status);", true)]
    [TestCase("CREATE NONCLUSTERED INDEX IX_Orders_Status ON [dbo].[Orders] ([Status]) WITH (FILLFACTOR = 90);", true)]
    [TestCase("CREATE INDEX IX_Orders_Status ON dbo.Orders (Status) WITH (ONLINE = OFF);", true)]
    [TestCase("ALTER INDEX IX_Orders_Status ON dbo.Orders REBUILD;", true)]
    [TestCase("CREATE INDEX IX_Orders_Status ON dbo.Orders (Status) WITH (ONLINE = ON);", false)]
    [TestCase("ALTER INDEX ALL ON dbo.Orders REBUILD WITH (ONLINE = ON);", false)]
    [TestCase("ALTER INDEX IX_Orders_Status ON dbo.Orders REORGANIZE;", false)]
    [TestCase("CREATE TABLE dbo.Orders (Id int NOT NULL, Status int NULL);\nCREATE INDEX IX_Orders_Status ON dbo.Orders (Status);", false)]
    [TestCase("CREATE TABLE Orders (Id int NOT NULL, Status int NULL);\nCREATE INDEX IX_Orders_Status ON dbo.Orders (Status);", false)]
    public void Index_build_without_online_on_an_existing_table_is_PF501(string sql, bool expected)
    {
        Rules(sql).Contains("PF501").Should().Be(expected);
    }

    [TestCase("CREATE INDEX IX ON dbo.Orders (Status) WITH (ONLINE = ON);", true)]
    [TestCase("ALTER TABLE dbo.Orders ADD Note nvarchar(100) NULL;", true)]
    [TestCase("SET LOCK_TIMEOUT -1;\nALTER TABLE dbo.Orders ADD Note nvarchar(100) NULL;", true)]
    [TestCase("ALTER TABLE dbo.Orders ADD Note nvarchar(100) NULL;\nSET LOCK_TIMEOUT 5000;", true)]
    [TestCase("SET LOCK_TIMEOUT 5000;\nGO\nALTER TABLE dbo.Orders ADD Note nvarchar(100) NULL;", false)]
    [TestCase("SET LOCK_TIMEOUT 0;\nCREATE INDEX IX ON dbo.Orders (Status) WITH (ONLINE = ON);", false)]
    [TestCase("CREATE INDEX IX ON dbo.Orders (Status) WITH (ONLINE = ON (WAIT_AT_LOW_PRIORITY (MAX_DURATION = 1 MINUTES, ABORT_AFTER_WAIT = SELF)));", false)]
    [TestCase("ALTER INDEX IX ON dbo.Orders REBUILD WITH (ONLINE = ON (WAIT_AT_LOW_PRIORITY (MAX_DURATION = 1 MINUTES, ABORT_AFTER_WAIT = BLOCKERS)));", false)]
    [TestCase("CREATE TABLE dbo.Notes (Id int NOT NULL);\nALTER TABLE dbo.Notes ADD Body nvarchar(100) NULL;", false)]
    public void Heavy_ddl_without_lock_timeout_or_wait_at_low_priority_is_PF503(string sql, bool expected)
    {
        Rules(sql).Contains("PF503").Should().Be(expected);
    }

    [TestCase("ALTER TABLE dbo.Orders ALTER COLUMN Status bigint NOT NULL;", true)]
    [TestCase("ALTER TABLE dbo.Orders ALTER COLUMN Note nvarchar(400) NULL;", true)]
    [TestCase("ALTER TABLE dbo.Orders ALTER COLUMN Note ADD SPARSE;", false)]
    [TestCase("ALTER TABLE dbo.Orders ADD Note nvarchar(100) NULL;", false)]
    [TestCase("CREATE TABLE dbo.Fresh (Note nvarchar(10) NULL);\nALTER TABLE dbo.Fresh ALTER COLUMN Note nvarchar(400) NULL;", false)]
    public void Alter_column_type_or_size_on_an_existing_table_is_PF519(string sql, bool expected)
    {
        Rules(sql).Contains("PF519").Should().Be(expected);
    }

    [TestCase("ALTER TABLE dbo.Orders ADD CONSTRAINT CK_Orders_Total CHECK (Total >= 0);", true)]
    [TestCase("ALTER TABLE dbo.Orders WITH CHECK ADD CONSTRAINT FK_Orders_Customers FOREIGN KEY (CustomerId) REFERENCES dbo.Customers (Id);", true)]
    [TestCase("ALTER TABLE dbo.Orders ADD CONSTRAINT FK_Orders_Customers FOREIGN KEY (CustomerId) REFERENCES dbo.Customers (Id);", true)]
    [TestCase("ALTER TABLE dbo.Orders WITH NOCHECK ADD CONSTRAINT CK_Orders_Total CHECK (Total >= 0);", false)]
    [TestCase("ALTER TABLE dbo.Orders WITH NOCHECK ADD CONSTRAINT FK_Orders_Customers FOREIGN KEY (CustomerId) REFERENCES dbo.Customers (Id);", false)]
    [TestCase("ALTER TABLE dbo.Orders ADD CONSTRAINT DF_Orders_Status DEFAULT 0 FOR Status;", false)]
    public void Check_or_foreign_key_added_with_check_is_PF520(string sql, bool expected)
    {
        Rules(sql).Contains("PF520").Should().Be(expected);
    }

    [TestCase("ALTER TABLE dbo.Orders ADD Priority int NOT NULL;", true)]
    [TestCase("ALTER TABLE dbo.Orders ADD Priority int NULL, Rank int NOT NULL;", true)]
    [TestCase("ALTER TABLE dbo.Orders ADD Priority int NOT NULL CONSTRAINT DF_Orders_Priority DEFAULT 0;", false)]
    [TestCase("ALTER TABLE dbo.Orders ADD Priority int NOT NULL DEFAULT 0;", false)]
    [TestCase("ALTER TABLE dbo.Orders ADD Priority int NULL;", false)]
    [TestCase("ALTER TABLE dbo.Orders ADD Priority int;", false)]
    [TestCase("ALTER TABLE dbo.Orders ADD Seq int IDENTITY(1,1) NOT NULL;", false)]
    [TestCase("CREATE TABLE dbo.Fresh (Id int NOT NULL);\nALTER TABLE dbo.Fresh ADD Priority int NOT NULL;", false)]
    public void Not_null_column_without_default_is_PF516(string sql, bool expected)
    {
        Rules(sql).Contains("PF516").Should().Be(expected);
    }

    [TestCase("CREATE INDEX ON dbo.Orders (Status);")]
    [TestCase("ALTER TABLE dbo.Orders ADD CONSTRAINT;")]
    [TestCase("SELECT 'unterminated FROM dbo.Orders;")]
    [TestCase("/* never closed\nALTER TABLE dbo.Orders ADD Note int NULL;")]
    public void Malformed_tsql_is_reported_as_a_parse_error_not_an_exception(string sql)
    {
        var analysis = TSqlAnalyzer.Analyze(sql);

        analysis.Malformed.Should().NotBeNull();
        analysis.Malformed!.Value.Line.Should().BeGreaterThan(0);
        analysis.Events.Should().BeEmpty();
    }

    [Test]
    public void Findings_point_at_the_statement_line_and_name_the_table()
    {
        var analysis = TSqlAnalyzer.Analyze("SET NOCOUNT ON;\nGO\n\n  CREATE INDEX IX ON Sales.Orders (Status);\n");

        var issue = SqlEvent.Effective(analysis.Events, new HashSet<string>()).First(i => i.Rule.Id == "PF501");
        issue.Line.Should().Be(4);
        issue.Column.Should().Be(3);
        issue.Table.Should().Be("sales.orders");
        issue.Evidence.Should().Be("CREATE INDEX IX ON Sales.Orders (Status);");
    }

    [Test]
    public async Task Scan_applies_tsql_rules_in_runner_order_and_skips_tables_created_by_an_earlier_migration()
    {
        var files = new Dictionary<string, string>
        {
            ["db/migration/V1__create_notes.sql"] = "CREATE TABLE [dbo].[Notes] (Id int NOT NULL);\nGO\n",
            ["db/migration/V2__indexes.sql"] =
                "CREATE INDEX IX_Notes_Id ON [dbo].[Notes] (Id);\nGO\nCREATE INDEX IX_Orders_Status ON [dbo].[Orders] (Status);\nGO\n",
            ["db/migration/V3__broken.sql"] = "ALTER TABLE [dbo].[Orders] ADD CONSTRAINT;\nGO\n",
        };

        var report = await MigrationScan.ScanFolder(files);

        report.Findings.Select(f => $"{f.RuleId} {f.Location.Path}:{f.Location.Line}").Should().BeEquivalentTo(
            "PF501 db/migration/V2__indexes.sql:3",
            "PF503 db/migration/V2__indexes.sql:3",
            "PF521 db/migration/V3__broken.sql:1");
        report.Findings.First(f => f.RuleId == "PF501").Properties.Should().Contain("dialect", "sqlserver").And.Contain("table", "dbo.orders");
    }

    [Test]
    public async Task Preflight_ignore_with_a_reason_suppresses_a_tsql_finding_and_without_one_is_PF515()
    {
        var files = new Dictionary<string, string>
        {
            ["db/migration/V1__indexes.sql"] = """
                SET LOCK_TIMEOUT 5000;
                GO
                -- preflight-ignore PF501: Orders has 40 rows, built in milliseconds
                CREATE INDEX IX_Orders_Status ON [dbo].[Orders] (Status);
                GO
                -- preflight-ignore PF501
                CREATE INDEX IX_Orders_Total ON [dbo].[Orders] (Total);
                GO
                """,
        };

        var report = await MigrationScan.ScanFolder(files);

        report.Findings.Select(f => $"{f.RuleId} {f.Location.Line} {f.Suppressed}").Should().BeEquivalentTo(
            "PF501 4 True", "PF515 6 False", "PF501 7 False");
        report.Findings.Single(f => f.Suppressed).SuppressionReason.Should().Be("Orders has 40 rows, built in milliseconds");
    }
}
