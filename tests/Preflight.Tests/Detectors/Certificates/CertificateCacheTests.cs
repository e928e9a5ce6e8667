using System.Buffers.Binary;
using System.Security.Cryptography;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Crypto;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Detectors.Certificates;
using Preflight.Findings;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

/// <summary>
/// The per-scan tables of the certificates detector (decoded certificates, imported public keys, the outcome of
/// each distinct executable): results with them are those without them, whatever the order of the entries.
/// The detector is driven here entry by entry, in a chosen order, the way one pipeline worker drives it.
/// </summary>
public class CertificateCacheTests
{
    private sealed record Result(IReadOnlyList<Finding> Findings, Inventory Inventory);

    private static Result Run(CertificatesDetector detector, string? trust, params (string Path, byte[] Bytes)[] entries)
    {
        var state = new ScanState(ScanOptions.Default with { AsOf = AsOf, TrustedRoots = trust is null ? [] : [trust] }, CancellationToken.None);
        foreach (var (path, bytes) in entries)
        {
            string fileName = path[(path.LastIndexOf('/') + 1)..];
            var kind = ContentSniffer.Classify(bytes.AsSpan(0, Math.Min(bytes.Length, ContentSniffer.PrefixLength)), fileName);
            var info = new EntryInfo(path, fileName, bytes.Length, kind, 0);
            if (detector.Wants(info)) detector.Analyze(new EntryContext(state, info, new EntryContent(path, bytes, kind)));
        }
        detector.Complete(new DetectorContext(state));
        return new Result([.. state.Findings.OrderBy(static f => f.Location.Path, StringComparer.Ordinal).ThenBy(static f => f.RuleId, StringComparer.Ordinal)], state.Inventory.Build());
    }

    private static Result Run(string? trust, params (string Path, byte[] Bytes)[] entries) => Run(new CertificatesDetector(), trust, entries);

    private static (Issued Root, Issued Ica, Issued Signer) Pki(bool rsa)
    {
        var root = Root("CN=Acme Root");
        var ica = Intermediate("CN=Acme Code Signing CA", root);
        var signer = Leaf("CN=Acme Software", ica, eku: ["1.3.6.1.5.5.7.3.3"], dns: [], keys: rsa ? RsaKey(2048) : null);
        return (root, ica, signer);
    }

    /// <summary>
    /// The signed executable with one bit of its SignerInfo's signature value flipped: its image hash and message
    /// digest still match, only the signature over the signed attributes no longer verifies.
    /// </summary>
    private static byte[] WithBadSignatureValue(byte[] signedPe)
    {
        int peOffset = BinaryPrimitives.ReadInt32LittleEndian(signedPe.AsSpan(0x3C));
        int optional = peOffset + 24;
        bool pe32Plus = BinaryPrimitives.ReadUInt16LittleEndian(signedPe.AsSpan(optional)) == 0x20b;
        int certEntry = optional + (pe32Plus ? 144 : 128);
        int table = BinaryPrimitives.ReadInt32LittleEndian(signedPe.AsSpan(certEntry));
        int length = BinaryPrimitives.ReadInt32LittleEndian(signedPe.AsSpan(table));
        var info = ContentInfo.GetInstance(Asn1Object.FromByteArray(signedPe[(table + 8)..(table + length)]));
        var signerInfo = SignerInfo.GetInstance(SignedData.GetInstance(info.Content).SignerInfos[0]);
        byte[] signature = signerInfo.Signature.GetOctets();
        int at = signedPe.AsSpan().IndexOf(signature);
        at.Should().BePositive("the signature value lies in the certificate table");
        byte[] tampered = [.. signedPe];
        tampered[at + signature.Length / 2] ^= 0x01;
        return tampered;
    }

