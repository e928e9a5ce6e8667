using System.Security.Cryptography;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>
/// Reads a package — an archive file or an unpacked folder — entry by entry, within <see cref="PackageLimits"/>,
/// and hands each regular file to a sink. Nothing is ever extracted to disk; links are reported, never followed.
/// </summary>
public static class PackageReader
{
    /// <summary>Reads the package at <paramref name="path"/> into <paramref name="sink"/>.</summary>
    /// <exception cref="PackageUnreadableException">The path does not exist, or is a file that is no package.</exception>
    public static async Task<PackageSummary> ReadAsync(string path, PackageLimits limits, IPackageSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(sink);
        using var session = new ReadSession(limits, sink, cancellationToken);
        if (Directory.Exists(path))
        {
            var (sha, size) = await FolderSource.ReadAsync(path, session).ConfigureAwait(false);
            return new PackageSummary(path, sha, size, session.EntryCount);
        }
        if (!File.Exists(path))
            throw new PackageUnreadableException($"no such file or folder: {path}") { NotFound = true };

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PackageUnreadableException($"cannot open {path}: {ex.Message}", ex);
        }
        await using (file.ConfigureAwait(false))
        {
            var prefix = new byte[ContentSniffer.PrefixLength];
            int read = await file.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            var format = ContentSniffer.DetectArchive(prefix.AsSpan(0, read));
            if (format == ArchiveFormat.None)
                throw new PackageUnreadableException($"{path} is not a package: not a zip, tar, gzip or bzip2 archive, nor a folder");
            session.PackageBytes = file.Length;
            await session.ReadArchiveAsync(file, format, string.Empty, depth: 0, containerName: Path.GetFileName(path)).ConfigureAwait(false);
            file.Position = 0;
            await sink.OnArchiveBytesAsync(string.Empty, file, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            string sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
            return new PackageSummary(path, sha, file.Length, session.EntryCount);
        }
    }
}
