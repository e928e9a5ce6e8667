using System.Diagnostics;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Migrations.Postgres;

namespace Preflight.Tests.Detectors.Migrations;

public class PgLexerTests
{
    private static List<string> Statements(string sql)
    {
        var tokens = PgLexer.Tokenize(sql);
        return [.. PgSplitter.Split(sql, tokens).Select(s => sql[s.StartOffset..s.EndOffset])];
    }

    [Test]
    public void Dollar_quotes_with_tags_hide_semicolons_and_other_dollar_quotes()
    {
        var sql = """
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$
            BEGIN
              PERFORM 1; RAISE NOTICE $$a;b$$;
              RETURN 1;
            END $fn$;
            SELECT 2;
            """;
        var statements = Statements(sql);
        statements.Should().HaveCount(2);
        statements[0].Should().EndWith("END $fn$");
        statements[1].Should().Be("SELECT 2");
    }

    [Test]
    public void A_dollar_sign_inside_an_identifier_or_a_parameter_does_not_open_a_quote()
    {
        var tokens = PgLexer.Tokenize("SELECT a$b, $1 FROM t; SELECT 3");
        tokens.Should().NotContain(t => t.Kind == PgTokenKind.DollarString || t.Kind == PgTokenKind.Unterminated);
        tokens.Count(t => t.Kind == PgTokenKind.Parameter).Should().Be(1);
        Statements("SELECT a$b, $1 FROM t; SELECT 3").Should().HaveCount(2);
    }

    [Test]
    public void Block_comments_nest_and_hide_semicolons()
    {
        var sql = "/* outer /* inner; */ still comment; */ SELECT 1; /* a */ SELECT 2";
        Statements(sql).Should().Equal("SELECT 1", "SELECT 2");
        PgLexer.Tokenize(sql).Count(t => t.Kind == PgTokenKind.BlockComment).Should().Be(2);
    }

    [Test]
    public void E_strings_honour_backslash_escapes_but_standard_strings_do_not()
    {
        // E'it\'s;' is one string; in a standard string a backslash is a plain character, so 'C:\' ends at its quote
        var sql = @"SELECT E'it\'s; fine'; SELECT 'C:\'; SELECT 'a''b;c'";
        Statements(sql).Should().Equal(@"SELECT E'it\'s; fine'", @"SELECT 'C:\'", "SELECT 'a''b;c'");
    }

    [Test]
    public void Quoted_identifiers_keep_semicolons_and_doubled_quotes()
    {
        var sql = "CREATE INDEX \"idx;\"\"x\" ON \"Orders\" (a); SELECT 1";
        var statements = Statements(sql);
        statements.Should().HaveCount(2);
        var script = PgScript.Parse(sql);
        script.Statements[0].Statement.IndexName.Should().Be("idx;\"x");
        script.Statements[0].Statement.Table.Should().Be("Orders");
    }

    [Test]
    public void Psql_meta_commands_are_statements_of_their_own_to_the_end_of_the_line()
    {
        var sql = "\\set ON_ERROR_STOP on\nSELECT 1;\n\\i other.sql\nCREATE INDEX i ON t (a);\n";
        var script = PgScript.Parse(sql);
        script.Statements.Select(s => s.Statement.Kind).Should().Equal(
            PgStatementKind.MetaCommand, PgStatementKind.Other, PgStatementKind.MetaCommand, PgStatementKind.CreateIndex);
        script.Statements[3].Line.Should().Be(4);
    }

    [Test]
    public void A_sql_standard_function_body_is_not_split_at_its_semicolons()
    {
        var sql = """
            CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;
              SELECT a + 1;
            END;
            SELECT 9;
            """;
        Statements(sql).Should().HaveCount(2).And.EndWith("SELECT 9");
    }

    [Test]
    public void Line_comments_end_at_the_line_and_an_operator_stops_before_a_comment()
    {
        var tokens = PgLexer.Tokenize("SELECT 1-- c;\n+2");
        tokens.Select(t => t.Kind).Should().Equal(PgTokenKind.Word, PgTokenKind.Number, PgTokenKind.LineComment, PgTokenKind.Operator, PgTokenKind.Number);
    }

    [TestCase("SELECT 'abc")]
    [TestCase("SELECT $x$ abc $y$")]
    [TestCase("/* /* */")]
    [TestCase("SELECT \"abc")]
    public void Unterminated_literals_become_one_token_to_the_end_and_are_reported(string sql)
    {
        var script = PgScript.Parse(sql);
        script.Unterminated.Should().NotBeNull();
        PgLexer.Tokenize(sql).Last().Kind.Should().Be(PgTokenKind.Unterminated);
    }

