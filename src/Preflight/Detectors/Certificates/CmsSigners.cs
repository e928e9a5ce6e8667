using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Preflight.Detectors.Certificates;

/// <summary>What checking one CMS SignerInfo found.</summary>
/// <param name="Signer">The signer's certificate, when the SignedData includes it.</param>
/// <param name="Verified">True when the message digest matches the content and the signature verifies with the signer's key.</param>
/// <param name="Problem">Why it did not verify, or why it could not be checked (<see cref="Unverifiable"/>).</param>
/// <param name="Unverifiable">True when nothing could be decided (unsupported algorithm, signer certificate missing).</param>
/// <param name="SigningTime">The time from a verified timestamp token, else the signed signingTime attribute (not trusted), else null.</param>
/// <param name="Timestamped">True when <paramref name="SigningTime"/> comes from a timestamp token whose imprint and signature verify.</param>
/// <param name="Countersigners">The countersigners' subjects (NuGet repository countersignatures), parsed but not verified.</param>
/// <param name="Certificates">Every certificate the SignedData carries (the signer's chain among them).</param>
internal sealed record SignerCheck(
    BcCertificate? Signer,
    bool Verified,
    string? Problem,
    bool Unverifiable,
    DateTime? SigningTime,
    bool Timestamped,
    IReadOnlyList<string> Countersigners,
    IReadOnlyList<BcCertificate> Certificates);

/// <summary>
/// Checks CMS SignerInfos by hand over the ASN.1 (BouncyCastle decodes; the checks are ours): the message
/// digest attribute against the content, the signature over the DER of the signed attributes with the
/// signer's key, the RFC 3161 timestamp token in the unsigned attributes. Parsing by hand is what lets a
/// NuGet repository countersignature (whose signed attributes carry a content-type, which BouncyCastle's
/// <c>SignerInformation</c> rejects for countersignatures) and Authenticode's non-data content pass.
/// </summary>
internal static class CmsSigners
{
    private const string MessageDigestOid = "1.2.840.113549.1.9.4";
    private const string SigningTimeOid = "1.2.840.113549.1.9.5";
    private const string CounterSignatureOid = "1.2.840.113549.1.9.6";
    private const string TimeStampTokenOid = "1.2.840.113549.1.9.16.2.14";
    private const string MicrosoftTimeStampTokenOid = "1.3.6.1.4.1.311.3.3.1"; // Authenticode's RFC 3161 countersignature

