using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>What was learnt from a signed NuGet package's bytes, checked in the cross-entry step.</summary>
/// <param name="PackagePath">The package's location path (empty for the scanned package itself).</param>
/// <param name="Location">The <c>.signature.p7s</c> entry.</param>
/// <param name="Problem">Why the package or its signature could not be read; null when it was read.</param>
/// <param name="Der">The signature's DER bytes.</param>
/// <param name="Algorithm">The content hash algorithm the signature names (an OID).</param>
/// <param name="Expected">The content hash the signature holds.</param>
/// <param name="Actual">The content hash computed over the package per NuGet's scheme.</param>
internal sealed record NuGetSignature(string PackagePath, Location Location, string? Problem, byte[]? Der, string? Algorithm, byte[]? Expected, byte[]? Actual);

/// <summary>
/// NuGet package signatures (<c>.signature.p7s</c>, the last entry of a signed <c>.nupkg</c>). The primary
/// signature signs the text <c>Version:1\n\n&lt;hash OID&gt;-Hash:&lt;base64&gt;\n\n</c>, where the hash is the
/// package content hash: the archive's bytes without the signature entry's local header, data and central
/// directory record, the remaining central directory records' local-header offsets and the end-of-central-
/// directory counts, size and offset adjusted as if the signature entry had never been added
/// (NuGet.Packaging's <c>SignedPackageArchiveUtility</c>). Only the classic (non-zip64) archive is supported.
/// </summary>
internal static class NuGetSignatures
{
    /// <summary>The signature entry's name.</summary>
    public const string SignatureEntry = ".signature.p7s";
    private const uint LocalHeaderMagic = 0x04034b50;
    private const uint CentralHeaderMagic = 0x02014b50;
    private const uint EndMagic = 0x06054b50;
    private const int MaxSignatureBytes = 1 << 20;
    private const string ProofOfOrigin = "1.2.840.113549.1.9.16.6.1";
    private const string ProofOfReceipt = "1.2.840.113549.1.9.16.6.2";
    private const string CommitmentTypeOid = "1.2.840.113549.1.9.16.2.16";

    private sealed class Record
    {
        public long Position;
        public long LocalOffset;
        public long HeaderSize;
        public long EntrySize;
        public long ChangeInOffset;
        public bool IsSignature;
        public int Compression;
        public long CompressedSize;
    }

