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

    /// <summary>Every ASCII run and every UTF-16LE run (ASCII-range characters) of at least <paramref name="minimumLength"/> characters, in offset order.</summary>
    public static IReadOnlyList<PrintableString> Extract(ReadOnlySpan<byte> data, int minimumLength)
    {
        var result = new List<PrintableString>();
        // ASCII runs.
        int start = -1;
        for (int i = 0; i <= data.Length; i++)
        {
            bool printable = i < data.Length && IsPrintable(data[i]);
            if (printable && start < 0) start = i;
            if ((!printable || i - start >= MaxRunLength) && start >= 0)
            {
                int length = i - start;
                if (length >= minimumLength) result.Add(new PrintableString(start, System.Text.Encoding.ASCII.GetString(data.Slice(start, length)), false));
                start = printable ? i : -1;
            }
        }
        // UTF-16LE runs, on both alignments.
        for (int align = 0; align < 2; align++)
        {
            start = -1;
            var chars = new System.Text.StringBuilder();
            for (int i = align; i + 1 <= data.Length; i += 2)
            {
                bool printable = i + 1 < data.Length && IsPrintable(data[i]) && data[i + 1] == 0;
                if (printable)
                {
                    if (start < 0) start = i;
                    chars.Append((char)data[i]);
                }
                if ((!printable || chars.Length >= MaxRunLength) && start >= 0)
                {
                    if (chars.Length >= minimumLength) result.Add(new PrintableString(start, chars.ToString(), true));
                    chars.Clear();
                    start = -1;
                }
            }
        }
        result.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        return result;
    }
}
