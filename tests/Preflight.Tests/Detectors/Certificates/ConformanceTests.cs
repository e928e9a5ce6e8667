using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Asn1.X509;
using Preflight.Benchmarks.Limbo;
using Preflight.Detectors.Certificates;
using Preflight.Tests.Support;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

public class ConformanceTests
{
    /// <summary>The pass rate reached on the 208 cases of the suite (193/208); a regression below it fails.</summary>
    private const double ReachedPassRate = 193.0 / 208; // 92.8 %, above the 92 % the issue asks for

    [Test]
    [Category(SharedData.Category)]
    public void Validator_passes_the_x509_limbo_suite_within_budget()
    {
        string path = SharedData.Require("x509-limbo/limbo.json");

        var outcomes = LimboRunner.RunAll(path);

        double rate = outcomes.Count(static o => o.Passed) / (double)outcomes.Count;
        var failures = string.Join("\n", outcomes.Where(static o => !o.Passed).Select(static o => $"{o.Id}: {o.Reason}"));
        rate.Should().BeGreaterThanOrEqualTo(ReachedPassRate, failures);
        outcomes.Should().OnlyContain(o => o.Elapsed < TimeSpan.FromSeconds(10), "every case, the 100-intermediate ones included, ends within the budget");
    }

    private static readonly string OpenSsl = "/usr/bin/openssl";

    private static (bool Ok, string Output) OpenSslVerify(TempDir dir, Issued leaf, Issued[] trusted, Issued[] untrusted, DateTimeOffset at)
    {
        string ca = dir.File($"ca-{Guid.NewGuid():N}.pem", Pem([.. trusted.Select(static t => t.Certificate)]));
        string leafFile = dir.File($"leaf-{Guid.NewGuid():N}.pem", Pem(leaf.Certificate));
        var psi = new ProcessStartInfo(OpenSsl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "verify", "-attime", at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "-CAfile", ca })
            psi.ArgumentList.Add(a);
        if (untrusted.Length > 0)
        {
            psi.ArgumentList.Add("-untrusted");
            psi.ArgumentList.Add(dir.File($"untrusted-{Guid.NewGuid():N}.pem", Pem([.. untrusted.Select(static t => t.Certificate)])));
        }
        psi.ArgumentList.Add(leafFile);
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode == 0, output);
    }

    [Test]
    public void Validator_agrees_with_openssl_verify_on_generated_chains()
    {
        if (!File.Exists(OpenSsl)) Assert.Ignore("openssl is not installed at /usr/bin/openssl");
        using var dir = new TempDir();
        var root = Root("CN=X Root");
        var ica = Intermediate("CN=X ICA", root);
        var noSign = Intermediate("CN=X ICA no keyCertSign", root, keyUsage: KeyUsage.DigitalSignature);
        var pathLen0 = Intermediate("CN=X ICA pathlen 0", root, pathLen: 0);
        var below = Intermediate("CN=X ICA below", pathLen0);
        var expiredRoot = Root("CN=X Expired Root", notAfter: new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        var newRoot = Root("CN=X Root G2");
        var rotatedIca = Intermediate("CN=X ICA G2", newRoot);
        var cross = CrossSign(newRoot, root);

        var cases = new (string Name, Issued Leaf, Issued[] Trusted, Issued[] Untrusted)[]
        {
            ("good chain", Leaf("CN=good", ica), [root], [ica]),
            ("expired leaf", Leaf("CN=expired", ica, notAfter: new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc)), [root], [ica]),
            ("not yet valid", Leaf("CN=future", ica, notBefore: new DateTime(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc), notAfter: new DateTime(2027, 6, 1, 0, 0, 0, DateTimeKind.Utc)), [root], [ica]),
            ("missing intermediate", Leaf("CN=orphan", ica), [root], []),
            ("ica without keyCertSign", Leaf("CN=nosign", noSign), [root], [noSign]),
            ("pathLen violated", Leaf("CN=deep", below), [root], [pathLen0, below]),
            ("expired root", Leaf("CN=under expired root", expiredRoot), [expiredRoot], []),
            ("rotated without cross-sign", Leaf("CN=rotated", rotatedIca), [root], [rotatedIca, newRoot]),
            ("rotated with cross-sign", Leaf("CN=rotated2", rotatedIca), [root], [rotatedIca, cross]),
        };

        foreach (var (name, leaf, trusted, untrusted) in cases)
        {
            var ours = new ChainValidator(trusted.Select(ToParsed), untrusted.Select(ToParsed))
                .Validate(ToParsed(leaf), AsOf, new ChainPolicy { Purpose = CertificatePurpose.Any });
            var (theirs, output) = OpenSslVerify(dir, leaf, trusted, untrusted, AsOf);
            ours.IsValid.Should().Be(theirs, $"{name}: openssl says {output.Trim()}; we say {ours.FailureSummary()}");
        }
    }

    [Test]
    public void Validator_and_openssl_differ_only_on_the_notAfter_second_itself()
    {
        if (!File.Exists(OpenSsl)) Assert.Ignore("openssl is not installed at /usr/bin/openssl");
        using var dir = new TempDir();
        var root = Root("CN=Edge Root");
        var notAfter = new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc);
        var leaf = Leaf("CN=edge", root, notBefore: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), notAfter: notAfter);
        var validator = new ChainValidator([ToParsed(root)], []);
        var atNotAfter = new DateTimeOffset(notAfter);

        // RFC 5280: the validity period includes notAfter; OpenSSL counts that second as expired.
        validator.Validate(ToParsed(leaf), atNotAfter, new ChainPolicy()).IsValid.Should().BeTrue();
        OpenSslVerify(dir, leaf, [root], [], atNotAfter).Ok.Should().BeFalse();
        // One second earlier both accept; one second later both reject.
        validator.Validate(ToParsed(leaf), atNotAfter.AddSeconds(-1), new ChainPolicy()).IsValid.Should().BeTrue();
        OpenSslVerify(dir, leaf, [root], [], atNotAfter.AddSeconds(-1)).Ok.Should().BeTrue();
        validator.Validate(ToParsed(leaf), atNotAfter.AddSeconds(1), new ChainPolicy()).IsValid.Should().BeFalse();
        OpenSslVerify(dir, leaf, [root], [], atNotAfter.AddSeconds(1)).Ok.Should().BeFalse();
    }

    private static ParsedCertificate ToParsed(Issued i) => ParsedCertificate.TryParse(i.Certificate.GetEncoded(), out _)!;
}
