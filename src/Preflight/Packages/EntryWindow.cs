using System.Text;
using Preflight.Content;

namespace Preflight.Packages;

/// <summary>How an entry larger than <c>PackageLimits.AnalysisWindowBytes</c> reaches the detectors.</summary>
internal enum EntryWindowing
{
    /// <summary>Held whole (up to <c>MaxAnalyzedEntryBytes</c>): some detector that wants it needs all of it at once.</summary>
    None,

    /// <summary>Text in a single-byte-compatible encoding, cut after line ends.</summary>
    Text,

    /// <summary>Binary data, cut between two bytes that no printable string can hold.</summary>
    Binary,
}

/// <summary>What the sink decided for a large entry: the windowing, and the kind and encoding every window keeps.</summary>
internal readonly record struct WindowPlan(EntryWindowing Mode, ContentKind Kind, Encoding? Encoding)
{
    public static WindowPlan Whole { get; } = new(EntryWindowing.None, ContentKind.OtherBinary, null);
}

/// <summary>
/// Where one window sits in its entry. Windows of an entry cover its bytes exactly once, in order, and may be
/// analysed in any order and on any thread. Line and column numbers inside a window are shifted by
/// <see cref="FirstLine"/> and <see cref="FirstColumn"/> to the entry's own.
/// </summary>
/// <param name="Index">0 for the first window.</param>
/// <param name="ByteOffset">Offset of the window's first byte in the entry.</param>
/// <param name="FirstLine">The entry's 1-based line number of the window's first line.</param>
/// <param name="FirstColumn">The entry's 1-based column of the window's first character (more than 1 when the previous window ended inside a line).</param>
/// <param name="Kind">The kind sniffed from the entry's first bytes (a middle window is never sniffed on its own).</param>
/// <param name="Encoding">The encoding detected on the entry's first bytes, for a text.</param>
/// <param name="IsLast">True for the window that ends the entry.</param>
/// <param name="Sha256">SHA-256 of the whole entry, on the last window of an entry read to its end.</param>
internal sealed record EntryWindow(int Index, long ByteOffset, int FirstLine, int FirstColumn, ContentKind Kind, Encoding? Encoding, bool IsLast, byte[]? Sha256)
{
    /// <summary>The entry's line and column of a position inside this window.</summary>
    public (int Line, int Column) Shift(int line, int column) =>
        (line + FirstLine - 1, line == 1 ? column + FirstColumn - 1 : column);
}

/// <summary>
/// Where to cut a full window so that nothing a detector looks for straddles two windows: text after its last
/// line end (and before a PEM block still open there), binary data between two non-printable bytes.
/// </summary>
internal static class WindowCuts
{
    /// <summary>How far back from a window's end a binary cut or an open PEM block is looked for.</summary>
    internal const int SearchBytes = 1 << 20;

    /// <summary>The length of the window to hand over; the bytes after it start the next window. Always at least 1.</summary>
    public static int Cut(ReadOnlySpan<byte> window, EntryWindowing mode)
    {
        if (window.Length <= 1) return window.Length;
        return mode == EntryWindowing.Binary ? CutBinary(window) : CutText(window);
    }

    private static int CutText(ReadOnlySpan<byte> window)
    {
        int end = window.Length;
        // A carriage return at the very end may be the first half of CR LF: it goes to the next window with its LF.
        if (window[end - 1] == (byte)'\r') end--;
        int last = window[..end].LastIndexOfAny((byte)'\n', (byte)'\r');
        if (last < 0) return Utf8Boundary(window, end);
        int cut = last + 1;
        return AvoidOpenPemBlock(window, cut);
    }

    /// <summary>A line longer than the window is cut anyway, but never inside a UTF-8 sequence.</summary>
    private static int Utf8Boundary(ReadOnlySpan<byte> window, int cut)
    {
        for (int i = 1; i <= 3 && cut - i >= 0; i++)
        {
            byte b = window[cut - i];
            if (b < 0x80) break;
            if ((b & 0xC0) != 0xC0) continue;
            // A lead byte whose sequence needs more bytes than are left before the cut: cut before it.
            int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (length > i && cut - i > 0) return cut - i;
            break;
        }
        return Math.Max(1, cut);
    }

    /// <summary>Moves a cut that would split a PEM block to the start of the block's BEGIN line.</summary>
    private static int AvoidOpenPemBlock(ReadOnlySpan<byte> window, int cut)
    {
        int from = Math.Max(0, cut - SearchBytes);
        var region = window[from..cut];
        int begin = region.LastIndexOf("-----BEGIN "u8);
        if (begin < 0 || region[begin..].IndexOf("-----END "u8) >= 0) return cut;
        int lineStart = region[..begin].LastIndexOfAny((byte)'\n', (byte)'\r') + 1 + from;
        // A block that began in an earlier window, or one larger than the window, is cut where it stands.
        return lineStart > 0 ? lineStart : cut;
    }

    private static int CutBinary(ReadOnlySpan<byte> window)
    {
        int stop = Math.Max(1, window.Length - SearchBytes);
        for (int p = window.Length - 1; p >= stop; p--)
            if (!IsPrintable(window[p]) && !IsPrintable(window[p - 1])) return p;
        return window.Length;
    }

    // The bytes that can be part of a printable ASCII string or of a UTF-16LE one's character half (see PrintableStrings).
    private static bool IsPrintable(byte b) => b is >= 0x20 and <= 0x7E or (byte)'\t';

    /// <summary>
    /// Line ends in <paramref name="text"/> (LF, CR LF or a lone CR, as <see cref="LineIndex"/> counts them) and the
    /// characters after the last one.
    /// </summary>
    public static (int LineEnds, int TailChars) Measure(ReadOnlySpan<byte> text, Encoding encoding)
    {
        int ends = text.Count((byte)'\n');
        var rest = text;
        while (true)
        {
            int cr = rest.IndexOf((byte)'\r');
            if (cr < 0) break;
            if (cr + 1 >= rest.Length || rest[cr + 1] != (byte)'\n') ends++;
            rest = rest[(cr + 1)..];
        }
        int last = text.LastIndexOfAny((byte)'\n', (byte)'\r');
        return (ends, encoding.GetCharCount(text[(last + 1)..]));
    }
}

/// <summary>Hands out the windows of one entry with their positions; used by the reader's thread.</summary>
internal sealed class WindowSequence(WindowPlan plan)
{
    private int _index;
    private long _offset;
    private int _line = 1;
    private int _column = 1;

    public WindowPlan Plan { get; } = plan;

    /// <summary>The window for the next <paramref name="bytes"/> of the entry.</summary>
    public EntryWindow Next(ReadOnlySpan<byte> bytes, bool isLast, byte[]? sha256)
    {
        var window = new EntryWindow(_index++, _offset, _line, _column, Plan.Kind, Plan.Encoding, isLast, sha256);
        _offset += bytes.Length;
        if (Plan.Mode == EntryWindowing.Text && Plan.Encoding is { } encoding)
        {
            var (ends, tail) = WindowCuts.Measure(bytes, encoding);
            if (ends > 0)
            {
                _line += ends;
                _column = 1 + tail;
            }
            else
            {
                _column += tail;
            }
        }
        return window;
    }
}
