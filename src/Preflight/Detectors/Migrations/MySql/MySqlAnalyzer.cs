using System.Globalization;

namespace Preflight.Detectors.Migrations.MySql;

/// <summary>
/// A MySQL migration's statements, from a tokenizer of its own (quotes with backslash escapes, backtick
/// identifiers, <c>#</c>, <c>-- </c> and block comments, <c>/*! ... */</c> executable comments,
/// <c>DELIMITER</c> lines), and the ALTERs that lock an existing table.
/// </summary>
internal static class MySqlAnalyzer
{
    internal enum TokenKind { Word, Identifier, Number, String, Punct }

    internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, int Offset);

    internal sealed record Statement(IReadOnlyList<Token> Tokens);

    /// <summary>The longest lock_wait_timeout (seconds) still counted as a timeout; MySQL's default is 31536000 (a year).</summary>
    private const long UsefulTimeout = 3600;

    public static SqlFileAnalysis Analyze(string text)
    {
        var statements = Split(text, out var unterminated);
        var events = new List<SqlEvent>();
        bool timeout = false;
        foreach (var st in statements) Classify(st, text, events, ref timeout);
        return new SqlFileAnalysis(events, statements.Count,
            unterminated is { } u ? (u.Line, u.Column, $"a string, identifier or comment opened at line {u.Line} is never closed; the rest was not analysed") : null);
    }

    /// <summary>Splits the text into statements of tokens; stops at an unterminated literal or comment.</summary>
    internal static List<Statement> Split(string text, out (int Line, int Column)? unterminated)
    {
        unterminated = null;
        var result = new List<Statement>();
        var current = new List<Token>();
        string delimiter = ";";
        int i = 0, line = 1, lineStart = 0;
        void Flush()
        {
            if (current.Count > 0) result.Add(new Statement([.. current]));
            current = [];
        }
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n') { i++; line++; lineStart = i; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            int col = i - lineStart + 1;
            // DELIMITER is a client command: it ends at the end of the line
            if (current.Count == 0 && (c is 'd' or 'D') && string.Compare(text, i, "DELIMITER", 0, 9, StringComparison.OrdinalIgnoreCase) == 0
                && i + 9 < text.Length && text[i + 9] is ' ' or '\t')
            {
                int eol = text.IndexOf('\n', i);
                if (eol < 0) eol = text.Length;
                var d = text.AsSpan(i + 9, eol - i - 9).Trim();
                if (d.Length > 0) delimiter = d.ToString();
                i = eol;
                continue;
            }
            if (string.CompareOrdinal(text, i, delimiter, 0, delimiter.Length) == 0) { Flush(); i += delimiter.Length; continue; }
            if (c == '#' || (c == '-' && i + 1 < text.Length && text[i + 1] == '-' && (i + 2 >= text.Length || char.IsWhiteSpace(text[i + 2]))))
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                if (i + 2 < text.Length && text[i + 2] == '!')
                {
                    // executable comment: its body is SQL for MySQL; skip the marker and version, drop the closing */
                    i += 3;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    continue;
                }
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) { unterminated = (line, col); Flush(); return result; }
                for (int k = i; k < end; k++) if (text[k] == '\n') { line++; lineStart = k + 1; }
                i = end + 2;
                continue;
            }
            if (c == '*' && i + 1 < text.Length && text[i + 1] == '/') { i += 2; continue; }
            if (c is '\'' or '"' or '`')
            {
                int start = i, startLine = line;
                var sb = new System.Text.StringBuilder();
                i++;
                bool closed = false;
                while (i < text.Length)
                {
                    char q = text[i];
                    if (q == '\\' && c != '`' && i + 1 < text.Length) { sb.Append(text[i + 1]); i += 2; continue; }
                    if (q == c)
                    {
                        if (i + 1 < text.Length && text[i + 1] == c) { sb.Append(c); i += 2; continue; }
                        i++;
                        closed = true;
                        break;
                    }
                    if (q == '\n') { line++; lineStart = i + 1; }
                    sb.Append(q);
                    i++;
                }
                if (!closed) { unterminated = (startLine, col); Flush(); return result; }
                current.Add(new Token(c == '`' ? TokenKind.Identifier : TokenKind.String, sb.ToString(), startLine, col, start));
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c > 127)
            {
                int start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$' || text[i] > 127)) i++;
                var word = text[start..i];
                bool number = char.IsAsciiDigit(word[0]) && word.All(char.IsAsciiDigit);
                current.Add(new Token(number ? TokenKind.Number : TokenKind.Word, number ? word : word.ToUpperInvariant(), line, col, start));
                continue;
            }
            current.Add(new Token(TokenKind.Punct, c.ToString(), line, col, i));
            i++;
        }
        Flush();
        return result;
    }

    private static bool Is(IReadOnlyList<Token> t, int i, string word) => i < t.Count && t[i].Kind == TokenKind.Word && t[i].Text == word;

    private static void Classify(Statement st, string text, List<SqlEvent> events, ref bool timeout)
    {
        var t = st.Tokens;
        if (Is(t, 0, "SET"))
        {
            for (int i = 1; i < t.Count; i++)
            {
                if (!Is(t, i, "LOCK_WAIT_TIMEOUT")) continue;
                bool global = (i >= 1 && (Is(t, i - 1, "GLOBAL") || Is(t, i - 1, "PERSIST"))) || (i >= 2 && t[i - 1].Text == "." && Is(t, i - 2, "GLOBAL"));
                int v = i + 1;
                while (v < t.Count && t[v].Kind == TokenKind.Punct && t[v].Text is "=" or ":") v++;
                if (!global && v < t.Count && t[v].Kind == TokenKind.Number && long.TryParse(t[v].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    timeout = seconds is > 0 and <= UsefulTimeout;
            }
            return;
        }
        if (Is(t, 0, "CREATE"))
        {
            int i = 1;
            if (Is(t, i, "TEMPORARY")) return;
            if (Is(t, i, "TABLE"))
            {
                i++;
                if (Is(t, i, "IF") && Is(t, i + 1, "NOT") && Is(t, i + 2, "EXISTS")) i += 3;
                if (TableName(t, ref i) is { } created) events.Add(SqlEvent.Created(created));
                return;
            }
            while (Is(t, i, "UNIQUE") || Is(t, i, "FULLTEXT") || Is(t, i, "SPATIAL")) i++;
            if (!Is(t, i, "INDEX")) return;
            int on = i;
            while (on < t.Count && !Is(t, on, "ON")) on++;
            on++;
            if (TableName(t, ref on) is not { } table) return;
            bool cannotBeOnline = Is(t, 1, "FULLTEXT") || Is(t, 1, "SPATIAL");
            Online(st, text, events, table, "CREATE INDEX", cannotBeOnline ? "FULLTEXT/SPATIAL index" : null);
            Timeout(st, text, events, timeout, table, "CREATE INDEX");
            return;
        }
        if (Is(t, 0, "ALTER"))
        {
            int i = 1;
            while (Is(t, i, "ONLINE") || Is(t, i, "IGNORE")) i++;
            if (!Is(t, i, "TABLE")) return;
            i++;
            if (TableName(t, ref i) is not { } table) return;
            Online(st, text, events, table, "ALTER TABLE", OfflineOperation(t, i));
            Timeout(st, text, events, timeout, table, "ALTER TABLE");
            return;
        }
        if (Is(t, 0, "DROP") && Is(t, 1, "INDEX"))
        {
            int on = 2;
            while (on < t.Count && !Is(t, on, "ON")) on++;
            on++;
            if (TableName(t, ref on) is { } table) Timeout(st, text, events, timeout, table, "DROP INDEX");
            return;
        }
        if ((Is(t, 0, "RENAME") || Is(t, 0, "TRUNCATE")) && Is(t, 1, "TABLE"))
        {
            int i = 2;
            if (TableName(t, ref i) is { } table) Timeout(st, text, events, timeout, table, t[0].Text + " TABLE");
        }
    }

    /// <summary>The first operation of the ALTER that MySQL cannot run with LOCK=NONE, or null.</summary>
    private static string? OfflineOperation(IReadOnlyList<Token> t, int from)
    {
        int depth = 0;
        bool clauseStart = true;
        bool dropsPrimary = false, addsPrimary = false;
        for (int i = from; i < t.Count; i++)
        {
            var tok = t[i];
            if (tok.Kind == TokenKind.Punct)
            {
                if (tok.Text == "(") depth++;
                else if (tok.Text == ")") depth--;
                else if (tok.Text == "," && depth == 0) { clauseStart = true; continue; }
            }
            if (depth == 0 && clauseStart && tok.Kind == TokenKind.Word)
            {
                switch (tok.Text)
                {
                    case "MODIFY":
                    case "CHANGE":
                        return "column type change (MODIFY/CHANGE copies the table unless only the name or default changes)";
                    case "CONVERT":
                        return "CONVERT TO CHARACTER SET";
                    case "ENGINE":
                        return "ENGINE change";
                    case "ADD" when Is(t, i + 1, "FULLTEXT") || Is(t, i + 1, "SPATIAL"):
                        return "FULLTEXT/SPATIAL index";
                    case "ADD" when Is(t, i + 1, "PRIMARY") || (Is(t, i + 1, "CONSTRAINT") && (Is(t, i + 3, "PRIMARY") || Is(t, i + 2, "PRIMARY"))):
                        addsPrimary = true;
                        break;
                    case "DROP" when Is(t, i + 1, "PRIMARY"):
                        dropsPrimary = true;
                        break;
                }
            }
            clauseStart = false;
        }
        return dropsPrimary && !addsPrimary ? "DROP PRIMARY KEY without ADD PRIMARY KEY" : null;
    }

    private static void Online(Statement st, string text, List<SqlEvent> events, string table, string verb, string? offline)
    {
        var t = st.Tokens;
        string? algorithm = null, lockMode = null;
        for (int i = 0; i + 1 < t.Count; i++)
        {
            if (!Is(t, i, "ALGORITHM") && !Is(t, i, "LOCK")) continue;
            int v = i + 1;
            if (v < t.Count && t[v].Text == "=") v++;
            if (v >= t.Count || t[v].Kind != TokenKind.Word) continue;
            if (t[i].Text == "ALGORITHM") algorithm = t[v].Text; else lockMode = t[v].Text;
        }
        bool online = algorithm == "INSTANT" || (algorithm == "INPLACE" && lockMode == "NONE");
        if (online && offline is null) return;
        var message = offline is not null
            ? online
                ? $"{verb} on {table} asks for ALGORITHM={algorithm}{(lockMode is null ? "" : ", LOCK=" + lockMode)} but includes an operation MySQL cannot run that way ({offline}): the statement fails and the migration with it; use gh-ost or pt-online-schema-change, or an expand-and-contract migration"
                : $"{verb} on {table} includes an operation MySQL cannot run with LOCK=NONE ({offline}): it copies the table or blocks writes for the whole run; use gh-ost or pt-online-schema-change, or an expand-and-contract migration"
            : $"{verb} on {table} names neither ALGORITHM=INSTANT nor ALGORITHM=INPLACE, LOCK=NONE: MySQL may silently copy the table and block writes; state the algorithm and lock so the statement fails instead of locking";
        events.Add(SqlEvent.Of(Issue(MigrationRules.MySqlAlterWithoutOnline, st, text, table, verb, message, lockMode ?? "DEFAULT")));
    }

    private static void Timeout(Statement st, string text, List<SqlEvent> events, bool timeout, string table, string verb)
    {
        if (timeout) return;
        events.Add(SqlEvent.Of(Issue(MigrationRules.LockWithoutTimeout, st, text, table, verb,
            $"{verb} on {table} needs an exclusive metadata lock and lock_wait_timeout is not set before it (MySQL's default is a year): while it waits behind a long transaction every later query on {table} queues behind it; run SET SESSION lock_wait_timeout = 5 first and retry on error 1205",
            "metadata exclusive")));
    }

    /// <summary>A possibly qualified table name at <paramref name="i"/>, lower case, without the schema; advances past it.</summary>
    private static string? TableName(IReadOnlyList<Token> t, ref int i)
    {
        if (i >= t.Count || t[i].Kind is not (TokenKind.Word or TokenKind.Identifier)) return null;
        string name = t[i].Text;
        i++;
        while (i + 1 < t.Count && t[i].Text == "." && t[i + 1].Kind is TokenKind.Word or TokenKind.Identifier)
        {
            name = t[i + 1].Text;
            i += 2;
        }
        return name.ToLowerInvariant();
    }

    private static SqlIssue Issue(Findings.RuleDescriptor rule, Statement st, string text, string table, string verb, string message, string? lockMode)
    {
        var first = st.Tokens[0];
        int end = text.IndexOfAny(['\r', '\n'], first.Offset);
        var line = text.AsSpan(first.Offset, (end < 0 ? text.Length : end) - first.Offset).Trim();
        return new SqlIssue(rule, first.Line, first.Column, message, table, (line.Length > 160 ? line[..160] : line).ToString(), verb, lockMode);
    }
}
