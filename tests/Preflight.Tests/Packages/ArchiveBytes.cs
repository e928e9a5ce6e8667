using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;
using ICSharpCode.SharpZipLib.Checksum;
using SharpGZip = ICSharpCode.SharpZipLib.GZip.GZipOutputStream;

namespace Preflight.Tests.Packages;

/// <summary>Byte-level writers for the archives the reader tests need, hostile ones included.</summary>
internal static class ArchiveBytes
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32();
        crc.Update(new ArraySegment<byte>(data.ToArray()));
        return (uint)crc.Value;
    }

    public static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(data);
        return output.ToArray();
    }

    public static byte[] GZip(byte[] data, string? fileName = null)
    {
        using var output = new MemoryStream();
        using (var gz = new SharpGZip(output) { IsStreamOwner = false })
        {
            if (fileName is not null) gz.FileName = fileName;
            gz.Write(data);
        }
        return output.ToArray();
    }

    public static byte[] BZip2(byte[] data)
    {
        using var output = new MemoryStream();
        using (var bz = new BZip2OutputStream(output) { IsStreamOwner = false }) bz.Write(data);
        return output.ToArray();
    }

    /// <summary>A gzip member written by hand, so the FNAME field can hold any bytes.</summary>
    public static byte[] RawGZip(byte[] data, byte[] fileName)
    {
        using var ms = new MemoryStream();
        ms.Write([0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3]);
        ms.Write(fileName);
        ms.WriteByte(0);
        ms.Write(Deflate(data));
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc(data));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)data.Length);
        ms.Write(trailer);
        return ms.ToArray();
    }

    public static byte[] Cut(byte[] data, int length) => data[..length];
}

/// <summary>
/// Writes zip files byte by byte: any name bytes, stored or deflated data, data descriptors, wrong CRCs,
/// Unix symlinks, pre-compressed data shared between entries.
/// </summary>
internal sealed class RawZip
{
    private readonly MemoryStream _body = new();
    private readonly List<(byte[] Name, ushort Flags, ushort Method, uint Crc, long CompressedSize, long Size, long Offset, uint External, ushort MadeBy)> _central = [];

    /// <summary>A deflated (or stored) entry with a UTF-8 name.</summary>
    public RawZip Add(string name, byte[] content, bool deflate = true, bool descriptor = false, uint? crc = null) =>
        AddRaw(ArchiveBytes.Utf8(name), content, deflate, descriptor, crc, utf8Flag: true);

    /// <summary>An entry whose name is exactly these bytes (no UTF-8 flag).</summary>
    public RawZip AddRaw(byte[] name, byte[] content, bool deflate = true, bool descriptor = false, uint? crc = null, bool utf8Flag = false)
    {
        var data = deflate ? ArchiveBytes.Deflate(content) : content;
        return AddCompressed(name, data, content.Length, crc ?? ArchiveBytes.Crc(content), deflate ? (ushort)8 : (ushort)0, descriptor, utf8Flag);
    }

    /// <summary>A Unix symlink entry (Info-ZIP style: mode 0120777 in the external attributes).</summary>
    public RawZip AddSymlink(string name, string target)
    {
        var content = ArchiveBytes.Utf8(target);
        AddCompressed(ArchiveBytes.Utf8(name), content, content.Length, ArchiveBytes.Crc(content), 0, false, true, external: 0xA1FFu << 16, madeBy: (3 << 8) | 20);
        return this;
    }

    /// <summary>An entry from already-compressed bytes (shared kernels for bombs).</summary>
    public RawZip AddCompressed(byte[] name, byte[] data, long size, uint crc, ushort method, bool descriptor = false, bool utf8Flag = true, uint external = 0, int madeBy = 20)
    {
        ushort flags = (ushort)((descriptor ? 8 : 0) | (utf8Flag ? 0x800 : 0));
        long offset = _body.Position;
        WriteLocalHeader(_body, name, flags, method, descriptor ? 0 : crc, descriptor ? 0 : data.Length, descriptor ? 0 : size);
        _body.Write(data);
        if (descriptor)
        {
            Span<byte> d = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(d, 0x08074b50);
            BinaryPrimitives.WriteUInt32LittleEndian(d[4..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)size);
            _body.Write(d);
        }
        _central.Add((name, flags, method, crc, data.Length, size, offset, external, (ushort)madeBy));
        return this;
    }

    /// <summary>Raw bytes in the body (hand-made local headers of overlapping entries).</summary>
    public long AppendBody(ReadOnlySpan<byte> bytes)
    {
        long at = _body.Position;
        _body.Write(bytes);
        return at;
    }

    /// <summary>A central directory record pointing anywhere.</summary>
    public RawZip AddCentral(byte[] name, ushort method, uint crc, long compressedSize, long size, long offset)
    {
        _central.Add((name, 0, method, crc, compressedSize, size, offset, 0, 20));
        return this;
    }