    [Test]
    public void A_five_megabyte_migration_is_lexed_and_split_in_under_a_second()
    {
        var sb = new StringBuilder();
        int i = 0;
        while (sb.Length < 5 * 1024 * 1024)
        {
            sb.Append("-- step ").Append(i).Append('\n')
              .Append("ALTER TABLE orders ADD COLUMN c").Append(i).Append(" text DEFAULT 'x;y';\n")
              .Append("CREATE INDEX CONCURRENTLY i").Append(i).Append(" ON orders (c").Append(i).Append(");\n")
              .Append("DO $body$ BEGIN PERFORM 1; END $body$;\n")
              .Append("/* nested /* comment */ ; */ UPDATE orders SET c").Append(i).Append(" = E'a\\'b' WHERE id = ").Append(i).Append(";\n");
            i++;
        }
        var sql = sb.ToString();
        // best of three, in CPU time of this process: the machine is shared by many builds, so wall-clock time
        // measures the scheduler; the first run also pays for JIT compilation
        var best = TimeSpan.MaxValue;
        int count = 0;
        using var self = Process.GetCurrentProcess();
        for (int run = 0; run < 3; run++)
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var tokens = PgLexer.Tokenize(sql);
            count = PgSplitter.Split(sql, tokens).Count;
            self.Refresh();
            var spent = self.TotalProcessorTime - cpu;
            if (spent < best) best = spent;
        }
        count.Should().Be(i * 4);
        best.Should().BeLessThan(TimeSpan.FromSeconds(1));
        // and the whole parse (classification included) stays linear: every statement is classified
        PgScript.Parse(sql).Statements.Count(s => s.Statement.Kind == PgStatementKind.CreateIndex && s.Statement.Concurrently).Should().Be(i);
    }
}

/// <summary>The token lists a parse reuses: shared by all threads, bounded in number and size.</summary>
[NonParallelizable] // reads the process-wide slots of kept lists
public class PgTokenListReuseTests
{
    /// <summary>A script of one bulk INSERT with <paramref name="rows"/> rows: about eight tokens per row.</summary>
    private static string BulkInsert(int rows)
    {
        var sql = new StringBuilder("INSERT INTO t (a, b) VALUES ");
        for (int i = 0; i < rows; i++) sql.Append(i == 0 ? "" : ",").Append("(1,'x')");
        return sql.Append(";\n").ToString();
    }

    [Test]
    public void A_second_parse_of_a_large_script_reuses_the_first_ones_token_list()
    {
        var sql = BulkInsert(10_000); // ~70 K tokens: 840 KB of list, more than the 16 K tokens kept before
        var lines = new Preflight.Content.LineIndex(sql);
        PgScript.Parse(sql.AsMemory(), lines).Statements.Should().ContainSingle();
        long before = GC.GetAllocatedBytesForCurrentThread();
        PgScript.Parse(sql.AsMemory(), lines).Statements.Should().ContainSingle();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().BeLessThan(200_000, "the token list of the first parse is taken again, not grown anew");
    }

    [Test]
    public void Parses_on_many_threads_keep_at_most_the_set_number_of_lists_and_none_too_large()
    {
        var scripts = new[] { BulkInsert(100), BulkInsert(10_000), BulkInsert(30_000) }; // the last: ~210 K tokens
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var sql = scripts[i % scripts.Length];
            PgScript.Parse(sql.AsMemory(), new Preflight.Content.LineIndex(sql)).Statements.Should().ContainSingle();
        });
        // Which lists stay depends on the order the parses end in (a list a large script grew past the cap is
        // dropped): only the bounds are certain.
        PgScript.KeptTokenListCount.Should().BeLessThanOrEqualTo(PgScript.KeptTokenLists);
        PgScript.KeptTokenListCapacities.Where(c => c > PgScript.KeptTokenCapacity).Should().BeEmpty();
        // And a parse that ends with a list under the cap keeps it.
        var medium = scripts[1];
        PgScript.Parse(medium.AsMemory(), new Preflight.Content.LineIndex(medium)).Statements.Should().ContainSingle();
        PgScript.KeptTokenListCount.Should().BeInRange(1, PgScript.KeptTokenLists);
    }
}
