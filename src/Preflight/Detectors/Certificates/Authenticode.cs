using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;

namespace Preflight.Detectors.Certificates;

/// <summary>What a PE file's security directory holds.</summary>
/// <param name="IsPe">True when the bytes are a PE image (MZ header, PE signature, PE32 or PE32+ optional header).</param>
/// <param name="Signed">True when the certificate table holds a PKCS#7 SignedData (WIN_CERT_TYPE_PKCS_SIGNED_DATA).</param>
/// <param name="Problem">Why the image or its signature could not be read (a malformed header or certificate table).</param>
/// <param name="Pkcs7">The SignedData's DER.</param>
/// <param name="DigestAlgorithm">The digest algorithm OID of SpcIndirectDataContent.</param>
/// <param name="SignedDigest">The image digest the signature holds.</param>
/// <param name="ImageDigest">The Authenticode image digest computed over the file.</param>
/// <param name="SignedContent">The contents octets of SpcIndirectDataContent: the input of the signer's message digest.</param>
internal sealed record AuthenticodeImage(bool IsPe, bool Signed, string? Problem, byte[]? Pkcs7, string? DigestAlgorithm,
    byte[]? SignedDigest, byte[]? ImageDigest, byte[]? SignedContent)
{
    public static AuthenticodeImage NotPe { get; } = new(false, false, null, null, null, null, null, null);

    /// <summary>
    /// <see cref="Pkcs7"/> decoded, when the image digest was computed (its decoding is shared by the signature check and
    /// the certificate inventory instead of being done again by each).
    /// </summary>
    public SignedData? Decoded { get; init; }
}

/// <summary>
/// Authenticode signatures in PE files, parsed by hand with every offset bounds-checked: the certificate table
/// (data directory 4, a file offset, not an RVA) holds WIN_CERTIFICATE structures; a PKCS#7 one is SignedData
/// whose content (SpcIndirectDataContent, 1.3.6.1.4.1.311.2.1.4) carries the image digest. The image digest
/// is computed over the whole file except the optional header's CheckSum, the certificate table's directory
/// entry and the certificate table itself (the file hashed in order, as osslsigncode does; for a standard
/// image it equals the specification's header-then-sections order).
/// </summary>
internal static class Authenticode
{
    private const string SpcIndirectDataOid = "1.3.6.1.4.1.311.2.1.4";

    /// <summary>True when the bytes start like a PE image (MZ); cheap, before <see cref="Read"/>.</summary>
    public static bool LooksLikePe(ReadOnlySpan<byte> bytes) => bytes.Length >= 64 && bytes[0] == (byte)'M' && bytes[1] == (byte)'Z';

    /// <summary>The problem reported for an image only partly at hand.</summary>
    public const string Partial = "the executable is larger than the analysed window";

    /// <summary>Reads the PE's signature and computes its image digest.</summary>
    /// <param name="file">The file's bytes, or their first part.</param>
    /// <param name="fileLength">The whole file's length; when larger than <paramref name="file"/>, only whether it is signed is read (<see cref="Partial"/>).</param>
    public static AuthenticodeImage Read(ReadOnlySpan<byte> file, long fileLength)
    {
        if (!LooksLikePe(file)) return AuthenticodeImage.NotPe;
        uint peOffset = BinaryPrimitives.ReadUInt32LittleEndian(file[0x3C..]);
        if (peOffset > (uint)file.Length - 24 || !file.Slice((int)peOffset, 4).SequenceEqual("PE\0\0"u8)) return AuthenticodeImage.NotPe;
        int coff = (int)peOffset + 4;
        int optionalSize = BinaryPrimitives.ReadUInt16LittleEndian(file[(coff + 16)..]);
        int optional = coff + 20;
        if ((long)optional + optionalSize > file.Length || optionalSize < 2) return Malformed("the optional header is truncated");
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(file[optional..]);
        int directories = magic switch { 0x10b => 96, 0x20b => 112, _ => -1 };
        if (directories < 0) return Malformed($"the optional header magic 0x{magic:x} is neither PE32 nor PE32+");
        if (optionalSize < directories + 5 * 8) return new(true, false, null, null, null, null, null, null); // no certificate directory at all
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file[(optional + directories - 4)..]);
        int checksum = optional + 64;
        int certEntry = optional + directories + 4 * 8;
        uint certOffset = BinaryPrimitives.ReadUInt32LittleEndian(file[certEntry..]);
        uint certSize = BinaryPrimitives.ReadUInt32LittleEndian(file[(certEntry + 4)..]);
        if (count < 5 || certSize == 0) return new(true, false, null, null, null, null, null, null);
        if (fileLength > file.Length) return new(true, true, Partial, null, null, null, null, null);
        if (certOffset < optional + optionalSize || (long)certOffset + certSize > file.Length)
            return Malformed("the certificate table lies outside the file or inside its headers");

