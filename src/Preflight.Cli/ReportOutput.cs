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
}
