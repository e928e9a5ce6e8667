using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Asn1.X509;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

public class CertificatesDetectorTests
{
    private static async Task<ScanReport> Scan(TempDir dir, string[]? trust, params (string Name, object Content)[] entries)
    {
        string zip = Zip(dir, entries);
        return await PreflightScanner.ScanAsync(zip, ScanOptions.Default with
        {
            AsOf = AsOf,
            TrustedRoots = trust ?? [],
            EnabledDetectors = new HashSet<string> { "certificates" },
        });
    }

    private static IEnumerable<Finding> Of(ScanReport report, string ruleId) => report.Findings.Where(f => f.RuleId == ruleId);

    [Test]
    public async Task Scan_inventories_a_good_chain_and_reports_no_problem_when_the_root_is_trusted()
    {
        using var dir = new TempDir();
        var root = Root("CN=Acme Root");
        var ica = Intermediate("CN=Acme ICA", root);
        var leaf = Leaf("CN=app.example.com", ica);
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("etc/tls/chain.pem", Pem(leaf.Certificate, ica.Certificate)));

        report.Findings.Should().BeEmpty();
        report.Inventory.Certificates.Should().HaveCount(2);
        var item = report.Inventory.Certificates.Single(c => c.Subject == "CN=app.example.com");
        item.Location.Path.Should().Be("etc/tls/chain.pem");
        item.Location.Line.Should().Be(1);
        item.Issuer.Should().Be("CN=Acme ICA");
        item.KeyAlgorithm.Should().Be("EC P-256");
        item.SubjectAlternativeNames.Should().Equal("DNS:app.example.com");
        item.ExtendedKeyUsage.Should().Equal("serverAuth");
        item.IsCertificateAuthority.Should().BeFalse();
        item.Sha256.Should().HaveLength(64);
    }

    [Test]
    public async Task Scan_reports_an_expired_leaf_as_high_and_a_soon_expiring_one_as_medium()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");
        var expired = Leaf("CN=expired", root, notAfter: new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc));
        var soon = Leaf("CN=soon", root, notAfter: new DateTime(2026, 12, 10, 0, 0, 0, DateTimeKind.Utc));
        var fine = Leaf("CN=fine", root, notAfter: new DateTime(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc));

        var report = await Scan(dir, null, ("a.pem", Pem(expired.Certificate)), ("b.pem", Pem(soon.Certificate)), ("c.pem", Pem(fine.Certificate)));

        Of(report, "PF602").Should().ContainSingle().Which.Should().Match<Finding>(f => f.Location.Path == "a.pem" && f.Severity == Severity.High && f.Message.Contains("2026-10-01"));
        Of(report, "PF604").Should().ContainSingle().Which.Location.Path.Should().Be("b.pem");
    }

    [Test]
    public async Task Scan_reports_a_missing_intermediate_and_names_it()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");
        var ica = Intermediate("CN=Vendor Issuing CA 7", root);
        var leaf = Leaf("CN=app", ica);
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("server.crt", Pem(leaf.Certificate)));

        var finding = Of(report, "PF606").Should().ContainSingle().Subject;
        finding.Message.Should().Contain("'CN=Vendor Issuing CA 7'");
        finding.Properties["missingIssuer"].Should().Be("CN=Vendor Issuing CA 7");
        finding.Properties["revocation"].Should().Be("not-checked");
    }

    [Test]
    public async Task Scan_says_CA_rotation_when_the_package_ships_the_new_root_the_trust_bundle_lacks()
    {
        using var dir = new TempDir();
        var oldRoot = Root("CN=Vendor Root G1");
        var newRoot = Root("CN=Vendor Root G2");
        var ica = Intermediate("CN=Vendor Signing CA G2", newRoot);
        var signer = Leaf("CN=Vendor Package Signer", ica, eku: ["1.3.6.1.5.5.7.3.3"], keys: RsaKey(3072));
        string trust = dir.File("roots.pem", Pem(oldRoot.Certificate));

        var report = await Scan(dir, [trust], ("META-INF/signer-chain.pem", Pem(signer.Certificate, ica.Certificate, newRoot.Certificate)));

        var finding = Of(report, "PF605").Should().ContainSingle().Subject;
        finding.Severity.Should().Be(Severity.High);
        finding.Message.Should().Contain("'CN=Vendor Root G2', which is not in the trust bundle")
            .And.Contain("CA rotation").And.Contain("add it to the trust bundle");

        // With the vendor's new root added to the trust bundle, the chain validates and the finding is gone.
        string both = dir.File("roots2.pem", Pem(oldRoot.Certificate, newRoot.Certificate));
        var fixedReport = await Scan(dir, [both], ("META-INF/signer-chain.pem", Pem(signer.Certificate, ica.Certificate, newRoot.Certificate)));
        Of(fixedReport, "PF605").Should().BeEmpty();
    }

    [Test]
    public async Task Scan_accepts_a_rotated_chain_when_the_package_ships_the_new_root_cross_signed_by_the_trusted_one()
    {
        using var dir = new TempDir();
        var oldRoot = Root("CN=Vendor Root G1");
        var newRoot = Root("CN=Vendor Root G2");
        var ica = Intermediate("CN=Vendor Signing CA G2", newRoot);
        var leaf = Leaf("CN=app", ica);
        var cross = CrossSign(newRoot, oldRoot);
        string trust = dir.File("roots.pem", Pem(oldRoot.Certificate));

        var report = await Scan(dir, [trust], ("chain.pem", Pem(leaf.Certificate, ica.Certificate, cross.Certificate)));

        report.Findings.Where(f => f.RuleId is "PF605" or "PF606").Should().BeEmpty();
    }

    [Test]
    public async Task Scan_reports_weak_keys_and_sha1_signatures()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root", keys: RsaKey(2048));
        var weak = Leaf("CN=weak", root, keys: RsaKey(1024));
        var sha1 = Leaf("CN=sha1", root, sigAlg: "SHA1WITHRSA");
        var p192 = Leaf("CN=p192", root, keys: EcKey("P-192"));

        var report = await Scan(dir, null, ("weak.pem", Pem(weak.Certificate)), ("sha1.pem", Pem(sha1.Certificate)), ("p192.pem", Pem(p192.Certificate)), ("root.pem", Pem(root.Certificate)));

        Of(report, "PF608").Select(static f => f.Location.Path).Should().BeEquivalentTo("weak.pem", "p192.pem");
        Of(report, "PF608").Single(f => f.Location.Path == "weak.pem").Message.Should().Contain("1024 bits");
        Of(report, "PF609").Should().ContainSingle().Which.Location.Path.Should().Be("sha1.pem");
    }

    [Test]
    public async Task Scan_reports_a_ca_without_keyCertSign_and_a_self_signed_server_certificate()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root", keyUsage: KeyUsage.DigitalSignature);
        var self = SelfSignedLeaf("CN=self.example.com", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 31, 0, 0, 0, DateTimeKind.Utc));

        var report = await Scan(dir, null, ("root.pem", Pem(root.Certificate)), ("self.pem", Pem(self.Certificate)));

        Of(report, "PF610").Should().ContainSingle().Which.Message.Should().Contain("lacks keyCertSign");
        Of(report, "PF607").Should().ContainSingle().Which.Location.Path.Should().Be("self.pem");
    }

    [Test]
    public async Task Scan_reports_a_tls_certificate_valid_longer_than_398_days_as_low()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");
        var longLived = Leaf("CN=long", root, notBefore: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), notAfter: new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var report = await Scan(dir, null, ("long.pem", Pem(longLived.Certificate)));

        Of(report, "PF611").Should().ContainSingle().Which.Severity.Should().Be(Severity.Low);
    }

    [Test]
    public async Task Scan_pairs_a_private_key_with_its_certificate()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");
        var leaf = Leaf("CN=app", root);
        var other = EcKey();

        var report = await Scan(dir, null, ("tls/app.crt", Pem(leaf.Certificate)), ("tls/app.key", PrivateKeyPem(leaf.Keys)), ("tls/other.key", PrivateKeyPem(other)));

        var finding = Of(report, "PF612").Should().ContainSingle().Subject;
        finding.Location.Path.Should().Be("tls/app.key");
        finding.Message.Should().Contain("at tls/app.crt");
    }

    [Test]
    public async Task Scan_finds_pem_embedded_in_yaml_and_json_with_its_line()
    {
        using var dir = new TempDir();
        var root = Root("CN=Embedded Root");
        string pem = Pem(root.Certificate);
        string yaml = "server:\n  port: 443\n  ca: |\n" + string.Join("", pem.Split('\n').Where(static l => l.Length > 0).Select(static l => "    " + l + "\n"));
        string json = "{\n  \"name\": \"x\",\n  \"ca\": \"" + pem.Replace("\n", "\\n", StringComparison.Ordinal) + "\"\n}\n";

        var report = await Scan(dir, null, ("conf/app.yaml", yaml), ("conf/app.json", json));

        report.Inventory.Certificates.Select(static c => (c.Location.Path, c.Location.Line)).Should().BeEquivalentTo(new[] { ("conf/app.json", (int?)3), ("conf/app.yaml", (int?)4) });
        report.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task Scan_reads_der_pkcs7_and_pkcs12_containers()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");
        var leaf = Leaf("CN=app", root);
        var gen = new Org.BouncyCastle.Cms.CmsSignedDataGenerator();
        gen.AddCertificates(Org.BouncyCastle.Utilities.Collections.CollectionUtilities.CreateStore(new[] { root.Certificate, leaf.Certificate }));
        byte[] p7b = gen.Generate(new Org.BouncyCastle.Cms.CmsProcessableByteArray([]), false).GetEncoded();

        var report = await Scan(dir, null,
            ("certs/root.cer", root.Certificate.GetEncoded()),
            ("certs/bundle.p7b", p7b),
            ("certs/app.pfx", Pkcs12(leaf, "")));

        report.Inventory.Certificates.Select(static c => c.Location.Path).Should().BeEquivalentTo("certs/root.cer", "certs/bundle.p7b", "certs/bundle.p7b", "certs/app.pfx");
        Of(report, "PF614").Should().ContainSingle().Which.Location.Path.Should().Be("certs/app.pfx");
        Of(report, "PF612").Should().ContainSingle().Which.Location.Path.Should().Be("certs/app.pfx");
    }

    [Test]
    public async Task Scan_does_not_open_a_password_protected_pkcs12()
    {
        using var dir = new TempDir();
        var leaf = Leaf("CN=app", Root("CN=Root"));

        var report = await Scan(dir, null, ("app.p12", Pkcs12(leaf, "a-long-password")));

        Of(report, "PF614").Should().BeEmpty();
        report.Inventory.Certificates.Should().BeEmpty();
    }

    [TestCase("broken.pem", "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBEx!!!DzANBgNVBAMMBnVu\n-----END CERTIFICATE-----\n")]
    [TestCase("truncated.pem", "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n")]
    [TestCase("short.pem", "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBnVu\n-----END CERTIFICATE-----\n")]
    public async Task Scan_reports_malformed_pem_without_crashing(string name, string content)
    {
        using var dir = new TempDir();

        var report = await Scan(dir, null, (name, content));

        Of(report, "PF601").Should().ContainSingle().Which.Location.Path.Should().Be(name);
        report.Diagnostics.Should().BeEmpty();
    }

    [TestCase("docs/README.md", "Put your certificate here:\n\n    -----BEGIN CERTIFICATE-----\n    ...\n    -----END CERTIFICATE-----\n")]
    [TestCase("conf/app.yaml", "tls:\n  cert: \"-----BEGIN CERTIFICATE-----\\n<your certificate>\\n-----END CERTIFICATE-----\"\n")]
    public async Task Scan_ignores_documentation_placeholders_between_pem_markers(string name, string content)
    {
        using var dir = new TempDir();

        var report = await Scan(dir, null, (name, content));

        report.Findings.Should().BeEmpty();
        report.Inventory.Certificates.Should().BeEmpty();
    }

    [Test]
    public async Task Scan_reads_the_certificates_of_a_java_keystore()
    {
        using var dir = new TempDir();
        var root = Root("CN=Keystore Root");
        var store = new Org.BouncyCastle.Security.JksStore();
        store.SetCertificateEntry("root", root.Certificate);
        using var ms = new MemoryStream();
        store.Save(ms, "changeit".ToCharArray());

        var report = await Scan(dir, null, ("conf/truststore.jks", ms.ToArray()));

        report.Inventory.Certificates.Should().ContainSingle().Which.Subject.Should().Be("CN=Keystore Root");
    }

    [Test]
    public async Task Scan_reports_a_truncated_der_certificate_as_malformed()
    {
        using var dir = new TempDir();
        byte[] der = Root("CN=Root").Certificate.GetEncoded();

        var report = await Scan(dir, null, ("root.der", der[..(der.Length / 2)]));

        Of(report, "PF601").Should().ContainSingle();
        report.Diagnostics.Should().BeEmpty();
    }

    [Test]
    public async Task Scan_says_once_that_chains_were_not_validated_without_a_trust_bundle()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");

        var report = await Scan(dir, null, ("a.pem", Pem(Leaf("CN=a", root).Certificate)), ("b.pem", Pem(Leaf("CN=b", root).Certificate)));

        Of(report, "PF615").Should().ContainSingle().Which.Severity.Should().Be(Severity.Info);
        Of(report, "PF605").Should().BeEmpty();
    }

    [TestCase("a.pem", Content.ContentKind.CertificateContainer, 1000L)]
    [TestCase("conf/app.yaml", Content.ContentKind.Text, 1000L)]
    [TestCase("lib/app.dll", Content.ContentKind.DotNetAssembly, 1000L)]
    [TestCase("data/huge.bin", Content.ContentKind.OtherBinary, 1L << 33)]
    public void Detector_wants_every_entry_so_manifests_and_signatures_see_the_whole_package(string path, Content.ContentKind kind, long size)
    {
        new CertificatesDetectorAdapter().Wants(path, kind, size).Should().BeTrue();
    }

    private sealed class CertificatesDetectorAdapter
    {
        private readonly Preflight.Detectors.Certificates.CertificatesDetector _d = new();
        public bool Wants(string path, Content.ContentKind kind, long size) =>
            _d.Wants(new Preflight.Detectors.EntryInfo(path, path[(path.LastIndexOf('/') + 1)..], size, kind, 0));
    }
}
