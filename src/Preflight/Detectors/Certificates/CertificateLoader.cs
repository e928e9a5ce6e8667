using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Preflight.Detectors.Certificates;

/// <summary>What one container yielded.</summary>
internal sealed class LoadedContainer
{
    /// <summary>Certificates with the 1-based line they start on (null for binary containers).</summary>
    public List<(ParsedCertificate Certificate, int? Line)> Certificates { get; } = [];

    /// <summary>CRLs.</summary>
    public List<X509Crl> Crls { get; } = [];

    /// <summary>DER SubjectPublicKeyInfo of every private key found, with its line.</summary>
    public List<(byte[] PublicKeyInfo, int? Line)> PrivateKeys { get; } = [];

    /// <summary>Problems: (line, message).</summary>
    public List<(int? Line, string Message)> Errors { get; } = [];

    /// <summary>A PKCS#12 that opened with no or an empty password and held a private key.</summary>
    public bool UnprotectedPkcs12 { get; set; }

    /// <summary>A PKCS#12 or keystore that needs a password, so its content was not inspected.</summary>
    public bool PasswordProtected { get; set; }
}

/// <summary>
/// Reads certificates, CRLs and keys out of every container a package uses: PEM (also embedded in other
/// text), DER certificates and CRLs, PKCS#7 certificate bags, PKCS#12 without a password, and Java keystores
/// (certificates only). Malformed input becomes an error entry, never an exception.
/// </summary>
internal static class CertificateLoader
{
    /// <summary>Loads PEM blocks from text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cache">The scan's certificate cache, if any: a certificate seen before is not decoded again.</param>
    public static LoadedContainer FromText(string text, CertificateCache? cache = null)
    {
        var result = new LoadedContainer();
        foreach (var block in PemBlocks.Find(text))
        {
            if (block.Der is null)
            {
                if (IsInteresting(block.Label) && !block.Placeholder) result.Errors.Add((block.Line, $"the PEM block '{block.Label}' is truncated or its base64 is broken"));
                continue;
            }
            switch (block.Label)
            {
                case "CERTIFICATE":
                case "X509 CERTIFICATE":
                case "TRUSTED CERTIFICATE":
                    AddCertificate(result, block.Der, block.Line, trusted: block.Label == "TRUSTED CERTIFICATE", cache);
                    break;
                case "X509 CRL":
                    AddCrl(result, block.Der, block.Line);
                    break;
                case "PKCS7":
                case "CMS":
                    AddPkcs7(result, block.Der, block.Line, cache);
                    break;
                case "PRIVATE KEY":
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    AddPrivateKey(result, block.Label, block.Der, block.Line);
                    break;
            }
        }
        return result;
    }

    private static bool IsInteresting(string label) =>
        label is "CERTIFICATE" or "X509 CERTIFICATE" or "TRUSTED CERTIFICATE" or "X509 CRL" or "PKCS7" or "CMS";

