using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1.Cms;
using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>
/// The detached CMS signature over the package file itself (<c>--signature</c>, <see cref="Configuration.ScanOptions.PackageSignaturePath"/>):
/// the package's bytes are streamed through the signer's digest, never loaded whole. Findings are reported at
/// the signature's file name.
/// </summary>
internal static class PackageSignature
{
    private const int MaxSignatureBytes = 1 << 20;

    /// <summary>Verifies the signature at <paramref name="signaturePath"/> over <paramref name="package"/>.</summary>
    /// <param name="context">Where findings go.</param>
    /// <param name="signaturePath">The signature file (DER or PEM).</param>
    /// <param name="package">The package file's bytes (seekable).</param>
    /// <param name="addCertificates">Takes the signature's certificates, so that the signer's chain is validated like every other.</param>
    /// <param name="onVerified">Takes each signer that verified.</param>
    public static void Verify(DetectorContext context, string signaturePath, Stream package, Action<Location, byte[]> addCertificates, Action<SignerCheck> onVerified)
    {
        var location = new Location(Path.GetFileName(signaturePath));
        var props = new Dictionary<string, string>(StringComparer.Ordinal) { ["signedFile"] = "." };
        byte[] raw;
        try
        {
            var info = new FileInfo(signaturePath);
            if (info.Length > MaxSignatureBytes)
            {
                context.Report(CertificateRules.SignatureUnverifiable, location, "The package signature (--signature) is larger than 1 MiB and was not read.", "package-signature|size", properties: props);
                return;
            }
            raw = File.ReadAllBytes(signaturePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Report(CertificateRules.SignatureUnverifiable, location, $"The package signature (--signature) could not be read ({ex.GetType().Name}).", "package-signature|io", properties: props);
            return;
        }
        byte[]? der = raw.Length > 0 && raw[0] == 0x30 ? raw
            : PemBlocks.Find(Encoding.UTF8.GetString(raw)).FirstOrDefault(static b => b.Label is "PKCS7" or "CMS" && b.Der is not null)?.Der;
        try
        {
            var signed = der is null ? null : CmsSigners.ReadSignedData(der);
            if (signed is null || signed.EncapContentInfo.Content is not null)
            {
                context.Report(CertificateRules.SignatureUnverifiable, location,
                    "The package signature (--signature) is not a detached CMS/PKCS#7 signature; nothing was verified.", "package-signature|format", properties: props);
                return;
            }
            addCertificates(location, der!);
            var certificates = CmsSigners.Certificates(signed);
            var digests = new Dictionary<HashAlgorithmName, byte[]>();
            byte[] DigestOf(HashAlgorithmName name)
            {
                if (digests.TryGetValue(name, out var known)) return known;
                package.Position = 0;
                using var hash = IncrementalHash.CreateHash(name);
                var buffer = new byte[81920];
                int n;
                while ((n = package.Read(buffer)) > 0)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    hash.AppendData(buffer, 0, n);
                }
                return digests[name] = hash.GetHashAndReset();
            }
            foreach (var item in signed.SignerInfos)
            {
                var check = CmsSigners.Check(SignerInfo.GetInstance(item), certificates, DigestOf, null);
                var p = new Dictionary<string, string>(props);
                if (check.Signer is { } cert) p["signer"] = ParsedCertificate.Display(cert.SubjectDN);
                if (check.Verified) { onVerified(check); continue; }
                context.Report(check.Unverifiable ? CertificateRules.SignatureUnverifiable : CertificateRules.SignatureMismatch, location,
                    check.Unverifiable
                        ? $"The package signature (--signature) was not verified: {check.Problem}."
                        : $"The package does not match its signature (--signature): {check.Problem}.",
                    "package-signature|" + check.Problem, properties: p);
            }
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            context.Report(CertificateRules.Malformed, location,
                $"Malformed certificate material: the package signature (--signature) could not be decoded ({ex.GetType().Name}).", "package-signature|malformed");
        }
    }
}
