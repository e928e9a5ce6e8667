using System.IO.Compression;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Preflight.Tests.Detectors.Certificates;

/// <summary>A certificate and its key pair, generated in the test.</summary>
internal sealed record Issued(X509Certificate Certificate, AsymmetricCipherKeyPair Keys)
{
    public string Subject => Certificate.SubjectDN.ToString();
}

/// <summary>Generates test PKIs with BouncyCastle at fixed dates (never relative to today).</summary>
internal static class TestPki
{
    public static readonly DateTime Y2024 = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime Y2034 = new(2034, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    /// <summary>The evaluation time most tests use.</summary>
    public static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private static long _serial = 1000;
    private static readonly SecureRandom Random = new();

    public static AsymmetricCipherKeyPair EcKey(string curve = "P-256")
    {
        var gen = new ECKeyPairGenerator();
        gen.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.X9.ECNamedCurveTable.GetOid(curve), Random));
        return gen.GenerateKeyPair();
    }

    public static AsymmetricCipherKeyPair RsaKey(int bits)
    {
        var gen = new RsaKeyPairGenerator();
        gen.Init(new KeyGenerationParameters(Random, bits));
        return gen.GenerateKeyPair();
    }

    public static Issued Root(string name, DateTime? notBefore = null, DateTime? notAfter = null, int? keyUsage = KeyUsage.KeyCertSign | KeyUsage.CrlSign, AsymmetricCipherKeyPair? keys = null)
    {
        keys ??= EcKey();
        return new Issued(Build(name, keys.Public, name, keys, notBefore ?? Y2024, notAfter ?? Y2034, ca: true, pathLen: null, keyUsage, eku: null, dns: null, sigAlg: null), keys);
    }

    public static Issued Intermediate(string name, Issued issuer, DateTime? notBefore = null, DateTime? notAfter = null, int? pathLen = null, int? keyUsage = KeyUsage.KeyCertSign | KeyUsage.CrlSign, AsymmetricCipherKeyPair? keys = null, string[]? permittedDns = null, string[]? excludedDns = null)
    {
        keys ??= EcKey();
        return new Issued(Build(name, keys.Public, issuer.Subject, issuer.Keys, notBefore ?? Y2024, notAfter ?? Y2034, ca: true, pathLen, keyUsage, eku: null, dns: null, sigAlg: null, permittedDns, excludedDns), keys);
    }

    /// <summary>A certificate for an existing key, issued by another CA: a cross-signed root.</summary>
    public static Issued CrossSign(Issued subject, Issued issuer) =>
        new(Build(subject.Subject, subject.Keys.Public, issuer.Subject, issuer.Keys, Y2024, Y2034, ca: true, pathLen: null, KeyUsage.KeyCertSign | KeyUsage.CrlSign, eku: null, dns: null, sigAlg: null), subject.Keys);

    public static Issued Leaf(string name, Issued issuer, DateTime? notBefore = null, DateTime? notAfter = null, string[]? eku = null, string[]? dns = null, AsymmetricCipherKeyPair? keys = null, string? sigAlg = null, bool ca = false, int? keyUsage = KeyUsage.DigitalSignature)
    {
        keys ??= EcKey();
        return new Issued(Build(name, keys.Public, issuer.Subject, issuer.Keys, notBefore ?? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), notAfter ?? new DateTime(2026, 12, 31, 0, 0, 0, DateTimeKind.Utc),
            ca, pathLen: null, keyUsage, eku ?? ["1.3.6.1.5.5.7.3.1"], dns ?? ["app.example.com"], sigAlg), keys);
    }

    public static Issued SelfSignedLeaf(string name, DateTime notBefore, DateTime notAfter)
    {
        var keys = EcKey();
        return new Issued(Build(name, keys.Public, name, keys, notBefore, notAfter, ca: false, pathLen: null, KeyUsage.DigitalSignature, ["1.3.6.1.5.5.7.3.1"], ["self.example.com"], null), keys);
    }

    private static X509Certificate Build(string subject, AsymmetricKeyParameter publicKey, string issuer, AsymmetricCipherKeyPair issuerKeys,
        DateTime notBefore, DateTime notAfter, bool ca, int? pathLen, int? keyUsage, string[]? eku, string[]? dns, string? sigAlg,
        string[]? permittedDns = null, string[]? excludedDns = null)
    {
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(BigInteger.ValueOf(Interlocked.Increment(ref _serial)));
        gen.SetIssuerDN(new X509Name(issuer));
        gen.SetSubjectDN(new X509Name(subject));
        gen.SetNotBefore(notBefore);
        gen.SetNotAfter(notAfter);
        gen.SetPublicKey(publicKey);
        gen.AddExtension(X509Extensions.BasicConstraints, true, pathLen is int p ? new BasicConstraints(p) : new BasicConstraints(ca));
        if (keyUsage is int ku) gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(ku));
        if (eku is not null) gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new DerSequence(eku.Select(static o => (Asn1Encodable)new DerObjectIdentifier(o)).ToArray()));
        if (dns is { Length: > 0 }) gen.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(dns.Select(static d => new GeneralName(GeneralName.DnsName, d)).ToArray()));
        gen.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(KeyId(publicKey)));
        gen.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyId(issuerKeys.Public)));
        if (permittedDns is not null || excludedDns is not null)
        {
            var fields = new List<Asn1Encodable>();
            if (permittedDns is not null) fields.Add(new DerTaggedObject(false, 0, Subtrees(permittedDns)));
            if (excludedDns is not null) fields.Add(new DerTaggedObject(false, 1, Subtrees(excludedDns)));
            gen.AddExtension(X509Extensions.NameConstraints, true, new DerSequence(fields.ToArray()));
        }
        string algorithm = sigAlg ?? (issuerKeys.Private is RsaKeyParameters ? "SHA256WITHRSA" : "SHA256WITHECDSA");
        return gen.Generate(new Asn1SignatureFactory(algorithm, issuerKeys.Private));
    }

    private static byte[] KeyId(AsymmetricKeyParameter key) =>
        System.Security.Cryptography.SHA1.HashData(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key).PublicKey.GetBytes());

    private static DerSequence Subtrees(string[] names) =>
        new(names.Select(static n => (Asn1Encodable)new GeneralSubtree(new GeneralName(GeneralName.DnsName, n))).ToArray());

    /// <summary>A detached CMS SignedData (DER) over <paramref name="content"/>, SHA-256, carrying the signer and <paramref name="chain"/>.</summary>
    public static byte[] SignDetached(byte[] content, Issued signer, params Issued[] chain)
    {
        var gen = new Org.BouncyCastle.Cms.CmsSignedDataGenerator();
        gen.AddSigner(signer.Keys.Private, signer.Certificate, Org.BouncyCastle.Cms.CmsSignedGenerator.DigestSha256);
        gen.AddCertificates(Org.BouncyCastle.Utilities.Collections.CollectionUtilities.CreateStore(new[] { signer.Certificate }.Concat(chain.Select(static c => c.Certificate))));
        return gen.Generate(new Org.BouncyCastle.Cms.CmsProcessableByteArray(content), false).GetEncoded();
    }

    public static string Pem(params X509Certificate[] certificates)
    {
        var sb = new StringBuilder();
        foreach (var c in certificates) sb.Append(PemBlock("CERTIFICATE", c.GetEncoded()));
        return sb.ToString();
    }

    public static string PemBlock(string label, byte[] der)
    {
        var sb = new StringBuilder();
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        string b64 = Convert.ToBase64String(der);
        for (int i = 0; i < b64.Length; i += 64) sb.Append(b64.AsSpan(i, Math.Min(64, b64.Length - i))).Append('\n');
        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }

    public static string PrivateKeyPem(AsymmetricCipherKeyPair keys) =>
        PemBlock("PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(keys.Private).GetEncoded());

    public static byte[] Pkcs12(Issued leaf, string password)
    {
        var store = new Pkcs12StoreBuilder().Build();
        store.SetKeyEntry("key", new AsymmetricKeyEntry(leaf.Keys.Private), [new X509CertificateEntry(leaf.Certificate)]);
        using var ms = new MemoryStream();
        store.Save(ms, password.ToCharArray(), Random);
        return ms.ToArray();
    }

    /// <summary>A temporary folder deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Path = Directory.CreateTempSubdirectory("pf-cert-").FullName;
        public string Path { get; }
        public string File(string name, string text) { var p = System.IO.Path.Combine(Path, name); System.IO.File.WriteAllText(p, text); return p; }
        public string File(string name, byte[] bytes) { var p = System.IO.Path.Combine(Path, name); System.IO.File.WriteAllBytes(p, bytes); return p; }
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>Writes a zip package with the given entries (text or bytes).</summary>
    public static string Zip(TempDir dir, params (string Name, object Content)[] entries)
    {
        string path = System.IO.Path.Combine(dir.Path, $"package-{Guid.NewGuid():N}.zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(content is string text ? Encoding.UTF8.GetBytes(text) : (byte[])content);
        }
        return path;
    }

    /// <summary>A NuGet author signature (CMS with signing time and commitment-type "proof of origin") over <paramref name="content"/>.</summary>
    public static byte[] NuGetAuthorSignature(byte[] content, DateTime signedAt, Issued signer, params Issued[] chain)
    {
        var gen = new Org.BouncyCastle.Cms.CmsSignedDataGenerator();
        var signed = new Org.BouncyCastle.Asn1.Cms.AttributeTable(new Dictionary<DerObjectIdentifier, object>
        {
            [Org.BouncyCastle.Asn1.Cms.CmsAttributes.SigningTime] = new Org.BouncyCastle.Asn1.Cms.Attribute(Org.BouncyCastle.Asn1.Cms.CmsAttributes.SigningTime, new DerSet(new Org.BouncyCastle.Asn1.Cms.Time(signedAt))),
            // commitment-type-indication: proof of origin (an author signature)
            [new DerObjectIdentifier("1.2.840.113549.1.9.16.2.16")] = new Org.BouncyCastle.Asn1.Cms.Attribute(
                new DerObjectIdentifier("1.2.840.113549.1.9.16.2.16"),
                new DerSet(new DerSequence(new DerObjectIdentifier("1.2.840.113549.1.9.16.6.1")))),
        });
        gen.AddSigner(signer.Keys.Private, signer.Certificate, Org.BouncyCastle.Cms.CmsSignedGenerator.DigestSha256, signed, null);
        gen.AddCertificates(Org.BouncyCastle.Utilities.Collections.CollectionUtilities.CreateStore(new[] { signer.Certificate }.Concat(chain.Select(static c => c.Certificate))));
        return gen.Generate(new Org.BouncyCastle.Cms.CmsProcessableByteArray(content), true).GetEncoded();
    }
}
