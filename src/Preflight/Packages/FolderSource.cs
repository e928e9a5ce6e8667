using System.Security.Cryptography;
using System.Text;

namespace Preflight.Packages;

/// <summary>
/// Reads an already-unpacked package folder in ordinal path order. Symbolic links (to files or folders) are
/// recorded, never followed; names get the same checks as archive entry names.
/// </summary>
internal static class FolderSource
{
    /// <summary>Reads every file below <paramref name="root"/>; returns a content hash over paths and file hashes, and the total size.</summary>
    public static async Task<(string Sha256, long Size)> ReadAsync(string root, ReadSession session)
    {
        var fullRoot = Path.GetFullPath(root);
        var files = new List<(string Relative, FileSystemInfo Info)>();
        Collect(new DirectoryInfo(fullRoot), fullRoot, files);
        files.Sort(static (a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var names = new NameTracker();
        long total = 0;
        foreach (var (relative, info) in files)
        {
            session.CancellationToken.ThrowIfCancellationRequested();
            string path = session.EntryPath(string.Empty, relative, names);
            if (info.LinkTarget is { } target)
            {
                session.ReportLink(path, "symlink", target, depth: 0);
                continue;
            }
            var file = (FileInfo)info;
            total += file.Length;
            FileStream stream;
            try
            {
                stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                session.ReportUnreadable(path, $"the file could not be opened ({ex.GetType().Name})");
                continue;
            }
            await using (stream.ConfigureAwait(false))
            {
                var outcome = await session.ReadEntryAsync(stream, path, depth: 0, declaredSize: file.Length, compressedSize: -1, lastModified: file.LastWriteTimeUtc, computeHash: true).ConfigureAwait(false);
                if (!outcome.Read) break;
                if (outcome.Error is not null) session.ReportReadError(path, outcome);
                digest.AppendData(Encoding.UTF8.GetBytes(relative));
                digest.AppendData([0]);
                digest.AppendData(outcome.Hash ?? []);
            }
            if (session.Stopped) break;
        }
        return (Convert.ToHexStringLower(digest.GetHashAndReset()), total);
    }

    private static void Collect(DirectoryInfo directory, string root, List<(string, FileSystemInfo)> files)
    {
        foreach (var info in directory.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            string relative = Path.GetRelativePath(root, info.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (info.LinkTarget is not null) files.Add((relative, info));
            else if (info is DirectoryInfo sub) Collect(sub, root, files);
            else files.Add((relative, info));
        }
    }
}
