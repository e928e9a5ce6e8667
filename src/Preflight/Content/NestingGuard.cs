using System.Buffers;

namespace Preflight.Content;

/// <summary>
/// A cheap pre-check before handing text to a recursive-descent parser (Roslyn, YamlDotNet): those parsers
/// recurse once per nesting level and a hostile file nested tens of thousands deep overflows the thread's stack,
/// which no <c>catch</c> can stop. Text nested deeper than <see cref="MaxDepth"/> is not given to them.
/// </summary>
internal static class NestingGuard
{
    /// <summary>Deepest bracket nesting (or YAML indentation, in columns) a parser is given. Real files stay far below it.</summary>
    public const int MaxDepth = 500;

    private static readonly SearchValues<char> Brackets = SearchValues.Create("([{)]}");

    /// <summary>
    /// The deepest nesting of <c>( [ {</c> in the text, counted without regard to strings or comments (so it can
    /// only over-estimate), stopping as soon as it exceeds <paramref name="stopAbove"/>.
    /// </summary>
    public static int BracketDepth(ReadOnlySpan<char> text, int stopAbove = MaxDepth)
    {
        int depth = 0, max = 0;
        while (true)
        {
            int i = text.IndexOfAny(Brackets);
            if (i < 0) return max;
            char c = text[i];
            if (c is '(' or '[' or '{')
            {
                if (++depth > max && (max = depth) > stopAbove) return max;
            }
            else if (depth > 0)
            {
                depth--;
            }
            text = text[(i + 1)..];
        }
    }

    /// <summary>The widest leading run of spaces on any line (YAML block nesting needs one more column per level).</summary>
    public static int MaxIndentation(ReadOnlySpan<char> text, int stopAbove = MaxDepth)
    {
        int max = 0;
        while (!text.IsEmpty)
        {
            int indent = text.IndexOfAnyExcept(' ');
            if (indent < 0) indent = text.Length;
            if (indent > max && (max = indent) > stopAbove) return max;
            int end = text[indent..].IndexOf('\n');
            if (end < 0) break;
            text = text[(indent + end + 1)..];
        }
        return max;
    }

    /// <summary>Why the text must not be parsed, or null when it is shallow enough.</summary>
    public static string? Refusal(ReadOnlySpan<char> text, bool indentation)
    {
        int depth = BracketDepth(text);
        if (depth > MaxDepth) return $"it nests brackets more than {MaxDepth} levels deep";
        if (indentation && MaxIndentation(text) > MaxDepth * 4) return $"it indents more than {MaxDepth * 4} columns deep";
        return null;
    }
}