    /// <summary>Loads a binary container, deciding its format from its structure (and the JKS magic).</summary>
    /// <param name="bytes">The container's bytes.</param>
    /// <param name="extension">The file's extension, for messages.</param>
    /// <param name="cache">The scan's certificate cache, if any: a certificate seen before is not decoded again.</param>
    public static LoadedContainer FromBinary(ReadOnlySpan<byte> bytes, string extension, CertificateCache? cache = null)
    {
        var result = new LoadedContainer();
        if (bytes.Length >= 4 && bytes[0] == 0xFE && bytes[1] == 0xED && bytes[2] == 0xFE && bytes[3] == 0xED)
        {
            LoadJks(result, bytes.ToArray());
            return result;
        }
        if (bytes.Length >= 4 && bytes[0] == 0xCE && bytes[1] == 0xCE && bytes[2] == 0xCE && bytes[3] == 0xCE)
        {
            result.PasswordProtected = true; // JCEKS: not readable without its password
            return result;
        }
        Asn1Sequence seq;
        try
        {
            seq = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(bytes.ToArray()));
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            result.Errors.Add((null, $"the {Describe(extension)} is not valid DER ({ex.GetType().Name})"));
            return result;
        }
        byte[] der = bytes.ToArray();
        // Certificate: SEQUENCE { tbs SEQUENCE, AlgorithmIdentifier, BIT STRING }.
        if (seq.Count == 3 && seq[0] is Asn1Sequence tbs && seq[2] is DerBitString)
        {
            bool isCrl = tbs.Count > 0 && (tbs[0] is DerInteger { IntValueExact: 1 } ? tbs.Count >= 4 && tbs[3] is Asn1UtcTime or Asn1GeneralizedTime : tbs.Count >= 3 && tbs[2] is Asn1UtcTime or Asn1GeneralizedTime);
            if (isCrl) AddCrl(result, der, null);
            else AddCertificate(result, der, null, trusted: false, cache);
            return result;
        }
        // ContentInfo: SEQUENCE { OID, [0] content }.
        if (seq.Count >= 1 && seq[0] is DerObjectIdentifier oid)
        {
            if (oid.Equals(CmsObjectIdentifiers.SignedData)) AddPkcs7(result, der, null, cache);
            else result.Errors.Add((null, $"the {Describe(extension)} holds content of type {oid.Id}, which is not read"));
            return result;
        }
        // PFX: SEQUENCE { INTEGER 3, ContentInfo, MacData? }.
        if (seq.Count >= 2 && seq[0] is DerInteger && seq[1] is Asn1Sequence)
        {
            LoadPkcs12(result, der);
            return result;
        }
        result.Errors.Add((null, $"the {Describe(extension)} is DER but not a certificate, CRL, PKCS#7 or PKCS#12 structure"));
        return result;
    }

    private static string Describe(string extension) => extension.Length > 0 ? $"{extension} file" : "file";

    private static void AddCertificate(LoadedContainer result, byte[] der, int? line, bool trusted, CertificateCache? cache)
    {
        byte[] body = der;
        if (trusted)
        {
            // OpenSSL's TRUSTED CERTIFICATE: the certificate followed by its trust settings.
            try
            {
                using var stream = new Asn1InputStream(der);
                body = stream.ReadObject().GetEncoded();
            }
            catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex)) { body = der; }
        }
        var parsed = cache is null ? ParsedCertificate.TryParse(body, out string? error) : cache.Parse(body, out error);
        if (parsed is null) result.Errors.Add((line, error ?? "the certificate could not be decoded"));
        else result.Certificates.Add((parsed, line));
    }

    private static void AddCrl(LoadedContainer result, byte[] der, int? line)
    {
        try
        {
            result.Crls.Add(new X509Crl(CertificateList.GetInstance(Asn1Object.FromByteArray(der))));
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            result.Errors.Add((line, $"the CRL could not be decoded ({ex.GetType().Name})"));
        }
    }

    private static void AddPkcs7(LoadedContainer result, byte[] der, int? line, CertificateCache? cache)
    {
        Org.BouncyCastle.Asn1.Cms.SignedData signed;
        try
        {
            var info = Org.BouncyCastle.Asn1.Cms.ContentInfo.GetInstance(Asn1Object.FromByteArray(der));
            signed = Org.BouncyCastle.Asn1.Cms.SignedData.GetInstance(info.Content);
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            result.Errors.Add((line, $"the PKCS#7 structure could not be decoded ({ex.GetType().Name})"));
            return;
        }
        AddSignedData(result, signed, line, cache);
    }

    /// <summary>
    /// The certificates and CRLs of a SignedData already decoded (what <see cref="FromBinary"/> yields for its DER),
    /// so that a signature decoded to be verified is not decoded a second time for its certificates.
    /// </summary>
    public static LoadedContainer FromSignedData(Org.BouncyCastle.Asn1.Cms.SignedData signed, CertificateCache? cache = null)
    {
        var result = new LoadedContainer();
        AddSignedData(result, signed, null, cache);
        return result;
    }

    private static void AddSignedData(LoadedContainer result, Org.BouncyCastle.Asn1.Cms.SignedData signed, int? line, CertificateCache? cache)
    {
        try
        {
            if (signed.Certificates is { } certs)
            {
                foreach (var item in certs)
                {
                    if (item is Asn1Sequence) AddCertificate(result, item.GetEncoded(Asn1Encodable.Der), line, trusted: false, cache);
                }
            }
            if (signed.CRLs is { } crls)
            {
                foreach (var item in crls)
                {
                    if (item is Asn1Sequence) AddCrl(result, item.GetEncoded(Asn1Encodable.Der), line);
                }
            }
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            result.Errors.Add((line, $"the PKCS#7 structure could not be decoded ({ex.GetType().Name})"));
        }
    }

    private static void AddPrivateKey(LoadedContainer result, string label, byte[] der, int? line)
    {
        try
        {
            AsymmetricKeyParameter key = label switch
            {
                "RSA PRIVATE KEY" => ToRsa(RsaPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der))),
                "EC PRIVATE KEY" => PrivateKeyFactory.CreateKey(new PrivateKeyInfo(
                    new AlgorithmIdentifier(Org.BouncyCastle.Asn1.X9.X9ObjectIdentifiers.IdECPublicKey,
                        Org.BouncyCastle.Asn1.Sec.ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der)).Parameters),
                    Asn1Object.FromByteArray(der))),
                _ => PrivateKeyFactory.CreateKey(der),
            };
            if (PublicPart(key) is { } spki) result.PrivateKeys.Add((spki, line));
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            // The credentials detector reports keys; an unreadable one simply cannot be paired.
        }
    }

    private static RsaPrivateCrtKeyParameters ToRsa(RsaPrivateKeyStructure s) =>
        new(s.Modulus, s.PublicExponent, s.PrivateExponent, s.Prime1, s.Prime2, s.Exponent1, s.Exponent2, s.Coefficient);

    /// <summary>The DER SubjectPublicKeyInfo of a private key's public half, when it can be derived.</summary>
    internal static byte[]? PublicPart(AsymmetricKeyParameter key)
    {
        AsymmetricKeyParameter? pub = key switch
        {
            RsaPrivateCrtKeyParameters rsa => new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent),
            ECPrivateKeyParameters ec => new ECPublicKeyParameters(ec.AlgorithmName, ec.Parameters.G.Multiply(ec.D).Normalize(), ec.PublicKeyParamSet ?? throw new ArgumentException("explicit curve")),
            Ed25519PrivateKeyParameters ed => ed.GeneratePublicKey(),
            _ => null,
        };
        return pub is null ? null : SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pub).GetEncoded(Asn1Encodable.Der);
    }

    private static void LoadPkcs12(LoadedContainer result, byte[] der)
    {
        foreach (var password in new[] { string.Empty, null })
        {
            try
            {
                var store = new Pkcs12StoreBuilder().Build();
                store.Load(new MemoryStream(der, writable: false), password?.ToCharArray() ?? []);
                foreach (string alias in store.Aliases)
                {
                    if (store.GetCertificate(alias) is { } entry)
                    {
                        var parsed = ParsedCertificate.TryWrap(entry.Certificate, out string? error);
                        if (parsed is null) result.Errors.Add((null, error!));
                        else if (!result.Certificates.Exists(c => c.Certificate.Sha256 == parsed.Sha256)) result.Certificates.Add((parsed, null));
                    }
                    if (store.IsKeyEntry(alias) && store.GetKey(alias)?.Key is { } key)
                    {
                        result.UnprotectedPkcs12 = true;
                        if (PublicPart(key) is { } spki) result.PrivateKeys.Add((spki, null));
                    }
                    foreach (var chainEntry in store.GetCertificateChain(alias) ?? [])
                    {
                        var parsed = ParsedCertificate.TryWrap(chainEntry.Certificate, out _);
                        if (parsed is not null && !result.Certificates.Exists(c => c.Certificate.Sha256 == parsed.Sha256)) result.Certificates.Add((parsed, null));
                    }
                }
                return;
            }
            catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
            {
                // Wrong password (MAC mismatch) or malformed: try the next, then give up.
            }
        }
        result.PasswordProtected = true;
    }

    private static void LoadJks(LoadedContainer result, byte[] bytes)
    {
        try
        {
            var store = new JksStore();
            store.LoadUnchecked(new MemoryStream(bytes, writable: false));
            foreach (string alias in store.Aliases)
            {
                var certs = store.GetCertificateChain(alias) ?? (store.GetCertificate(alias) is { } one ? [one] : []);
                foreach (var cert in certs)
                {
                    var parsed = ParsedCertificate.TryWrap(cert, out string? error);
                    if (parsed is null) result.Errors.Add((null, error!));
                    else if (!result.Certificates.Exists(c => c.Certificate.Sha256 == parsed.Sha256)) result.Certificates.Add((parsed, null));
                }
            }
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            result.Errors.Add((null, $"the Java keystore could not be decoded ({ex.GetType().Name})"));
        }
    }
}
