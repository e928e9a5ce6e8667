using FluentAssertions;
using NUnit.Framework;
using System.Reflection;
using System.Text.Json;
using Preflight.Detectors.Migrations.Postgres;
using Preflight.Findings;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>
/// The spill that keeps a large migration set's statements in a temporary file: the binary form loses nothing,
/// the file leaves nothing behind, and a scan that spills every statement reports exactly what one that spills
/// none does.
/// </summary>
public class PgStatementSpillTests
{
    private static readonly JsonSerializerOptions Deep = new() { IncludeFields = true, WriteIndented = false };

    private static string Json(IReadOnlyList<PgScriptStatement> statements) => JsonSerializer.Serialize(statements, Deep);

    private static IEnumerable<string> MigrationFiles() =>
        Directory.EnumerateFiles(Path.Combine(SharedData.RepositoryRoot, "fixtures", "migrations"), "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [Test]
    public void Every_statement_of_the_migration_fixtures_decodes_to_what_was_encoded()
    {
        int statements = 0, withActions = 0, withColumns = 0;
        foreach (var file in MigrationFiles())
        {
            var parsed = PgScript.Parse(File.ReadAllText(file)).Statements;
            var decoded = PgStatementCodec.Decode(PgStatementCodec.Encode(parsed), parsed.Count);
            Json(decoded).Should().Be(Json(parsed), because: file);
            statements += parsed.Count;
            withActions += parsed.Count(s => s.Statement.Actions.Count > 0);
            withColumns += parsed.Count(s => s.Statement.Columns.Count > 0);
        }
        // the fixtures are a real test of the codec only if they hold the nested parts
        statements.Should().BeGreaterThan(400);
        withActions.Should().BeGreaterThan(50);
        withColumns.Should().BeGreaterThan(5);
    }

    [Test]
    public void A_statement_with_every_property_set_round_trips()
    {
        // Every settable property gets a value that is not its default, by reflection: a property added to the
        // model later and forgotten by the codec fails here.
        var statement = Filled(new PgStatement());
        statement.AddTable("public.orders");
        statement.AddTable("events");
        statement.AddAction(Filled(new PgAlterAction()));
        statement.AddAction(new PgAlterAction { Kind = PgAlterKind.DropColumn, Column = "legacy" });
        statement.AddColumn("id", new PgType("bigint", null, null, false));
        statement.AddColumn("price", new PgType("numeric", 10, 2, true));
        statement.AddColumn("untyped", null);
        statement.AddReference("customers");
        statement.AddNotNullCheck("orders_note_nn", "note");
        statement.AddNotNullCheck(null, "email");
        var original = new List<PgScriptStatement>
        {
            new(statement, 12, 7, "ALTER TABLE orders ADD COLUMN note text — ünïcode ✓",
                new Dictionary<string, string>(StringComparer.Ordinal) { ["PF501"] = "table is empty", ["PF503"] = "reviewed" },
                [(11, 4, "PF502")], true),
            new(new PgStatement { Kind = PgStatementKind.Commit, Verb = "COMMIT" }, 0, 0, "", new Dictionary<string, string>(), [], false),
            new(new PgStatement(), 1, 1, "SELECT 1", new Dictionary<string, string>(), [], null),
        };

        var decoded = PgStatementCodec.Decode(PgStatementCodec.Encode(original), original.Count);

        Json(decoded).Should().Be(Json(original));
        decoded[0].Statement.Actions[0].Type.Should().Be(original[0].Statement.Actions[0].Type);
    }

    private static T Filled<T>(T target) where T : class
    {
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            object value = p.PropertyType switch
            {
                var t when t == typeof(string) => p.Name.ToLowerInvariant() + "_value",
                var t when t == typeof(bool) => true,
                var t when t.IsEnum => Enum.GetValues(t).Cast<object>().Last(),
                var t when t == typeof(PgType) => new PgType("varchar", 20, null, true),
                var t => throw new InvalidOperationException($"the test does not know how to fill {typeof(T).Name}.{p.Name} ({t.Name})"),
            };
            p.SetValue(target, value);
        }
        return target;
    }