    public static byte[] LocalHeader(byte[] name, ushort flags, ushort method, uint crc, long compressedSize, long size)
    {
        using var ms = new MemoryStream();
        WriteLocalHeader(ms, name, flags, method, crc, compressedSize, size);
        return ms.ToArray();
    }

    private static void WriteLocalHeader(Stream s, byte[] name, ushort flags, ushort method, uint crc, long compressedSize, long size)
    {
        Span<byte> h = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], method);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], 0x5B7B); // 2025-11-27
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)compressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)size);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], 0);
        s.Write(h);
        s.Write(name);
    }

    /// <summary>The finished archive; with <paramref name="zip64"/> the directory uses zip64 fields and end records.</summary>
    public byte[] ToArray(bool zip64 = false)
    {
        using var output = new MemoryStream();
        _body.Position = 0;
        _body.CopyTo(output);
        long cdStart = output.Position;
        Span<byte> c = stackalloc byte[46];
        Span<byte> extra = stackalloc byte[28];
        foreach (var e in _central)
        {
            c.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c[4..], e.MadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(c[6..], 20);
            BinaryPrimitives.WriteUInt16LittleEndian(c[8..], e.Flags);
            BinaryPrimitives.WriteUInt16LittleEndian(c[10..], e.Method);
            BinaryPrimitives.WriteUInt16LittleEndian(c[14..], 0x5B7B);
            BinaryPrimitives.WriteUInt32LittleEndian(c[16..], e.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c[20..], (uint)e.CompressedSize);
            BinaryPrimitives.WriteUInt32LittleEndian(c[24..], (uint)e.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(c[28..], (ushort)e.Name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(c[38..], e.External);
            BinaryPrimitives.WriteUInt32LittleEndian(c[42..], (uint)e.Offset);
            if (zip64)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(c[6..], 45);
                BinaryPrimitives.WriteUInt32LittleEndian(c[20..], uint.MaxValue);
                BinaryPrimitives.WriteUInt32LittleEndian(c[24..], uint.MaxValue);
                BinaryPrimitives.WriteUInt32LittleEndian(c[42..], uint.MaxValue);
                BinaryPrimitives.WriteUInt16LittleEndian(c[30..], 28);
                BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
                BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 24);
                BinaryPrimitives.WriteInt64LittleEndian(extra[4..], e.Size);
                BinaryPrimitives.WriteInt64LittleEndian(extra[12..], e.CompressedSize);
                BinaryPrimitives.WriteInt64LittleEndian(extra[20..], e.Offset);
            }
            output.Write(c);
            output.Write(e.Name);
            if (zip64) output.Write(extra);
        }
        long cdSize = output.Position - cdStart;
        if (zip64)
        {
            long recordAt = output.Position;
            Span<byte> z = stackalloc byte[56];
            z.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(z, 0x06064b50);
            BinaryPrimitives.WriteInt64LittleEndian(z[4..], 44);
            BinaryPrimitives.WriteUInt16LittleEndian(z[12..], 45);
            BinaryPrimitives.WriteUInt16LittleEndian(z[14..], 45);
            BinaryPrimitives.WriteInt64LittleEndian(z[24..], _central.Count);
            BinaryPrimitives.WriteInt64LittleEndian(z[32..], _central.Count);
            BinaryPrimitives.WriteInt64LittleEndian(z[40..], cdSize);
            BinaryPrimitives.WriteInt64LittleEndian(z[48..], cdStart);
            output.Write(z);
            Span<byte> locator = stackalloc byte[20];
            locator.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
            BinaryPrimitives.WriteInt64LittleEndian(locator[8..], recordAt);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            output.Write(locator);
        }
        Span<byte> eocd = stackalloc byte[22];
        eocd.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(eocd, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(eocd[8..], zip64 ? ushort.MaxValue : (ushort)_central.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(eocd[10..], zip64 ? ushort.MaxValue : (ushort)_central.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(eocd[12..], zip64 ? uint.MaxValue : (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(eocd[16..], zip64 ? uint.MaxValue : (uint)cdStart);
        output.Write(eocd);
        return output.ToArray();
    }

    /// <summary>
    /// David Fifield's overlapping-entry zip bomb: one deflate kernel of <paramref name="payloadBytes"/> zeros,
    /// and <paramref name="files"/> entries whose data each quote the next entry's local header in a stored
    /// deflate block, so every entry decompresses the kernel again. A plain <c>readme.txt</c> comes first.
    /// </summary>
    public static byte[] OverlappingBomb(int files, int payloadBytes)
    {
        var payload = new byte[payloadBytes];
        var kernel = ArchiveBytes.Deflate(payload);
        var names = Enumerable.Range(0, files).Select(i => ArchiveBytes.Utf8($"bomb/{i:D4}.bin")).ToArray();
        var headers = new byte[files][];
        var crcs = new uint[files];
        var sizes = new long[files];
        var compressed = new long[files];
        // Back to front: each entry's content is the next entry's local header followed by the next entry's content.
        byte[] content = payload;
        var crc = ArchiveBytes.Crc(payload);
        long csize = kernel.Length;
        for (int i = files - 1; i >= 0; i--)
        {
            if (i < files - 1)
            {
                var next = headers[i + 1];
                content = [.. next, .. content];
                crc = ArchiveBytes.Crc(content);
                csize = 5 + next.Length + csize;
            }
            crcs[i] = crc;
            sizes[i] = content.Length;
            compressed[i] = csize;
            headers[i] = LocalHeader(names[i], 0, 8, crc, csize, content.Length);
        }
        var zip = new RawZip().Add("readme.txt", ArchiveBytes.Utf8("a normal entry before the bomb\n"));
        var offsets = new long[files];
        for (int i = 0; i < files; i++)
        {
            offsets[i] = zip.AppendBody(headers[i]);
            if (i < files - 1)
            {
                int len = headers[i + 1].Length;
                zip.AppendBody([0x00, (byte)len, (byte)(len >> 8), (byte)~len, (byte)(~len >> 8)]);
            }
        }
        zip.AppendBody(kernel);
        for (int i = 0; i < files; i++) zip.AddCentral(names[i], 8, crcs[i], compressed[i], sizes[i], offsets[i]);
        return zip.ToArray();
    }
}

/// <summary>Writes ustar archives byte by byte: any name, links, GNU long names, pax headers.</summary>
internal sealed class RawTar
{
    private readonly MemoryStream _out = new();

    public RawTar File(string name, byte[] content) => Entry(ArchiveBytes.Utf8(name), (byte)'0', content);

    public RawTar File(string name, string content) => File(name, ArchiveBytes.Utf8(content));

    public RawTar Directory(string name) => Entry(ArchiveBytes.Utf8(name), (byte)'5', []);

    public RawTar Symlink(string name, string target) => Entry(ArchiveBytes.Utf8(name), (byte)'2', [], target);

    public RawTar Hardlink(string name, string target) => Entry(ArchiveBytes.Utf8(name), (byte)'1', [], target);

    /// <summary>A name longer than 100 bytes through a GNU <c>././@LongLink</c> record.</summary>
    public RawTar GnuLongName(string name, string content)
    {
        Entry(ArchiveBytes.Utf8("././@LongLink"), (byte)'L', [.. ArchiveBytes.Utf8(name), 0]);
        return Entry(ArchiveBytes.Utf8(name[..99]), (byte)'0', ArchiveBytes.Utf8(content));
    }

    /// <summary>A pax extended header that sets the next entry's path.</summary>
    public RawTar PaxPath(string path, string headerName, string content)
    {
        string record = $" path={path}\n";
        int length = record.Length + 2;
        if ((length.ToString(System.Globalization.CultureInfo.InvariantCulture) + record).Length != length) length++;
        Entry(ArchiveBytes.Utf8("PaxHeader"), (byte)'x', ArchiveBytes.Utf8(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + record));
        return File(headerName, content);
    }

    public RawTar Entry(byte[] name, byte type, byte[] content, string linkName = "")
    {
        var h = new byte[512];
        name.AsSpan(0, Math.Min(100, name.Length)).CopyTo(h);
        Octal(h.AsSpan(100, 8), 0x1A4);
        Octal(h.AsSpan(108, 8), 0);
        Octal(h.AsSpan(116, 8), 0);
        Octal(h.AsSpan(124, 12), content.Length);
        Octal(h.AsSpan(136, 12), 1_764_201_600); // 2025-11-27
        h[156] = type;
        ArchiveBytes.Utf8(linkName).AsSpan().CopyTo(h.AsSpan(157, 100));
        "ustar\0"u8.CopyTo(h.AsSpan(257));
        "00"u8.CopyTo(h.AsSpan(263));
        h.AsSpan(148, 8).Fill((byte)' ');
        int sum = 0;
        foreach (var b in h) sum += b;
        Octal(h.AsSpan(148, 7), sum);
        _out.Write(h);
        _out.Write(content);
        int pad = (512 - (content.Length % 512)) % 512;
        _out.Write(new byte[pad]);
        return this;
    }

    private static void Octal(Span<byte> field, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(digits).CopyTo(field);
        field[^1] = 0;
    }

    public byte[] ToArray(bool endBlocks = true)
    {
        var bytes = _out.ToArray();
        return endBlocks ? [.. bytes, .. new byte[1024]] : bytes;
    }
}
