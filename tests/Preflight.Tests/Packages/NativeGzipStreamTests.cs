using System.Buffers.Binary;
using System.Text;
using FluentAssertions;
using ICSharpCode.SharpZipLib.GZip;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Packages;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

/// <summary>
/// The gzip reader decodes with the BCL and hands anything unusual to SharpZipLib. Its results are compared with
/// SharpZipLib reading the same bytes alone (what the reader did before): the same bytes on success, the same
/// exception on damage, on streams whole, cut at every length, with single bytes changed, with several members and
/// with trailing bytes, from sources that can seek and from sources that cannot.
/// </summary>
[TestFixture]
public class NativeGzipStreamTests
{
    private static readonly byte[] Text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i}: upstream=https://mirror{i % 7}.example.com/pkg\n")));

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed record Outcome(byte[] Output, string? Error, long Consumed, bool FellBack);

    private static Outcome Sharp(byte[] gz)
    {
        var output = new MemoryStream();
        try
        {
            using var s = new GZipInputStream(new MemoryStream(gz)) { IsStreamOwner = false };
            s.CopyTo(output);
            return new Outcome(output.ToArray(), null, gz.Length, false);
        }
        catch (Exception ex)
        {
            return new Outcome(output.ToArray(), ex.GetType().Name + ": " + ex.Message, -1, false);
        }
    }

    private static Outcome Native(byte[] gz, bool seekable, int readSize = 4096, long budget = 64L << 20)
    {
        using var session = new ReadSession(PackageLimits.Default with { MaxInMemoryNestedArchiveBytes = budget }, new RecordingSink(), CancellationToken.None);
        Stream source = seekable ? new MemoryStream(gz) : new ForwardOnlyStream(gz);
        var output = new MemoryStream();
        using var s = new NativeGzipStream(source, session);
        try
        {
            var buffer = new byte[readSize];
            int n;
            while ((n = s.Read(buffer)) > 0) output.Write(buffer, 0, n);
            return new Outcome(output.ToArray(), null, s.Consumed, s.FellBack);
        }
        catch (Exception ex)
        {
            return new Outcome(output.ToArray(), ex.GetType().Name + ": " + ex.Message, s.Consumed, s.FellBack);
        }
    }

    private static void ShouldAgree(byte[] gz, string because)
    {
        var expected = Sharp(gz);
        // A source that seeks is read again in place; one that cannot is copied in memory, and a copy that outgrows its
        // budget (none at all, or one smaller than the stream) hands over to SharpZipLib where it stops.
        foreach (var (seekable, budget) in new[] { (true, 64L << 20), (false, 64L << 20), (false, 0L), (false, 100_000L) })
        {
            var actual = Native(gz, seekable, budget: budget);
            actual.Error.Should().Be(expected.Error, $"{because} (seekable: {seekable}, budget {budget})");
            if (expected.Error is null)
            {
                actual.Output.Should().Equal(expected.Output, $"{because} (seekable: {seekable}, budget {budget})");
                actual.Consumed.Should().Be(gz.Length, because);
            }
            else
            {
                // Each decoder gives the true bytes up to where it notices the damage.
                int common = Math.Min(actual.Output.Length, expected.Output.Length);
                actual.Output.AsSpan(0, common).SequenceEqual(expected.Output.AsSpan(0, common)).Should().BeTrue(because);
                actual.Consumed.Should().BeLessThanOrEqualTo(gz.Length, because);
            }
        }
    }

    [Test]
    public void A_single_member_is_decoded_by_the_BCL_alone()
    {
        foreach (var data in new[] { Text, Noise(300_000, 1), Array.Empty<byte>(), Utf8("x") })
        {
            var gz = GZip(data, fileName: "app.conf");
            foreach (bool seekable in new[] { true, false })
            {
                var outcome = Native(gz, seekable);
                outcome.Error.Should().BeNull();
                outcome.Output.Should().Equal(data);
                outcome.FellBack.Should().BeFalse("a complete single-member stream needs no second decoder");
                outcome.Consumed.Should().Be(gz.Length);
            }
        }
    }

    [Test]
    public void Several_members_trailing_bytes_and_padding_read_as_SharpZipLib_reads_them()
    {
        var a = GZip(Text);
        var b = GZip(Noise(70_000, 2));
        var empty = GZip([]);
        ShouldAgree([.. a, .. b], "two members");
        ShouldAgree([.. a, .. empty, .. b, .. a], "four members, one empty");
        ShouldAgree([.. a, .. new byte[512]], "zero padding after the member");
        ShouldAgree([.. a, .. Utf8("trailing text that is not gzip\n")], "trailing garbage");
        ShouldAgree([.. a, 0x1f, 0x8b], "the start of a second header");
        ShouldAgree([.. a, .. b[..(b.Length / 2)]], "a second member cut short");
        Native([.. a, .. b], seekable: true).FellBack.Should().BeTrue("the last trailer does not cover both members");
    }

    [Test]
    public void A_stream_cut_at_any_length_fails_or_ends_as_with_SharpZipLib()
    {
        var gz = GZip(Text, fileName: "notes.txt");
        for (int length = 0; length < gz.Length; length++)
            ShouldAgree(gz[..length], $"cut at {length} of {gz.Length}");
    }

    [Test]
    public void A_changed_byte_anywhere_fails_or_reads_as_with_SharpZipLib()
    {
        var gz = GZip(Text);
        var random = new Random(7);
        for (int at = 0; at < gz.Length; at++)
        {
            var damaged = (byte[])gz.Clone();
            damaged[at] ^= (byte)(1 << random.Next(8));
            ShouldAgree(damaged, $"bit flipped at {at} of {gz.Length}");
        }
    }

    [Test]
    public void Large_streams_cut_or_damaged_agree_with_SharpZipLib_on_the_error()
    {
        var data = Noise(2_000_000, 3).Concat(Text).Concat(new byte[500_000]).ToArray();
        var gz = GZip(data);
        ShouldAgree(gz, "whole");
        ShouldAgree(gz[..(gz.Length * 3 / 4)], "cut inside the data");
        ShouldAgree(gz[..^4], "cut inside the trailer");
        var wrongLength = (byte[])gz.Clone();
        wrongLength[^1] ^= 0x40;
        ShouldAgree(wrongLength, "wrong length in the trailer");
        var wrongCrc = (byte[])gz.Clone();
        wrongCrc[^8] ^= 0x01;
        ShouldAgree(wrongCrc, "wrong CRC in the trailer");
    }

    [Test]
    public void A_copy_that_outgrows_its_budget_hands_over_to_SharpZipLib_and_gives_the_budget_back()
    {
        var data = Noise(600_000, 6);
        var gz = GZip(data);
        using var session = new ReadSession(PackageLimits.Default with { MaxInMemoryNestedArchiveBytes = 200_000 }, new RecordingSink(), CancellationToken.None);
        var output = new MemoryStream();
        using (var s = new NativeGzipStream(new ForwardOnlyStream(gz), session))
        {
            s.CopyTo(output);
            s.FellBack.Should().BeTrue("600 KB of compressed bytes do not fit a 200 KB budget");
            s.Consumed.Should().Be(gz.Length);
            session.TryReserveNestedMemory(100_000).Should().BeFalse("the copy holds part of the budget while the stream is open");
        }
        output.ToArray().Should().Equal(data);
        session.TryReserveNestedMemory(200_000).Should().BeTrue("the copy's budget is given back on dispose");
    }

    [Test]
    public void A_copy_full_exactly_where_a_member_ends_is_not_taken_for_the_end_of_the_stream()
    {
        // A first member of exactly 64 KiB (one stored deflate block) and a budget of 64 KiB: the copy is full right
        // after the member's trailer, where the BCL stream is told the data ends and the trailer matches.
        var first = Noise(65_536 - 23, 7);
        var member = StoredMember(first);
        member.Length.Should().Be(65_536);
        var second = GZip(Text);
        var outcome = Native([.. member, .. second], seekable: false, budget: 65_536);
        outcome.Error.Should().BeNull();
        outcome.Output.Should().Equal([.. first, .. Text]);
    }

    /// <summary>A gzip member of one stored (uncompressed) deflate block: 23 bytes more than its data.</summary>
    private static byte[] StoredMember(byte[] data)
    {
        var bytes = new List<byte> { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x01 };
        bytes.AddRange(BitConverter.GetBytes((ushort)data.Length));
        bytes.AddRange(BitConverter.GetBytes((ushort)~data.Length));
        bytes.AddRange(data);
        bytes.AddRange(BitConverter.GetBytes(Crc(data)));
        bytes.AddRange(BitConverter.GetBytes((uint)data.Length));
        return [.. bytes];
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(512)]
    public void Small_reads_give_the_same_bytes(int readSize)
    {
        var data = Noise(100_000, 4);
        var gz = GZip(data).Concat(GZip(Text)).ToArray();
        Native(gz, seekable: false, readSize).Output.Should().Equal([.. data, .. Text]);
        Native(GZip(data), seekable: true, readSize).Output.Should().Equal(data);
    }

    [Test]
    public void An_ASCII_file_name_is_read_from_the_header_as_SharpZipLib_reads_it()
    {
        var names = new[]
        {
            Encoding.ASCII.GetBytes("app.conf"),
            Encoding.ASCII.GetBytes("../../etc/passwd"),
            Enumerable.Repeat((byte)'n', 1500).ToArray(),
        };
        foreach (var name in names)
        {
            var gz = RawGZip(Text, name);
            using var sharp = new GZipInputStream(new MemoryStream(gz));
            sharp.ReadByte();
            using var session = new ReadSession(PackageLimits.Default, new RecordingSink(), CancellationToken.None);
            using var native = new NativeGzipStream(new ForwardOnlyStream(gz), session);
            native.ReadByte();
            native.GetFilename().Should().Be(sharp.GetFilename());
        }
    }

    [Test]
    public void A_file_name_is_read_as_UTF_8_when_it_is_valid_UTF_8_else_as_ISO_8859_1()
    {
        byte[] Header(byte[] name) => [0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, .. name, 0];
        NativeGzipStream.ParseFileName(Header(Encoding.UTF8.GetBytes("café.txt"))).Should().Be("café.txt");
        NativeGzipStream.ParseFileName(Header([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x74, 0x78, 0x74])).Should().Be("café.txt");
    }

    [Test]
    public void The_file_name_is_found_after_an_extra_field_and_absent_without_FNAME()
    {
        NativeGzipStream.HeaderRead([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, .. Utf8("x.sq")]).Should().BeFalse("the name is not ended yet");
        NativeGzipStream.HeaderRead([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, .. Utf8("x.sql"), 0]).Should().BeTrue();
        NativeGzipStream.HeaderRead([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]).Should().BeTrue("no name is announced");
        byte[] header = [0x1f, 0x8b, 8, 0x04 | 0x08, 0, 0, 0, 0, 0, 3, 3, 0, 9, 9, 9, .. Utf8("x.sql"), 0];
        NativeGzipStream.ParseFileName(header).Should().Be("x.sql");
        NativeGzipStream.ParseFileName(header[..12]).Should().BeNull("the extra field is not all there");
        NativeGzipStream.ParseFileName([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, .. Utf8("x.sql"), 0]).Should().BeNull();
    }

    [Test]
    public void Compressed_bytes_are_counted_once_when_SharpZipLib_reads_them_again()
    {
        var a = GZip(Noise(50_000, 5));
        var gz = a.Concat(a).ToArray();
        foreach (bool seekable in new[] { true, false })
        {
            var outcome = Native(gz, seekable);
            outcome.FellBack.Should().BeTrue();
            outcome.Consumed.Should().Be(gz.Length);
        }
    }

    [Test]
    public async Task A_forward_stream_that_reads_only_synchronously_also_reads_asynchronously()
    {
        // ReadOnlyForwardStream gives asynchronous reads to a subclass that has only Read(Span): Stream's own version
        // maps to the array overload, which the base class maps back, so inheriting it overflowed the stack.
        var bytes = Noise(10_000, 8);
        var buffer = new byte[bytes.Length];
        await using var stream = new ForwardOnlyStream(bytes);
        (await stream.ReadAsync(buffer.AsMemory(0, 4_000))).Should().Be(4_000);
        (await stream.ReadAsync(buffer, 4_000, 6_000)).Should().Be(6_000);
        (await stream.ReadAsync(buffer.AsMemory())).Should().Be(0);
        buffer.Should().Equal(bytes);
        var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await stream.Invoking(s => s.ReadAsync(buffer.AsMemory(), cancelled.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public async Task Array_reads_of_a_forward_stream_share_a_task_only_when_the_count_is_the_same()
    {
        var bytes = Noise(2_000, 9);
        var buffer = new byte[bytes.Length + 512];
        await using var stream = new ForwardOnlyStream(bytes);
        var first = stream.ReadAsync(buffer, 0, 512);
        var second = stream.ReadAsync(buffer, 512, 512);
        var third = stream.ReadAsync(buffer, 1_024, 700);
        var fourth = stream.ReadAsync(buffer, 1_724, 512);
        var last = stream.ReadAsync(buffer, 2_000, 0);

        (await first).Should().Be(512);
        second.Should().BeSameAs(first);
        (await third).Should().Be(700);
        (await fourth).Should().Be(276, "only 276 bytes were left");
        (await last).Should().Be(0);
        buffer.Take(bytes.Length).Should().Equal(bytes);
        var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await stream.Invoking(s => s.ReadAsync(buffer, 0, 10, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public void The_trailer_check_reads_the_last_eight_bytes()
    {
        // Guards the ring of the last bytes against an off-by-one: a member whose length is not a multiple of eight,
        // read in odd sizes, still ends on the BCL path.
        for (int size = 0; size < 40; size++)
        {
            var data = Noise(size * 37 + 3, size);
            var gz = GZip(data);
            BinaryPrimitives.ReadUInt32LittleEndian(gz.AsSpan(gz.Length - 4)).Should().Be((uint)data.Length);
            var outcome = Native(gz, seekable: size % 2 == 0, readSize: 3 + size);
            outcome.Output.Should().Equal(data);
            outcome.FellBack.Should().BeFalse($"member of {data.Length} bytes");
        }
    }
}
