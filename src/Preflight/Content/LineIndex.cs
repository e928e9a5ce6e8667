using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
        // One pass over the text. It counted the LFs and the CRs first, to size the table once, and then looked for
        // each line's end: three reads of every character, on a text that no longer fits in the cache (the 300 MiB
        // benchmark package's 132 M characters of text), for what one read gives. The table starts at one line per
        // 48 characters and doubles when full.
        _starts = pooled ? System.Buffers.ArrayPool<int>.Shared.Rent(InitialCapacity(span.Length)) : new int[InitialCapacity(span.Length)];
        int count = 0;
        _starts[count++] = 0;
        // The start of the line after the last terminator found: the LF of a CR LF is no terminator of its own.
        int next = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && span.Length >= Vector256<ushort>.Count)
        {
            ref ushort chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(span));
            var lf = Vector256.Create((ushort)'\n');
            var cr = Vector256.Create((ushort)'\r');
            for (; i + Vector256<ushort>.Count <= span.Length; i += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref chars, (nuint)i);
                uint ends = (Vector256.Equals(block, lf) | Vector256.Equals(block, cr)).ExtractMostSignificantBits();
                for (; ends != 0; ends &= ends - 1)
                {
                    int at = i + BitOperations.TrailingZeroCount(ends);
                    if (at < next) continue;
                    next = LineAfter(span, at);
                    Add(ref count, next);
                }
            }
        }
        for (i = Math.Max(i, next); ;)
        {
            int found = span[i..].IndexOfAny('\r', '\n');
            if (found < 0) break;
            i = LineAfter(span, i + found);
            Add(ref count, i);
        }
        _count = count;
    }

    private static int InitialCapacity(int length) => (length / 48) + 16;

    /// <summary>Where the line after a terminator at <paramref name="at"/> starts: past a CR LF, or past the one character.</summary>
    private static int LineAfter(ReadOnlySpan<char> span, int at) =>
        span[at] == '\r' && at + 1 < span.Length && span[at + 1] == '\n' ? at + 2 : at + 1;

    private void Add(ref int count, int start)
    {
        if (count == _starts.Length)
        {
            int[] bigger = _pooled ? System.Buffers.ArrayPool<int>.Shared.Rent(count * 2) : new int[count * 2];
            Array.Copy(_starts, bigger, count);
            if (_pooled) System.Buffers.ArrayPool<int>.Shared.Return(_starts);
            _starts = bigger;
        }
        _starts[count++] = start;
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
