using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;

namespace Preflight.Tests.Scanning;

public class PrintableStringsTests
{
    [Test]
    public void Ascii_and_utf16_runs_on_both_alignments_are_found_in_offset_order_and_short_runs_are_not()
    {
        var data = new List<byte> { 0x01, 0xff };
        int ascii = data.Count;
        data.AddRange(Encoding.ASCII.GetBytes("password=hunter2"));
        data.AddRange([0x00, 0x80, (byte)'a', (byte)'b', 0x02]); // "ab" is too short
        int even = data.Count;
        data.AddRange(Encoding.Unicode.GetBytes("Server=db1"));
        data.AddRange([0x90, 0x91, 0x92]); // odd padding: the next UTF-16 run starts on the other alignment
        int odd = data.Count;
        data.AddRange(Encoding.Unicode.GetBytes("token\tvalue"));
        data.AddRange([0xfe, 0xfe]);

        var found = PrintableStrings.Extract(data.ToArray(), PrintableString.DefaultMinimumLength);

        found.Should().Equal(
            new PrintableString(ascii, "password=hunter2", false),
            new PrintableString(even, "Server=db1", true),
            new PrintableString(odd, "token\tvalue", true));
    }

    [Test]
    public void A_run_longer_than_the_limit_is_cut_into_pieces_of_the_limit()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('x', PrintableStrings.MaxRunLength + 10));
        var found = PrintableStrings.Extract(bytes, PrintableString.DefaultMinimumLength);
        found.Select(f => (f.Offset, f.Value.Length)).Should().Equal((0L, PrintableStrings.MaxRunLength), (PrintableStrings.MaxRunLength, 10));

        var wide = Encoding.Unicode.GetBytes(new string('y', PrintableStrings.MaxRunLength + 7));
        PrintableStrings.Extract(wide, PrintableString.DefaultMinimumLength).Where(f => f.Utf16)
            .Select(f => (f.Offset, f.Value.Length)).Should().Equal((0L, PrintableStrings.MaxRunLength), (2L * PrintableStrings.MaxRunLength, 7));
    }

    [Test]
    public void Random_bytes_give_only_runs_that_are_really_printable()
    {
        var random = new Random(7);
        var data = new byte[1 << 20];
        random.NextBytes(data);
        foreach (var s in PrintableStrings.Extract(data, PrintableString.DefaultMinimumLength))
        {
            s.Value.Length.Should().BeGreaterThanOrEqualTo(PrintableString.DefaultMinimumLength);
            for (int k = 0; k < s.Value.Length; k++)
            {
                long at = s.Offset + (s.Utf16 ? 2 * k : k);
                ((char)data[at]).Should().Be(s.Value[k]);
                if (s.Utf16) data[at + 1].Should().Be(0);
            }
        }
    }

    /// <summary>
    /// The extractor skips 64-byte blocks it can tell hold nothing to keep. Its result must be exactly that of the plain
    /// byte-by-byte definition below (the code before the skip): checked on inputs built to put runs of every length
    /// across block edges, at both UTF-16 alignments, beside zero padding and past the length limit, for minimum
    /// lengths from 2 to 70.
    /// </summary>
    [Test]
    public void Skipping_blocks_changes_nothing_against_the_byte_by_byte_definition()
    {
        var random = new Random(20261128);
        int inputs = 0;
        foreach (var data in Inputs(random))
        {
            inputs++;
            foreach (int minimum in new[] { 2, 3, 6, 7, 31, 32, 33, 64, 65, 70 })
            {
                var expected = Reference(data, minimum);
                var actual = PrintableStrings.Extract(data, minimum);
                actual.Should().Equal(expected, $"input {inputs} ({data.Length} bytes), minimum {minimum}");
            }
        }
        inputs.Should().BeGreaterThan(300);
    }

    private static IEnumerable<byte[]> Inputs(Random random)
    {
        // Random bytes, and mixes where printable runs, UTF-16 runs and zero padding of random lengths alternate.
        foreach (int size in new[] { 0, 1, 63, 64, 65, 127, 128, 129, 200, 4096, 70_000 })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            yield return bytes;
        }
        // Runs around the length limit, at several offsets in a block, ended by a control byte or by the data's end.
        const int max = PrintableStrings.MaxRunLength;
        foreach (int length in new[] { max - 1, max, max + 1, max + 5, 2 * max - 1, 2 * max, 2 * max + 1 })
            foreach (int offset in new[] { 0, 1, 37, 63 })
                foreach (bool ended in new[] { true, false })
                {
                    var bytes = new List<byte>();
                    for (int k = 0; k < offset; k++) bytes.Add(1);
                    for (int k = 0; k < length; k++) bytes.Add((byte)('a' + (k % 26)));
                    if (ended) bytes.AddRange([1, 2, 3]);
                    yield return [.. bytes];
                }
        for (int n = 0; n < 320; n++)
        {
            var bytes = new List<byte>();
            int target = random.Next(1, n % 16 == 0 ? 12_000 : 700);
            while (bytes.Count < target)
            {
                int length = random.Next(0, n % 16 == 0 ? 5000 : 80);
                switch (random.Next(6))
                {
                    case 0: for (int k = 0; k < length; k++) bytes.Add((byte)random.Next(0x20, 0x7f)); break;
                    case 1: for (int k = 0; k < length; k++) { bytes.Add((byte)random.Next(0x20, 0x7f)); bytes.Add(0); } break;
                    case 2: for (int k = 0; k < length; k++) bytes.Add(0); break;
                    case 3: bytes.Add((byte)'\t'); break;
                    case 4: bytes.Add((byte)random.Next(0x80, 0x100)); break;
                    default: for (int k = 0; k < length; k++) bytes.Add((byte)random.Next(256)); break;
                }
            }
            yield return [.. bytes];
        }
    }

    private static List<PrintableString> Reference(byte[] data, int minimumLength)
    {
        static bool Printable(byte b) => b is >= 0x20 and < 0x7f or (byte)'\t';
        var result = new List<PrintableString>();
        int start = -1;
        for (int i = 0; i <= data.Length; i++)
        {
            bool printable = i < data.Length && Printable(data[i]);
            if (printable && start < 0) start = i;
            if ((!printable || i - start >= PrintableStrings.MaxRunLength) && start >= 0)
            {
                int length = i - start;
                if (length >= minimumLength) result.Add(new PrintableString(start, Encoding.ASCII.GetString(data, start, length), false));
                start = printable ? i : -1;
            }
        }
        for (int align = 0; align < 2; align++)
        {
            start = -1;
            int count = 0;
            for (int i = align; i <= data.Length + 1; i += 2)
            {
                bool printable = i + 1 < data.Length && data[i + 1] == 0 && Printable(data[i]);
                if (printable)
                {
                    if (start < 0) start = i;
                    count++;
                }
                if ((!printable || count >= PrintableStrings.MaxRunLength) && start >= 0)
                {
                    if (count >= minimumLength)
                        result.Add(new PrintableString(start, new string([.. Enumerable.Range(0, count).Select(k => (char)data[start + 2 * k])]), true));
                    count = 0;
                    start = -1;
                }
            }
        }
        result.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return result;
    }
}
