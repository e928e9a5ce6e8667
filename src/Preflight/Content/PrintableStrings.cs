using System.Numerics;
using System.Runtime.Intrinsics;

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
        // Most of a binary's bytes (code, compressed or random data) hold no run long enough to keep. A block of 64
        // bytes is classified at once with vector compares; when no run inside it reaches the minimum, the loop below
        // would only have started and dropped short runs there, so the block is skipped with the state the loop
        // would have left (the start of a run still open at its end). Any other block goes through the loop, byte by
        // byte, which alone decides what is kept: the result is the same with or without the skip.
        bool skip = Vector256.IsHardwareAccelerated && minimumLength >= 2;
        // ASCII runs; a run longer than MaxRunLength is cut into pieces.
        int start = -1;
        int scalarUntil = 0;
        for (int i = 0; i <= data.Length; i++)
        {
            if (skip && start < 0 && i >= scalarUntil && i + Block <= data.Length)
            {
                ulong mask = PrintableMask(data.Slice(i, Block));
                if (!HasRun(mask, 1, minimumLength))
                {
                    int open = BitOperations.LeadingZeroCount(~mask); // printable bytes that end the block
                    start = open > 0 ? i + Block - open : -1;
                    i += Block - 1;
                    continue;
                }
                scalarUntil = i + Block;
            }
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
            scalarUntil = 0;
            for (int i = align; i <= data.Length + 1; i += 2) // one step past the end flushes a run that ends the data
            {
                if (skip && start < 0 && i >= scalarUntil && i + Block + 1 <= data.Length)
                {
                    // Bit j: byte i + j is printable and byte i + j + 1 is zero; characters sit on the even bits.
                    ulong chars = PrintableMask(data.Slice(i, Block)) & ZeroMask(data.Slice(i + 1, Block)) & EvenBits;
                    if (!HasRun(chars, 2, minimumLength))
                    {
                        int open = 0; // characters that end the block
                        for (int bit = Block - 2; bit >= 0 && (chars >> bit & 1) != 0; bit -= 2) open++;
                        start = open > 0 ? i + Block - 2 * open : -1;
                        count = open;
                        i += Block - 2;
                        continue;
                    }
                    scalarUntil = i + Block;
                }
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

    private const int Block = 64;
    private const ulong EvenBits = 0x5555_5555_5555_5555;

    /// <summary>Whether <paramref name="mask"/> has <paramref name="length"/> set bits in a row, <paramref name="stride"/> apart.</summary>
    private static bool HasRun(ulong mask, int stride, int length)
    {
        ulong run = mask;
        for (int k = 1; k < length && run != 0; k++) run &= mask >> (k * stride);
        return run != 0;
    }

    /// <summary>Bit j set when byte j of the 64 is printable (as <see cref="IsPrintable"/>).</summary>
    private static ulong PrintableMask(ReadOnlySpan<byte> block)
    {
        var low = Vector256.Create(block);
        var high = Vector256.Create(block[32..]);
        return Printables(low) | (ulong)Printables(high) << 32;

        static uint Printables(Vector256<byte> v) =>
            (Vector256.LessThan(v - Vector256.Create((byte)0x20), Vector256.Create((byte)0x5F)) | Vector256.Equals(v, Vector256.Create((byte)'\t')))
                .ExtractMostSignificantBits();
    }

    /// <summary>Bit j set when byte j of the 64 is zero.</summary>
    private static ulong ZeroMask(ReadOnlySpan<byte> block) =>
        Vector256.Equals(Vector256.Create(block), Vector256<byte>.Zero).ExtractMostSignificantBits()
        | (ulong)Vector256.Equals(Vector256.Create(block[32..]), Vector256<byte>.Zero).ExtractMostSignificantBits() << 32;

    private static string Utf16Run(ReadOnlySpan<byte> data, int start, int count)
    {
        Span<char> chars = count <= 512 ? stackalloc char[count] : new char[count];
        for (int k = 0; k < count; k++) chars[k] = (char)data[start + (2 * k)];
        return new string(chars);
    }
}
