using System.Buffers.Binary;
using System.Globalization;
using DeflateStream = System.IO.Compression.DeflateStream;
using CompressionMode = System.IO.Compression.CompressionMode;
using System.Text;
using ICSharpCode.SharpZipLib.BZip2;
using ICSharpCode.SharpZipLib.Tar;
using ICSharpCode.SharpZipLib.Zip;
using Preflight.Content;
using Preflight.Detectors.Package;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>
/// Walks the entries of each archive format and hands them to the <see cref="ReadSession"/>. Nothing is
/// extracted: SharpZipLib reads the structure (zip directory, tar headers, bzip2 streams), deflate data of zip
/// entries is inflated with the BCL's <see cref="DeflateStream"/>, gzip streams with the BCL's GZipStream checked
/// by SharpZipLib (<see cref="NativeGzipStream"/>). Damage ends the archive it is in, never the scan: what was
/// read before it stays analysed.
/// </summary>
internal static class ArchiveSources
{
    private const int LocalHeaderSignature = 0x04034b50;
    private const int LocalHeaderLength = 30;
    private const int MaxLinkTargetBytes = 4096;
    private const long MaxCompressedSkipBytes = 64L * 1024 * 1024;
    private static readonly StringCodec Utf8Names = StringCodec.FromEncoding(new UTF8Encoding(false, false));

    public static async Task ReadAsync(ReadSession session, Stream stream, ArchiveFormat format, string prefix, int depth, string containerName)
    {
        try
        {
            switch (format)
            {
                case ArchiveFormat.Zip:
                    await ReadZipAsync(session, stream, prefix, depth).ConfigureAwait(false);
                    break;
                case ArchiveFormat.Tar:
                    await ReadTarAsync(session, stream, prefix, depth, meter: null).ConfigureAwait(false);
                    break;
                case ArchiveFormat.GZip:
                case ArchiveFormat.BZip2:
                    await ReadCompressedAsync(session, stream, format, prefix, depth, containerName).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(format), format, "not an archive");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException and not ArgumentOutOfRangeException)
        {
            string archive = Trim(prefix);
            string reason = EntryReadErrors.Describe(ex);
            session.Issue(PackageRules.CorruptArchive, archive, $"Reading the {Describe(format)} archive stopped on malformed data ({reason}); entries after that point were not read.", "malformed");
            session.Diagnostic(archive, $"{Describe(format)} reading stopped: {reason}");
        }
    }

    // ---------------------------------------------------------------- zip

    private static async Task ReadZipAsync(ReadSession session, Stream stream, string prefix, int depth)
    {
        string archive = Trim(prefix);
        ZipFile zip;
        try
        {
            zip = new ZipFile(stream, leaveOpen: true, Utf8Names);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException)
        {
            stream.Position = 0;
            await SalvageZipAsync(session, stream, prefix, depth, EntryReadErrors.Describe(ex)).ConfigureAwait(false);
            return;
        }
        using (zip)
        {
            var entries = new List<ZipEntry>();
            foreach (ZipEntry entry in zip) entries.Add(entry);
            session.NoteListing(entries.Select(static e => e.Name));
            // The archive does not change while it is read: its length is asked once (each asking is an fstat call
            // for a file, two per entry before).
            long length = stream.Length;
            var overlapping = FindOverlaps(entries, length);
            if (overlapping.Count > 0)
            {
                session.Issue(PackageRules.OverlappingEntries, archive,
                    $"{overlapping.Count.ToString(CultureInfo.InvariantCulture)} zip entries share compressed data (the non-recursive zip bomb construction); they were not decompressed.",
                    "overlap", properties: new Dictionary<string, string> { ["overlappingEntries"] = overlapping.Count.ToString(CultureInfo.InvariantCulture) });
                session.Diagnostic(archive, $"skipped {overlapping.Count.ToString(CultureInfo.InvariantCulture)} overlapping zip entries");
            }

            var names = new NameTracker();
            foreach (var entry in entries)
            {
                if (session.Stopped) return;
                session.CancellationToken.ThrowIfCancellationRequested();
                bool directory = entry.IsDirectory;
                string path = session.EntryPath(prefix, entry.Name, directory ? null : names);
                if (directory || overlapping.Contains(entry)) continue;
                if (entry.IsCrypted)
                {
                    string scheme = entry.AESKeySize > 0 ? $"AES-{entry.AESKeySize.ToString(CultureInfo.InvariantCulture)}" : "ZipCrypto";
                    session.Issue(PackageRules.EncryptedEntry, path, $"The entry is encrypted ({scheme}); its content was not inspected.", "encrypted",
                        properties: new Dictionary<string, string> { ["encryption"] = scheme });
                    continue;
                }
                await ReadZipEntryAsync(session, zip, stream, length, entry, path, depth).ConfigureAwait(false);
            }
        }
    }

