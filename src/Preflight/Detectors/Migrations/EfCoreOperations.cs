namespace Preflight.Detectors.Migrations;

/// <summary>One piece of SQL an EF Core migration runs: from <c>migrationBuilder.Sql("...")</c> or translated from a
/// <c>migrationBuilder.*</c> operation into the PostgreSQL that Npgsql generates for it.</summary>
/// <param name="Sql">The SQL.</param>
/// <param name="Line">1-based line of the call; 0 when it comes from a compiled assembly (no line).</param>
/// <param name="Column">1-based column of the call; 0 for a compiled assembly.</param>
/// <param name="SuppressTransaction"><c>suppressTransaction: true</c>: EF Core runs it outside the migration's transaction.</param>
/// <param name="Verbatim">True for <c>Sql(...)</c> text (its own lines map onto the file), false for a translated operation.</param>
/// <param name="Call">How the call reads (<c>CreateIndex(name: "ix", table: "orders")</c>), the evidence for a compiled migration.</param>
internal sealed record EfSqlPiece(string Sql, int Line, int Column, bool SuppressTransaction, bool Verbatim, string Call = "");

/// <summary>The arguments of one <c>MigrationBuilder</c> call, by parameter name, whatever they were read from (C# syntax or IL).</summary>
internal interface IEfArguments
{
    /// <summary>The argument is given with a value other than <c>null</c>.</summary>
    bool Has(string parameter);

    /// <summary>The argument's string constant, or null when it is absent or not a constant.</summary>
    string? String(string parameter);

    /// <summary>True when the argument is the constant <c>true</c>.</summary>
    bool Bool(string parameter);
}

/// <summary>
/// The one translation of EF Core <c>MigrationBuilder</c> operations into the PostgreSQL Npgsql generates for them,
/// shared by the C# source reader (<see cref="EfCoreMigrationReader"/>) and the compiled-assembly reader
/// (<see cref="EfCoreAssemblyReader"/>), so both produce the same <see cref="EfSqlPiece"/> list.
/// </summary>
internal static class EfCoreOperations
{
    /// <summary>The full name of EF Core's migration builder.</summary>
    public const string MigrationBuilderType = "Microsoft.EntityFrameworkCore.Migrations.MigrationBuilder";

    /// <summary>The full name of the migration base class.</summary>
    public const string MigrationType = "Microsoft.EntityFrameworkCore.Migrations.Migration";

    /// <summary>The full name of <c>[Migration("id")]</c>.</summary>
    public const string MigrationAttributeType = "Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute";

    /// <summary>
    /// Parameter names of the <c>MigrationBuilder</c> methods translated here, in declaration order (EF Core 3.1 to
    /// 10 only appended parameters). A compiled call site names its callee by a member reference, whose signature has
    /// types but no parameter names; this table gives them back.
    /// </summary>
    private static readonly Dictionary<string, string[]> Parameters = new(StringComparer.Ordinal)
    {
        ["Sql"] = ["sql", "suppressTransaction"],
        ["CreateTable"] = ["name", "columns", "schema", "constraints", "comment"],
        ["DropTable"] = ["name", "schema"],
        ["RenameTable"] = ["name", "schema", "newName", "newSchema"],
        ["DropColumn"] = ["name", "table", "schema"],
        ["RenameColumn"] = ["name", "table", "newName", "schema"],
        ["AddColumn"] = ["name", "table", "type", "unicode", "maxLength", "rowVersion", "schema", "nullable", "defaultValue", "defaultValueSql", "computedColumnSql", "fixedLength", "comment", "collation", "precision", "scale", "stored"],
        ["AlterColumn"] = ["name", "table", "type", "unicode", "maxLength", "rowVersion", "schema", "nullable", "defaultValue", "defaultValueSql", "computedColumnSql", "oldClrType", "oldType"],
        ["CreateIndex"] = ["name", "table", "column", "schema", "unique", "filter", "descending"],
        ["DropIndex"] = ["name", "table", "schema"],
        ["AddForeignKey"] = ["name", "table", "column", "principalTable", "schema", "principalSchema", "principalColumn", "onUpdate", "onDelete"],
        ["AddUniqueConstraint"] = ["name", "table", "column", "schema"],
        ["AddPrimaryKey"] = ["name", "table", "column", "schema"],
        ["AddCheckConstraint"] = ["name", "table", "sql", "schema"],
        ["CreateCheckConstraint"] = ["name", "table", "sql", "schema"],
    };

