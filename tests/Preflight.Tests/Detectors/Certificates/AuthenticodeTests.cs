using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

public class AuthenticodeTests
{
    private const string SpcIndirectData = "1.3.6.1.4.1.311.2.1.4";
    private const string SpcPeImageData = "1.3.6.1.4.1.311.2.1.15";
    private static readonly DateTime SignedAt = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A small real .NET library (PE32), compiled deterministically.</summary>
    internal static byte[] CompileLibrary(string name, int blobChars = 0)
    {
        string blob = blobChars > 0 ? $" public const string Blob = \"{new string('x', blobChars)}\";" : string.Empty;
        var compilation = CSharpCompilation.Create(name,
            [CSharpSyntaxTree.ParseText($"public static class {name.Replace(".", "", StringComparison.Ordinal)} {{ public static int Run() => 42;{blob} }}")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, deterministic: true));
        using var ms = new MemoryStream();
        compilation.Emit(ms).Success.Should().BeTrue();
        return ms.ToArray();
    }

    /// <summary>Offsets of the optional header's CheckSum and of the certificate table's data directory entry.</summary>
    private static (int CheckSum, int CertEntry) Offsets(byte[] pe)
    {
        int peOffset = BinaryPrimitives.ReadInt32LittleEndian(pe.AsSpan(0x3C));
        int optional = peOffset + 24;
        bool pe32Plus = BinaryPrimitives.ReadUInt16LittleEndian(pe.AsSpan(optional)) == 0x20b;
        return (optional + 64, optional + (pe32Plus ? 144 : 128));
    }

    /// <summary>
    /// Signs <paramref name="pe"/> as signtool does: pads it to 8 bytes, hashes it without CheckSum and the
    /// certificate directory entry, wraps the digest in SpcIndirectDataContent, signs that with CMS
    /// (messageDigest over the content's value without its tag and length), appends the WIN_CERTIFICATE and
    /// points data directory 4 at it.
    /// </summary>
    internal static byte[] Sign(byte[] pe, Issued signer, params Issued[] chain)
    {
        byte[] file = new byte[(pe.Length + 7) & ~7];
        pe.CopyTo(file, 0);
        var (checkSum, certEntry) = Offsets(file);
        byte[] imageDigest = SHA256.HashData([.. file[..checkSum], .. file[(checkSum + 4)..certEntry], .. file[(certEntry + 8)..]]);

        var sha256 = new AlgorithmIdentifier(new DerObjectIdentifier("2.16.840.1.101.3.4.2.1"), DerNull.Instance);
        var indirect = new DerSequence(
            new DerSequence(new DerObjectIdentifier(SpcPeImageData),
                new DerSequence(new DerBitString([], 0), new DerTaggedObject(true, 0, new DerTaggedObject(true, 2, new DerTaggedObject(false, 0, new DerBmpString("<<<Obsolete>>>")))))),
            new DerSequence(sha256, new DerOctetString(imageDigest)));
        byte[] indirectDer = indirect.GetEncoded(Asn1Encodable.Der);
        int header = indirectDer[1] < 0x80 ? 2 : 2 + (indirectDer[1] & 0x7F);
        byte[] messageDigest = SHA256.HashData(indirectDer.AsSpan(header));

        var signedAttributes = new DerSet(new Asn1Encodable[]
        {
            new Org.BouncyCastle.Asn1.Cms.Attribute(CmsAttributes.ContentType, new DerSet(new DerObjectIdentifier(SpcIndirectData))),
            new Org.BouncyCastle.Asn1.Cms.Attribute(CmsAttributes.SigningTime, new DerSet(new Org.BouncyCastle.Asn1.Cms.Time(SignedAt))),
            new Org.BouncyCastle.Asn1.Cms.Attribute(CmsAttributes.MessageDigest, new DerSet(new DerOctetString(messageDigest))),
        });
        bool ec = signer.Keys.Private is Org.BouncyCastle.Crypto.Parameters.ECPrivateKeyParameters;
        var bc = SignerUtilities.GetSigner(ec ? "SHA256withECDSA" : "SHA256withRSA");
        bc.Init(true, signer.Keys.Private);
        byte[] toSign = signedAttributes.GetEncoded(Asn1Encodable.Der);
        bc.BlockUpdate(toSign, 0, toSign.Length);
        var signerInfo = new SignerInfo(
            new SignerIdentifier(new IssuerAndSerialNumber(signer.Certificate.IssuerDN, signer.Certificate.SerialNumber)),
            sha256, signedAttributes,
            new AlgorithmIdentifier(new DerObjectIdentifier(ec ? "1.2.840.10045.4.3.2" : "1.2.840.113549.1.1.1")),
            new DerOctetString(bc.GenerateSignature()), null);
        var certificates = new DerSet(new[] { signer }.Concat(chain).Select(static c => (Asn1Encodable)c.Certificate.CertificateStructure).ToArray());
        var signedData = new SignedData(new DerSet(sha256), new ContentInfo(new DerObjectIdentifier(SpcIndirectData), indirect),
            certificates, null, new DerSet(signerInfo));
        byte[] pkcs7 = new ContentInfo(CmsObjectIdentifiers.SignedData, signedData).GetEncoded(Asn1Encodable.Der);

        int certLength = (8 + pkcs7.Length + 7) & ~7;
        byte[] signed = new byte[file.Length + certLength];
        file.CopyTo(signed, 0);
        BinaryPrimitives.WriteInt32LittleEndian(signed.AsSpan(file.Length), 8 + pkcs7.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(signed.AsSpan(file.Length + 4), 0x0200);
        BinaryPrimitives.WriteUInt16LittleEndian(signed.AsSpan(file.Length + 6), 0x0002);
        pkcs7.CopyTo(signed, file.Length + 8);
        BinaryPrimitives.WriteInt32LittleEndian(signed.AsSpan(certEntry), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(signed.AsSpan(certEntry + 4), certLength);
        return signed;
    }

    private static (Issued Root, Issued Ica, Issued Signer) Pki()
    {
        var root = Root("CN=Acme Root");
        var ica = Intermediate("CN=Acme Code Signing CA", root);
        var signer = Leaf("CN=Acme Software", ica, eku: ["1.3.6.1.5.5.7.3.3"], dns: []);
        return (root, ica, signer);
    }

    private static async Task<ScanReport> Scan(TempDir dir, string[] trust, params (string Name, object Content)[] entries) =>
        await PreflightScanner.ScanAsync(Zip(dir, entries), ScanOptions.Default with
        {
            AsOf = AsOf,
            TrustedRoots = trust,
            EnabledDetectors = new HashSet<string> { "certificates" },
        });

    /// <summary>The file offset of the first section's raw data (code and metadata live there).</summary>
    private static int FirstSection(byte[] pe)
    {
        int peOffset = BinaryPrimitives.ReadInt32LittleEndian(pe.AsSpan(0x3C));
        int optionalSize = BinaryPrimitives.ReadUInt16LittleEndian(pe.AsSpan(peOffset + 20));
        int sections = peOffset + 24 + optionalSize;
        return BinaryPrimitives.ReadInt32LittleEndian(pe.AsSpan(sections + 20));
    }

    [Test]
    public async Task Scan_accepts_an_executable_with_a_valid_authenticode_signature_from_a_trusted_signer()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("bin/Acme.Agent.dll", Sign(CompileLibrary("Acme.Agent"), signer, ica)));

        report.Findings.Should().BeEmpty();
        report.Inventory.Certificates.Should().Contain(c => c.Subject == "CN=Acme Software" && c.Location.Path == "bin/Acme.Agent.dll");
    }

