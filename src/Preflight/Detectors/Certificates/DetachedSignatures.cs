using System.Globalization;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>A detached CMS/PKCS#7 signature found in the package, and the file it signs.</summary>
/// <param name="Location">The signature file.</param>
/// <param name="TargetPath">The signed file: the signature's path without its <c>.p7s</c>/<c>.sig</c> extension.</param>
/// <param name="Der">The signature's DER bytes.</param>
internal sealed record DetachedSignature(Location Location, string TargetPath, byte[] Der);

/// <summary>
/// Verifies detached CMS signatures (<c>file.p7s</c>, <c>file.sig</c> in CMS form) against the SHA-256 of the
/// signed entry, computed while the package was read. The signer's chain is validated like every other leaf
/// (purpose code signing) by the detector.
/// </summary>
internal static class DetachedSignatures
{
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    /// <summary>True when the name says "detached signature over the file without this extension".</summary>
    public static bool IsSignatureName(string path) =>
        path.EndsWith(".p7s", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".sig", StringComparison.OrdinalIgnoreCase);

    /// <summary>The detached signature in <paramref name="bytes"/> (DER or PEM), or null when it is no CMS SignedData without content.</summary>
    public static DetachedSignature? TryRead(Location location, ReadOnlySpan<byte> bytes, string? text)
    {
        byte[]? der = null;
        if (text is not null)
        {
            der = PemBlocks.Find(text).FirstOrDefault(static b => b.Label is "PKCS7" or "CMS" && b.Der is not null)?.Der;
        }
        else if (bytes.Length > 2 && bytes[0] == 0x30)
        {
            der = bytes.ToArray();
        }
        if (der is null) return null;
        try
        {
            var info = Org.BouncyCastle.Asn1.Cms.ContentInfo.GetInstance(Asn1Object.FromByteArray(der));
            if (!info.ContentType.Equals(CmsObjectIdentifiers.SignedData)) return null;
            var signed = SignedData.GetInstance(info.Content);
            if (signed.EncapContentInfo.Content is not null) return null; // an attached signature: not over another file
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            return null;
        }
        string path = location.Path;
        return new DetachedSignature(location, path[..path.LastIndexOf('.')], der);
    }

    /// <summary>Verifies each signature and reports what fails; <paramref name="onVerified"/> takes each signer that verified.</summary>
    public static void Verify(DetectorContext context, IEnumerable<DetachedSignature> signatures, IReadOnlyDictionary<string, byte[]> sha256ByPath, Action<SignerCheck> onVerified)
    {
        foreach (var signature in signatures.OrderBy(static s => s.Location.Path, StringComparer.Ordinal))
        {
            var props = new Dictionary<string, string>(StringComparer.Ordinal) { ["signedFile"] = signature.TargetPath };
            if (!sha256ByPath.TryGetValue(signature.TargetPath, out var hash))
            {
                context.Report(CertificateRules.SignedFileMissing, signature.Location,
                    $"The detached signature signs '{signature.TargetPath}', which is not in the package (or too large to hash).",
                    signature.TargetPath, properties: props);
                continue;
            }
            try
            {
                var signed = CmsSigners.ReadSignedData(signature.Der)!;
                var certificates = CmsSigners.Certificates(signed);
                int verified = 0;
                foreach (var item in signed.SignerInfos)
                {
                    var signer = SignerInfo.GetInstance(item);
                    if (signer.DigestAlgorithm.Algorithm.Id != Sha256Oid)
                    {
                        context.Report(CertificateRules.SignatureUnverifiable, signature.Location,
                            $"The signature over '{signature.TargetPath}' uses the digest {signer.DigestAlgorithm.Algorithm.Id}; only SHA-256 detached signatures are verified.",
                            signature.TargetPath + "|digest", properties: props);
                        continue;
                    }
                    var check = CmsSigners.Check(signer, certificates, _ => hash, null);
                    if (check.Signer is null)
                    {
                        context.Report(CertificateRules.SignatureUnverifiable, signature.Location,
                            $"The signature over '{signature.TargetPath}' does not include its signer's certificate.",
                            signature.TargetPath + "|nocert", properties: props);
                        continue;
                    }
                    string signerName = ParsedCertificate.Display(check.Signer.SubjectDN);
                    props["signer"] = signerName;
                    if (check.SigningTime is { } st)
                        props["signingTime"] = st.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    if (check.Verified) { verified++; onVerified(check); continue; }
                    if (check.Unverifiable)
                    {
                        context.Report(CertificateRules.SignatureUnverifiable, signature.Location,
                            $"The signature by '{signerName}' over '{signature.TargetPath}' was not verified: {check.Problem}.",
                            signature.TargetPath + "|" + check.Problem, properties: props);
                        continue;
                    }
                    context.Report(CertificateRules.SignatureMismatch, signature.Location,
                        $"The signature by '{signerName}' does not verify over '{signature.TargetPath}': the file was altered after signing, or the signature is corrupt.",
                        signature.TargetPath + "|" + signerName, properties: props);
                }
                if (verified > 0) props["verifiedSigners"] = verified.ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
            {
                context.Report(CertificateRules.Malformed, signature.Location,
                    $"Malformed certificate material: the detached signature could not be decoded ({ex.GetType().Name}).", "cms-malformed");
            }
        }
    }
}
