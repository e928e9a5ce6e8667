using System.Buffers;
using System.Security.Cryptography;

namespace Preflight.Packages;

/// <summary>
/// A file's SHA-256 (lower-case hex), read through a handle of its own on a dedicated thread, so that it can run beside
/// the package's reading instead of after it. A thread rather than the thread pool: the pool's few threads are the
/// scan's workers and reader, and a long blocking read among them would make it grow slowly.
/// </summary>
internal static class FileDigest
{
    private const int BufferBytes = 256 * 1024;

    /// <summary>Starts hashing <paramref name="path"/>; the task ends cancelled when <paramref name="cancellationToken"/> is.</summary>
    public static Task<string> Start(string path, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                result.TrySetResult(Compute(path, cancellationToken));
            }
            catch (OperationCanceledException)
            {
                result.TrySetCanceled(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                result.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "preflight package digest",
        };
        thread.Start();
        return result.Task;
    }

    /// <summary>The SHA-256 of the file at <paramref name="path"/>, read sequentially.</summary>
    internal static string Compute(string path, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer.AsSpan(0, BufferBytes), offset)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The digest, or null when the file could not be read through the second handle (the caller hashes its own).</summary>
    public static async Task<string?> ResultOrNullAsync(Task<string> digest)
    {
        try
        {
            return await digest.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Waits for a digest that may have been cancelled or failed, observing its outcome.</summary>
    public static async Task SettleAsync(Task<string> digest)
    {
        try
        {
            await digest.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or UnauthorizedAccessException)
        {
            // Cancelled with the scan, or the second handle failed: the reading's own outcome is what counts.
        }
    }
}
