namespace Preflight.Detectors.Certificates;

/// <summary>One PEM block found in text.</summary>
/// <param name="Label">The label after <c>BEGIN</c> (<c>CERTIFICATE</c>, <c>X509 CRL</c>, <c>PRIVATE KEY</c>, …).</param>
/// <param name="Der">The decoded body, or null when the base64 is broken or the END line is missing.</param>
/// <param name="Line">1-based line of the BEGIN line.</param>
/// <param name="Placeholder">The body is an example placeholder (<c>...</c>, <c>&lt;your cert&gt;</c>, a few characters), as in documentation.</param>
internal sealed record PemBlock(string Label, byte[]? Der, int Line, bool Placeholder = false);

/// <summary>Finds PEM blocks anywhere in a text: bundles, and blocks embedded in YAML, JSON, XML or scripts.</summary>
internal static class PemBlocks
{
    private const string Begin = "-----BEGIN ";
    private const string Dashes = "-----";

    /// <summary>Every block, in order. Embedded blocks may carry quotes, indentation, <c>\n</c> escapes or YAML block markers around the base64.</summary>
    public static List<PemBlock> Find(string text, int maxBlocks = 10_000)
    {
        var blocks = new List<PemBlock>();
        int pos = 0;
        int line = 1, lineCounted = 0;
        while (blocks.Count < maxBlocks)
        {
            int start = text.IndexOf(Begin, pos, StringComparison.Ordinal);
            if (start < 0) break;
            int labelStart = start + Begin.Length;
            // Every search is bounded (the label by its 64 characters, the END line by the next BEGIN), so a text of
            // many unterminated BEGIN lines costs linear time, not a search to the end of the text per line.
            int labelEnd = text.IndexOf(Dashes, labelStart, Math.Min(64 + Dashes.Length, text.Length - labelStart), StringComparison.Ordinal);
            if (labelEnd < 0 || labelEnd - labelStart > 64) { pos = labelStart; continue; }
            string label = text[labelStart..labelEnd];
            line += CountNewlines(text, lineCounted, start);
            lineCounted = start;
            string end = "-----END " + label + Dashes;
            int bodyStart = labelEnd + Dashes.Length;
            int nextBegin = text.IndexOf(Begin, bodyStart, StringComparison.Ordinal);
            int limit = nextBegin < 0 ? text.Length : nextBegin;
            int endAt = text.IndexOf(end, bodyStart, limit - bodyStart, StringComparison.Ordinal);
            if (endAt < 0)
            {
                blocks.Add(new PemBlock(label, null, line));
                pos = bodyStart;
                continue;
            }
            var body = text.AsSpan(bodyStart, endAt - bodyStart);
            var der = DecodeBody(body);
            blocks.Add(new PemBlock(label, der, line, der is null && IsPlaceholder(body)));
            pos = endAt + end.Length;
        }
        return blocks;
    }

    private static bool IsPlaceholder(ReadOnlySpan<char> body)
    {
        if (body.Contains("...", StringComparison.Ordinal) || body.Contains('…') || body.Contains('<')) return true;
        int base64 = 0;
        foreach (char ch in body) if (char.IsAsciiLetterOrDigit(ch)) base64++;
        return base64 < 40;
    }

    /// <summary>Line ends between the two offsets, counted as <see cref="Content.LineIndex"/> counts them (LF, CR LF, a lone CR).</summary>
    private static int CountNewlines(string text, int from, int to)
    {
        var span = text.AsSpan(from, to - from);
        int n = span.Count('\n');
        for (int cr = span.IndexOf('\r'); cr >= 0; cr = span[(cr + 1)..].IndexOf('\r') is var next && next >= 0 ? cr + 1 + next : -1)
            if (from + cr + 1 >= text.Length || text[from + cr + 1] != '\n') n++;
        return n;
    }

    private static byte[]? DecodeBody(ReadOnlySpan<char> body)
    {
        // Headers such as "Proc-Type:" (encrypted legacy keys) end at a blank line; skip them.
        if (body.IndexOf(':') >= 0)
        {
            int blank = body.IndexOf("\n\n", StringComparison.Ordinal);
            if (blank < 0) blank = body.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (blank >= 0) body = body[blank..];
        }
        var chars = new char[body.Length];
        int n = 0;
        for (int i = 0; i < body.Length; i++)
        {
            char ch = body[i];
            if (char.IsAsciiLetterOrDigit(ch) || ch is '+' or '/' or '=') chars[n++] = ch;
            else if (ch == '\\' && i + 1 < body.Length && body[i + 1] is 'n' or 'r' or 't') i++; // a "\n" escape in JSON or YAML
            else if (ch is ' ' or '\t' or '\r' or '\n' or '"' or '\'' or '|' or '>' or '-' or '#' or ';' or '<') continue;
            else if (ch is '&' && body[i..].StartsWith("&#10;", StringComparison.Ordinal)) i += 4; // an XML newline entity
            else return null;
        }
        try
        {
            return Convert.FromBase64String(new string(chars, 0, n));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