    private static async Task ReadZipEntryAsync(ReadSession session, ZipFile zip, Stream stream, long length, ZipEntry entry, string path, int depth)
    {
        var method = entry.CompressionMethod;
        Stream data;
        IByteMeter? meter = null;
        if (method is CompressionMethod.Stored or CompressionMethod.Deflated)
        {
            long dataStart = LocateData(stream, length, entry);
            if (dataStart < 0)
            {
                session.ReportUnreadable(path, "its local header is missing, or its data lies outside the archive");
                return;
            }
            var raw = new SubReadStream(stream, dataStart, Math.Max(0, entry.CompressedSize));
            meter = raw;
            data = method == CompressionMethod.Deflated ? new DeflateStream(raw, CompressionMode.Decompress, leaveOpen: false) : raw;
        }
        else if (entry.IsCompressionMethodSupported())
        {
            try
            {
                data = zip.GetInputStream(entry);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                session.ReportUnreadable(path, EntryReadErrors.Describe(ex));
                return;
            }
        }
        else
        {
            session.ReportUnreadable(path, $"it uses compression method {((int)method).ToString(CultureInfo.InvariantCulture)}, which Preflight cannot decompress");
            return;
        }

        await using (data.ConfigureAwait(false))
        {
            if (IsUnixSymlink(entry))
            {
                var target = await ReadLinkTargetAsync(data, session.CancellationToken).ConfigureAwait(false);
                session.ReportLink(path, "symlink", target, depth);
                return;
            }
            var crc = new Crc32Stream(data);
            var outcome = await session.ReadEntryAsync(crc, path, depth, entry.Size, entry.CompressedSize, ZipTime(entry), meter).ConfigureAwait(false);
            if (outcome.Error is not null)
            {
                session.ReportReadError(path, outcome);
            }
            else if (outcome.Complete && entry.HasCrc && (uint)crc.Value != (uint)entry.Crc)
            {
                session.Issue(PackageRules.UnreadableEntry, path,
                    "The entry's data does not match the CRC-32 the archive records (corrupt or altered); it was analysed as read.", "crc");
                session.Diagnostic(path, "CRC-32 mismatch");
            }
            else if (outcome.Complete && entry.Size >= 0 && outcome.Size != entry.Size)
            {
                // A size lie makes tools disagree on what the entry holds (one trusts the directory, one the data).
                session.Issue(PackageRules.UnreadableEntry, path,
                    string.Create(CultureInfo.InvariantCulture, $"The entry decompresses to {outcome.Size} bytes but the archive records {entry.Size}; tools that trust the record see different content. It was analysed as read."),
                    "size-mismatch");
            }
        }
    }

