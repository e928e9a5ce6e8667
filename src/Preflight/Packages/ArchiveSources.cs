using ICSharpCode.SharpZipLib.BZip2;
using ICSharpCode.SharpZipLib.GZip;
using ICSharpCode.SharpZipLib.Tar;
using ICSharpCode.SharpZipLib.Zip;
using Preflight.Content;
using Preflight.Detectors.Package;

namespace Preflight.Packages;

/// <summary>Walks the entries of each archive format and hands them to the <see cref="ReadSession"/>.</summary>
internal static class ArchiveSources
{
    public static async Task ReadAsync(ReadSession session, Stream stream, ArchiveFormat format, string prefix, int depth, long compressedSize)
    {
        switch (format)
        {
            case ArchiveFormat.Zip:
                await ReadZipAsync(session, stream, prefix, depth).ConfigureAwait(false);
                break;
            case ArchiveFormat.Tar:
                await ReadTarAsync(session, stream, prefix, depth, compressedSize).ConfigureAwait(false);
                break;
            case ArchiveFormat.GZip:
            case ArchiveFormat.BZip2:
                await ReadCompressedAsync(session, stream, format, prefix, depth, compressedSize).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "not an archive");
        }
    }

    private static async Task ReadZipAsync(ReadSession session, Stream stream, string prefix, int depth)
    {
        ZipFile zip;
        try
        {
            zip = new ZipFile(stream, leaveOpen: true);
        }
        catch (Exception ex) when (ex is ZipException or IOException or ArgumentException)
        {
            session.Issue(PackageRules.CorruptArchive, Trim(prefix), $"The zip archive could not be opened: {EntryReadErrors.Describe(ex)}.", "open");
            session.Diagnostic(Trim(prefix), "zip archive unreadable: its central directory is missing or corrupt");
            return;
        }
        using (zip)
        {
            foreach (ZipEntry entry in zip)
            {
                if (session.Stopped) return;
                string path = prefix + entry.Name;
                if (!entry.IsFile) continue;
                if (!entry.IsCompressionMethodSupported() || entry.IsCrypted)
                {
                    session.Issue(PackageRules.EncryptedEntry, path, "The entry is encrypted or uses an unsupported compression method; its content was not inspected.", "encrypted");
                    continue;
                }
                Stream input;
                try
                {
                    input = zip.GetInputStream(entry);
                }
                catch (Exception ex) when (ex is ZipException or IOException or InvalidDataException)
                {
                    session.ReportUnreadable(path, EntryReadErrors.Describe(ex));
                    continue;
                }
                await using (input.ConfigureAwait(false))
                {
                    await session.ReadEntryAsync(input, path, depth, entry.Size, entry.CompressedSize, entry.DateTime, computeHash: false).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task ReadTarAsync(ReadSession session, Stream stream, string prefix, int depth, long compressedSize)
    {
        using var tar = new TarInputStream(stream, System.Text.Encoding.UTF8) { IsStreamOwner = false };
        while (!session.Stopped)
        {
            TarEntry? entry;
            try
            {
                entry = tar.GetNextEntry();
            }
            catch (Exception ex) when (ex is TarException or IOException or InvalidDataException or ICSharpCode.SharpZipLib.SharpZipBaseException)
            {
                session.Issue(PackageRules.CorruptArchive, Trim(prefix), $"The tar archive is corrupt or truncated: {EntryReadErrors.Describe(ex)}; entries after the damage were not read.", "tar");
                session.Diagnostic(Trim(prefix), "tar reading stopped: corrupt or truncated header");
                return;
            }
            if (entry is null) return;
            string path = prefix + entry.Name;
            byte type = entry.TarHeader.TypeFlag;
            if (type is TarHeader.LF_SYMLINK or TarHeader.LF_LINK)
            {
                session.ReportLink(path, type == TarHeader.LF_SYMLINK ? "symlink" : "hardlink", entry.TarHeader.LinkName, depth);
                continue;
            }
            if (entry.IsDirectory || type is not (TarHeader.LF_NORMAL or TarHeader.LF_OLDNORM or TarHeader.LF_CONTIG)) continue;
            await session.ReadEntryAsync(tar, path, depth, entry.Size, compressedSize: -1, entry.ModTime, computeHash: false).ConfigureAwait(false);
        }
    }

    private static async Task ReadCompressedAsync(ReadSession session, Stream stream, ArchiveFormat format, string prefix, int depth, long compressedSize)
    {
        Stream inner = format == ArchiveFormat.GZip
            ? new GZipInputStream(stream) { IsStreamOwner = false }
            : new BZip2InputStream(stream) { IsStreamOwner = false };
        await using (inner.ConfigureAwait(false))
        {
            // A compressed stream holds either a tar or a single file; peek without reading it twice.
            var peek = new PeekStream(inner, 512);
            byte[] head;
            try
            {
                head = await peek.PeekAsync(session.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                session.Issue(PackageRules.CorruptArchive, Trim(prefix), $"The {format} stream could not be read: {EntryReadErrors.Describe(ex)}.", format.ToString());
                return;
            }
            if (ContentSniffer.IsTarHeader(head))
            {
                await ReadTarAsync(session, peek, prefix, depth, compressedSize).ConfigureAwait(false);
            }
            else
            {
                string name = Trim(prefix) is { Length: > 0 } p ? p + Findings.Location.NestedSeparator + "content" : "content";
                await session.ReadEntryAsync(peek, name, depth, -1, compressedSize, null, computeHash: false).ConfigureAwait(false);
            }
        }
    }

    private static string Trim(string prefix) =>
        prefix.EndsWith(Findings.Location.NestedSeparator, StringComparison.Ordinal) ? prefix[..^2] : prefix;

}
