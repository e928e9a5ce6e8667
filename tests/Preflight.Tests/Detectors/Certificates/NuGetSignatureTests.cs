using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Utilities.Collections;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;
using Preflight.Tests.Support;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

public class NuGetSignatureTests
{
    private static readonly Lazy<Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair> AuthorKey = new(static () => RsaKey(3072));
    private static readonly DateTime SignedAt = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>An unsigned package: a nuspec and a library, deflated, as <c>dotnet pack</c> writes it.</summary>
    private static byte[] UnsignedPackage()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in new[]
            {
                ("acme.agent.nuspec", """<?xml version="1.0"?><package><metadata><id>Acme.Agent</id><version>5.0.0</version></metadata></package>"""),
                ("lib/net10.0/readme.txt", string.Concat(Enumerable.Repeat("Acme agent 5.0 ", 400))),
                ("tools/install.ps1", "Write-Host 'installing acme'"),
            })
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
                using var s = entry.Open();
                s.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return ms.ToArray();
    }

    /// <summary>The primary signature's content, NuGet's "Version:1" text over <paramref name="contentHash"/>.</summary>
    private static byte[] SignatureContent(byte[] contentHash) =>
        Encoding.UTF8.GetBytes($"Version:1\n\n2.16.840.1.101.3.4.2.1-Hash:{Convert.ToBase64String(contentHash)}\n\n");

    private static byte[] AuthorSignature(byte[] content, Issued signer, params Issued[] chain) => NuGetAuthorSignature(content, SignedAt, signer, chain);

    /// <summary>
    /// Adds <c>.signature.p7s</c> (stored) as the last entry the way NuGet does: its local entry right before
    /// the central directory, its record last, the end record's counts, size and offset updated.
    /// </summary>
    internal static byte[] AppendSignatureEntry(byte[] unsigned, byte[] signature)
    {
        int eocd = unsigned.Length - 22;
        BinaryPrimitives.ReadUInt32LittleEndian(unsigned.AsSpan(eocd)).Should().Be(0x06054b50u, "the test zip has no comment");
        int cdSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(unsigned.AsSpan(eocd + 12));
        int cdOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(unsigned.AsSpan(eocd + 16));
        ushort entries = BinaryPrimitives.ReadUInt16LittleEndian(unsigned.AsSpan(eocd + 10));
        byte[] name = ".signature.p7s"u8.ToArray();
        var crc32 = new ICSharpCode.SharpZipLib.Checksum.Crc32();
        crc32.Update(signature);
        uint crc = (uint)crc32.Value;

        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write(unsigned, 0, cdOffset);
        int localOffset = (int)ms.Position;
        w.Write(0x04034b50u); w.Write((ushort)20); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0x5021);
        w.Write(crc); w.Write((uint)signature.Length); w.Write((uint)signature.Length); w.Write((ushort)name.Length); w.Write((ushort)0);
        w.Write(name); w.Write(signature);
        int newCdOffset = (int)ms.Position;
        w.Write(unsigned, cdOffset, cdSize);
        w.Write(0x02014b50u); w.Write((ushort)20); w.Write((ushort)20); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)0x5021);
        w.Write(crc); w.Write((uint)signature.Length); w.Write((uint)signature.Length); w.Write((ushort)name.Length); w.Write((ushort)0); w.Write((ushort)0);
        w.Write((ushort)0); w.Write((ushort)0); w.Write(0u); w.Write((uint)localOffset); w.Write(name);
        int newCdSize = (int)ms.Position - newCdOffset;
        w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)(entries + 1)); w.Write((ushort)(entries + 1));
        w.Write((uint)newCdSize); w.Write((uint)newCdOffset); w.Write((ushort)0);
        return ms.ToArray();
    }

    /// <summary>A package signed by <paramref name="signer"/>: NuGet's content hash of a signed package is the SHA-256 of the package before signing.</summary>
    private static byte[] SignedPackage(Issued signer, params Issued[] chain)
    {
        byte[] unsigned = UnsignedPackage();
        return AppendSignatureEntry(unsigned, AuthorSignature(SignatureContent(SHA256.HashData(unsigned)), signer, chain));
    }

    private static (Issued Root, Issued Ica, Issued Signer) Pki()
    {
        var root = Root("CN=Acme Package Root");
        var ica = Intermediate("CN=Acme Package Signing CA", root);
        var signer = Leaf("CN=Acme Package Author", ica, eku: ["1.3.6.1.5.5.7.3.3"], dns: [], keys: AuthorKey.Value);
        return (root, ica, signer);
    }

    private static async Task<ScanReport> Scan(string path, params string[] trust) =>
        await PreflightScanner.ScanAsync(path, ScanOptions.Default with
        {
            AsOf = AsOf,
            TrustedRoots = trust,
            EnabledDetectors = new HashSet<string> { "certificates" },
        });

    [Test]
    public void Signed_package_content_hash_equals_the_hash_of_the_package_before_signing()
    {
        var (_, ica, signer) = Pki();
        byte[] unsigned = UnsignedPackage();
        byte[] signedPackage = AppendSignatureEntry(unsigned, AuthorSignature(SignatureContent(SHA256.HashData(unsigned)), signer, ica));

        using var stream = new MemoryStream(signedPackage);
        var read = Preflight.Detectors.Certificates.NuGetSignatures.TryRead(string.Empty, stream);

        read.Should().NotBeNull();
        read!.Problem.Should().BeNull();
        read.Actual.Should().Equal(SHA256.HashData(unsigned));
        read.Expected.Should().Equal(SHA256.HashData(unsigned));
    }

    [Test]
    public async Task Scan_accepts_a_validly_signed_nupkg_from_a_trusted_author()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        string package = dir.File("acme.agent.5.0.0.nupkg", SignedPackage(signer, ica));

        var report = await Scan(package, trust);

        report.Findings.Should().BeEmpty();
        report.Inventory.Certificates.Should().Contain(c => c.Subject == "CN=Acme Package Author" && c.Location.Path == ".signature.p7s");
    }

    [Test]
    public async Task Scan_reports_a_nupkg_altered_after_signing_as_critical()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        byte[] bytes = SignedPackage(signer, ica);
        // Change the first entry's modification time in its local header: readers do not care, the content hash does.
        bytes[10] ^= 0x01;
        string package = dir.File("acme.agent.5.0.0.nupkg", bytes);

        var report = await Scan(package, trust);

        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF616").Subject;
        finding.Severity.Should().Be(Severity.Critical);
        finding.Location.Path.Should().Be(".signature.p7s");
        finding.Message.Should().Contain("altered after signing");
    }

    [Test]
    public async Task Scan_reports_the_untrusted_author_of_a_valid_nupkg_signature_naming_the_missing_issuer()
    {
        using var dir = new TempDir();
        var (_, _, signer) = Pki();
        string trust = dir.File("other.pem", Pem(Root("CN=Someone Else").Certificate));
        // The intermediate is not shipped: the author's issuer is missing.
        string package = dir.File("acme.agent.5.0.0.nupkg", SignedPackage(signer));

        var report = await Scan(package, trust);

        report.Findings.Should().NotContain(f => f.RuleId == "PF616" || f.RuleId == "PF618" || f.RuleId == "PF601");
        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF606").Subject;
        finding.Severity.Should().Be(Severity.High);
        finding.Location.Path.Should().Be(".signature.p7s");
        finding.Message.Should().Contain("CN=Acme Package Signing CA");
    }

    [Test]
    public async Task Scan_verifies_a_signed_nupkg_nested_in_the_package()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        byte[] good = SignedPackage(signer, ica);
        byte[] bad = SignedPackage(signer, ica);
        bad[10] ^= 0x01;

        var report = await Scan(Zip(dir, ("feed/acme.agent.5.0.0.nupkg", good), ("feed/acme.tools.5.0.0.nupkg", bad)), trust);

        report.Findings.Should().ContainSingle().Which.Should().Match<Finding>(f =>
            f.RuleId == "PF616" && f.Location.Path == "feed/acme.tools.5.0.0.nupkg!/.signature.p7s");
    }

    [Test]
    public async Task Scan_reports_an_author_certificate_expired_before_an_untimestamped_signature_is_checked_as_critical()
    {
        using var dir = new TempDir();
        var root = Root("CN=Acme Package Root");
        var ica = Intermediate("CN=Acme Package Signing CA", root);
        var signer = Leaf("CN=Acme Package Author", ica, notBefore: new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            notAfter: new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), eku: ["1.3.6.1.5.5.7.3.3"], dns: [], keys: AuthorKey.Value);
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        string package = dir.File("acme.agent.5.0.0.nupkg", SignedPackage(signer, ica));

        var report = await Scan(package, trust);

        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF602").Subject;
        finding.Severity.Should().Be(Severity.Critical);
        finding.Message.Should().Contain("Signing certificate 'CN=Acme Package Author' expired on 2026-06-01");
    }

    /// <summary>A timestamp authority certificate: EKU timeStamping, critical, as RFC 3161 requires.</summary>
    private static Org.BouncyCastle.X509.X509Certificate TsaCertificate(Issued issuer, AsymmetricCipherKeyPairHolder tsa)
    {
        var gen = new Org.BouncyCastle.X509.X509V3CertificateGenerator();
        gen.SetSerialNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(4242));
        gen.SetIssuerDN(issuer.Certificate.SubjectDN);
        gen.SetSubjectDN(new Org.BouncyCastle.Asn1.X509.X509Name("CN=Acme Timestamp Authority"));
        gen.SetNotBefore(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        gen.SetNotAfter(new DateTime(2034, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        gen.SetPublicKey(tsa.Keys.Public);
        gen.AddExtension(Org.BouncyCastle.Asn1.X509.X509Extensions.ExtendedKeyUsage, true,
            new DerSequence(new DerObjectIdentifier("1.3.6.1.5.5.7.3.8")));
        return gen.Generate(new Org.BouncyCastle.Crypto.Operators.Asn1SignatureFactory("SHA256WITHECDSA", issuer.Keys.Private));
    }

    internal sealed record AsymmetricCipherKeyPairHolder(Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair Keys);

    /// <summary>Adds an RFC 3161 timestamp token (over the signature value, or over other bytes) as an unsigned attribute.</summary>
    private static byte[] Timestamped(byte[] signatureDer, Issued tsaIssuer, DateTime genTime, bool wrongImprint = false)
    {
        var tsa = new AsymmetricCipherKeyPairHolder(EcKey());
        var tsaCert = TsaCertificate(tsaIssuer, tsa);
        var cms = new CmsSignedData(signatureDer);
        var signer = cms.GetSignerInfos().GetSigners().First();
        var tokens = new Org.BouncyCastle.Tsp.TimeStampTokenGenerator(tsa.Keys.Private, tsaCert, CmsSignedGenerator.DigestSha256, "1.3.6.1.4.1.4146.2.3");
        tokens.SetCertificates(CollectionUtilities.CreateStore(new[] { tsaCert }));
        var requests = new Org.BouncyCastle.Tsp.TimeStampRequestGenerator();
        requests.SetCertReq(true);
        byte[] imprint = SHA256.HashData(wrongImprint ? [.. signer.GetSignature(), 0] : signer.GetSignature());
        var token = tokens.Generate(requests.Generate(Org.BouncyCastle.Tsp.TspAlgorithms.Sha256, imprint), Org.BouncyCastle.Math.BigInteger.One, genTime);
        var attribute = new Org.BouncyCastle.Asn1.Cms.Attribute(new DerObjectIdentifier("1.2.840.113549.1.9.16.2.14"),
            new DerSet(Asn1Object.FromByteArray(token.GetEncoded())));
        var updated = SignerInformation.ReplaceUnsignedAttributes(signer, new Org.BouncyCastle.Asn1.Cms.AttributeTable(new Asn1EncodableVector(attribute)));
        return CmsSignedData.ReplaceSigners(cms, new SignerInformationStore(updated)).GetEncoded();
    }

    [TestCase(false, false, TestName = "Author certificate expired after a verified timestamp: the signature stays valid")]
    [TestCase(true, true, TestName = "Author certificate expired, timestamp over other bytes: the timestamp is ignored and the expiry is critical")]
    public async Task Scan_checks_the_author_certificate_at_the_signatures_timestamp(bool wrongImprint, bool expiredReported)
    {
        using var dir = new TempDir();
        var root = Root("CN=Acme Package Root");
        var ica = Intermediate("CN=Acme Package Signing CA", root);
        var signer = Leaf("CN=Acme Package Author", ica, notBefore: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            notAfter: new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), eku: ["1.3.6.1.5.5.7.3.3"], dns: [], keys: AuthorKey.Value);
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        byte[] unsigned = UnsignedPackage();
        byte[] signature = Timestamped(AuthorSignature(SignatureContent(SHA256.HashData(unsigned)), signer, ica), ica, SignedAt, wrongImprint);
        string package = dir.File("acme.agent.5.0.0.nupkg", AppendSignatureEntry(unsigned, signature));

        var report = await Scan(package, trust);

        if (expiredReported)
            report.Findings.Should().ContainSingle().Which.Should().Match<Finding>(f => f.RuleId == "PF602" && f.Severity == Severity.Critical);
        else
            report.Findings.Should().BeEmpty();
    }

    [TestCase("garbage-signature", TestName = "Hostile nupkg: the signature entry holds garbage")]
    [TestCase("offset-out-of-bounds", TestName = "Hostile nupkg: the signature's central record points beyond the archive")]
    [TestCase("truncated", TestName = "Hostile nupkg: the archive is cut in its central directory")]
    public async Task Scan_survives_a_hostile_signed_nupkg(string damage)
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        byte[] bytes = SignedPackage(signer, ica);
        int local = bytes.AsSpan().IndexOf(".signature.p7s"u8);
        int central = bytes.AsSpan().LastIndexOf(".signature.p7s"u8) - 46;
        switch (damage)
        {
            case "garbage-signature": bytes.AsSpan(local + 14, 64).Fill((byte)'A'); break;
            case "offset-out-of-bounds": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(central + 42), 0x7FFFFFF0); break;
            default: bytes = bytes[..(central + 20)]; break;
        }

        var report = await Scan(Zip(dir, ("feed/acme.agent.5.0.0.nupkg", bytes)), dir.File("roots.pem", Pem(root.Certificate)));

        report.Diagnostics.Should().NotContain(d => d.Message.Contains("failed", StringComparison.Ordinal));
        report.Findings.Should().NotContain(f => f.RuleId == "PF616", "damage is not reported as a valid signature over other content");
        if (damage == "truncated") return; // no end record: no zip to read a signature from, and nothing is claimed
        report.Findings.Should().Contain(f => (f.RuleId == "PF618" || f.RuleId == "PF601")
            && f.Location.Path == "feed/acme.agent.5.0.0.nupkg!/.signature.p7s");
    }

    /// <summary>The NuGet cache path of a package the test project restores (from obj/project.assets.json).</summary>
    private static string RestoredPackage(string id)
    {
        string assets = Path.Combine(SharedData.RepositoryRoot, "tests", "Preflight.Tests", "obj", "project.assets.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(assets));
        string folder = doc.RootElement.GetProperty("packageFolders").EnumerateObject().First().Name;
        var library = doc.RootElement.GetProperty("libraries").EnumerateObject()
            .First(l => l.Name.StartsWith(id + "/", StringComparison.OrdinalIgnoreCase));
        string relative = library.Value.GetProperty("path").GetString()!;
        string version = library.Name[(id.Length + 1)..];
        return Path.Combine(folder, relative, $"{id.ToLowerInvariant()}.{version.ToLowerInvariant()}.nupkg");
    }

    [TestCase("NUnit", TestName = "Real nuget.org package (repository primary signature): content hash verifies, chain untrusted offline")]
    [TestCase("BouncyCastle.Cryptography", TestName = "Real nuget.org package (author signature with repository countersignature): content hash verifies, chain untrusted offline")]
    public async Task Scan_verifies_the_content_hash_of_a_real_signed_nupkg(string id)
    {
        string package = RestoredPackage(id);
        File.Exists(package).Should().BeTrue($"the test project restores {id} into the NuGet cache ({package})");
        using var dir = new TempDir();
        string trust = dir.File("roots.pem", Pem(Root("CN=Only This Root").Certificate));

        var report = await Scan(package, trust);

        report.Findings.Should().NotContain(f => f.RuleId == "PF616" || f.RuleId == "PF618" || f.RuleId == "PF601");
        report.Findings.Should().Contain(f => (f.RuleId == "PF605" || f.RuleId == "PF606") && f.Location.Path == ".signature.p7s");
    }

    [Test]
    public async Task Scan_reports_a_real_signed_nupkg_altered_after_signing()
    {
        using var dir = new TempDir();
        byte[] bytes = File.ReadAllBytes(RestoredPackage("NUnit"));
        bytes[10] ^= 0x01; // first local header's modification time
        string package = dir.File("nunit.nupkg", bytes);

        var report = await Scan(package);

        report.Findings.Should().ContainSingle(f => f.RuleId == "PF616").Which.Location.Path.Should().Be(".signature.p7s");
    }
}
