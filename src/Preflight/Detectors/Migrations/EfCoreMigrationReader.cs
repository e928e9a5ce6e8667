using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Preflight.Detectors.Migrations;

/// <summary>One piece of SQL an EF Core migration runs: from <c>migrationBuilder.Sql("...")</c> or translated from a
/// <c>migrationBuilder.*</c> operation into the PostgreSQL that Npgsql generates for it.</summary>
/// <param name="Sql">The SQL.</param>
/// <param name="Line">1-based line of the call.</param>
/// <param name="Column">1-based column of the call.</param>
/// <param name="SuppressTransaction"><c>suppressTransaction: true</c>: EF Core runs it outside the migration's transaction.</param>
/// <param name="Verbatim">True for <c>Sql(...)</c> text (its own lines map onto the file), false for a translated operation.</param>
internal sealed record EfSqlPiece(string Sql, int Line, int Column, bool SuppressTransaction, bool Verbatim);

/// <summary>Reads EF Core migrations from C# source with Roslyn: the class deriving from <c>Migration</c>, its
/// <c>Up</c> method, and the operations it calls. Nothing is compiled or run.</summary>
internal static class EfCoreMigrationReader
{
    /// <summary>The operations of the first migration class in the tree, or null when there is none.</summary>
    public static List<EfSqlPiece>? Read(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        var cls = root.DescendantNodes().OfType<ClassDeclarationSyntax>()
            .FirstOrDefault(c => c.BaseList?.Types.Any(t => t.Type.ToString() is "Migration" or "Microsoft.EntityFrameworkCore.Migrations.Migration") == true);
        if (cls is null) return null;
        var up = cls.Members.OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.Text == "Up");
        var pieces = new List<EfSqlPiece>();
        if (up is null) return pieces;
        foreach (var call in up.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (call.Expression is not MemberAccessExpressionSyntax member) continue;
            string name = member.Name switch
            {
                GenericNameSyntax g => g.Identifier.Text,
                var n => n.Identifier.Text,
            };
            if (member.Expression is not IdentifierNameSyntax) continue; // migrationBuilder.X(...), not chained calls
            var pos = call.GetLocation().GetLineSpan().StartLinePosition;
            int line = pos.Line + 1, column = pos.Character + 1;
            var args = new Args(call.ArgumentList);
            string? sql = name switch
            {
                "Sql" => args.String(0, "sql"),
                "CreateTable" => $"CREATE TABLE {Q(args.String(0, "name"))} ()",
                "DropTable" => $"DROP TABLE {Q(args.String(0, "name"))}",
                "RenameTable" => $"ALTER TABLE {Q(args.String(0, "name"))} RENAME TO {Q(args.String(-1, "newName"))}",
                "DropColumn" => $"ALTER TABLE {Q(args.String(-1, "table"))} DROP COLUMN {Q(args.String(0, "name"))}",
                "RenameColumn" => $"ALTER TABLE {Q(args.String(-1, "table"))} RENAME COLUMN {Q(args.String(0, "name"))} TO {Q(args.String(-1, "newName"))}",
                "AddColumn" => AddColumn(args),
                "AlterColumn" => args.String(-1, "type") is { } type
                    ? $"ALTER TABLE {Q(args.String(-1, "table"))} ALTER COLUMN {Q(args.String(0, "name"))} TYPE {type}"
                    : null,
                "CreateIndex" => $"CREATE {(args.Bool("unique") ? "UNIQUE " : "")}INDEX {(Concurrently(call) ? "CONCURRENTLY " : "")}{Q(args.String(0, "name"))} ON {Q(args.String(-1, "table"))} (x)",
                "DropIndex" => $"DROP INDEX {Q(args.String(0, "name"))}",
                "AddForeignKey" => $"ALTER TABLE {Q(args.String(-1, "table"))} ADD CONSTRAINT {Q(args.String(0, "name"))} FOREIGN KEY (x) REFERENCES {Q(args.String(-1, "principalTable"))} (id)",
                "AddUniqueConstraint" => $"ALTER TABLE {Q(args.String(-1, "table"))} ADD CONSTRAINT {Q(args.String(0, "name"))} UNIQUE (x)",
                "AddPrimaryKey" => $"ALTER TABLE {Q(args.String(-1, "table"))} ADD CONSTRAINT {Q(args.String(0, "name"))} PRIMARY KEY (x)",
                "AddCheckConstraint" => $"ALTER TABLE {Q(args.String(-1, "table"))} ADD CONSTRAINT {Q(args.String(0, "name"))} CHECK ({args.String(-1, "sql")})",
                _ => null,
            };
            if (sql is null) continue;
            // Npgsql emits CREATE INDEX CONCURRENTLY with suppressTransaction itself
            bool suppress = args.Bool("suppressTransaction") || (name == "CreateIndex" && Concurrently(call));
            pieces.Add(new EfSqlPiece(sql, line, column, suppress, name == "Sql"));
        }
        return pieces;
    }

    private static string AddColumn(Args args)
    {
        string type = args.String(-1, "type") ?? "text";
        bool nullable = !args.Has("nullable") || args.Bool("nullable");
        bool hasDefault = args.Has("defaultValue") || args.Has("defaultValueSql") || args.Has("computedColumnSql");
        string sql = $"ALTER TABLE {Q(args.String(-1, "table"))} ADD COLUMN {Q(args.String(0, "name"))} {type}";
        if (args.String(-1, "defaultValueSql") is { } d) sql += $" DEFAULT {d}";
        else if (hasDefault) sql += " DEFAULT 0";
        if (!nullable) sql += " NOT NULL";
        return sql;
    }

    private static bool Concurrently(InvocationExpressionSyntax call)
    {
        // migrationBuilder.CreateIndex(...).Annotation("Npgsql:CreatedConcurrently", true)
        SyntaxNode node = call;
        while (node.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax outer } access && access.Expression == node)
        {
            if (outer.ArgumentList.Arguments.Count == 2
                && outer.ArgumentList.Arguments[0].Expression is LiteralExpressionSyntax l && l.Token.ValueText == "Npgsql:CreatedConcurrently"
                && outer.ArgumentList.Arguments[1].Expression.IsKind(SyntaxKind.TrueLiteralExpression))
                return true;
            node = outer;
        }
        return false;
    }

    private static string Q(string? name) => name is null ? "unknown" : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private sealed class Args(ArgumentListSyntax list)
    {
        private ArgumentSyntax? Find(int position, string name)
        {
            foreach (var a in list.Arguments)
                if (a.NameColon?.Name.Identifier.Text == name) return a;
            return position >= 0 && position < list.Arguments.Count && list.Arguments[position].NameColon is null ? list.Arguments[position] : null;
        }

        public bool Has(string name) => Find(-1, name) is not null;

        public string? String(int position, string name) => Find(position, name)?.Expression switch
        {
            LiteralExpressionSyntax l when l.IsKind(SyntaxKind.StringLiteralExpression) => l.Token.ValueText,
            InterpolatedStringExpressionSyntax i when i.Contents.All(c => c is InterpolatedStringTextSyntax) => string.Concat(i.Contents.Select(c => ((InterpolatedStringTextSyntax)c).TextToken.ValueText)),
            _ => null,
        };

        public bool Bool(string name) => Find(-1, name)?.Expression.IsKind(SyntaxKind.TrueLiteralExpression) == true;
    }

    /// <summary>The migration id from a file name such as <c>20240101120000_AddOrders.cs</c>.</summary>
    public static string? MigrationId(string fileName)
    {
        int underscore = fileName.IndexOf('_', StringComparison.Ordinal);
        return underscore >= 8 && long.TryParse(fileName.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? fileName[..^3]
            : null;
    }
}
