using System.Buffers.Binary;
using System.Text;

namespace Preflight.Content;

/// <summary>
/// Decides what an entry is from its first bytes (and, for ambiguous DER containers, its name). Cheap: it
/// looks at a prefix only and allocates nothing. Magic bytes decide, never the extension alone.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes the sniffer needs to decide; callers may pass fewer.</summary>
    public const int PrefixLength = 8192;

    /// <summary>Recognises an archive by its magic bytes.</summary>
    public static ArchiveFormat DetectArchive(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length >= 4 && prefix[0] == (byte)'P' && prefix[1] == (byte)'K' &&
            ((prefix[2] == 3 && prefix[3] == 4) || (prefix[2] == 5 && prefix[3] == 6) || (prefix[2] == 7 && prefix[3] == 8)))
            return ArchiveFormat.Zip;
        if (prefix.Length >= 3 && prefix[0] == 0x1f && prefix[1] == 0x8b && prefix[2] == 8)
            return ArchiveFormat.GZip;
        if (prefix.Length >= 4 && prefix[0] == (byte)'B' && prefix[1] == (byte)'Z' && prefix[2] == (byte)'h' && prefix[3] is >= (byte)'1' and <= (byte)'9')
            return ArchiveFormat.BZip2;
        if (IsTarHeader(prefix))
            return ArchiveFormat.Tar;
        return ArchiveFormat.None;
    }

    /// <summary>
    /// True when the first 512 bytes are a tar header: the <c>ustar</c> magic, or (for old v7 archives) a
    /// header checksum that matches.
    /// </summary>
    public static bool IsTarHeader(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 512) return false;
        var header = prefix[..512];
        if (header[257..262].SequenceEqual("ustar"u8)) return true;
        // v7 tar: no magic; accept only when the stored checksum matches and a name is present.
        if (header[0] == 0) return false;
        var field = header[148..156];
        long stored = 0;
        bool digits = false;
        foreach (byte b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7') { stored = (stored * 8) + (b - '0'); digits = true; }
            else if (b is 0 or (byte)' ') { if (digits) break; }
            else return false;
        }
        if (!digits) return false;
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? (byte)' ' : header[i];
        return sum == stored;
    }

    /// <summary>Classifies an entry from its first bytes and its name.</summary>
    /// <param name="prefix">The first bytes of the entry (up to <see cref="PrefixLength"/>).</param>
    /// <param name="fileName">The entry's file name, used only where magic bytes cannot decide.</param>
    public static ContentKind Classify(ReadOnlySpan<byte> prefix, string fileName)
    {
        if (prefix.IsEmpty) return ContentKind.Empty;
        if (DetectArchive(prefix) != ArchiveFormat.None) return ContentKind.Archive;
        if (prefix.Length >= 4 && prefix[0] == 0x7f && prefix[1] == (byte)'E' && prefix[2] == (byte)'L' && prefix[3] == (byte)'F')
            return ContentKind.NativeBinary;
        if (prefix.Length >= 2 && prefix[0] == (byte)'M' && prefix[1] == (byte)'Z')
            return IsCliImage(prefix) ? ContentKind.DotNetAssembly : ContentKind.NativeBinary;
        if (prefix.Length >= 4)
        {
            uint magic = BinaryPrimitives.ReadUInt32BigEndian(prefix);
            if (magic is 0xFEEDFACE or 0xFEEDFACF or 0xCEFAEDFE or 0xCFFAEDFE) return ContentKind.NativeBinary;
            if (magic is 0xFEEDFEED or 0xCECECECE) return ContentKind.CertificateContainer; // JKS, JCEKS
        }
        if (LooksLikeDerContainer(prefix, fileName)) return ContentKind.CertificateContainer;
        var encoding = TextDecoding.Detect(prefix);
        if (encoding is not null)
        {
            return StartsWithPemBlock(prefix, encoding) ? ContentKind.CertificateContainer : ContentKind.Text;
        }
        return ContentKind.OtherBinary;
    }

    /// <summary>True when a PE image has a CLI (COM descriptor) data directory, i.e. is a .NET assembly.</summary>
    public static bool IsCliImage(ReadOnlySpan<byte> image)
    {
        if (image.Length < 0x40) return false;
        int peOffset = BinaryPrimitives.ReadInt32LittleEndian(image[0x3c..]);
        if (peOffset < 0 || peOffset > image.Length - 24) return false;
        if (!image.Slice(peOffset, 4).SequenceEqual("PE\0\0"u8)) return false;
        int optional = peOffset + 24;
        if (optional + 2 > image.Length) return false;
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(image[optional..]);
        int dataDirectories = magic switch { 0x10b => optional + 96, 0x20b => optional + 112, _ => -1 };
        if (dataDirectories < 0) return false;
        int cli = dataDirectories + (14 * 8);
        if (cli + 8 > image.Length) return false;
        uint rva = BinaryPrimitives.ReadUInt32LittleEndian(image[cli..]);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(image[(cli + 4)..]);
        return rva != 0 && size != 0;
    }

    private static readonly string[] DerExtensions = [".cer", ".crt", ".der", ".p7b", ".p7c", ".p7s", ".p12", ".pfx", ".crl", ".sig", ".pem", ".key"];

    private static bool LooksLikeDerContainer(ReadOnlySpan<byte> prefix, string fileName)
    {
        // A DER SEQUENCE with a definite length; only trusted together with a certificate-like name,
        // since 0x30 is also the digit '0'.
        if (prefix.Length < 4 || prefix[0] != 0x30 || prefix[1] is not (0x80 or 0x81 or 0x82 or 0x83 or 0x84) && prefix[1] >= 0x80)
            return false;
        foreach (var ext in DerExtensions)
            if (fileName.EndsWith(ext, StringComparison.OrdinalIgnoreCase) && TextDecoding.Detect(prefix) is null)
                return true;
        return false;
    }

    private static bool StartsWithPemBlock(ReadOnlySpan<byte> prefix, Encoding encoding)
    {
        if (encoding.CodePage is not (65001 or 28591 or 20127)) return false;
        int i = 0;
        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) i = 3;
        while (i < prefix.Length && prefix[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return prefix[i..].StartsWith("-----BEGIN "u8);
    }
}
