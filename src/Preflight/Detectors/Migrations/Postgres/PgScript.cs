using System.Text.RegularExpressions;
using Preflight.Content;

namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>A statement of a parsed migration: the classification plus where it is and what suppresses it.</summary>
internal sealed record PgScriptStatement(
    PgStatement Statement,
    int Line,
    int Column,
    string Evidence,
    IReadOnlyDictionary<string, string> Suppressions,
    IReadOnlyList<(int Line, int Column, string RuleId)> BadSuppressions,
    // Liquibase (and EF Core suppressTransaction): this statement starts a unit; the value says whether it runs in a transaction.
    bool? StartsChangeset);

/// <summary>
/// One migration file parsed into its statements: a compact summary, the text is not kept. The statements are held
/// in memory, or, for a script a <see cref="PgStatementSpill"/> wrote out, read back from it on each access of
/// <see cref="Statements"/> (so a caller takes them once and keeps them no longer than it needs them).
/// </summary>
internal sealed partial class PgScript
{
    private readonly IReadOnlyList<PgScriptStatement>? _statements;
    private readonly PgStatementSpill? _spill;
    private readonly long _offset;
    private readonly int _length;

    public PgScript(IReadOnlyList<PgScriptStatement> statements, (int Line, int Column)? unterminated)
    {
        _statements = statements;
        Count = statements.Count;
        Unterminated = unterminated;
    }

    private PgScript(PgStatementSpill spill, long offset, int length, int count, (int Line, int Column)? unterminated)
    {
        _spill = spill;
        _offset = offset;
        _length = length;
        Count = count;
        Unterminated = unterminated;
    }

    /// <summary>A script whose <paramref name="count"/> statements <paramref name="spill"/> wrote at <paramref name="offset"/>.</summary>
    internal static PgScript Spilled(PgStatementSpill spill, long offset, int length, int count, (int Line, int Column)? unterminated) =>
        new(spill, offset, length, count, unterminated);

    /// <summary>The statements in file order.</summary>
    public IReadOnlyList<PgScriptStatement> Statements => _statements ?? _spill!.Read(_offset, _length, Count);

    /// <summary>How many statements the script has, without reading them back.</summary>
    public int Count { get; }

    /// <summary>Where a literal or comment that is never closed starts, if one does.</summary>
    public (int Line, int Column)? Unterminated { get; }

    /// <summary>Whether the statements live in a spill file rather than in memory.</summary>
    public bool IsSpilled => _statements is null;

    /// <summary>The same script with its statements in memory (read back once if it was spilled).</summary>
    public PgScript InMemory() => IsSpilled ? new PgScript(Statements, Unterminated) : this;

    public static PgScript Parse(string text, LineIndex? lines = null) => Parse(text.AsMemory(), lines ?? new LineIndex(text));

    /// <summary>Parses the characters of <paramref name="text"/> (a pooled decode of the entry: no string of the whole file is made).</summary>
    public static PgScript Parse(ReadOnlyMemory<char> text, LineIndex lines)
    {
        // Nothing of the tokens outlives this parse (statements keep their classification, not their spans), so the
        // lists are reused, from a few slots shared by all threads rather than one per thread: the workers hop between
        // thread-pool threads, and lists kept per thread (of up to 1 M tokens) were 8.6 MB of a 2 GiB scan's live
        // heap. A list up to the lexer's first guess for a large file (128 K tokens, 1.5 MB) is kept; before, only
        // lists up to 16 K tokens were, and every larger script made its own: 50 MiB of the 300 MiB benchmark
        // package's allocations.
        var tokens = PgLexer.Tokenize(text.Span, TakeTokenList());
        try
        {
            return Parse(text, lines, tokens);
        }
        finally
        {
            ReturnTokenList(tokens);
        }
    }

    /// <summary>How many token lists are kept for reuse (at most 1.5 MB each), whatever the number of threads.</summary>
    internal const int KeptTokenLists = 4;

    /// <summary>The largest list kept, in tokens: the lexer's largest first guess.</summary>
    internal const int KeptTokenCapacity = 1 << 17;

    private static readonly List<PgToken>?[] TokenLists = new List<PgToken>?[KeptTokenLists];

