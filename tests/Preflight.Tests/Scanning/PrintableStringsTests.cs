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
}
