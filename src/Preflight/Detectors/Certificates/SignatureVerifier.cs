using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;

namespace Preflight.Detectors.Certificates;

/// <summary>
/// Verifies a certificate's signature with its issuer's public key. RSA PKCS#1 v1.5 and ECDSA on the NIST
/// curves go through the platform's primitives (fast, and free of BouncyCastle's per-key RSA modulus
/// validation, which costs tens of milliseconds per key); every other algorithm goes through BouncyCastle.
/// Only the primitive is used: no certificate store, no chain engine.
/// </summary>
internal static class SignatureVerifier
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string EcPublicKey = "1.2.840.10045.2.1";

    /// <summary>True when the issuer key verifies <paramref name="signature"/> over <paramref name="signed"/>.</summary>
    public static bool Verify(string signatureOid, byte[] signed, byte[] signature, SubjectPublicKeyInfo issuerSpki, byte[] issuerSpkiDer, Func<AsymmetricKeyParameter?> bouncyCastleKey, Func<AsymmetricKeyParameter, bool> bouncyCastleVerify)
    {
        string keyOid = issuerSpki.Algorithm.Algorithm.Id;
        try
        {
            if (RsaHash(signatureOid) is { } rsaHash)
            {
                if (keyOid != RsaEncryption) return false;
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(issuerSpkiDer, out _);
                return rsa.VerifyData(signed, signature, rsaHash, RSASignaturePadding.Pkcs1);
            }
            if (EcdsaHash(signatureOid) is { } ecHash)
            {
                if (keyOid != EcPublicKey) return false;
                if (issuerSpki.Algorithm.Parameters is DerObjectIdentifier curve
                    && curve.Id is "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35")
                {
                    using var ec = ECDsa.Create();
                    ec.ImportSubjectPublicKeyInfo(issuerSpkiDer, out _);
                    return ec.VerifyData(signed, signature, ecHash, DSASignatureFormat.Rfc3279DerSequence);
                }
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
        var key = bouncyCastleKey();
        return key is not null && bouncyCastleVerify(key);
    }

    /// <summary>
    /// Verifies a signature made with <paramref name="hash"/> and the key in <paramref name="spki"/> (RSA PKCS#1 v1.5,
    /// or ECDSA on a NIST curve) with the platform's primitives; null when the key is of another kind or curve, so
    /// that the caller falls back to BouncyCastle. This is the CMS signer path: the digest algorithm comes from the
    /// SignerInfo, the key from the signer's certificate. With a <paramref name="cache"/>, the key is imported once per scan.
    /// </summary>
    public static bool? TryVerifyWithPlatform(HashAlgorithmName hash, SubjectPublicKeyInfo spki, byte[] data, byte[] signature, CertificateCache? cache = null)
    {
        string keyOid = spki.Algorithm.Algorithm.Id;
        bool nistCurve = keyOid == EcPublicKey && spki.Algorithm.Parameters is DerObjectIdentifier curve
            && curve.Id is "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35";
        if (keyOid != RsaEncryption && !nistCurve) return null;
        if (cache is not null) return cache.VerifyWithPlatform(spki.GetEncoded(Asn1Encodable.Der), keyOid == RsaEncryption, hash, data, signature);
        try
        {
            byte[] der = spki.GetEncoded(Asn1Encodable.Der);
            if (keyOid == RsaEncryption)
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(der, out _);
                return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
            }
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(der, out _);
            return ec.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            // A key the platform refuses (malformed, or an RSA modulus it will not import) is checked by BouncyCastle,
            // which gives the detailed reason.
            return null;
        }
    }

    private static HashAlgorithmName? RsaHash(string oid) => oid switch
    {
        "1.2.840.113549.1.1.5" => HashAlgorithmName.SHA1,
        "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
        "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
        "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
        _ => null,
    };

    private static HashAlgorithmName? EcdsaHash(string oid) => oid switch
    {
        "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
        "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        _ => null,
    };
}