    [Test]
    public void Scripts_beyond_the_budget_are_written_out_and_read_back_and_the_file_is_gone_after_dispose()
    {
        var dir = Directory.CreateTempSubdirectory("pf-spill-");
        try
        {
            var scripts = new[] { "CREATE TABLE a (id int);", "ALTER TABLE a ADD COLUMN b text;", "CREATE INDEX a_b ON a (b);\nUPDATE a SET b = 'x';" }
                .Select(sql => PgScript.Parse(sql)).ToArray();
            using (var spill = new PgStatementSpill(budget: 2, dir.FullName))
            {
                var kept = scripts.Select(spill.Keep).ToArray();

                kept[0].IsSpilled.Should().BeFalse();
                kept[1].IsSpilled.Should().BeFalse();
                kept[2].IsSpilled.Should().BeTrue("the third script goes over the budget of two statements");
                kept[2].Count.Should().Be(2);
                spill.SpilledStatements.Should().Be(2);
                spill.SpilledBytes.Should().BeGreaterThan(0);
                Json(kept[2].Statements).Should().Be(Json(scripts[2].Statements));
                Json(kept[2].InMemory().Statements).Should().Be(Json(scripts[2].Statements));
                if (!OperatingSystem.IsWindows())
                    dir.EnumerateFileSystemInfos().Should().BeEmpty("on Unix the file's name is removed as soon as it is open");

                spill.Dispose();
                dir.EnumerateFileSystemInfos().Should().BeEmpty();
                var read = () => kept[2].Statements;
                read.Should().Throw<ObjectDisposedException>();
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void Spilled_scripts_of_every_size_read_back_the_same_in_any_order_and_again()
    {
        // The read buffer comes from a pool and is usually longer than the script read: only its first bytes are decoded.
        var dir = Directory.CreateTempSubdirectory("pf-spill-");
        try
        {
            var scripts = MigrationFiles().Take(40).Select(f => PgScript.Parse(File.ReadAllText(f))).Where(p => p.Count > 0).ToArray();
            scripts.Length.Should().BeGreaterThan(20);
            using var spill = new PgStatementSpill(budget: 0, dir.FullName);
            var kept = scripts.Select(spill.Keep).ToArray();
            kept.Should().OnlyContain(k => k.IsSpilled);
            foreach (var order in new[] { Enumerable.Range(0, kept.Length), Enumerable.Range(0, kept.Length).Reverse(), Enumerable.Range(0, kept.Length) })
                foreach (int i in order)
                    Json(kept[i].Statements).Should().Be(Json(scripts[i].Statements), because: $"script {i}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void Decoding_reads_only_the_given_length_and_refuses_a_wrong_one()
    {
        var parsed = PgScript.Parse("CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b text NOT NULL DEFAULT 'x';").Statements;
        var encoded = PgStatementCodec.Encode(parsed);
        var padded = encoded.Concat(Enumerable.Repeat((byte)0xAB, 100)).ToArray();

        Json(PgStatementCodec.Decode(padded, encoded.Length, parsed.Count)).Should().Be(Json(parsed));
        var tooLong = () => PgStatementCodec.Decode(padded, encoded.Length + 1, parsed.Count);
        tooLong.Should().Throw<InvalidDataException>();
    }

    [Test]
    public void Where_the_file_cannot_be_created_the_scripts_stay_in_memory()
    {
        var missing = Path.Combine(Path.GetTempPath(), "pf-spill-missing-" + Path.GetRandomFileName(), "nested");
        using var spill = new PgStatementSpill(budget: 0, missing);
        var script = PgScript.Parse("ALTER TABLE a ADD COLUMN b text;");

        var kept = spill.Keep(script);

        kept.IsSpilled.Should().BeFalse();
        kept.Statements.Should().BeSameAs(script.Statements);
        spill.SpilledStatements.Should().Be(0);
        Directory.Exists(missing).Should().BeFalse();
    }

    [Test]
    public async Task A_scan_that_spills_every_statement_reports_what_one_that_spills_none_does()
    {
        // the mixed fixture (four runners, suppressions, EF Core) and the squawk corpus laid out as one Flyway set of
        // 160 versions, so that later migrations depend on the tables earlier ones created
        var corpus = Directory.CreateTempSubdirectory("pf-spill-corpus-");
        try
        {
            var cases = Directory.GetFiles(Path.Combine(SharedData.RepositoryRoot, "fixtures", "migrations", "squawk-corpus"), "*.sql").Order(StringComparer.Ordinal).ToArray();
            Directory.CreateDirectory(Path.Combine(corpus.FullName, "db", "migration"));
            for (int i = 0; i < cases.Length; i++)
                File.Copy(cases[i], Path.Combine(corpus.FullName, "db", "migration", $"V{i + 1}__{Path.GetFileNameWithoutExtension(cases[i])}.sql"));

            foreach (var root in new[] { Path.Combine(SharedData.RepositoryRoot, "fixtures", "migrations", "mixed"), corpus.FullName })
            {
                var inMemory = await PreflightScanner.ScanAsync(root, MigrationScan.Options with { MigrationStatementsInMemory = int.MaxValue });
                var spilled = await PreflightScanner.ScanAsync(root, MigrationScan.Options with { MigrationStatementsInMemory = 0 });

                inMemory.Findings.Should().HaveCountGreaterThan(10, root);
                Describe(spilled.Findings).Should().Equal(Describe(inMemory.Findings), because: root);
                spilled.Inventory.Migrations.Select(m => (m.Location.Path, m.Statements))
                    .Should().Equal(inMemory.Inventory.Migrations.Select(m => (m.Location.Path, m.Statements)));
                spilled.Diagnostics.Should().BeEquivalentTo(inMemory.Diagnostics);
            }
        }
        finally
        {
            corpus.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> Describe(IEnumerable<Finding> findings) =>
        findings.Select(f => $"{f.RuleId} {f.Location} {f.Severity} {f.Fingerprint} {f.Suppressed} {f.Message} | {f.Evidence} | {string.Join(",", f.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))}");
}
