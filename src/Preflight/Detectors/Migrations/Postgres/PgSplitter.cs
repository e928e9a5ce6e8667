namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>One statement of a script: its significant tokens and the comments written before it.</summary>
/// <param name="Tokens">Every token of the script.</param>
/// <param name="First">Index of the statement's first significant token.</param>
/// <param name="End">One past its last significant token (the semicolon is not included).</param>
/// <param name="CommentsFirst">Index of the first comment token between the previous statement and this one.</param>
internal sealed record PgStatementSpan(List<PgToken> Tokens, int First, int End, int CommentsFirst)
{
    public int StartOffset => Tokens[First].Start;
    public int EndOffset => Tokens[End - 1].End;
    public bool IsMetaCommand => Tokens[First].Kind == PgTokenKind.MetaCommand;

    /// <summary>The comment tokens that precede the statement, and those inside it.</summary>
    public IEnumerable<PgToken> Comments()
    {
        for (int i = CommentsFirst; i < End; i++)
            if (Tokens[i].IsComment) yield return Tokens[i];
    }
}

/// <summary>Splits a token stream into statements the way psql does: at top-level semicolons, at psql
/// meta-commands, and not inside a SQL-standard function body (<c>BEGIN ATOMIC ... END</c>).</summary>
internal static class PgSplitter
{
    public static List<PgStatementSpan> Split(ReadOnlySpan<char> text, List<PgToken> tokens)
    {
        var result = new List<PgStatementSpan>();
        int commentsFirst = 0, first = -1, last = -1, parens = 0, atomic = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.IsComment) continue;
            if (t.Kind == PgTokenKind.MetaCommand)
            {
                if (first >= 0) result.Add(new(tokens, first, last + 1, commentsFirst));
                result.Add(new(tokens, i, i + 1, first >= 0 ? i : commentsFirst));
                first = -1; parens = 0; atomic = 0; commentsFirst = i + 1;
                continue;
            }
            if (t.Kind == PgTokenKind.Semicolon && parens <= 0 && atomic == 0)
            {
                if (first >= 0) result.Add(new(tokens, first, last + 1, commentsFirst));
                first = -1; parens = 0; commentsFirst = i + 1;
                continue;
            }
            if (first < 0) first = i;
            last = i;
            if (t.Kind == PgTokenKind.Punctuation)
            {
                char c = text[t.Start];
                if (c == '(') parens++;
                else if (c == ')') parens--;
            }
            else if (t.Kind == PgTokenKind.Word && t.Length is 3 or 4 or 6)
            {
                var w = text.Slice(t.Start, t.Length);
                if (w.Equals("ATOMIC", StringComparison.OrdinalIgnoreCase) && PreviousWordIs(text, tokens, i, "BEGIN")) atomic++;
                else if (atomic > 0 && w.Equals("CASE", StringComparison.OrdinalIgnoreCase)) atomic++;
                else if (atomic > 0 && w.Equals("END", StringComparison.OrdinalIgnoreCase)) atomic--;
            }
        }
        if (first >= 0) result.Add(new(tokens, first, last + 1, commentsFirst));
        return result;
    }

    private static bool PreviousWordIs(ReadOnlySpan<char> text, List<PgToken> tokens, int i, string word)
    {
        for (int j = i - 1; j >= 0; j--)
        {
            if (tokens[j].IsComment) continue;
            return tokens[j].Kind == PgTokenKind.Word && text.Slice(tokens[j].Start, tokens[j].Length).Equals(word, StringComparison.OrdinalIgnoreCase);
        }
        return false;
    }
}