    [Test]
    public async Task Scan_reports_an_executable_altered_after_signing_as_critical()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        byte[] signed = Sign(CompileLibrary("Acme.Agent"), signer, ica);
        signed[FirstSection(signed) + 16] ^= 0xFF;

        var report = await Scan(dir, [trust], ("bin/Acme.Agent.dll", signed));

        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF616");
        finding.Severity.Should().Be(Severity.Critical);
        finding.Location.Path.Should().Be("bin/Acme.Agent.dll");
        finding.Message.Should().Contain("image hash differs");
    }

    [Test]
    public async Task Scan_ignores_changes_to_the_checksum_field_which_authenticode_does_not_cover()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        byte[] signed = Sign(CompileLibrary("Acme.Agent"), signer, ica);
        BinaryPrimitives.WriteUInt32LittleEndian(signed.AsSpan(Offsets(signed).CheckSum), 0x12345678);

        var report = await Scan(dir, [trust], ("bin/Acme.Agent.dll", signed));

        report.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task Scan_reports_the_untrusted_signer_of_a_valid_authenticode_signature()
    {
        using var dir = new TempDir();
        var (_, ica, signer) = Pki();
        string trust = dir.File("other.pem", Pem(Root("CN=Someone Else").Certificate));

        var report = await Scan(dir, [trust], ("bin/Acme.Agent.dll", Sign(CompileLibrary("Acme.Agent"), signer, ica)));

        report.Findings.Should().NotContain(f => f.RuleId == "PF616");
        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF605").Subject;
        finding.Location.Path.Should().Be("bin/Acme.Agent.dll");
        finding.Message.Should().Contain("CN=Acme Root");
    }

    [Test]
    public async Task Scan_holds_the_signer_of_an_executable_to_the_code_signing_purpose()
    {
        using var dir = new TempDir();
        var (root, ica, _) = Pki();
        var tlsOnly = Leaf("CN=Acme Web Server", ica, eku: ["1.3.6.1.5.5.7.3.1"], dns: ["www.acme.example"]);
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust], ("bin/Acme.Agent.dll", Sign(CompileLibrary("Acme.Agent"), tlsOnly, ica)));

        report.Findings.Should().NotContain(f => f.RuleId == "PF616");
        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF605").Subject;
        finding.Message.Should().Contain("its extended key usage does not allow CodeSigning");
    }

    [Test]
    public async Task Scan_reports_each_unsigned_executable_among_signed_ones()
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));

        var report = await Scan(dir, [trust],
            ("bin/Acme.Agent.dll", Sign(CompileLibrary("Acme.Agent"), signer, ica)),
            ("bin/Acme.Helper.dll", CompileLibrary("Acme.Helper")),
            ("bin/plugins/Acme.Plugin.dll", CompileLibrary("Acme.Plugin")),
            ("bin/readme.txt", "MZ is not enough to be an executable"));

        report.Findings.Where(f => f.RuleId == "PF622").Select(f => (f.Location.Path, f.Severity)).Should().BeEquivalentTo(new[]
        {
            ("bin/Acme.Helper.dll", Severity.Medium),
            ("bin/plugins/Acme.Plugin.dll", Severity.Medium),
        });
        report.Findings.Should().OnlyContain(f => f.RuleId == "PF622");
    }

    [Test]
    public async Task Scan_does_not_report_unsigned_executables_when_none_is_signed()
    {
        using var dir = new TempDir();

        var report = await Scan(dir, [], ("bin/Acme.Agent.dll", CompileLibrary("Acme.Agent")), ("bin/Acme.Helper.dll", CompileLibrary("Acme.Helper")));

        report.Findings.Should().BeEmpty();
    }

    [TestCase(0x3C, 0x7F, TestName = "PE header offset beyond the file")]
    [TestCase(-1, 0, TestName = "Certificate table pointing beyond the file")]
    [TestCase(-2, 0, TestName = "WIN_CERTIFICATE length beyond the table")]
    [TestCase(-3, 0, TestName = "Truncated signed executable")]
    public async Task Scan_survives_a_hostile_executable(int offset, byte value)
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        byte[] signed = Sign(CompileLibrary("Acme.Agent"), signer, ica);
        var (_, certEntry) = Offsets(signed);
        int certOffset = BinaryPrimitives.ReadInt32LittleEndian(signed.AsSpan(certEntry));
        switch (offset)
        {
            case -1: BinaryPrimitives.WriteInt32LittleEndian(signed.AsSpan(certEntry), int.MaxValue - 4); break;
            case -2: BinaryPrimitives.WriteInt32LittleEndian(signed.AsSpan(certOffset), 0x7FFFFFF0); break;
            case -3: signed = signed[..(certOffset + 100)]; break;
            default: signed[offset + 3] = value; break;
        }

        var report = await Scan(dir, [dir.File("roots.pem", Pem(root.Certificate))], ("bin/Acme.Agent.dll", signed));

        report.Diagnostics.Should().NotContain(d => d.Message.Contains("failed", StringComparison.Ordinal));
        if (offset == 0x3C) report.Findings.Should().BeEmpty("a file whose PE header is out of bounds is no executable");
        else report.Findings.Should().Contain(f => f.RuleId == "PF601" && f.Location.Path == "bin/Acme.Agent.dll");
    }

    [TestCase(true, TestName = "An executable larger than the analysed window: a signed one is reported not verified")]
    [TestCase(false, TestName = "An executable larger than the analysed window: an unsigned one counts as unsigned")]
    public async Task Scan_reads_only_whether_an_executable_beyond_the_window_is_signed(bool signed)
    {
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        byte[] library = CompileLibrary("Acme.Big", blobChars: 100_000);
        byte[] big = signed ? Sign(library, signer, ica) : library;
        string package = Zip(dir, ("bin/Acme.Big.dll", big), ("bin/Acme.Small.dll", Sign(CompileLibrary("Acme.Small"), signer, ica)));

        var report = await PreflightScanner.ScanAsync(package, ScanOptions.Default with
        {
            AsOf = AsOf,
            TrustedRoots = [dir.File("roots.pem", Pem(root.Certificate))],
            EnabledDetectors = new HashSet<string> { "certificates" },
            // The window holds the small library whole and the big one's headers, not the rest of it.
            Limits = PackageLimits.Default with { MaxAnalyzedEntryBytes = 64 * 1024 },
        });

        var finding = report.Findings.Should().ContainSingle(f => f.Location.Path == "bin/Acme.Big.dll" && f.Detector == "certificates").Subject;
        finding.RuleId.Should().Be(signed ? "PF618" : "PF622");
    }

    [Test]
    public async Task Scan_verifies_a_real_microsoft_signed_assembly_and_its_rfc3161_timestamp()
    {
        // Roslyn's assembly beside the tests comes from its nuget.org package: Authenticode-signed by Microsoft,
        // timestamped with Authenticode's RFC 3161 countersignature (1.3.6.1.4.1.311.3.3.1).
        byte[] roslyn = File.ReadAllBytes(typeof(CSharpCompilation).Assembly.Location);
        byte[] tampered = [.. roslyn];
        tampered[FirstSection(tampered) + 4096] ^= 0xFF;
        using var dir = new TempDir();

        // Years after the signing certificate (valid about a year) has expired: only its timestamp keeps it valid.
        var report = await PreflightScanner.ScanAsync(
            Zip(dir, ("lib/Microsoft.CodeAnalysis.CSharp.dll", roslyn), ("lib/tampered/Microsoft.CodeAnalysis.CSharp.dll", tampered)),
            ScanOptions.Default with { AsOf = new DateTimeOffset(2035, 1, 1, 0, 0, 0, TimeSpan.Zero), EnabledDetectors = new HashSet<string> { "certificates" } });

        report.Inventory.Certificates.Should().Contain(c => c.Location.Path == "lib/Microsoft.CodeAnalysis.CSharp.dll" && c.ExtendedKeyUsage.Contains("codeSigning"));
        // (Key-size findings, PF608, are about Microsoft's certificates themselves and are left out here.)
        string[] signatureRules = ["PF601", "PF602", "PF603", "PF616", "PF618"];
        report.Findings.Where(f => signatureRules.Contains(f.RuleId)).Select(f => (f.RuleId, f.Location.Path)).Should().BeEquivalentTo(new[]
        {
            ("PF616", "lib/tampered/Microsoft.CodeAnalysis.CSharp.dll"),
        }, "the signature verifies, the signer was valid at its timestamp, and only the altered copy fails");
    }

    private static (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Test]
    public async Task Verdicts_agree_with_osslsigncode_on_signatures_made_by_either_side()
    {
        const string Tool = "/usr/bin/osslsigncode";
        if (!File.Exists(Tool)) Assert.Ignore("osslsigncode is not installed at /usr/bin/osslsigncode");
        using var dir = new TempDir();
        var (root, ica, signer) = Pki();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        string unsigned = dir.File("unsigned.dll", CompileLibrary("Acme.Agent"));
        string certs = dir.File("signer.pem", Pem(signer.Certificate, ica.Certificate));
        string key = dir.File("signer.key", PrivateKeyPem(signer.Keys));
        string theirs = Path.Combine(dir.Path, "theirs.dll");
        var sign = Run(Tool, "sign", "-certs", certs, "-key", key, "-h", "sha256", "-time", "1772366400", "-in", unsigned, "-out", theirs);
        sign.ExitCode.Should().Be(0, sign.Output);
        byte[] ours = Sign(File.ReadAllBytes(unsigned), signer, ica);
        byte[] oursTampered = [.. ours];
        oursTampered[FirstSection(ours) + 16] ^= 0xFF;
        byte[] theirsTampered = File.ReadAllBytes(theirs);
        theirsTampered[FirstSection(theirsTampered) + 16] ^= 0xFF;

        var report = await Scan(dir, [trust], ("ours.dll", ours), ("ours-tampered.dll", oursTampered),
            ("theirs.dll", File.ReadAllBytes(theirs)), ("theirs-tampered.dll", theirsTampered));

        report.Findings.Where(f => f.RuleId == "PF616").Select(f => f.Location.Path).Should().BeEquivalentTo("ours-tampered.dll", "theirs-tampered.dll");
        report.Findings.Should().OnlyContain(f => f.RuleId == "PF616");
        foreach (var (name, bytes, intact) in new[] { ("ours.dll", ours, true), ("ours-tampered.dll", oursTampered, false) })
        {
            string path = dir.File("check-" + name, bytes);
            var verify = Run(Tool, "verify", "-CAfile", trust, "-time", "1772366400", "-in", path);
            verify.Output.Should().Contain(intact ? "Signature verification: ok" : "MISMATCH", $"osslsigncode on {name}: {verify.Output}");
        }
    }
}
