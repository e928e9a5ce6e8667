using System.Formats.Tar;
using ICSharpCode.SharpZipLib.Checksum;
using ICSharpCode.SharpZipLib.Zip;
using ICSharpCode.SharpZipLib.Zip.Compression;
using ICSharpCode.SharpZipLib.Zip.Compression.Streams;

namespace Preflight.Tests.Fixtures;

/// <summary>
/// Builds the demo package <c>fixtures/dten/Full-upgrade-package-dten.zip</c> from its source tree
/// <c>fixtures/dten/src/</c>, byte for byte the same on every machine:
/// <list type="bullet">
/// <item>entries sorted by ordinal path, files only (no directory entries);</item>
/// <item>one fixed timestamp (<see cref="Timestamp"/>) for every entry, in the zip and in nested tars;</item>
/// <item>unix permissions decided by name (scripts 0755, everything else 0644), never by the checkout's file modes;</item>
/// <item>deflate from SharpZipLib (managed, so the same bytes on every OS and runtime) at level <see cref="CompressionLevel"/>;</item>
/// <item>a source folder whose name ends in <c>.tar.gz</c> or <c>.zip</c> becomes a nested archive of that kind,
/// built the same way, so the package shows <c>!/</c> locations (<c>lib/plugins.tar.gz!/plugins/…</c>).</item>
/// </list>
/// </summary>
internal static class DemoPackageBuilder
{
    /// <summary>The package's file name.</summary>
    public const string PackageFileName = "Full-upgrade-package-dten.zip";

    /// <summary>The deflate level of every compressed stream.</summary>
    public const int CompressionLevel = 9;

    /// <summary>Every entry's modification time (the vendor's build of 5.0.0).</summary>
    public static readonly DateTime Timestamp = new(2026, 11, 20, 9, 30, 0, DateTimeKind.Unspecified);

    /// <summary>Builds the package from <paramref name="sourceRoot"/> and returns the zip's bytes.</summary>
    public static byte[] Build(string sourceRoot)
    {
        var files = Collect(sourceRoot);
        return BuildZip(files);
    }

    /// <summary>The entries the package holds at its top level, in archive order: path and bytes.</summary>
    public static IReadOnlyList<(string Path, byte[] Bytes)> Collect(string folder)
    {
        var result = new List<(string Path, byte[] Bytes)>();
        Walk(new DirectoryInfo(folder), string.Empty, result);
        result.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    /// <summary>The unix permission bits of an entry: executable for scripts and maintainer scripts.</summary>
    public static int UnixMode(string path)
    {
        string name = path[(path.LastIndexOf('/') + 1)..];
        string parent = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : string.Empty;
        bool executable =
            name.EndsWith(".sh", StringComparison.Ordinal) ||
            parent == "bin" || parent.EndsWith("/bin", StringComparison.Ordinal) ||
            ((parent == "DEBIAN" || parent.EndsWith("/DEBIAN", StringComparison.Ordinal)) && name is "preinst" or "postinst" or "prerm" or "postrm" or "config");
        return executable ? 0b111_101_101 : 0b110_100_100;
    }

    private static void Walk(DirectoryInfo dir, string prefix, List<(string Path, byte[] Bytes)> into)
    {
        foreach (var sub in dir.EnumerateDirectories())
        {
            string path = prefix + sub.Name;
            if (sub.Name.EndsWith(".tar.gz", StringComparison.Ordinal))
                into.Add((path, BuildTarGz(Collect(sub.FullName))));
            else if (sub.Name.EndsWith(".zip", StringComparison.Ordinal))
                into.Add((path, BuildZip(Collect(sub.FullName))));
            else
                Walk(sub, path + "/", into);
        }
        foreach (var file in dir.EnumerateFiles())
            into.Add((prefix + file.Name, File.ReadAllBytes(file.FullName)));
    }

    private static byte[] BuildZip(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipOutputStream(buffer) { IsStreamOwner = false, UseZip64 = UseZip64.Off })
        {
            zip.SetLevel(CompressionLevel);
            foreach (var (path, bytes) in files)
            {
                var crc = new Crc32();
                crc.Update(bytes);
                var entry = new ZipEntry(path)
                {
                    DateTime = Timestamp,
                    Size = bytes.Length,
                    Crc = crc.Value,
                    CompressionMethod = CompressionMethod.Deflated,
                    HostSystem = (int)HostSystemID.Unix,
                    // st_mode of a regular file in the high 16 bits, as Info-ZIP writes it.
                    ExternalFileAttributes = (0x8000 | UnixMode(path)) << 16,
                };
                zip.PutNextEntry(entry);
                zip.Write(bytes, 0, bytes.Length);
                zip.CloseEntry();
            }
            zip.Finish();
        }
        return buffer.ToArray();
    }

    private static byte[] BuildTarGz(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (path, bytes) in files)
            {
                using var data = new MemoryStream(bytes, writable: false);
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, path)
                {
                    ModificationTime = new DateTimeOffset(DateTime.SpecifyKind(Timestamp, DateTimeKind.Utc)),
                    Mode = (UnixFileMode)UnixMode(path),
                    Uid = 0,
                    Gid = 0,
                    UserName = "root",
                    GroupName = "root",
                    DataStream = data,
                });
            }
        }
        return GZip(tar.ToArray());
    }

    /// <summary>A gzip member with a zero mtime, no file name and OS = unix, so the bytes never vary.</summary>
    private static byte[] GZip(byte[] data)
    {
        using var output = new MemoryStream();
        output.Write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]);
        using (var deflate = new DeflaterOutputStream(output, new Deflater(CompressionLevel, noZlibHeaderOrFooter: true)) { IsStreamOwner = false })
        {
            deflate.Write(data);
            deflate.Finish();
        }
        var crc = new Crc32();
        crc.Update(data);
        Span<byte> trailer = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(trailer, (uint)crc.Value);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)data.Length);
        output.Write(trailer);
        return output.ToArray();
    }
}