    [TestCase(false, false, TestName = "A bad signature after a good one by the same EC signer is still reported")]
    [TestCase(false, true, TestName = "A bad signature before a good one by the same EC signer is still reported")]
    [TestCase(true, false, TestName = "A bad signature after a good one by the same RSA signer is still reported")]
    [TestCase(true, true, TestName = "A bad signature before a good one by the same RSA signer is still reported")]
    public void Scan_reports_a_bad_signature_by_a_signer_whose_key_was_already_used(bool rsa, bool badFirst)
    {
        var (root, ica, signer) = Pki(rsa);
        byte[] good = AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Agent"), signer, ica);
        byte[] bad = WithBadSignatureValue(AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Helper"), signer, ica));
        (string, byte[])[] entries = badFirst ? [("bin/Acme.Helper.dll", bad), ("bin/Acme.Agent.dll", good)] : [("bin/Acme.Agent.dll", good), ("bin/Acme.Helper.dll", bad)];
        var cache = new CertificateCache();
        using var dir = new TempDir();

        var result = Run(new CertificatesDetector(cache, new ExecutableOutcomes()), dir.File("roots.pem", Pem(root.Certificate)), entries);

        cache.PublicKeyHits.Should().BeGreaterThan(0, "the second executable's signer key came from the cache");
        cache.CertificateHits.Should().BeGreaterThan(0, "the second executable's certificates came from the cache");
        // (A 2048-bit RSA signer is also reported as a weak code-signing key, PF608: not what this test is about.)
        var finding = result.Findings.Where(f => f.RuleId != "PF608").Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF616");
        finding.Location.Path.Should().Be("bin/Acme.Helper.dll");
        finding.Message.Should().Contain("signature value does not verify");
    }

    [Test]
    public void Scan_reports_a_certificate_shared_by_two_executables_as_it_reports_it_in_one()
    {
        var (root, ica, signer) = Pki(rsa: false);
        byte[] agent = AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Agent"), signer, ica);
        byte[] helper = AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Helper"), signer, ica);
        using var dir = new TempDir();
        // A trust bundle without Acme's root: the shared signer's chain is reported, once, at the first path.
        string trust = dir.File("other.pem", Pem(Root("CN=Someone Else").Certificate));
        var cache = new CertificateCache();

        var both = Run(new CertificatesDetector(cache, new ExecutableOutcomes()), trust, ("bin/a/Acme.Agent.dll", agent), ("bin/b/Acme.Helper.dll", helper));
        var alone = Run(trust, ("bin/a/Acme.Agent.dll", agent));
        var helperAlone = Run(trust, ("bin/b/Acme.Helper.dll", helper));

        cache.CertificateHits.Should().Be(2, "the signer and the intermediate were decoded once");
        both.Findings.Should().BeEquivalentTo(alone.Findings);
        both.Findings.Should().ContainSingle(f => f.RuleId == "PF605").Which.Location.Path.Should().Be("bin/a/Acme.Agent.dll");
        both.Inventory.Certificates.Where(c => c.Location.Path == "bin/a/Acme.Agent.dll").Should().BeEquivalentTo(alone.Inventory.Certificates);
        both.Inventory.Certificates.Where(c => c.Location.Path == "bin/b/Acme.Helper.dll").Should().BeEquivalentTo(helperAlone.Inventory.Certificates);
        both.Inventory.Certificates.Should().HaveCount(4);
    }

    [Test]
    public void Scan_reports_each_copy_of_an_executable_at_its_own_path()
    {
        var (root, ica, signer) = Pki(rsa: false);
        byte[] signed = AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Agent"), signer, ica);
        byte[] tampered = [.. signed];
        tampered[tampered.Length / 3] ^= 0xFF;
        byte[] unsigned = AuthenticodeTests.CompileLibrary("Acme.Plugin");
        using var dir = new TempDir();
        var outcomes = new ExecutableOutcomes();

        var result = Run(new CertificatesDetector(new CertificateCache(), outcomes), dir.File("roots.pem", Pem(root.Certificate)),
            ("a/Acme.Agent.dll", signed), ("b/Acme.Agent.dll", signed),
            ("a/tampered/Acme.Agent.dll", tampered), ("b/tampered/Acme.Agent.dll", tampered),
            ("a/Acme.Plugin.dll", unsigned), ("b/Acme.Plugin.dll", unsigned));

        outcomes.Hits.Should().Be(3, "each second copy reused the first one's outcome");
        result.Findings.Where(f => f.RuleId == "PF616").Select(f => f.Location.Path).Should().Equal("a/tampered/Acme.Agent.dll", "b/tampered/Acme.Agent.dll");
        var mismatches = result.Findings.Where(f => f.RuleId == "PF616").ToList();
        mismatches[1].Should().BeEquivalentTo(mismatches[0], o => o.Excluding(f => f.Location).Excluding(f => f.Fingerprint));
        mismatches[1].Fingerprint.Should().NotBe(mismatches[0].Fingerprint, "a fingerprint includes the path");
        result.Findings.Where(f => f.RuleId == "PF622").Select(f => f.Location.Path).Should().Equal("a/Acme.Plugin.dll", "b/Acme.Plugin.dll");
        result.Findings.Where(f => f.RuleId == "PF622").Should().OnlyContain(f => f.Properties["signedExecutables"] == "4");
        result.Inventory.Certificates.Select(c => c.Location.Path).Distinct().Should().BeEquivalentTo("a/Acme.Agent.dll", "b/Acme.Agent.dll", "a/tampered/Acme.Agent.dll", "b/tampered/Acme.Agent.dll");
        result.Findings.Should().OnlyContain(f => f.RuleId == "PF616" || f.RuleId == "PF622");
    }

    [Test]
    public void Scan_gives_the_same_results_when_the_tables_are_full()
    {
        var (root, ica, signer) = Pki(rsa: false);
        var other = Leaf("CN=Acme Tools", ica, eku: ["1.3.6.1.5.5.7.3.3"], dns: [], notAfter: new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        byte[] tool = AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Tool"), other, ica);
        (string, byte[])[] entries =
        [
            ("bin/Acme.Agent.dll", AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Agent"), signer, ica)),
            ("bin/Acme.Tool.dll", tool),
            ("bin/copy/Acme.Tool.dll", tool),
            ("bin/Acme.Bad.dll", WithBadSignatureValue(AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Acme.Bad"), other, ica))),
            ("certs/chain.pem", System.Text.Encoding.ASCII.GetBytes(Pem(signer.Certificate, ica.Certificate, other.Certificate))),
        ];
        using var dir = new TempDir();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        var full = new CertificateCache(maxCertificates: 1, maxPublicKeys: 1);

        var unbounded = Run(trust, entries);
        var bounded = Run(new CertificatesDetector(full, new ExecutableOutcomes(maxEntries: 1)), trust, entries);

        unbounded.Findings.Select(f => f.RuleId).Should().Contain(["PF616", "PF604"], "the fixture has findings to compare");
        bounded.Findings.Should().BeEquivalentTo(unbounded.Findings, o => o.WithStrictOrdering());
        bounded.Inventory.Certificates.OrderBy(c => c.Location.Path).ThenBy(c => c.Sha256)
            .Should().BeEquivalentTo(unbounded.Inventory.Certificates.OrderBy(c => c.Location.Path).ThenBy(c => c.Sha256), o => o.WithStrictOrdering());
    }

    [Test]
    public void Scan_gives_the_same_results_when_workers_share_the_tables_concurrently()
    {
        var (root, ica, signer) = Pki(rsa: false);
        var entries = new List<(string Path, byte[] Bytes)>();
        for (int i = 0; i < 6; i++)
        {
            byte[] signed = AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary($"Acme.Part{i}"), signer, ica);
            byte[] bad = WithBadSignatureValue(signed);
            for (int copy = 0; copy < 3; copy++)
            {
                entries.Add(($"bin/{copy}/Acme.Part{i}.dll", signed));
                entries.Add(($"bad/{copy}/Acme.Part{i}.dll", bad));
            }
        }
        using var dir = new TempDir();
        string trust = dir.File("roots.pem", Pem(root.Certificate));
        var sequential = Run(trust, [.. entries]);

        for (int round = 0; round < 5; round++)
        {
            var detector = new CertificatesDetector();
            var state = new ScanState(ScanOptions.Default with { AsOf = AsOf, TrustedRoots = [trust] }, CancellationToken.None);
            Parallel.ForEach(entries, new ParallelOptions { MaxDegreeOfParallelism = 4 }, entry =>
            {
                var info = new EntryInfo(entry.Path, entry.Path[(entry.Path.LastIndexOf('/') + 1)..], entry.Bytes.Length, ContentKind.DotNetAssembly, 0);
                detector.Analyze(new EntryContext(state, info, new EntryContent(entry.Path, entry.Bytes, ContentKind.DotNetAssembly)));
            });
            detector.Complete(new DetectorContext(state));

            state.Findings.OrderBy(static f => f.Location.Path, StringComparer.Ordinal).Should().BeEquivalentTo(sequential.Findings, o => o.WithStrictOrdering());
            state.Inventory.Build().Certificates.Should().BeEquivalentTo(sequential.Inventory.Certificates, o => o.WithStrictOrdering());
        }
        sequential.Findings.Where(f => f.RuleId == "PF616").Should().HaveCount(18, "every copy of every bad signature is reported");
        sequential.Inventory.Certificates.Should().HaveCount(72);
    }

    [Test]
    public void Cache_decodes_equal_bytes_once_and_stops_remembering_when_full()
    {
        var (_, ica, signer) = Pki(rsa: false);
        var cache = new CertificateCache(maxCertificates: 1);
        byte[] signerDer = signer.Certificate.GetEncoded();

        var first = cache.Parse(signerDer, out _);
        var again = cache.Parse([.. signerDer], out _);
        var icaFirst = cache.Parse(ica.Certificate.GetEncoded(), out _);
        var icaAgain = cache.Parse(ica.Certificate.GetEncoded(), out _);

        again.Should().BeSameAs(first, "equal bytes in another array are a hit");
        icaAgain.Should().NotBeSameAs(icaFirst, "the table was full, so the intermediate was decoded each time");
        icaAgain!.Sha256.Should().Be(icaFirst!.Sha256);
        cache.CertificateHits.Should().Be(1);
    }

    [Test]
    public void Cache_remembers_why_a_certificate_could_not_be_decoded()
    {
        var cache = new CertificateCache();
        byte[] garbage = [0x30, 0x03, 0x02, 0x01, 0x05];

        var first = cache.Parse(garbage, out string? firstError);
        var second = cache.Parse([.. garbage], out string? secondError);
        ParsedCertificate.TryParse(garbage, out string? uncachedError);

        first.Should().BeNull();
        second.Should().BeNull();
        firstError.Should().NotBeNullOrEmpty().And.Be(uncachedError);
        secondError.Should().Be(uncachedError);
    }

    [TestCase(false, TestName = "A cached ECDSA key verifies each signature on its own")]
    [TestCase(true, TestName = "A cached RSA key verifies each signature on its own")]
    public void Cache_verifies_every_signature_with_a_cached_key(bool rsa)
    {
        var keys = rsa ? RsaKey(2048) : EcKey();
        byte[] spki = Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(keys.Public).GetEncoded(Asn1Encodable.Der);
        byte[] message = "signed attributes"u8.ToArray();
        var bc = Org.BouncyCastle.Security.SignerUtilities.GetSigner(rsa ? "SHA256withRSA" : "SHA256withECDSA");
        bc.Init(true, keys.Private);
        bc.BlockUpdate(message, 0, message.Length);
        byte[] signature = bc.GenerateSignature();
        var cache = new CertificateCache();

        bool? good = cache.VerifyWithPlatform(spki, rsa, HashAlgorithmName.SHA256, message, signature);
        bool? otherMessage = cache.VerifyWithPlatform([.. spki], rsa, HashAlgorithmName.SHA256, "altered attributes"u8.ToArray(), signature);
        bool? goodAgain = cache.VerifyWithPlatform(spki, rsa, HashAlgorithmName.SHA256, message, signature);

        good.Should().BeTrue();
        otherMessage.Should().BeFalse("a cached key says nothing about a signature over other data");
        goodAgain.Should().BeTrue();
        cache.PublicKeyHits.Should().Be(2);
    }

    [Test]
    public void Cache_leaves_a_key_the_platform_refuses_to_bouncycastle_every_time()
    {
        var cache = new CertificateCache();
        byte[] notAKey = [0x30, 0x05, 0x30, 0x03, 0x06, 0x01, 0x00];

        cache.VerifyWithPlatform(notAKey, rsa: true, HashAlgorithmName.SHA256, [1], [2]).Should().BeNull();
        cache.VerifyWithPlatform(notAKey, rsa: true, HashAlgorithmName.SHA256, [1], [2]).Should().BeNull();
        cache.PublicKeyHits.Should().Be(1);
    }
}
