namespace Preflight.Packages;

/// <summary>Short, input-free descriptions of read failures for findings and diagnostics.</summary>
internal static class EntryReadErrors
{
    /// <summary>Describes <paramref name="ex"/> without quoting anything read from the package.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        EndOfStreamException => "the data ends early (truncated)",
        ICSharpCode.SharpZipLib.Zip.ZipException z when z.Message.Contains("CRC", StringComparison.OrdinalIgnoreCase) => "checksum mismatch (corrupt data)",
        ICSharpCode.SharpZipLib.Zip.ZipException => "corrupt zip data",
        ICSharpCode.SharpZipLib.Tar.TarException => "corrupt tar data",
        ICSharpCode.SharpZipLib.GZip.GZipException => "corrupt gzip data",
        ICSharpCode.SharpZipLib.BZip2.BZip2Exception => "corrupt bzip2 data",
        ICSharpCode.SharpZipLib.SharpZipBaseException => "corrupt compressed data",
        InvalidDataException => "corrupt compressed data",
        IOException => "an I/O error",
        _ => $"an unexpected {ex.GetType().Name}",
    };
}
