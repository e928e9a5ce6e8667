using System.Text;

namespace Preflight.Content;

/// <summary>
/// Decides whether bytes are text and in which encoding: UTF-8 (with or without BOM), UTF-16 with a BOM,
/// and a Latin-1 fallback for bytes that are mostly printable but not valid UTF-8.
/// </summary>
public static class TextDecoding
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private static readonly Encoding Utf16Le = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: false);
    private static readonly Encoding Utf16Be = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: false);

    /// <summary>The Latin-1 (ISO-8859-1) fallback.</summary>
    public static Encoding Latin1 => Encoding.Latin1;

    /// <summary>Length of the byte-order mark for the encoding detected on these bytes, or 0.</summary>
    public static int PreambleLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) return 3;
        if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))) return 2;
        return 0;
    }

    /// <summary>
    /// The text encoding of these bytes (judged on a prefix of at most <see cref="ContentSniffer.PrefixLength"/>),
    /// or null when they are binary.
    /// </summary>
    public static Encoding? Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return Utf8;
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) return Utf8;
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) return Utf16Le;
        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) return Utf16Be;
        var sample = bytes.Length > ContentSniffer.PrefixLength ? bytes[..ContentSniffer.PrefixLength] : bytes;
        if (sample.Contains((byte)0)) return null;
        // Control characters other than tab, line breaks, form feed and escape: more than 1 % is not text. Counted with
        // a vectorised search that stops as soon as the count passes that (a byte loop was a few per cent of a scan of
        // many small files, where this runs twice per entry).
        int control = 0, most = sample.Length / 100;
        for (var rest = sample; control <= most;)
        {
            int at = rest.IndexOfAny(Controls);
            if (at < 0) break;
            control++;
            rest = rest[(at + 1)..];
        }
        if (control * 100 > sample.Length) return null;
        if (IsValidUtf8Prefix(sample, truncated: bytes.Length > sample.Length)) return Utf8;
        int printable = 0;
        foreach (byte b in sample)
            if (b >= 0x20 || b is (byte)'\t' or (byte)'\n' or (byte)'\r') printable++;
        return printable * 100 >= sample.Length * 95 ? Latin1 : null;
    }

    private static readonly System.Buffers.SearchValues<byte> Controls = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b).Where(b => b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0c or 0x1b))]);

    private static bool IsValidUtf8Prefix(ReadOnlySpan<byte> sample, bool truncated)
    {
        if (!truncated) return System.Text.Unicode.Utf8.IsValid(sample);
        // A prefix may end inside a multi-byte sequence: accept that, reject anything invalid before it.
        int i = 0;
        while (i < sample.Length)
        {
            var s = System.Text.Rune.DecodeFromUtf8(sample[i..], out _, out int consumed);
            if (s == System.Buffers.OperationStatus.InvalidData) return false;
            if (s == System.Buffers.OperationStatus.NeedMoreData) return truncated;
            i += consumed;
        }
        return true;
    }
}