    /// <summary>The .NET hash for a digest algorithm OID, or null when unsupported.</summary>
    public static HashAlgorithmName? HashFor(string oid) => oid switch
    {
        "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>Hashes <paramref name="data"/> with <paramref name="name"/>.</summary>
    public static byte[] Hash(HashAlgorithmName name, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(name);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    /// <summary>Decodes a ContentInfo holding SignedData; null when it is something else.</summary>
    public static SignedData? ReadSignedData(byte[] der)
    {
        var info = ContentInfo.GetInstance(Asn1Object.FromByteArray(der));
        return info.ContentType.Equals(CmsObjectIdentifiers.SignedData) ? SignedData.GetInstance(info.Content) : null;
    }

    /// <summary>The certificates a SignedData carries.</summary>
    public static List<BcCertificate> Certificates(SignedData signed)
    {
        var result = new List<BcCertificate>();
        if (signed.Certificates is null) return result;
        foreach (var item in signed.Certificates)
        {
            if (item is Asn1Sequence seq) result.Add(new BcCertificate(Org.BouncyCastle.Asn1.X509.X509CertificateStructure.GetInstance(seq)));
        }
        return result;
    }

    /// <summary>
    /// Checks one signer over content whose digest input is <paramref name="content"/> (for Authenticode: the
    /// contents octets of SpcIndirectDataContent, without its tag and length).
    /// </summary>
    public static SignerCheck Check(SignerInfo signer, IReadOnlyList<BcCertificate> certificates, byte[] content, CertificateCache? cache = null) =>
        Check(signer, certificates, hash => Hash(hash, content), content, countersignatures: true, cache);

    /// <summary>Checks one signer over content known only by its digest (a detached signature over a large file).</summary>
    /// <param name="signer">The SignerInfo.</param>
    /// <param name="certificates">The SignedData's certificates.</param>
    /// <param name="digestOf">Computes the content's digest with the signer's digest algorithm.</param>
    /// <param name="content">The content itself, needed only when the signer has no signed attributes.</param>
    /// <param name="cache">The scan's cache of imported public keys, if any.</param>
    public static SignerCheck Check(SignerInfo signer, IReadOnlyList<BcCertificate> certificates, Func<HashAlgorithmName, byte[]> digestOf, byte[]? content, CertificateCache? cache = null) =>
        Check(signer, certificates, digestOf, content, countersignatures: true, cache);

    private static SignerCheck Check(SignerInfo signer, IReadOnlyList<BcCertificate> certificates, Func<HashAlgorithmName, byte[]> digestOf, byte[]? content, bool countersignatures, CertificateCache? cache)
    {
        var cert = FindSigner(signer.SignerID, certificates);
        var countersigners = countersignatures ? Countersigners(signer, certificates) : [];
        var (time, timestamped) = SigningTime(signer, certificates, countersignatures, cache);
        SignerCheck Result(bool ok, string? problem, bool unverifiable = false) =>
            new(cert, ok, problem, unverifiable, time, timestamped, countersigners, certificates);

        string digestOid = signer.DigestAlgorithm.Algorithm.Id;
        if (HashFor(digestOid) is not { } hashName) return Result(false, $"the digest algorithm {digestOid} is not supported", unverifiable: true);
        if (cert is null) return Result(false, "the signer's certificate is not included", unverifiable: true);
        byte[] digest = digestOf(hashName);
        byte[] signedBytes;
        if (signer.SignedAttrs is { } attrs)
        {
            var md = Attribute(attrs, MessageDigestOid);
            if (md is null || md.AttrValues.Count != 1 || md.AttrValues[0] is not Asn1OctetString expected)
                return Result(false, "the signed attributes hold no message digest");
            if (!expected.GetOctets().AsSpan().SequenceEqual(digest))
                return Result(false, "the signed content's digest does not match: the content was altered after signing");
            signedBytes = attrs.GetEncoded(Asn1Encodable.Der);
        }
        else if (content is not null)
        {
            signedBytes = content;
        }
        else
        {
            return Result(false, "the signature has no signed attributes over a large file; it is not checked", unverifiable: true);
        }
        if (!VerifyRaw(hashName, cert, signedBytes, signer.Signature.GetOctets(), cache, out string? unsupported))
        {
            return unsupported is not null
                ? Result(false, unsupported, unverifiable: true)
                : Result(false, "the signature value does not verify with the signer's key: the signature or the signed attributes were altered");
        }
        return Result(true, null);
    }

    private static bool VerifyRaw(HashAlgorithmName hash, BcCertificate cert, byte[] data, byte[] signature, CertificateCache? cache, out string? unsupported)
    {
        unsupported = null;
        // The platform's RSA and ECDSA first: BouncyCastle's RsaKeyParameters runs a probabilistic primality test on
        // every modulus it is given (tens of milliseconds per 2048-bit key, more for 4096), which made a package of
        // signed assemblies spend most of its scan time proving that Microsoft's keys are composite.
        try
        {
            if (SignatureVerifier.TryVerifyWithPlatform(hash, cert.CertificateStructure.SubjectPublicKeyInfo, data, signature, cache) is { } verified)
                return verified;
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            // Fall through: BouncyCastle says why the key cannot be used.
        }
        AsymmetricKeyParameter key;
        try
        {
            key = cert.GetPublicKey();
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            unsupported = "the signer's public key could not be decoded";
            return false;
        }
        string algorithm = key switch
        {
            RsaKeyParameters => "RSA",
            ECPublicKeyParameters => "ECDSA",
            _ => string.Empty,
        };
        if (algorithm.Length == 0)
        {
            unsupported = "the signer's key type is not supported";
            return false;
        }
        try
        {
            var verifier = SignerUtilities.GetSigner($"{hash.Name}with{algorithm}");
            verifier.Init(false, key);
            verifier.BlockUpdate(data, 0, data.Length);
            return verifier.VerifySignature(signature);
        }
        catch (Exception ex) when (ex is CryptoException or SecurityUtilityException || ParsedCertificate.IsParseFailure(ex))
        {
            return false;
        }
    }

    private static BcCertificate? FindSigner(SignerIdentifier id, IReadOnlyList<BcCertificate> certificates)
    {
        if (id.ID is Asn1OctetString ski)
        {
            byte[] wanted = ski.GetOctets();
            return certificates.FirstOrDefault(c =>
                c.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.SubjectKeyIdentifier) is { } ext
                && Asn1OctetString.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetOctets().AsSpan().SequenceEqual(wanted));
        }
        var issuerSerial = IssuerAndSerialNumber.GetInstance(id.ID);
        return certificates.FirstOrDefault(c => c.SerialNumber.Equals(issuerSerial.SerialNumber.Value) && c.IssuerDN.Equivalent(issuerSerial.Issuer));
    }

    private static Org.BouncyCastle.Asn1.Cms.Attribute? Attribute(Asn1Set attrs, string oid)
    {
        foreach (var item in attrs)
        {
            var attr = Org.BouncyCastle.Asn1.Cms.Attribute.GetInstance(item);
            if (attr.AttrType.Id == oid) return attr;
        }
        return null;
    }

    private static List<string> Countersigners(SignerInfo signer, IReadOnlyList<BcCertificate> certificates)
    {
        var names = new List<string>();
        if (signer.UnsignedAttrs is not { } unsigned || Attribute(unsigned, CounterSignatureOid) is not { } attr) return names;
        foreach (var value in attr.AttrValues)
        {
            try
            {
                var counter = SignerInfo.GetInstance(value);
                var cert = FindSigner(counter.SignerID, certificates);
                names.Add(cert is null ? "(certificate not included)" : ParsedCertificate.Display(cert.SubjectDN));
            }
            catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
            {
                names.Add("(malformed countersignature)");
            }
        }
        return names;
    }

    private static bool IsTimestampAuthority(BcCertificate certificate) =>
        certificate.GetExtendedKeyUsage()?.Any(static o => o.Id == "1.3.6.1.5.5.7.3.8") == true;

    private static (DateTime? Time, bool Timestamped) SigningTime(SignerInfo signer, IReadOnlyList<BcCertificate> certificates, bool countersignatures, CertificateCache? cache)
    {
        // Tokens and countersignatures are looked at one level deep only (hostile input could nest them without end).
        if (!countersignatures) return (SignedSigningTime(signer), false);
        if (signer.UnsignedAttrs is { } unsigned
            && (Attribute(unsigned, TimeStampTokenOid) ?? Attribute(unsigned, MicrosoftTimeStampTokenOid)) is { AttrValues.Count: > 0 } tst)
        {
            try
            {
                var tokenInfo = ContentInfo.GetInstance(tst.AttrValues[0]);
                var info = new TimeStampToken(tokenInfo).TimeStampInfo;
                // The token's own signature is checked like any signer (BouncyCastle's TimeStampToken.Validate also
                // demands a critical EKU, which Microsoft's time-stamp certificates do not mark): the TSA's key must
                // verify the TSTInfo, the TSA certificate must allow time stamping and be valid at the time it states.
                var tokenSigned = SignedData.GetInstance(tokenInfo.Content);
                var tokenCertificates = Certificates(tokenSigned).Concat(certificates).ToList();
                byte[] tstInfo = Asn1OctetString.GetInstance(tokenSigned.EncapContentInfo.Content).GetOctets();
                if (HashFor(info.MessageImprintAlgOid) is { } hash
                    && Hash(hash, signer.Signature.GetOctets()).AsSpan().SequenceEqual(info.GetMessageImprintDigest())
                    && tokenSigned.SignerInfos.Count == 1)
                {
                    var check = Check(SignerInfo.GetInstance(tokenSigned.SignerInfos[0]), tokenCertificates, h => Hash(h, tstInfo), tstInfo, countersignatures: false, cache);
                    if (check is { Verified: true, Signer: { } tsa } && IsTimestampAuthority(tsa) && tsa.IsValid(info.GenTime))
                        return (info.GenTime, true);
                }
            }
            catch (Exception ex) when (ex is TspException or Org.BouncyCastle.Cms.CmsException || ParsedCertificate.IsParseFailure(ex))
            {
                // An unusable timestamp is ignored: the signed signingTime (untrusted) or the evaluation time is used.
            }
        }
        // Authenticode's older timestamps: a PKCS#9 countersignature over the signature value by a timestamping
        // authority (EKU id-kp-timeStamping), whose signed signingTime is the time. Only one level deep.
        if (countersignatures && signer.UnsignedAttrs is { } unsignedAttrs && Attribute(unsignedAttrs, CounterSignatureOid) is { } counterAttr)
        {
            byte[] signatureValue = signer.Signature.GetOctets();
            foreach (var value in counterAttr.AttrValues)
            {
                try
                {
                    var counter = SignerInfo.GetInstance(value);
                    var check = Check(counter, certificates, hash => Hash(hash, signatureValue), signatureValue, countersignatures: false, cache);
                    if (check is { Verified: true, SigningTime: { } counterTime, Signer: { } tsa } && IsTimestampAuthority(tsa) && tsa.IsValid(counterTime))
                        return (counterTime, true);
                }
                catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
                {
                    // A malformed countersignature dates nothing.
                }
            }
        }
        return (SignedSigningTime(signer), false);
    }

    private static DateTime? SignedSigningTime(SignerInfo signer)
    {
        if (signer.SignedAttrs is not { } attrs || Attribute(attrs, SigningTimeOid) is not { AttrValues.Count: > 0 } st) return null;
        try
        {
            return Time.GetInstance(st.AttrValues[0]).ToDateTime();
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            return null;
        }
    }
}