    /// <summary>The parameter names of a translated method, or null when the method is not one this reader translates.</summary>
    public static IReadOnlyList<string>? ParameterNames(string method) => Parameters.GetValueOrDefault(method);

    /// <summary>The annotation that makes Npgsql build an index concurrently.</summary>
    public const string ConcurrentlyAnnotation = "Npgsql:CreatedConcurrently";

    /// <summary>
    /// The piece of SQL a call runs, or null when the method is not translated (or its SQL is not a constant).
    /// <paramref name="concurrently"/>: the call carries <c>.Annotation("Npgsql:CreatedConcurrently", true)</c>.
    /// </summary>
    public static EfSqlPiece? Translate(string method, IEfArguments args, bool concurrently, int line, int column, string call)
    {
        string? sql = method switch
        {
            "Sql" => args.String("sql"),
            "CreateTable" => $"CREATE TABLE {Q(args.String("name"))} ()",
            "DropTable" => $"DROP TABLE {Q(args.String("name"))}",
            "RenameTable" => $"ALTER TABLE {Q(args.String("name"))} RENAME TO {Q(args.String("newName"))}",
            "DropColumn" => $"ALTER TABLE {Q(args.String("table"))} DROP COLUMN {Q(args.String("name"))}",
            "RenameColumn" => $"ALTER TABLE {Q(args.String("table"))} RENAME COLUMN {Q(args.String("name"))} TO {Q(args.String("newName"))}",
            "AddColumn" => AddColumn(args),
            "AlterColumn" => args.String("type") is { } type
                ? $"ALTER TABLE {Q(args.String("table"))} ALTER COLUMN {Q(args.String("name"))} TYPE {type}"
                : null,
            "CreateIndex" => $"CREATE {(args.Bool("unique") ? "UNIQUE " : "")}INDEX {(concurrently ? "CONCURRENTLY " : "")}{Q(args.String("name"))} ON {Q(args.String("table"))} (x)",
            "DropIndex" => $"DROP INDEX {Q(args.String("name"))}",
            "AddForeignKey" => $"ALTER TABLE {Q(args.String("table"))} ADD CONSTRAINT {Q(args.String("name"))} FOREIGN KEY (x) REFERENCES {Q(args.String("principalTable"))} (id)",
            "AddUniqueConstraint" => $"ALTER TABLE {Q(args.String("table"))} ADD CONSTRAINT {Q(args.String("name"))} UNIQUE (x)",
            "AddPrimaryKey" => $"ALTER TABLE {Q(args.String("table"))} ADD CONSTRAINT {Q(args.String("name"))} PRIMARY KEY (x)",
            "AddCheckConstraint" or "CreateCheckConstraint" => $"ALTER TABLE {Q(args.String("table"))} ADD CONSTRAINT {Q(args.String("name"))} CHECK ({args.String("sql")})",
            _ => null,
        };
        if (sql is null) return null;
        // Npgsql emits CREATE INDEX CONCURRENTLY with suppressTransaction itself
        bool suppress = args.Bool("suppressTransaction") || (method == "CreateIndex" && concurrently);
        return new EfSqlPiece(sql, line, column, suppress, method == "Sql", call);
    }

    private static string AddColumn(IEfArguments args)
    {
        string type = args.String("type") ?? "text";
        // EF Core's default is nullable: false; scaffolded migrations always say which
        bool nullable = args.Bool("nullable");
        string sql = $"ALTER TABLE {Q(args.String("table"))} ADD COLUMN {Q(args.String("name"))} {type}";
        if (args.String("computedColumnSql") is { } computed && args.Bool("stored")) sql += $" GENERATED ALWAYS AS ({computed}) STORED";
        else if (args.String("defaultValueSql") is { } d) sql += $" DEFAULT {d}";
        else if (args.Has("defaultValue") || args.Has("defaultValueSql") || args.Has("computedColumnSql")) sql += " DEFAULT 0";
        if (!nullable) sql += " NOT NULL";
        return sql;
    }

    private static string Q(string? name) => name is null ? "unknown" : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
