using Preflight.Reporting;

namespace Preflight.Cli;

/// <summary>Hands the report to the library's <see cref="ReportWriter"/>; the CLI formats nothing itself.</summary>
internal static class ReportOutput
{
    /// <summary>
    /// Writes <paramref name="report"/> to <paramref name="destination"/>. Colour is used only for text, and only
    /// when the caller says the destination is a terminal that wants it.
    /// </summary>
    public static Task WriteAsync(ScanReport report, ReportFormat format, Stream destination, bool color, CancellationToken cancellationToken) =>
        ReportWriter.WriteAsync(report, format, destination, new ReportWriterOptions { UseColor = color && format == ReportFormat.Text }, cancellationToken);

    /// <summary>
    /// Writes a report file all or nothing: into a temporary file beside <paramref name="path"/>, moved over it only
    /// once complete. A scan that breaks off while writing (out of memory, cancelled, disk full) leaves the previous
    /// report, if any, and no half-written JSON that a pipeline would read as truncated or invalid.
    /// </summary>
    /// <param name="path">The full path of the report file.</param>
    /// <param name="shown">The path as the user gave it, for error messages.</param>
    /// <param name="write">Writes the report into the stream it is given.</param>
    /// <exception cref="UsageException">The folder cannot be written to.</exception>
    public static async Task WriteFileAsync(string path, string shown, Func<Stream, Task> write)
    {
        if (IsDevice(path))
        {
            // /dev/null, /dev/stdout, a terminal: written in place. Moving a file over one would replace the device
            // with a regular file (as root, for every program on the machine).
            FileStream device;
            try
            {
                device = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write the report to {shown}: {ex.Message}", ex);
            }
            await using (device.ConfigureAwait(false))
            {
                await write(device).ConfigureAwait(false);
            }
            return;
        }
        string folder = Path.GetDirectoryName(path) ?? ".";
        string temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        FileStream file;
        try
        {
            file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the report to {shown}: {ex.Message}", ex);
        }
        bool moved = false;
        try
        {
            await using (file.ConfigureAwait(false))
            {
                await write(file).ConfigureAwait(false);
            }
            try
            {
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write the report to {shown}: {ex.Message}", ex);
            }
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Best effort: the error that brought us here is the one to report.
                }
            }
        }
    }

    /// <summary>
    /// True for an output path that names a device rather than a file: anything under <c>/dev</c> or <c>/proc</c>
    /// (after following links, so <c>/dev/stdout</c> and <c>/dev/fd/1</c> too) on Unix, and the reserved device names
    /// (<c>NUL</c>, <c>CON</c>, …) on Windows.
    /// </summary>
    internal static bool IsDevice(string path)
    {
        if (OperatingSystem.IsWindows())
            return Path.GetFileNameWithoutExtension(path).ToUpperInvariant() is "NUL" or "CON" or "PRN" or "AUX" or "COM1" or "LPT1";
        string full = Path.GetFullPath(path);
        if (UnderDevices(full)) return true;
        try
        {
            // A link into /dev or /proc (a user's ~/out -> /dev/null) writes to the device as well.
            return File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target && UnderDevices(target.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool UnderDevices(string full) =>
        full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal);
}
