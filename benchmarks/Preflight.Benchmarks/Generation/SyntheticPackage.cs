using System.Formats.Tar;
using System.IO.Compression;

namespace Preflight.Benchmarks.Generation;

/// <summary>What a generated package holds.</summary>
internal sealed record GeneratedPackage(string Path, long FileBytes, long ContentBytes, int Entries, IReadOnlyDictionary<EntryCategory, (int Entries, long Bytes)> ByCategory);

/// <summary>
/// Writes a synthetic upgrade package of about <c>size</c> uncompressed bytes: a zip (or a tar.gz when the output
/// name ends in <c>.tar.gz</c> / <c>.tgz</c>) of entries made by <see cref="EntryFactory"/>. Deterministic: the
/// same seed, size and mix give the same entries with the same bytes and one fixed timestamp (the compressed
/// bytes also match as long as the runtime's zlib is the same). Categories take turns so that each one's share of
/// the bytes follows the mix.
/// </summary>
internal static class SyntheticPackage
{
    public static readonly DateTimeOffset Timestamp = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    public static GeneratedPackage Generate(string outPath, long size, int seed, PackageMix mix, int? entrySize = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var random = new Random(seed);
        var factory = new EntryFactory(random, Timestamp) { FixedSize = entrySize };
        var produced = mix.Shares.Keys.ToDictionary(c => c, _ => (Entries: 0, Bytes: 0L));
        long content = 0;
        int index = 0;

        bool tarGz = outPath.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || outPath.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
        using (var file = new FileStream(outPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
        using (var writer = tarGz ? (IEntryWriter)new TarGzWriter(file) : new ZipWriter(file))
        {
            while (content < size)
            {
                // The category furthest below its share of what has been written so far goes next.
                var category = mix.Shares.OrderBy(p => produced[p.Key].Bytes / p.Value).ThenBy(p => p.Key).First().Key;
                long left = size - content;
                var (path, bytes, contentBytes) = factory.Create(category, index++, (int)Math.Min(int.MaxValue, Math.Max(left, 256)));
                writer.Write(path, bytes);
                var (n, b) = produced[category];
                produced[category] = (n + 1, b + contentBytes);
                content += contentBytes;
            }
        }
        return new GeneratedPackage(outPath, new FileInfo(outPath).Length, content, index, produced);
    }

    private interface IEntryWriter : IDisposable
    {
        void Write(string path, byte[] bytes);
    }

    private sealed class ZipWriter(Stream stream) : IEntryWriter
    {
        private readonly ZipArchive _zip = new(stream, ZipArchiveMode.Create, leaveOpen: true);

        public void Write(string path, byte[] bytes)
        {
            var entry = _zip.CreateEntry(path, CompressionLevel.Optimal);
            entry.LastWriteTime = Timestamp;
            entry.ExternalAttributes = (0x8000 | Mode(path)) << 16;
            using var output = entry.Open();
            output.Write(bytes);
        }

        public void Dispose() => _zip.Dispose();
    }

    private sealed class TarGzWriter : IEntryWriter
    {
        private readonly GZipStream _gzip;
        private readonly TarWriter _tar;

        public TarGzWriter(Stream stream)
        {
            _gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            _tar = new TarWriter(_gzip, TarEntryFormat.Ustar, leaveOpen: true);
        }

        public void Write(string path, byte[] bytes)
        {
            using var data = new MemoryStream(bytes, writable: false);
            _tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, path)
            {
                ModificationTime = Timestamp,
                Mode = (UnixFileMode)Mode(path),
                UserName = "root",
                GroupName = "root",
                DataStream = data,
            });
        }

        public void Dispose()
        {
            _tar.Dispose();
            _gzip.Dispose();
        }
    }

    private static int Mode(string path) =>
        path.EndsWith(".sh", StringComparison.Ordinal) || path.EndsWith(".so", StringComparison.Ordinal) ? 0b111_101_101 : 0b110_100_100;
}
