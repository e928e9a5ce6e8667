namespace Preflight.Content;

/// <summary>
/// Line starts of a text, found once; lines are read as spans so a detector walking a file allocates no
/// string per line. Lines end at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>; the terminator is not part of the line.
/// </summary>
public sealed class LineIndex
{
    private readonly ReadOnlyMemory<char> _text;
    private int[] _starts;
    private readonly int _count;
    private readonly bool _pooled;

    /// <summary>Indexes <paramref name="text"/>.</summary>
    public LineIndex(string text)
        : this(text.AsMemory(), pooled: false)
    {
        ArgumentNullException.ThrowIfNull(text);
    }

    /// <summary>
    /// Indexes the characters of <paramref name="text"/> (which must not change while the index is used). A pooled
    /// index rents its table of line starts and gives it back on <see cref="Release"/>: the table of a large text is a
    /// large-object array, and one per entry was a steady source of them.
    /// </summary>
    internal LineIndex(ReadOnlyMemory<char> text, bool pooled = false)
    {
        _text = text;
        _pooled = pooled;
        var span = text.Span;
        // Every line end is a LF or a CR: their count bounds the lines, so the table is sized once.
        int most = span.Count('\n') + span.Count('\r') + 1;
        _starts = pooled ? System.Buffers.ArrayPool<int>.Shared.Rent(most) : new int[most];
        int count = 0;
        _starts[count++] = 0;
        int i = 0;
        while (true)
        {
            int next = span[i..].IndexOfAny('\r', '\n');
            if (next < 0) break;
            i += next;
            i += span[i] == '\r' && i + 1 < span.Length && span[i + 1] == '\n' ? 2 : 1;
            _starts[count++] = i;
        }
        _count = count;
    }

    /// <summary>Gives a pooled table back; the index must not be used afterwards.</summary>
    internal void Release()
    {
        if (!_pooled) return;
        var starts = Interlocked.Exchange(ref _starts, []);
        if (starts.Length > 0) System.Buffers.ArrayPool<int>.Shared.Return(starts);
    }

    /// <summary>Number of lines (a text ending in a newline has an empty last line).</summary>
    public int Count => _count;

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
        if (number < 1 || number > _count) throw new ArgumentOutOfRangeException(nameof(number));
        int start = _starts[number - 1];
        int end = number < _count ? _starts[number] : _text.Length;
        var text = _text.Span;
        while (end > start && text[end - 1] is '\n' or '\r') end--;
        return (start, end - start);
    }

    /// <summary>The 1-based line and column of a character offset into the text.</summary>
    public (int Line, int Column) Position(int offset)
    {
        if (offset < 0 || offset > _text.Length) throw new ArgumentOutOfRangeException(nameof(offset));
        int index = Array.BinarySearch(_starts, 0, _count, offset);
        int line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - _starts[line] + 1);
    }
}