    /// <summary>Where an entry's data starts, from its local header; -1 when the header is not there.</summary>
    private static long LocateData(Stream stream, long length, ZipEntry entry)
    {
        if (entry.Offset < 0 || entry.Offset + LocalHeaderLength > length) return -1;
        Span<byte> header = stackalloc byte[LocalHeaderLength];
        stream.Position = entry.Offset;
        if (stream.ReadAtLeast(header, LocalHeaderLength, throwOnEndOfStream: false) < LocalHeaderLength) return -1;
        if (BinaryPrimitives.ReadInt32LittleEndian(header) != LocalHeaderSignature) return -1;
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[26..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        long start = entry.Offset + LocalHeaderLength + nameLength + extraLength;
        return start + Math.Max(0, entry.CompressedSize) <= length ? start : -1;
    }

    /// <summary>
    /// Entries whose compressed data overlaps another's, from the central directory alone: sorted by
    /// local-header offset, an entry starting before the previous entries' data has ended shares bytes with
    /// them. The extent used (header fixed part plus compressed size) is a lower bound, so no false positives.
    /// </summary>
    internal static HashSet<ZipEntry> FindOverlaps(List<ZipEntry> entries, long archiveLength)
    {
        var result = new HashSet<ZipEntry>(ReferenceEqualityComparer.Instance);
        var sorted = entries.Where(e => e.Offset >= 0).OrderBy(e => e.Offset).ToList();
        long reach = -1;
        ZipEntry? farthest = null;
        foreach (var entry in sorted)
        {
            long end = entry.Offset + LocalHeaderLength + Math.Max(0, entry.CompressedSize);
            if (farthest is not null && entry.Offset < reach)
            {
                result.Add(entry);
                result.Add(farthest);
            }
            if (end <= archiveLength && end > reach)
            {
                reach = end;
                farthest = entry;
            }
        }
        return result;
    }

    /// <summary>
    /// A zip whose central directory cannot be read (truncated, cut off): walk the local headers from the
    /// start and read every entry before the damage.
    /// </summary>
    private static async Task SalvageZipAsync(ReadSession session, Stream stream, string prefix, int depth, string reason)
    {
        session.NoteUnlisted();
        string archive = Trim(prefix);
        var counting = new CountingStream(stream);
        int salvaged = 0;
        string stopped = "no further local header";
        using (var zin = new ZipInputStream(counting, Utf8Names) { IsStreamOwner = false })
        {
            var names = new NameTracker();
            while (!session.Stopped)
            {
                ZipEntry? entry;
                try
                {
                    entry = zin.GetNextEntry();
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException)
                {
                    stopped = $"a damaged local header ({EntryReadErrors.Describe(ex)})";
                    break;
                }
                if (entry is null) break;
                bool directory = entry.IsDirectory;
                string path = session.EntryPath(prefix, entry.Name, directory ? null : names);
                if (directory) continue;
                if (entry.IsCrypted)
                {
                    session.Issue(PackageRules.EncryptedEntry, path, "The entry is encrypted; its content was not inspected.", "encrypted");
                    continue;
                }
                if (!entry.CanDecompress)
                {
                    session.ReportUnreadable(path, "without the central directory its size is unknown (stored with a data descriptor) or its compression is unsupported");
                    stopped = $"{path}, which cannot be read without the central directory";
                    break;
                }
                var outcome = await session.ReadEntryAsync(zin, path, depth, entry.Size, entry.CompressedSize, ZipTime(entry), counting).ConfigureAwait(false);
                if (!outcome.Read) break;
                salvaged++;
                var failed = outcome;
                if (outcome.Error is null && outcome.Complete && entry.Size > 0 && outcome.Size < entry.Size)
                    failed = outcome with { Error = EntryReadErrors.Describe(new EndOfStreamException()) };
                if (failed.Error is not null)
                {
                    session.ReportReadError(path, failed);
                    stopped = $"damaged data in {path}";
                    break;
                }
            }
        }
        string at = counting.Consumed.ToString(CultureInfo.InvariantCulture);
        string count = salvaged.ToString(CultureInfo.InvariantCulture);
        session.Issue(PackageRules.CorruptArchive, archive,
            $"The zip archive's central directory is missing or damaged ({reason}); {count} entries were salvaged by walking the local headers, and reading stopped near byte {at} at {stopped}.",
            "central-directory", properties: new Dictionary<string, string> { ["salvagedEntries"] = count, ["stoppedNearByte"] = at });
        session.Diagnostic(archive, $"zip central directory missing or damaged; {count} entries salvaged from local headers; reading stopped near byte {at} at {stopped}");
    }

    private static bool IsUnixSymlink(ZipEntry entry) =>
        entry.HostSystem == (int)HostSystemID.Unix && ((entry.ExternalFileAttributes >> 16) & 0xF000) == 0xA000;

    private static async Task<string> ReadLinkTargetAsync(Stream data, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLinkTargetBytes];
        int n = await data.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static DateTimeOffset? ZipTime(ZipEntry entry)
    {
        try
        {
            return new DateTimeOffset(DateTime.SpecifyKind(entry.DateTime, DateTimeKind.Utc));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- tar

    private static async Task ReadTarAsync(ReadSession session, Stream stream, string prefix, int depth, IByteMeter? meter)
    {
        string archive = Trim(prefix);
        // One 512-byte block per record: SharpZipLib's TarBuffer pads a short final record with stale pool
        // bytes and carries on, so the probe below turns any end of data inside the archive into an error.
        using var tar = new TarInputStream(new TarEndProbe(stream), blockFactor: 1, Encoding.UTF8) { IsStreamOwner = false };
        var names = new NameTracker();
        int headers = 0;
        string after = "the first header";
        while (!session.Stopped)
        {
            TarEntry? entry;
            try
            {
                entry = tar.GetNextEntry();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException)
            {
                string reason = EntryReadErrors.Describe(ex);
                session.Issue(PackageRules.CorruptArchive, archive,
                    $"The tar archive is corrupt or truncated at {after}: {reason}; the {headers.ToString(CultureInfo.InvariantCulture)} entries before it were analysed and nothing after it was read.",
                    "tar-header", properties: new Dictionary<string, string> { ["entriesRead"] = headers.ToString(CultureInfo.InvariantCulture) });
                session.Diagnostic(archive, $"tar reading stopped at {after} ({reason})");
                return;
            }
            if (entry is null) return;
            headers++;
            byte type = entry.TarHeader.TypeFlag;
            bool directory = entry.IsDirectory;
            string path = session.EntryPath(prefix, entry.Name, directory ? null : names);
            after = $"the header after {path}";
            if (type is TarHeader.LF_SYMLINK or TarHeader.LF_LINK)
            {
                session.ReportLink(path, type == TarHeader.LF_SYMLINK ? "symlink" : "hardlink", entry.TarHeader.LinkName ?? string.Empty, depth);
                continue;
            }
            if (directory || type is not (TarHeader.LF_NORMAL or TarHeader.LF_OLDNORM or TarHeader.LF_CONTIG)) continue;

            var outcome = await session.ReadEntryAsync(tar, path, depth, entry.Size, compressedSize: -1, TarTime(entry), meter).ConfigureAwait(false);
            if (!outcome.Read) return;
            long left = entry.Size - outcome.Size;
            if (meter is not null && outcome.Limit is LimitKind.Ratio or LimitKind.EntrySize && left > MaxCompressedSkipBytes)
            {
                // A stream cannot seek: skipping the rest of a bomb means decompressing all of it.
                session.Diagnostic(archive, $"reading stopped after {path}: skipping the rest of it would mean decompressing {left.ToString(CultureInfo.InvariantCulture)} more bytes");
                return;
            }
            string? error = outcome.Error;
            if (error is null && outcome.Complete && entry.Size > 0 && outcome.Size < entry.Size)
                error = EntryReadErrors.Describe(new EndOfStreamException());
            if (error is not null)
            {
                string size = outcome.Size.ToString(CultureInfo.InvariantCulture);
                session.Issue(PackageRules.CorruptArchive, archive,
                    $"The tar archive is corrupt or truncated inside {path}: {error}; the {size} bytes of it read before the damage were analysed and nothing after it was read.",
                    "tar-data", properties: new Dictionary<string, string> { ["entry"] = path, ["bytesRead"] = size });
                session.Diagnostic(archive, $"tar reading stopped inside {path} after {size} bytes ({error})");
                return;
            }
        }
    }

    /// <summary>
    /// Under a tar reader that asks for whole 512-byte blocks: the data ending where a block was asked for
    /// means the archive is truncated (a complete tar ends with zero blocks and is never read past them).
    /// </summary>
    private sealed class TarEndProbe(Stream inner) : ReadOnlyForwardStream
    {
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            if (n == 0 && !buffer.IsEmpty) throw new EndOfStreamException();
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0 && !buffer.IsEmpty) throw new EndOfStreamException();
            return n;
        }
    }

    private static DateTimeOffset? TarTime(TarEntry entry)
    {
        try
        {
            return new DateTimeOffset(DateTime.SpecifyKind(entry.ModTime, DateTimeKind.Utc));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- gzip / bzip2

    private static async Task ReadCompressedAsync(ReadSession session, Stream stream, ArchiveFormat format, string prefix, int depth, string containerName)
    {
        string archive = Trim(prefix);
        string kind = Describe(format);
        // The compressed bytes read, for ratio checks; the gzip stream counts its own (it may read some twice).
        IByteMeter meter;
        Stream inner;
        try
        {
            if (format == ArchiveFormat.GZip)
            {
                var gzip = new NativeGzipStream(stream, session);
                (inner, meter) = (gzip, gzip);
            }
            else
            {
                var counting = new CountingStream(stream);
                (inner, meter) = (new BZip2InputStream(counting) { IsStreamOwner = false }, counting);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException)
        {
            Damaged(session, archive, kind, EntryReadErrors.Describe(ex), 0);
            return;
        }
        await using (inner.ConfigureAwait(false))
        {
            // A compressed stream holds either a tar or a single file; peek without reading it twice.
            var peek = new PeekStream(new SynchronousReads(inner), 512);
            byte[] head;
            try
            {
                head = await peek.PeekAsync(session.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException)
            {
                Damaged(session, archive, kind, EntryReadErrors.Describe(ex), 0);
                return;
            }
            if (ContentSniffer.IsTarHeader(head))
            {
                await ReadTarAsync(session, peek, prefix, depth, meter).ConfigureAwait(false);
                return;
            }
            string? stored = inner is NativeGzipStream gz ? gz.GetFilename() : null;
            string raw = string.IsNullOrEmpty(stored) ? InnerName(containerName, format) : stored;
            string path = session.EntryPath(prefix, raw, names: null);
            var outcome = await session.ReadEntryAsync(peek, path, depth, -1, -1, null, meter).ConfigureAwait(false);
            if (outcome.Error is not null) Damaged(session, archive, kind, outcome.Error, outcome.Size, path);
        }
    }

    private static void Damaged(ReadSession session, string archive, string kind, string reason, long bytes, string? entry = null)
    {
        string size = bytes.ToString(CultureInfo.InvariantCulture);
        session.Issue(PackageRules.CorruptArchive, archive,
            entry is null
                ? $"The {kind} stream is corrupt or truncated ({reason}); nothing in it could be read."
                : $"The {kind} stream is corrupt or truncated ({reason}); the {size} bytes of {entry} read before the damage were analysed.",
            kind + "-stream", properties: new Dictionary<string, string> { ["bytesRead"] = size });
        session.Diagnostic(archive, $"{kind} reading stopped after {size} decompressed bytes ({reason})");
    }

    /// <summary>The name of a single compressed file: its container's name without the compression suffix.</summary>
    internal static string InnerName(string containerName, ArchiveFormat format)
    {
        int cut = Math.Max(containerName.LastIndexOf('/'), containerName.LastIndexOf('\\'));
        string name = containerName[(cut + 1)..];
        string[] suffixes = format == ArchiveFormat.GZip ? [".gz", ".gzip", ".z"] : [".bz2", ".bzip2", ".bz"];
        foreach (var suffix in suffixes)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return name[..^suffix.Length];
        }
        if (name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tbz2", StringComparison.OrdinalIgnoreCase))
            return name[..name.LastIndexOf('.')] + ".tar";
        return "content";
    }

    private static string Describe(ArchiveFormat format) => format switch
    {
        ArchiveFormat.Zip => "zip",
        ArchiveFormat.Tar => "tar",
        ArchiveFormat.GZip => "gzip",
        ArchiveFormat.BZip2 => "bzip2",
        _ => format.ToString(),
    };

    private static string Trim(string prefix) =>
        prefix.EndsWith(Location.NestedSeparator, StringComparison.Ordinal) ? prefix[..^2] : prefix;
}