        byte[]? pkcs7 = null;
        long at = certOffset;
        long end = (long)certOffset + certSize;
        while (at + 8 <= end)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(file[(int)at..]);
            ushort revision = BinaryPrimitives.ReadUInt16LittleEndian(file[((int)at + 4)..]);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(file[((int)at + 6)..]);
            if (length < 8 || at + length > end) return Malformed("a WIN_CERTIFICATE length is out of bounds");
            if (type == 2 && revision is 0x0200 or 0x0100)
            {
                pkcs7 = file.Slice((int)at + 8, (int)length - 8).ToArray();
                break;
            }
            at += (length + 7) & ~7u;
        }
        if (pkcs7 is null) return new(true, false, null, null, null, null, null, null);

        string digestOid;
        byte[] signedDigest, signedContent;
        SignedData? signed;
        try
        {
            signed = CmsSigners.ReadSignedData(TrimDer(pkcs7));
            if (signed is null || signed.EncapContentInfo.ContentType.Id != SpcIndirectDataOid || signed.EncapContentInfo.Content is null)
                return new(true, true, "the signature holds no SpcIndirectDataContent", pkcs7, null, null, null, null);
            var indirect = Asn1Sequence.GetInstance(signed.EncapContentInfo.Content);
            var digestInfo = Asn1Sequence.GetInstance(indirect[1]);
            digestOid = Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier.GetInstance(digestInfo[0]).Algorithm.Id;
            signedDigest = Asn1OctetString.GetInstance(digestInfo[1]).GetOctets();
            signedContent = ContentsOctets(indirect.GetEncoded(Asn1Encodable.Der));
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            return new(true, true, $"the signature could not be decoded ({ex.GetType().Name})", pkcs7, null, null, null, null);
        }
        if (CmsSigners.HashFor(digestOid) is not { } hashName)
            return new(true, true, $"the image digest algorithm {digestOid} is not supported", pkcs7, digestOid, signedDigest, null, signedContent);

        using var hash = IncrementalHash.CreateHash(hashName);
        hash.AppendData(file[..checksum]);
        hash.AppendData(file[(checksum + 4)..certEntry]);
        hash.AppendData(file[(certEntry + 8)..(int)certOffset]);
        hash.AppendData(file[(int)end..]);
        return new(true, true, null, TrimDer(pkcs7), digestOid, signedDigest, hash.GetHashAndReset(), signedContent) { Decoded = signed };
    }

    private static AuthenticodeImage Malformed(string problem) => new(true, false, problem, null, null, null, null, null);

    /// <summary>The DER element at the start of <paramref name="der"/> without the alignment padding after it.</summary>
    private static byte[] TrimDer(byte[] der)
    {
        if (der.Length < 2 || der[0] != 0x30) return der;
        int lengthBytes = der[1] < 0x80 ? 0 : der[1] & 0x7F;
        if (lengthBytes > 4 || der.Length < 2 + lengthBytes) return der;
        long length = der[1] < 0x80 ? der[1] : 0;
        for (int i = 0; i < lengthBytes; i++) length = (length << 8) | der[2 + i];
        long total = 2 + lengthBytes + length;
        return total < der.Length && total > 0 ? der[..(int)total] : der;
    }

    private static byte[] ContentsOctets(byte[] der)
    {
        int header = der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7F);
        return der[header..];
    }

    /// <summary>The SignerInfos and certificates of the image's SignedData.</summary>
    public static (List<SignerInfo> Signers, List<Org.BouncyCastle.X509.X509Certificate> Certificates) Signers(byte[] pkcs7) =>
        Signers(CmsSigners.ReadSignedData(pkcs7)!);

    /// <summary>The SignerInfos and certificates of a SignedData already decoded.</summary>
    public static (List<SignerInfo> Signers, List<Org.BouncyCastle.X509.X509Certificate> Certificates) Signers(SignedData signed)
    {
        return ([.. signed.SignerInfos.Cast<Asn1Encodable>().Select(SignerInfo.GetInstance)], CmsSigners.Certificates(signed));
    }
}
