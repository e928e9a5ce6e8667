namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>What a PostgreSQL token is.</summary>
internal enum PgTokenKind : byte
{
    /// <summary>An unquoted identifier or key word (may hold <c>$</c> after the first character).</summary>
    Word,
    /// <summary>A double-quoted identifier, <c>"..."</c> or <c>U&amp;"..."</c>.</summary>
    QuotedIdentifier,
    /// <summary>A single-quoted string: standard, <c>E''</c>, <c>B''</c>, <c>X''</c>, <c>N''</c>, <c>U&amp;''</c>.</summary>
    String,
    /// <summary>A dollar-quoted string, <c>$$...$$</c> or <c>$tag$...$tag$</c>.</summary>
    DollarString,
    /// <summary>A numeric literal.</summary>
    Number,
    /// <summary>A positional parameter, <c>$1</c>.</summary>
    Parameter,
    /// <summary>An operator such as <c>=</c>, <c>::</c>, <c>-&gt;&gt;</c>.</summary>
    Operator,
    /// <summary>One of <c>( ) [ ] , . : </c>.</summary>
    Punctuation,
    /// <summary><c>;</c>.</summary>
    Semicolon,
    /// <summary><c>-- ...</c> to the end of the line.</summary>
    LineComment,
    /// <summary><c>/* ... */</c>, nesting.</summary>
    BlockComment,
    /// <summary>A psql meta-command, from the backslash to the end of the line (<c>\i file</c>, <c>\set x 1</c>).</summary>
    MetaCommand,
    /// <summary>A literal, quoted identifier or comment that runs to the end of the input.</summary>
    Unterminated,
}

/// <summary>A token: its kind and where it is in the text.</summary>
internal readonly record struct PgToken(PgTokenKind Kind, int Start, int Length)
{
    public int End => Start + Length;
    public bool IsComment => Kind is PgTokenKind.LineComment or PgTokenKind.BlockComment;
}

/// <summary>
/// A lexer for PostgreSQL as psql reads it: dollar quoting with tags, nested block comments, <c>E''</c>
/// strings with backslash escapes, standard strings with doubled quotes (standard_conforming_strings on),
/// quoted identifiers, and psql meta-commands. It never fails: an unterminated literal becomes one
/// <see cref="PgTokenKind.Unterminated"/> token to the end.
/// </summary>
internal static class PgLexer
{
    public static List<PgToken> Tokenize(string text) => Tokenize(text.AsSpan(), null);