    private static List<PgToken>? TakeTokenList()
    {
        for (int i = 0; i < TokenLists.Length; i++)
            if (Interlocked.Exchange(ref TokenLists[i], null) is { } list) return list;
        return null;
    }

    private static void ReturnTokenList(List<PgToken> tokens)
    {
        if (tokens.Capacity > KeptTokenCapacity) return;
        for (int i = 0; i < TokenLists.Length; i++)
            if (Interlocked.CompareExchange(ref TokenLists[i], tokens, null) is null) return;
    }

    /// <summary>The lists kept now (tests check the bound).</summary>
    internal static int KeptTokenListCount => TokenLists.Count(l => l is not null);

    /// <summary>The capacities of the lists kept now (tests check the bound).</summary>
    internal static int[] KeptTokenListCapacities => [.. TokenLists.OfType<List<PgToken>>().Select(l => l.Capacity)];

    private static PgScript Parse(ReadOnlyMemory<char> text, LineIndex lines, List<PgToken> tokens)
    {
        var spans = PgSplitter.Split(text.Span, tokens);
        var result = new List<PgScriptStatement>(spans.Count);
        foreach (var span in spans)
        {
            var statement = PgClassifier.Classify(text, span);
            var (line, column) = lines.Position(span.StartOffset);
            Dictionary<string, string>? suppressions = null;
            List<(int, int, string)>? bad = null;
            bool? changeset = null;
            foreach (var comment in span.Comments())
            {
                var body = text.Span.Slice(comment.Start, comment.Length);
                if (body.Contains("changeset", StringComparison.OrdinalIgnoreCase) && LiquibaseChangeset.IsMatch(body))
                    changeset = !body.Contains("runInTransaction:false", StringComparison.OrdinalIgnoreCase);
                if (!body.Contains("preflight-ignore", StringComparison.OrdinalIgnoreCase)) continue;
                foreach (Match m in IgnoreDirective.Matches(body.ToString()))
                {
                    string reason = m.Groups["reason"].Value.Trim().TrimEnd('*', '/').Trim();
                    foreach (var id in m.Groups["ids"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        var ruleId = id.ToUpperInvariant();
                        if (reason.Length == 0)
                        {
                            var (l, c) = lines.Position(comment.Start + m.Index);
                            (bad ??= []).Add((l, c, ruleId));
                        }
                        else (suppressions ??= new(StringComparer.Ordinal))[ruleId] = reason;
                    }
                }
            }
            var statementText = text.Span.Slice(span.StartOffset, span.EndOffset - span.StartOffset);
            int firstLineEnd = statementText.IndexOfAny('\r', '\n');
            var evidence = (firstLineEnd < 0 ? statementText : statementText[..firstLineEnd]).Trim();
            if (evidence.Length > 160) evidence = evidence[..160];
            result.Add(new PgScriptStatement(statement, line, column, evidence.ToString(),
                suppressions ?? Empty, (IReadOnlyList<(int, int, string)>?)bad ?? NoBadSuppressions, changeset));
        }
        (int, int)? unterminated = null;
        foreach (var t in tokens)
            if (t.Kind == PgTokenKind.Unterminated) { unterminated = lines.Position(t.Start); break; }
        return new PgScript(result, unterminated);
    }

    private static readonly Dictionary<string, string> Empty = new();

    // Shared by every statement without a malformed directive: `bad ?? []` made a new empty list per statement.
    private static readonly (int, int, string)[] NoBadSuppressions = [];

    // Run on the backtracking engine first, the non-backtracking one past this limit (for one search through a whole
    // script; see Content.TimedRegex): a non-backtracking regex costs tens of milliseconds to build, and the first one
    // brings its engine to the JIT.
    private const int PatternLimitMilliseconds = 200;

    [GeneratedRegex(@"preflight-ignore\s+(?<ids>PF\d{3}(\s*,\s*PF\d{3})*)\s*(:(?<reason>[^\r\n]*))?", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex IgnoreDirectivePattern();

    internal static readonly Preflight.Content.TimedRegex IgnoreDirective = new(IgnoreDirectivePattern());

    [GeneratedRegex(@"^--\s*changeset\s+\S+:\S+", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex LiquibaseChangesetPattern();

    internal static readonly Preflight.Content.TimedRegex LiquibaseChangeset = new(LiquibaseChangesetPattern());
}
