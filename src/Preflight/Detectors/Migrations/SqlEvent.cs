using Preflight.Findings;

namespace Preflight.Detectors.Migrations;

/// <summary>
/// One step of a non-PostgreSQL migration, in file order: either a table it creates, or a candidate finding
/// that applies only when <see cref="SqlIssue.Table"/> already exists (was not created earlier in the set).
/// </summary>
internal sealed record SqlEvent(string? CreatedTable, SqlIssue? Issue)
{
    public static SqlEvent Created(string table) => new(table, null);
    public static SqlEvent Of(SqlIssue issue) => new(null, issue);

    /// <summary>The issues that apply: those on tables not created by an earlier event; adds created tables to <paramref name="created"/>.</summary>
    public static IEnumerable<SqlIssue> Effective(IEnumerable<SqlEvent> events, ISet<string> created)
    {
        foreach (var e in events)
        {
            if (e.CreatedTable is { } t) { created.Add(t); continue; }
            if (e.Issue is { } issue && (issue.Table is null || !created.Contains(issue.Table))) yield return issue;
        }
    }
}

/// <summary>A candidate finding on a T-SQL or MySQL statement; <see cref="Table"/> null means it applies regardless.</summary>
internal sealed record SqlIssue(RuleDescriptor Rule, int Line, int Column, string Message, string? Table, string Evidence, string Statement, string? Lock = null, string? SuppressedBecause = null);

/// <summary>What a non-PostgreSQL analyzer found in one file.</summary>
internal sealed record SqlFileAnalysis(IReadOnlyList<SqlEvent> Events, int Statements, (int Line, int Column, string Message)? Malformed);
