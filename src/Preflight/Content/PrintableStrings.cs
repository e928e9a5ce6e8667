namespace Preflight.Content;

/// <summary>A run of printable characters found in a binary.</summary>
/// <param name="Offset">Byte offset of the run in the entry.</param>
/// <param name="Value">The characters.</param>
/// <param name="Utf16">True for a UTF-16LE run, false for ASCII.</param>
public sealed record PrintableString(long Offset, string Value, bool Utf16)
{
    /// <summary>The shortest run kept by default, as <c>strings</c> uses 4 and secrets are longer.</summary>
    public const int DefaultMinimumLength = 6;
}

/// <summary>Extracts printable runs from binary data, like <c>strings -e s</c> and <c>strings -e l</c> together.</summary>
public static class PrintableStrings
{
    /// <summary>Longest single run kept; longer runs are cut into pieces of this size.</summary>
    public const int MaxRunLength = 4096;

    private static bool IsPrintable(byte b) => b is >= 0x20 and < 0x7f or (byte)'\t';

    // One table lookup per byte, and no work per character of a run until the run proves long enough: random
    // and compressed data (most of a binary's bytes) is all short runs.
    private static readonly bool[] Printable = [.. Enumerable.Range(0, 256).Select(static b => IsPrintable((byte)b))];

    /// <summary>Every ASCII run and every UTF-16LE run (ASCII-range characters) of at least <paramref name="minimumLength"/> characters, in offset order.</summary>
    public static IReadOnlyList<PrintableString> Extract(ReadOnlySpan<byte> data, int minimumLength)
    {
        var result = new List<PrintableString>();
        var table = Printable;
        // ASCII runs; a run longer than MaxRunLength is cut into pieces.
        int start = -1;
        for (int i = 0; i <= data.Length; i++)
        {
            bool printable = i < data.Length && table[data[i]];
            if (printable && start < 0) start = i;
            if ((!printable || i - start >= MaxRunLength) && start >= 0)
            {
                int length = i - start;
                if (length >= minimumLength) result.Add(new PrintableString(start, System.Text.Encoding.ASCII.GetString(data.Slice(start, length)), false));
                start = printable ? i : -1;
            }
        }
        // UTF-16LE runs, on both alignments: a printable low byte and a zero high byte per character.
        for (int align = 0; align < 2; align++)
        {
            start = -1;
            int count = 0;
            for (int i = align; i <= data.Length + 1; i += 2) // one step past the end flushes a run that ends the data
            {
                bool printable = i + 1 < data.Length && data[i + 1] == 0 && table[data[i]];
                if (printable)
                {
                    if (start < 0) start = i;
                    count++;
                }
                if ((!printable || count >= MaxRunLength) && start >= 0)
                {
                    if (count >= minimumLength) result.Add(new PrintableString(start, Utf16Run(data, start, count), true));
                    count = 0;
                    start = -1;
                }
            }
        }
        result.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        return result;
    }

    private static string Utf16Run(ReadOnlySpan<byte> data, int start, int count)
    {
        Span<char> chars = count <= 512 ? stackalloc char[count] : new char[count];
        for (int k = 0; k < count; k++) chars[k] = (char)data[start + (2 * k)];
        return new string(chars);
    }
}