    /// <summary>
    /// Tokenizes into <paramref name="into"/> (cleared first) when given, so that a caller parsing many files can reuse
    /// one list: a migration's token list is a large-object array that lives for one parse.
    /// </summary>
    public static List<PgToken> Tokenize(ReadOnlySpan<char> text, List<PgToken>? into)
    {
        // Bulk INSERTs ("(1,'a',2),") hold a token for every three or four characters; a smaller first guess made
        // the list grow and copy itself several times on the large files. Capped (1.5 MB of tokens) so that a huge
        // file does not reserve its worst case up front.
        int guess = Math.Clamp(text.Length / 3, 16, 1 << 17);
        var tokens = into ?? new List<PgToken>(guess);
        tokens.Clear();
        tokens.EnsureCapacity(guess);
        int i = 0, n = text.Length;
        while (i < n)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            int start = i;
            switch (c)
            {
                case '-' when i + 1 < n && text[i + 1] == '-':
                    i = LineEnd(text, i);
                    tokens.Add(new(PgTokenKind.LineComment, start, i - start));
                    continue;
                case '/' when i + 1 < n && text[i + 1] == '*':
                {
                    int depth = 1;
                    i += 2;
                    while (i < n && depth > 0)
                    {
                        int next = text.Slice(i).IndexOfAny('/', '*');
                        if (next < 0) { i = n; break; }
                        i += next;
                        if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') { depth++; i += 2; }
                        else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/') { depth--; i += 2; }
                        else i++;
                    }
                    tokens.Add(new(depth == 0 ? PgTokenKind.BlockComment : PgTokenKind.Unterminated, start, i - start));
                    continue;
                }
                case '\'':
                    i = QuotedEnd(text, i, '\'', backslashEscapes: false, out bool ok);
                    tokens.Add(new(ok ? PgTokenKind.String : PgTokenKind.Unterminated, start, i - start));
                    continue;
                case '"':
                    i = QuotedEnd(text, i, '"', backslashEscapes: false, out ok);
                    tokens.Add(new(ok ? PgTokenKind.QuotedIdentifier : PgTokenKind.Unterminated, start, i - start));
                    continue;
                case '$':
                    if (i + 1 < n && char.IsAsciiDigit(text[i + 1]))
                    {
                        i++;
                        while (i < n && char.IsAsciiDigit(text[i])) i++;
                        tokens.Add(new(PgTokenKind.Parameter, start, i - start));
                        continue;
                    }
                    if (TryDollarTag(text, i, out int tagLength))
                    {
                        var tag = text.Slice(i, tagLength);
                        int close = text.Slice(i + tagLength).IndexOf(tag, StringComparison.Ordinal);
                        if (close < 0)
                        {
                            tokens.Add(new(PgTokenKind.Unterminated, start, n - start));
                            i = n;
                        }
                        else
                        {
                            i = i + tagLength + close + tagLength;
                            tokens.Add(new(PgTokenKind.DollarString, start, i - start));
                        }
                        continue;
                    }
                    i++;
                    tokens.Add(new(PgTokenKind.Operator, start, 1));
                    continue;
                case '\\':
                    i = LineEnd(text, i);
                    tokens.Add(new(PgTokenKind.MetaCommand, start, i - start));
                    continue;
                case ';':
                    i++;
                    tokens.Add(new(PgTokenKind.Semicolon, start, 1));
                    continue;
                case '(' or ')' or '[' or ']' or ',':
                    i++;
                    tokens.Add(new(PgTokenKind.Punctuation, start, 1));
                    continue;
                case '.' when !(i + 1 < n && char.IsAsciiDigit(text[i + 1])):
                    i++;
                    tokens.Add(new(PgTokenKind.Punctuation, start, 1));
                    continue;
                case ':' when !(i + 1 < n && text[i + 1] is ':' or '='):
                    i++;
                    tokens.Add(new(PgTokenKind.Punctuation, start, 1));
                    continue;
            }

            // Prefixed strings and identifiers: E'..', B'..', X'..', N'..', U&'..', U&".."
            if ((c is 'e' or 'E') && i + 1 < n && text[i + 1] == '\'')
            {
                i = QuotedEnd(text, i + 1, '\'', backslashEscapes: true, out bool ok);
                tokens.Add(new(ok ? PgTokenKind.String : PgTokenKind.Unterminated, start, i - start));
                continue;
            }
            if ((c is 'b' or 'B' or 'x' or 'X' or 'n' or 'N') && i + 1 < n && text[i + 1] == '\'')
            {
                i = QuotedEnd(text, i + 1, '\'', backslashEscapes: false, out bool ok);
                tokens.Add(new(ok ? PgTokenKind.String : PgTokenKind.Unterminated, start, i - start));
                continue;
            }
            if ((c is 'u' or 'U') && i + 2 < n && text[i + 1] == '&' && text[i + 2] is '\'' or '"')
            {
                char q = text[i + 2];
                i = QuotedEnd(text, i + 2, q, backslashEscapes: false, out bool ok);
                tokens.Add(new(ok ? (q == '"' ? PgTokenKind.QuotedIdentifier : PgTokenKind.String) : PgTokenKind.Unterminated, start, i - start));
                continue;
            }
            if (IsIdentStart(c))
            {
                i++;
                while (i < n && IsIdentPart(text[i])) i++;
                tokens.Add(new(PgTokenKind.Word, start, i - start));
                continue;
            }
            if (char.IsAsciiDigit(c) || c == '.')
            {
                i++;
                while (i < n)
                {
                    char d = text[i];
                    if (char.IsAsciiLetterOrDigit(d) || d == '_' || (d == '.' && !(i + 1 < n && text[i + 1] == '.'))) i++;
                    else if ((d is '+' or '-') && (text[i - 1] is 'e' or 'E') && !IsHexPrefixed(text, start)) i++;
                    else break;
                }
                tokens.Add(new(PgTokenKind.Number, start, i - start));
                continue;
            }
            if (IsOperatorChar(c))
            {
                i++;
                while (i < n && IsOperatorChar(text[i]))
                {
                    // a comment start ends the operator
                    if ((text[i] == '-' && i + 1 < n && text[i + 1] == '-') || (text[i] == '/' && i + 1 < n && text[i + 1] == '*')) break;
                    i++;
                }
                tokens.Add(new(PgTokenKind.Operator, start, i - start));
                continue;
            }
            // anything else: one character of its own
            i++;
            tokens.Add(new(PgTokenKind.Operator, start, 1));
        }
        return tokens;
    }

    private static bool IsHexPrefixed(ReadOnlySpan<char> text, int start) =>
        start + 1 < text.Length && text[start] == '0' && text[start + 1] is 'x' or 'X';

    private static int LineEnd(ReadOnlySpan<char> text, int i)
    {
        int nl = text[i..].IndexOf('\n');
        return nl < 0 ? text.Length : i + nl;
    }

    /// <summary>The offset after the closing quote (a doubled quote is an escaped quote), or the end of the text.</summary>
    private static int QuotedEnd(ReadOnlySpan<char> text, int open, char quote, bool backslashEscapes, out bool terminated)
    {
        int i = open + 1, n = text.Length;
        while (i < n)
        {
            int next = backslashEscapes ? text.Slice(i).IndexOfAny(quote, '\\') : text.Slice(i).IndexOf(quote);
            if (next < 0) break;
            i += next;
            char c = text[i];
            if (backslashEscapes && c == '\\') { i += 2; continue; }
            if (c == quote)
            {
                if (i + 1 < n && text[i + 1] == quote) { i += 2; continue; }
                terminated = true;
                return i + 1;
            }
            i++;
        }
        terminated = false;
        return n;
    }

    /// <summary>True when a dollar-quote opening tag (<c>$$</c> or <c>$tag$</c>) starts at <paramref name="i"/>.</summary>
    private static bool TryDollarTag(ReadOnlySpan<char> text, int i, out int length)
    {
        int j = i + 1, n = text.Length;
        if (j < n && text[j] == '$') { length = 2; return true; }
        if (j < n && IsIdentStart(text[j]))
        {
            j++;
            while (j < n && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_' || text[j] > 127)) j++;
            if (j < n && text[j] == '$') { length = j - i + 1; return true; }
        }
        length = 0;
        return false;
    }

    private static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c > 127;
    private static bool IsIdentPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c > 127;
    private static bool IsOperatorChar(char c) => c is '+' or '-' or '*' or '/' or '<' or '>' or '=' or '~' or '!' or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?' or ':';
}
