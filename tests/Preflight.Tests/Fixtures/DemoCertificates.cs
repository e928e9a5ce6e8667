using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Preflight.Tests.Fixtures;

/// <summary>
/// The demo package's certificates, generated with BouncyCastle at fixed dates from a seeded generator, so the
/// same PEM comes out every time: a private root CA and the worker's client certificate it issued, which expires
/// 13 days after the demo's evaluation time (2026-11-27). Only the certificates are written; no private key
/// is shipped. Ground truth: <c>fixtures/dten/EXPECTED.md</c>.
/// </summary>
internal static class DemoCertificates
{
    /// <summary>Path of the root CA in the source tree.</summary>
    public const string RootPath = "etc/dten/tls/dten-root-ca.pem";

    /// <summary>Path of the worker's client certificate in the source tree.</summary>
    public const string WorkerPath = "etc/dten/tls/worker.crt";

    /// <summary>The PEM text of both certificates, keyed by their path in the source tree.</summary>
    public static IReadOnlyDictionary<string, string> Generate()
    {
        var random = new SecureRandom(new DigestRandomGenerator(new Sha256Digest()));
        random.SetSeed("Full-upgrade-package-dten 5.0.0"u8.ToArray());

        var rootKey = NewKey(random);
        var rootName = new X509Name("C=DE, O=Dten Systems, CN=Dten Internal Root CA");
        var root = new X509V3CertificateGenerator();
        root.SetSerialNumber(BigInteger.ValueOf(0x1001));
        root.SetIssuerDN(rootName);
        root.SetSubjectDN(rootName);
        root.SetNotBefore(new DateTime(2024, 1, 15, 0, 0, 0, DateTimeKind.Utc));
        root.SetNotAfter(new DateTime(2034, 1, 15, 0, 0, 0, DateTimeKind.Utc));
        root.SetPublicKey(rootKey.Public);
        root.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
        root.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        root.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(rootKey.Public));
        var rootCert = root.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", rootKey.Private, random));

        var workerKey = NewKey(random);
        var worker = new X509V3CertificateGenerator();
        worker.SetSerialNumber(BigInteger.ValueOf(0x2A5F));
        worker.SetIssuerDN(rootName);
        worker.SetSubjectDN(new X509Name("C=DE, O=Dten Systems, OU=Order Processing, CN=worker.dten-cloud.io"));
        worker.SetNotBefore(new DateTime(2025, 12, 10, 0, 0, 0, DateTimeKind.Utc));
        worker.SetNotAfter(new DateTime(2026, 12, 10, 0, 0, 0, DateTimeKind.Utc));
        worker.SetPublicKey(workerKey.Public);
        worker.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        worker.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        worker.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth));
        worker.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, "worker.dten-cloud.io")));
        worker.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(rootCert));
        worker.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(workerKey.Public));
        var workerCert = worker.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", rootKey.Private, random));

        return new Dictionary<string, string>
        {
            [RootPath] = ToPem(rootCert),
            [WorkerPath] = ToPem(workerCert),
        };
    }

    /// <summary>A P-256 key pair from the seeded generator (shared with <see cref="DemoSigning"/>).</summary>
    internal static AsymmetricCipherKeyPair NewKey(SecureRandom random)
    {
        var generator = new ECKeyPairGenerator("EC");
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        return generator.GenerateKeyPair();
    }

    /// <summary>PEM with LF line ends, the same on every platform.</summary>
    internal static string ToPem(X509Certificate certificate)
    {
        using var text = new StringWriter { NewLine = "\n" };
        var pem = new PemWriter(text);
        pem.WriteObject(certificate);
        pem.Writer.Flush();
        return text.ToString();
    }
}
