namespace Preflight.Content;

/// <summary>
/// Line starts of a text, found once; lines are read as spans so a detector walking a file allocates no
/// string per line. Lines end at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>; the terminator is not part of the line.
/// </summary>
public sealed class LineIndex
{
    private readonly ReadOnlyMemory<char> _text;
    private readonly int[] _starts;

    /// <summary>Indexes <paramref name="text"/>.</summary>
    public LineIndex(string text)
        : this(text.AsMemory())
    {
        ArgumentNullException.ThrowIfNull(text);
    }

    /// <summary>Indexes the characters of <paramref name="text"/> (which must not change while the index is used).</summary>
    internal LineIndex(ReadOnlyMemory<char> text)
    {
        _text = text;
        var starts = new List<int>(Math.Max(4, text.Length / 40)) { 0 };
        var span = text.Span;
        int i = 0;
        while (true)
        {
            int next = span[i..].IndexOfAny('\r', '\n');
            if (next < 0) break;
            i += next;
            i += span[i] == '\r' && i + 1 < span.Length && span[i + 1] == '\n' ? 2 : 1;
            starts.Add(i);
        }
        _starts = [.. starts];
    }

    /// <summary>Number of lines (a text ending in a newline has an empty last line).</summary>
    public int Count => _starts.Length;

    /// <summary>The text of 1-based line <paramref name="number"/>, without its terminator.</summary>
    public ReadOnlySpan<char> this[int number]
    {
        get
        {
            var (start, length) = Bounds(number);
            return _text.Span.Slice(start, length);
        }
    }

    /// <summary>Start offset and length (without terminator) of 1-based line <paramref name="number"/>.</summary>
    public (int Start, int Length) Bounds(int number)
    {
        if (number < 1 || number > _starts.Length) throw new ArgumentOutOfRangeException(nameof(number));
        int start = _starts[number - 1];
        int end = number < _starts.Length ? _starts[number] : _text.Length;
        var text = _text.Span;
        while (end > start && text[end - 1] is '\n' or '\r') end--;
        return (start, end - start);
    }

    /// <summary>The 1-based line and column of a character offset into the text.</summary>
    public (int Line, int Column) Position(int offset)
    {
        if (offset < 0 || offset > _text.Length) throw new ArgumentOutOfRangeException(nameof(offset));
        int index = Array.BinarySearch(_starts, offset);
        int line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - _starts[line] + 1);
    }
}
