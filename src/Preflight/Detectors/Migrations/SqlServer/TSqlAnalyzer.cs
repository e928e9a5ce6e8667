using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Preflight.Detectors.Migrations.SqlServer;

/// <summary>
/// Parses a T-SQL migration with ScriptDom (<see cref="TSql160Parser"/>) and lists the statements that take a
/// schema-modification (Sch-M) or shared lock on a table for longer than an instant, in file order.
/// </summary>
internal static class TSqlAnalyzer
{
    public static SqlFileAnalysis Analyze(string text)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        TSqlFragment? fragment;
        IList<ParseError> errors;
        try
        {
            using var reader = new StringReader(text);
            fragment = parser.Parse(reader, out errors);
        }
#pragma warning disable CA1031 // a parser failure on hostile input must become a finding, not an exception
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new SqlFileAnalysis([], 0, (1, 1, $"the T-SQL parser failed: {ex.GetType().Name}"));
        }
        if (errors.Count > 0)
        {
            var e = errors[0];
            return new SqlFileAnalysis([], 0, (Math.Max(1, e.Line), Math.Max(1, e.Column), $"T-SQL parse error {e.Number}: {e.Message}"));
        }
        if (fragment is not TSqlScript script) return new SqlFileAnalysis([], 0, null);

        var events = new List<SqlEvent>();
        bool lockTimeout = false;
        int count = 0;
        foreach (var batch in script.Batches)
        {
            foreach (var statement in batch.Statements)
            {
                count++;
                Visit(statement, text, events, ref lockTimeout);
            }
        }
        return new SqlFileAnalysis(events, count, null);
    }

    private static void Visit(TSqlStatement statement, string text, List<SqlEvent> events, ref bool lockTimeout)
    {
        switch (statement)
        {
            case SetCommandStatement set:
                foreach (var command in set.Commands)
                {
                    if (command is GeneralSetCommand { CommandType: GeneralSetCommandType.LockTimeout } g)
                        lockTimeout = LockTimeoutValue(g.Parameter) is not (null or < 0);
                }
                break;
            case CreateTableStatement create:
                events.Add(SqlEvent.Created(Name(create.SchemaObjectName)));
                break;
            case BeginEndBlockStatement block:
                foreach (var inner in block.StatementList.Statements) Visit(inner, text, events, ref lockTimeout);
                break;
            case TryCatchStatement tc:
                foreach (var inner in tc.TryStatements.Statements) Visit(inner, text, events, ref lockTimeout);
                break;
            case CreateIndexStatement index:
                IndexBuild(statement, index.OnName, index.IndexOptions, "CREATE INDEX", text, events, lockTimeout);
                break;
            case AlterIndexStatement { AlterIndexType: AlterIndexType.Rebuild } rebuild:
                IndexBuild(statement, rebuild.OnName, rebuild.IndexOptions, "ALTER INDEX REBUILD", text, events, lockTimeout);
                break;
            case AlterTableAlterColumnStatement alter when alter.DataType is not null:
            {
                var table = Name(alter.SchemaObjectName);
                var column = alter.ColumnIdentifier.Value;
                events.Add(Issue(MigrationRules.TSqlAlterColumn, statement, text, table, "ALTER COLUMN",
                    $"ALTER COLUMN {column} on {table} changes its type, size or nullability under a schema-modification (Sch-M) lock that blocks every read and write; unless it only widens a varchar/nvarchar/varbinary, SQL Server checks or rewrites every row while holding it",
                    "Sch-M"));
                LockTimeoutIssue(statement, text, events, lockTimeout, table, "ALTER COLUMN");
                break;
            }
            case AlterTableAddTableElementStatement add:
                AddElements(add, text, events, lockTimeout);
                break;
            case AlterTableStatement other:
                LockTimeoutIssue(statement, text, events, lockTimeout, Name(other.SchemaObjectName), "ALTER TABLE");
                break;
        }
    }

    private static void IndexBuild(TSqlStatement statement, SchemaObjectName onName, IList<IndexOption> options, string verb, string text, List<SqlEvent> events, bool lockTimeout)
    {
        var table = Name(onName);
        bool online = options.OfType<OnlineIndexOption>().Any(o => o.OptionState == OptionState.On);
        if (!online)
        {
            events.Add(Issue(MigrationRules.IndexWithoutConcurrently, statement, text, table, verb,
                $"{verb} on {table} without ONLINE = ON holds a shared lock (blocks writes) or a Sch-M lock (blocks reads and writes) for the whole build; add WITH (ONLINE = ON (WAIT_AT_LOW_PRIORITY (MAX_DURATION = 1 MINUTES, ABORT_AFTER_WAIT = SELF))) (Enterprise, Azure SQL)",
                "S/Sch-M"));
        }
        LockTimeoutIssue(statement, text, events, lockTimeout, table, verb);
    }

    private static void AddElements(AlterTableAddTableElementStatement add, string text, List<SqlEvent> events, bool lockTimeout)
    {
        var table = Name(add.SchemaObjectName);
        var definition = add.Definition;
        bool nocheck = add.ExistingRowsCheckEnforcement == ConstraintEnforcement.NoCheck;
        foreach (var constraint in definition.TableConstraints)
        {
            if (constraint is not (CheckConstraintDefinition or ForeignKeyConstraintDefinition) || nocheck) continue;
            var kind = constraint is CheckConstraintDefinition ? "CHECK" : "FOREIGN KEY";
            var name = constraint.ConstraintIdentifier?.Value ?? kind;
            events.Add(Issue(MigrationRules.TSqlConstraintWithCheck, add, text, table, "ADD CONSTRAINT",
                $"ADD CONSTRAINT {name} ({kind}) on {table} checks every existing row under a schema-modification (Sch-M) lock that blocks every read and write; add it WITH NOCHECK (brief lock) and validate later with ALTER TABLE ... WITH CHECK CHECK CONSTRAINT {name} in a quiet window",
                "Sch-M"));
        }
        foreach (var column in definition.ColumnDefinitions)
        {
            bool notNull = column.Constraints.OfType<NullableConstraintDefinition>().Any(n => !n.Nullable);
            bool hasValue = column.DefaultConstraint is not null || column.IdentityOptions is not null || column.ComputedColumnExpression is not null;
            if (notNull && !hasValue)
            {
                events.Add(Issue(MigrationRules.NotNullColumnWithoutDefault, add, text, table, "ADD COLUMN",
                    $"column {column.ColumnIdentifier.Value} is added to {table} as NOT NULL without a DEFAULT: the ALTER fails on any table with rows; add it with a constant DEFAULT (metadata-only on SQL Server 2012+ Enterprise) or nullable, backfill, then ALTER COLUMN ... NOT NULL"));
            }
        }
        LockTimeoutIssue(add, text, events, lockTimeout, table, "ALTER TABLE ADD");
    }

    private static void LockTimeoutIssue(TSqlStatement statement, string text, List<SqlEvent> events, bool lockTimeout, string table, string verb)
    {
        if (lockTimeout || HasToken(statement, "WAIT_AT_LOW_PRIORITY")) return;
        events.Add(Issue(MigrationRules.LockWithoutTimeout, statement, text, table, verb,
            $"{verb} on {table} needs a schema-modification (Sch-M) lock and no SET LOCK_TIMEOUT precedes it: while it waits behind a long transaction every later query on {table} queues behind it; run SET LOCK_TIMEOUT 5000 first (or use WAIT_AT_LOW_PRIORITY) and retry on error 1222",
            "Sch-M"));
    }

    private static int? LockTimeoutValue(ScalarExpression? parameter) => parameter switch
    {
        IntegerLiteral i when int.TryParse(i.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) => v,
        UnaryExpression { UnaryExpressionType: UnaryExpressionType.Negative, Expression: IntegerLiteral } => -1,
        null => null,
        _ => 0, // a variable: assume the author set something deliberate
    };

    private static bool HasToken(TSqlFragment fragment, string text)
    {
        var tokens = fragment.ScriptTokenStream;
        if (tokens is null) return false;
        for (int i = Math.Max(0, fragment.FirstTokenIndex); i <= fragment.LastTokenIndex && i < tokens.Count; i++)
        {
            if (string.Equals(tokens[i].Text, text, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary><c>schema.table</c>, lower case, schema <c>dbo</c> when omitted.</summary>
    internal static string Name(SchemaObjectName name)
    {
        var schema = name.SchemaIdentifier?.Value ?? "dbo";
        return $"{schema}.{name.BaseIdentifier?.Value}".ToLowerInvariant();
    }

    private static SqlEvent Issue(Findings.RuleDescriptor rule, TSqlFragment fragment, string text, string? table, string verb, string message, string? lockMode = null) =>
        SqlEvent.Of(new SqlIssue(rule, fragment.StartLine, fragment.StartColumn, message, table, Evidence(text, fragment.StartOffset), verb, lockMode));

    private static string Evidence(string text, int offset)
    {
        if (offset < 0 || offset >= text.Length) return "";
        int end = text.IndexOfAny(['\r', '\n'], offset);
        var line = text.AsSpan(offset, (end < 0 ? text.Length : end) - offset).Trim();
        return (line.Length > 160 ? line[..160] : line).ToString();
    }
}