    /// <summary>
    /// Reads the zip in <paramref name="zip"/>: null when it is no zip or holds no <c>.signature.p7s</c>;
    /// otherwise the signature and both content hashes, or the reason they could not be had.
    /// </summary>
    public static NuGetSignature? TryRead(string packagePath, Stream zip)
    {
        var location = new Location(packagePath.Length == 0 ? SignatureEntry : packagePath + Location.NestedSeparator + SignatureEntry);
        NuGetSignature Fail(string problem) => new(packagePath, location, problem, null, null, null, null);
        long length = zip.Length;
        if (length < 22) return null;
        Span<byte> magic = stackalloc byte[4];
        zip.Position = 0;
        if (zip.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || BinaryPrimitives.ReadUInt32LittleEndian(magic) != LocalHeaderMagic) return null;

        // End of central directory: the last 22..65557 bytes.
        int tailLength = (int)Math.Min(length, 22 + 0xFFFF);
        var tail = new byte[tailLength];
        zip.Position = length - tailLength;
        zip.ReadExactly(tail);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndMagic) { eocd = i; break; }
        }
        if (eocd < 0) return null;
        long eocdPosition = length - tailLength + eocd;
        uint cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(eocd + 16));
        ushort totalEntries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(eocd + 10));
        if (cdOffset == uint.MaxValue || totalEntries == ushort.MaxValue || cdOffset >= eocdPosition) return null;

        var records = new List<Record>();
        var header = new byte[46];
        zip.Position = cdOffset;
        while (zip.Position + 46 <= eocdPosition && records.Count <= totalEntries)
        {
            long position = zip.Position;
            zip.ReadExactly(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralHeaderMagic) break;
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30));
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            var name = new byte[nameLength];
            zip.ReadExactly(name);
            var record = new Record
            {
                Position = position,
                LocalOffset = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(42)),
                HeaderSize = 46L + nameLength + extraLength + commentLength,
                IsSignature = (flags & (1 << 11)) == 0 && name.AsSpan().SequenceEqual(".signature.p7s"u8),
                Compression = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(10)),
                CompressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20)),
            };
            records.Add(record);
            zip.Position = position + record.HeaderSize;
        }
        var signatures = records.Where(static r => r.IsSignature).ToList();
        if (signatures.Count == 0) return null;
        if (signatures.Count > 1) return Fail("the package holds more than one .signature.p7s entry");
        if (records.Exists(r => r.LocalOffset >= eocdPosition || r.CompressedSize == uint.MaxValue))
            return Fail("the package is a zip64 archive or its central directory points outside the archive; its content hash is not computed");
        var signature = signatures[0];

        // Entry sizes as NuGet measures them: up to the next local header, the last one up to the central directory.
        var byOffset = records.OrderBy(static r => r.LocalOffset).ToList();
        long firstCentral = records.Min(static r => r.Position);
        for (int i = 0; i < byOffset.Count; i++)
            byOffset[i].EntrySize = (i + 1 < byOffset.Count ? byOffset[i + 1].LocalOffset : firstCentral) - byOffset[i].LocalOffset;
        if (byOffset.Exists(static r => r.EntrySize < 30)) return Fail("the package's entries overlap");

        byte[]? der = ReadEntry(zip, signature, out string? entryProblem);
        if (der is null) return Fail(entryProblem!);

        string? algorithm;
        byte[]? expected;
        try
        {
            var signed = CmsSigners.ReadSignedData(der);
            if (signed?.EncapContentInfo.Content is not Asn1OctetString content) return Fail("the .signature.p7s holds no signed package content");
            (algorithm, expected) = ParseContent(content.GetOctets());
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            return Fail($"the .signature.p7s could not be decoded ({ex.GetType().Name})");
        }
        if (algorithm is null || expected is null) return Fail("the signed package content is not in NuGet's 'Version:1' format");
        if (CmsSigners.HashFor(algorithm) is not { } hashName) return new(packagePath, location, $"the content hash algorithm {algorithm} is not supported", der, algorithm, expected, null);

        byte[] actual = ContentHash(zip, hashName, records, byOffset, signature, length);
        return new NuGetSignature(packagePath, location, null, der, algorithm, expected, actual);
    }

    private static byte[]? ReadEntry(Stream zip, Record record, out string? problem)
    {
        problem = null;
        if (record.CompressedSize > MaxSignatureBytes) { problem = "the .signature.p7s entry is larger than 1 MiB"; return null; }
        var local = new byte[30];
        zip.Position = record.LocalOffset;
        zip.ReadExactly(local);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeaderMagic) { problem = "the .signature.p7s entry has no local header"; return null; }
        long data = record.LocalOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
        if (data + record.CompressedSize > zip.Length) { problem = "the .signature.p7s entry is truncated"; return null; }
        var raw = new byte[record.CompressedSize];
        zip.Position = data;
        zip.ReadExactly(raw);
        if (record.Compression == 0) return raw;
        if (record.Compression != 8) { problem = $"the .signature.p7s entry uses compression method {record.Compression}"; return null; }
        using var inflate = new DeflateStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = inflate.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
            if (output.Length > MaxSignatureBytes) { problem = "the .signature.p7s entry is larger than 1 MiB"; return null; }
        }
        return output.ToArray();
    }

    /// <summary>Parses <c>Version:1\n\n&lt;oid&gt;-Hash:&lt;base64&gt;\n\n</c>.</summary>
    internal static (string? Algorithm, byte[]? Hash) ParseContent(byte[] content)
    {
        string text = Encoding.UTF8.GetString(content);
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != "Version:1") return (null, null);
        foreach (var raw in lines.Skip(1))
        {
            string line = raw.TrimEnd('\r');
            int marker = line.IndexOf("-Hash:", StringComparison.Ordinal);
            if (marker <= 0) continue;
            try
            {
                return (line[..marker], Convert.FromBase64String(line[(marker + 6)..].Trim()));
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }
        return (null, null);
    }

    private static byte[] ContentHash(Stream zip, HashAlgorithmName name, List<Record> records, List<Record> byOffset, Record signature, long length)
    {
        using var hash = IncrementalHash.CreateHash(name);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            void Copy(long from, long to)
            {
                zip.Position = from;
                long left = to - from;
                while (left > 0)
                {
                    int n = zip.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                    if (n == 0) throw new EndOfStreamException();
                    hash.AppendData(buffer, 0, n);
                    left -= n;
                }
            }
            Span<byte> word = stackalloc byte[4];
            Copy(0, byOffset[0].LocalOffset);
            // Local entries without the signature, in file order, each moved up to where it would be unsigned.
            long end = 0;
            foreach (var record in byOffset.Where(r => r != signature))
            {
                record.ChangeInOffset = end - record.LocalOffset;
                end = record.LocalOffset + record.EntrySize + record.ChangeInOffset;
                Copy(record.LocalOffset, record.LocalOffset + record.EntrySize);
            }
            // Central directory records without the signature's, with their local-header offsets adjusted.
            foreach (var record in records.Where(r => r != signature).OrderBy(static r => r.Position))
            {
                Copy(record.Position, record.Position + 42);
                zip.Position = record.Position + 42;
                zip.ReadExactly(word);
                BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)(BinaryPrimitives.ReadUInt32LittleEndian(word) + record.ChangeInOffset));
                hash.AppendData(word);
                Copy(record.Position + 46, record.Position + record.HeaderSize);
            }
            // End of central directory (from the end of the last record, as NuGet does), counts and offsets adjusted.
            long eocd = records[^1].Position + records[^1].HeaderSize;
            Copy(eocd, eocd + 8);
            Span<byte> counts = stackalloc byte[12];
            zip.Position = eocd + 8;
            zip.ReadExactly(counts);
            BinaryPrimitives.WriteUInt16LittleEndian(counts, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(counts) - 1));
            BinaryPrimitives.WriteUInt16LittleEndian(counts[2..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(counts[2..]) - 1));
            BinaryPrimitives.WriteUInt32LittleEndian(counts[4..], (uint)(BinaryPrimitives.ReadUInt32LittleEndian(counts[4..]) - signature.HeaderSize));
            BinaryPrimitives.WriteUInt32LittleEndian(counts[8..], (uint)(BinaryPrimitives.ReadUInt32LittleEndian(counts[8..]) - signature.EntrySize));
            hash.AppendData(counts);
            Copy(eocd + 20, length);
            return hash.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Author or repository, from the commitment-type-indication signed attribute.</summary>
    private static string SignatureType(SignerInfo signer)
    {
        if (signer.SignedAttrs is null) return "unknown";
        foreach (var item in signer.SignedAttrs)
        {
            var attr = Org.BouncyCastle.Asn1.Cms.Attribute.GetInstance(item);
            if (attr.AttrType.Id != CommitmentTypeOid || attr.AttrValues.Count == 0) continue;
            string id = DerObjectIdentifier.GetInstance(Asn1Sequence.GetInstance(attr.AttrValues[0])[0]).Id;
            return id switch { ProofOfOrigin => "author", ProofOfReceipt => "repository", _ => id };
        }
        return "unknown";
    }

    /// <summary>Checks each package's content hash and signers; <paramref name="onSigner"/> takes each signer that verified.</summary>
    public static void Verify(DetectorContext context, IEnumerable<NuGetSignature> packages, Action<SignerCheck> onSigner)
    {
        foreach (var package in packages.OrderBy(static p => p.Location.Path, StringComparer.Ordinal))
        {
            string shown = package.PackagePath.Length == 0 ? "the package" : $"'{package.PackagePath}'";
            var props = new Dictionary<string, string>(StringComparer.Ordinal) { ["package"] = package.PackagePath.Length == 0 ? "." : package.PackagePath };
            if (package.Problem is not null)
            {
                context.Report(CertificateRules.SignatureUnverifiable, package.Location,
                    $"The NuGet package signature of {shown} was not verified: {package.Problem}.", "nuget|" + package.Problem, properties: props);
                continue;
            }
            props["contentHashAlgorithm"] = package.Algorithm!;
            if (!package.Actual.AsSpan().SequenceEqual(package.Expected))
            {
                props["expected"] = Convert.ToBase64String(package.Expected!);
                props["actual"] = Convert.ToBase64String(package.Actual!);
                context.Report(CertificateRules.SignatureMismatch, package.Location,
                    $"The NuGet package {shown} does not match its signature: its content hash differs from the signed one, so the package was altered after signing.",
                    "nuget-content-hash", $"signed {props["expected"][..12]}…, found {props["actual"][..12]}…", properties: props);
                continue;
            }
            try
            {
                var signed = CmsSigners.ReadSignedData(package.Der!)!;
                var content = ((Asn1OctetString)signed.EncapContentInfo.Content).GetOctets();
                var certificates = CmsSigners.Certificates(signed);
                foreach (var item in signed.SignerInfos)
                {
                    var signer = SignerInfo.GetInstance(item);
                    var check = CmsSigners.Check(signer, certificates, content);
                    var p = new Dictionary<string, string>(props) { ["signatureType"] = SignatureType(signer) };
                    if (check.Signer is { } cert) p["signer"] = ParsedCertificate.Display(cert.SubjectDN);
                    if (check.SigningTime is { } t) p["signingTime"] = t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    p["timestamped"] = check.Timestamped ? "true" : "false";
                    if (check.Countersigners.Count > 0) p["countersigners"] = string.Join("; ", check.Countersigners);
                    if (check.Verified)
                    {
                        onSigner(check);
                        continue;
                    }
                    if (check.Unverifiable)
                    {
                        context.Report(CertificateRules.SignatureUnverifiable, package.Location,
                            $"The NuGet package signature of {shown} was not verified: {check.Problem}.", "nuget|" + check.Problem, properties: p);
                        continue;
                    }
                    context.Report(CertificateRules.SignatureMismatch, package.Location,
                        $"The NuGet package signature of {shown} does not verify: {check.Problem}.", "nuget-signature|" + check.Problem, properties: p);
                }
            }
            catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
            {
                context.Report(CertificateRules.Malformed, package.Location,
                    $"Malformed certificate material: the NuGet package signature of {shown} could not be decoded ({ex.GetType().Name}).", "nuget-malformed");
            }
        }
    }
}
