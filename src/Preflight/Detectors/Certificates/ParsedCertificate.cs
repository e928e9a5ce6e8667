using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Preflight.Detectors.Certificates;

/// <summary>
/// A certificate decoded once, with the extensions the validator and the detector need already parsed.
/// Problems found while parsing the extensions are kept in <see cref="Defects"/> instead of throwing.
/// </summary>
internal sealed class ParsedCertificate
{
    private readonly Lock _publicKeyLock = new();
    private AsymmetricKeyParameter? _publicKey;
    private bool _publicKeyDone;

    private ParsedCertificate(BcCertificate certificate, byte[] encoded)
    {
        Certificate = certificate;
        Encoded = encoded;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(encoded));
        Subject = certificate.SubjectDN;
        Issuer = certificate.IssuerDN;
        SubjectText = Display(Subject);
        IssuerText = Display(Issuer);
        SubjectDer = Subject.GetEncoded();
        IssuerDer = Issuer.GetEncoded();
        SpkiDer = certificate.CertificateStructure.SubjectPublicKeyInfo.GetEncoded();
        IsSelfIssued = SubjectDer.AsSpan().SequenceEqual(IssuerDer);
        SubjectIsEmpty = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(SubjectDer)).Count == 0;
        IssuerIsEmpty = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(IssuerDer)).Count == 0;
        ParseExtensions();
    }

    /// <summary>The BouncyCastle certificate.</summary>
    public BcCertificate Certificate { get; }

    /// <summary>The DER encoding.</summary>
    public byte[] Encoded { get; }

    /// <summary>SHA-256 of the DER encoding, lower-case hex.</summary>
    public string Sha256 { get; }

    public X509Name Subject { get; }

    /// <summary>The subject as people read it (RFC 4514 order: CN first).</summary>
    public string SubjectText { get; }

    /// <summary>The issuer as people read it (RFC 4514 order: CN first).</summary>
    public string IssuerText { get; }

    /// <summary>A distinguished name in RFC 4514 order (most specific RDN first), as OpenSSL and .NET show it.</summary>
    public static string Display(X509Name name) => name.ToString(true, X509Name.DefaultSymbols);
    public X509Name Issuer { get; }
    public byte[] SubjectDer { get; }
    public byte[] IssuerDer { get; }
    public byte[] SpkiDer { get; }

    public bool SubjectIsEmpty { get; }
    public bool IssuerIsEmpty { get; }

    /// <summary>Subject and issuer names are equal.</summary>
    public bool IsSelfIssued { get; }

    /// <summary>Extension problems (duplicate, malformed, unknown critical) that make the certificate invalid in any path.</summary>
    public List<string> Defects { get; } = [];

    public List<string> UnknownCriticalExtensions { get; } = [];

    public BasicConstraints? BasicConstraints { get; private set; }
    public bool BasicConstraintsCritical { get; private set; }
    public int? KeyUsageBits { get; private set; }
    public IReadOnlyList<string>? ExtendedKeyUsages { get; private set; }
    public bool ExtendedKeyUsageCritical { get; private set; }
    public GeneralName[]? SubjectAlternativeNames { get; private set; }
    public bool SubjectAlternativeNamesCritical { get; private set; }
    public NameConstraintSet? NameConstraints { get; private set; }
    public bool NameConstraintsCritical { get; private set; }
    public byte[]? SubjectKeyId { get; private set; }
    public bool SubjectKeyIdCritical { get; private set; }
    public AuthorityKeyIdentifier? AuthorityKeyId { get; private set; }
    public bool AuthorityKeyIdCritical { get; private set; }
    public bool HasPolicyConstraints { get; private set; }
    public bool PolicyConstraintsCritical { get; private set; }
    public bool AuthorityInfoAccessCritical { get; private set; }
    public IReadOnlyList<string> CaIssuerUrls { get; private set; } = [];

    /// <summary>True when basicConstraints says cA.</summary>
    public bool IsCa => BasicConstraints?.IsCA() == true;

    /// <summary>Self-issued and its signature verifies with its own key.</summary>
    public bool IsSelfSigned => IsSelfIssued && SignedBy(this);

    /// <summary>The public key, or null when it cannot be decoded (unsupported or malformed).</summary>
    public AsymmetricKeyParameter? PublicKey
    {
        get
        {
            // Locked: one instance is shared by every entry (and worker) that carries the same certificate.
            lock (_publicKeyLock)
            {
                if (!_publicKeyDone)
                {
                    try { _publicKey = Certificate.GetPublicKey(); }
                    catch (Exception ex) when (IsParseFailure(ex)) { _publicKey = null; }
                    _publicKeyDone = true;
                }
                return _publicKey;
            }
        }
    }

    /// <summary>Parses one DER certificate; null with a reason when it is malformed.</summary>
    public static ParsedCertificate? TryParse(ReadOnlySpan<byte> der, out string? error)
    {
        try
        {
            var structure = X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der.ToArray()));
            var cert = new BcCertificate(structure);
            error = null;
            return new ParsedCertificate(cert, structure.GetEncoded(Asn1Encodable.Der));
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            error = $"the certificate's DER structure could not be decoded ({ex.GetType().Name})";
            return null;
        }
    }

    /// <summary>Wraps a certificate BouncyCastle already decoded; null when its extensions cannot be read at all.</summary>
    public static ParsedCertificate? TryWrap(BcCertificate certificate, out string? error)
    {
        try
        {
            error = null;
            return new ParsedCertificate(certificate, certificate.GetEncoded());
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            error = $"the certificate could not be decoded ({ex.GetType().Name})";
            return null;
        }
    }

    private readonly Dictionary<string, bool> _signedBy = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="issuer"/>'s key verifies this certificate's signature (cached).</summary>
    public bool SignedBy(ParsedCertificate issuer)
    {
        lock (_signedBy)
        {
            if (_signedBy.TryGetValue(issuer.Sha256, out bool cached)) return cached;
        }
        bool ok;
        try
        {
            var structure = Certificate.CertificateStructure;
            ok = SignatureVerifier.Verify(
                Certificate.SigAlgOid,
                structure.TbsCertificate.GetEncoded(Asn1Encodable.Der),
                structure.Signature.GetOctets(),
                issuer.Certificate.CertificateStructure.SubjectPublicKeyInfo,
                issuer.SpkiDer,
                () => issuer.PublicKey,
                key => Certificate.IsSignatureValid(key));
        }
        catch (Exception ex) when (IsParseFailure(ex)) { ok = false; }
        lock (_signedBy) _signedBy[issuer.Sha256] = ok;
        return ok;
    }

    /// <summary>The exceptions BouncyCastle throws for malformed input.</summary>
    public static bool IsParseFailure(Exception ex) =>
        ex is ArgumentException or InvalidOperationException or IOException or FormatException or InvalidCastException
            or IndexOutOfRangeException or OverflowException or NullReferenceException or CryptoException
            or Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Security.GeneralSecurityException
            or Org.BouncyCastle.Asn1.Asn1ParsingException or Org.BouncyCastle.Security.SecurityUtilityException
            or NotSupportedException or NotImplementedException;

    private void ParseExtensions()
    {
        var extensions = Certificate.CertificateStructure.TbsCertificate.Extensions;
        if (extensions is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var oid in extensions.ExtensionOids)
        {
            if (!seen.Add(oid.Id)) Defects.Add($"extension {oid.Id} appears twice");
            var ext = extensions.GetExtension(oid);
            try
            {
                ParseExtension(oid, ext);
            }
            catch (Exception ex) when (IsParseFailure(ex))
            {
                Defects.Add($"extension {oid.Id} is malformed");
            }
        }
    }

    private void ParseExtension(DerObjectIdentifier oid, X509Extension ext)
    {
        var value = ext.Value.GetOctets();
        bool critical = ext.IsCritical;
        if (oid.Equals(X509Extensions.BasicConstraints))
        {
            BasicConstraints = BasicConstraints.GetInstance(Asn1Object.FromByteArray(value));
            BasicConstraintsCritical = critical;
        }
        else if (oid.Equals(X509Extensions.KeyUsage))
        {
            var bits = DerBitString.GetInstance(Asn1Object.FromByteArray(value));
            KeyUsageBits = bits.IntValue;
        }
        else if (oid.Equals(X509Extensions.ExtendedKeyUsage))
        {
            var seq = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(value));
            var list = new List<string>(seq.Count);
            foreach (var item in seq) list.Add(DerObjectIdentifier.GetInstance(item).Id);
            ExtendedKeyUsages = list;
            ExtendedKeyUsageCritical = critical;
        }
        else if (oid.Equals(X509Extensions.SubjectAlternativeName))
        {
            SubjectAlternativeNames = GeneralNames.GetInstance(Asn1Object.FromByteArray(value)).GetNames();
            SubjectAlternativeNamesCritical = critical;
        }
        else if (oid.Equals(X509Extensions.NameConstraints))
        {
            NameConstraints = NameConstraintSet.Parse(value);
            NameConstraintsCritical = critical;
        }
        else if (oid.Equals(X509Extensions.SubjectKeyIdentifier))
        {
            SubjectKeyId = Asn1OctetString.GetInstance(Asn1Object.FromByteArray(value)).GetOctets();
            SubjectKeyIdCritical = critical;
        }
        else if (oid.Equals(X509Extensions.AuthorityKeyIdentifier))
        {
            AuthorityKeyId = AuthorityKeyIdentifier.GetInstance(Asn1Object.FromByteArray(value));
            AuthorityKeyIdCritical = critical;
        }
        else if (oid.Equals(X509Extensions.PolicyConstraints))
        {
            HasPolicyConstraints = true;
            PolicyConstraintsCritical = critical;
        }
        else if (oid.Equals(X509Extensions.AuthorityInfoAccess))
        {
            AuthorityInfoAccessCritical = critical;
            var aia = AuthorityInformationAccess.GetInstance(Asn1Object.FromByteArray(value));
            var urls = new List<string>();
            foreach (var description in aia.GetAccessDescriptions())
            {
                if (description.AccessMethod.Equals(AccessDescription.IdADCAIssuers)
                    && description.AccessLocation.TagNo == GeneralName.UniformResourceIdentifier)
                    urls.Add(DerIA5String.GetInstance(description.AccessLocation.Name).GetString());
            }
            CaIssuerUrls = urls;
        }
        else if (oid.Equals(X509Extensions.CertificatePolicies))
        {
            _ = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(value));
        }
        else if (critical && !KnownCritical.Contains(oid.Id))
        {
            UnknownCriticalExtensions.Add(oid.Id);
        }
    }

    private static readonly HashSet<string> KnownCritical = new(StringComparer.Ordinal)
    {
        X509Extensions.InhibitAnyPolicy.Id,
        X509Extensions.PolicyMappings.Id,
        X509Extensions.CertificatePolicies.Id,
    };

    /// <summary>The key-usage bit (BouncyCastle's <see cref="KeyUsage"/> constants) is asserted, or there is no key usage extension.</summary>
    public bool KeyUsageAllows(int bit) => KeyUsageBits is not int bits || (bits & bit) != 0;

    /// <summary>Key algorithm and size for people: ("RSA", 2048), ("EC P-256", 256), ("DSA", 1024).</summary>
    public (string Algorithm, int Size) KeyDescription()
    {
        var spki = Certificate.CertificateStructure.SubjectPublicKeyInfo;
        string oid = spki.Algorithm.Algorithm.Id;
        if (oid == "1.2.840.113549.1.1.1")
        {
            try { return ("RSA", RsaPublicKeyStructure.GetInstance(spki.ParsePublicKey()).Modulus.BitLength); }
            catch (Exception ex) when (IsParseFailure(ex)) { return ("RSA", 0); }
        }
        switch (PublicKey)
        {
            case ECPublicKeyParameters ec:
                string curve = spki.Algorithm.Parameters is DerObjectIdentifier curveOid ? CurveName(curveOid.Id) : "explicit-curve";
                return ($"EC {curve}", ec.Parameters.Curve.FieldSize);
            case DsaPublicKeyParameters dsa:
                return ("DSA", dsa.Parameters?.P.BitLength ?? 0);
            case Ed25519PublicKeyParameters:
                return ("Ed25519", 256);
            case Ed448PublicKeyParameters:
                return ("Ed448", 448);
            default:
                return (oid, 0);
        }
    }

    /// <summary>The curve's common name, or its OID.</summary>
    public static string CurveName(string oid) => oid switch
    {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.2.840.10045.3.1.1" => "P-192",
        "1.3.132.0.33" => "P-224",
        "1.3.132.0.10" => "secp256k1",
        _ => oid,
    };

    public override string ToString() => SubjectText;
}

/// <summary>A CA's name constraints: the bases of its permitted and excluded subtrees (null when absent).</summary>
internal sealed record NameConstraintSet(IReadOnlyList<GeneralName>? Permitted, IReadOnlyList<GeneralName>? Excluded)
{
    /// <summary>Parses the extension value: SEQUENCE { [0] GeneralSubtrees OPTIONAL, [1] GeneralSubtrees OPTIONAL }.</summary>
    public static NameConstraintSet Parse(byte[] value)
    {
        var seq = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(value));
        List<GeneralName>? permitted = null, excluded = null;
        foreach (var item in seq)
        {
            var tagged = Asn1TaggedObject.GetInstance(item);
            var subtrees = Asn1Sequence.GetInstance(tagged, false);
            var list = new List<GeneralName>(subtrees.Count);
            foreach (var s in subtrees) list.Add(GeneralSubtree.GetInstance(s).Base);
            if (tagged.TagNo == 0 && permitted is null) permitted = list;
            else if (tagged.TagNo == 1 && excluded is null) excluded = list;
            else throw new ArgumentException("unexpected field in nameConstraints");
        }
        return new NameConstraintSet(permitted, excluded);
    }
}
