using System.Diagnostics;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Asn1.X509;
using Preflight.Detectors.Certificates;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Detectors.Certificates;

public class ChainValidatorTests
{
    private static ParsedCertificate P(Issued i) => ParsedCertificate.TryParse(i.Certificate.GetEncoded(), out _)!;

    private static ChainResult Validate(Issued leaf, Issued[] anchors, Issued[] intermediates, ChainPolicy? policy = null, DateTimeOffset? at = null) =>
        new ChainValidator(anchors.Select(P), intermediates.Select(P)).Validate(P(leaf), at ?? AsOf, policy ?? new ChainPolicy { Purpose = CertificatePurpose.ServerAuth });

    [Test]
    public void Validate_accepts_a_good_chain_through_a_shipped_intermediate()
    {
        var root = Root("CN=Good Root");
        var ica = Intermediate("CN=Good ICA", root);
        var leaf = Leaf("CN=app.example.com", ica);

        var result = Validate(leaf, [root], [ica]);

        result.IsValid.Should().BeTrue(result.FailureSummary());
        result.ValidPath!.Select(static c => c.Subject.ToString()).Should().Equal("CN=app.example.com", "CN=Good ICA", "CN=Good Root");
    }

    [Test]
    public void Validate_rejects_an_expired_leaf_and_says_when_it_expired()
    {
        var root = Root("CN=Root");
        var leaf = Leaf("CN=old", root, notBefore: new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), notAfter: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var result = Validate(leaf, [root], []);

        result.IsValid.Should().BeFalse();
        result.FailureSummary().Should().Contain("expired 2026-01-01T00:00:00Z");
    }

    [Test]
    public void Validate_rejects_a_chain_whose_trusted_root_has_expired()
    {
        var root = Root("CN=Expired Root", notAfter: new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc));
        var leaf = Leaf("CN=app", root);

        var result = Validate(leaf, [root], []);

        result.IsValid.Should().BeFalse();
        result.FailureSummary().Should().Contain("CN=Expired Root: expired");
    }

    [Test]
    public void Validate_names_the_missing_intermediate()
    {
        var root = Root("CN=Root");
        var ica = Intermediate("CN=Missing ICA", root);
        var leaf = Leaf("CN=app", ica);

        var result = Validate(leaf, [root], []);

        result.IsValid.Should().BeFalse();
        result.MissingIssuers.Should().ContainSingle().Which.IssuerName.Should().Be("CN=Missing ICA");
    }

    [Test]
    public void Validate_follows_a_cross_signed_root_after_a_ca_rotation_and_reports_the_untrusted_new_root_without_it()
    {
        var oldRoot = Root("CN=Vendor Root G1");
        var newRoot = Root("CN=Vendor Root G2");
        var ica = Intermediate("CN=Vendor Signing CA G2", newRoot);
        var leaf = Leaf("CN=app", ica);
        var cross = CrossSign(newRoot, oldRoot);

        var without = Validate(leaf, [oldRoot], [ica, newRoot]);
        without.IsValid.Should().BeFalse();
        without.UntrustedRoots.Should().ContainSingle().Which.Subject.ToString().Should().Be("CN=Vendor Root G2");

        var with = Validate(leaf, [oldRoot], [ica, newRoot, cross]);
        with.IsValid.Should().BeTrue(with.FailureSummary());
        with.ValidPath!.Should().HaveCount(4);
    }

    [Test]
    public void Validate_rejects_an_intermediate_without_keyCertSign()
    {
        var root = Root("CN=Root");
        var ica = Intermediate("CN=No KeyCertSign", root, keyUsage: KeyUsage.DigitalSignature);
        var leaf = Leaf("CN=app", ica);

        var result = Validate(leaf, [root], [ica]);

        result.IsValid.Should().BeFalse();
        result.FailureSummary().Should().Contain("keyCertSign");
    }

    [Test]
    public void Validate_enforces_pathLenConstraint()
    {
        var root = Root("CN=Root");
        var ica1 = Intermediate("CN=ICA 1", root, pathLen: 0);
        var ica2 = Intermediate("CN=ICA 2", ica1);
        var leaf = Leaf("CN=app", ica2);

        var result = Validate(leaf, [root], [ica1, ica2]);

        result.IsValid.Should().BeFalse();
        result.FailureSummary().Should().Contain("pathLenConstraint");
    }

    [Test]
    public void Validate_enforces_excluded_dns_name_constraints_also_against_wildcards()
    {
        var root = Root("CN=Root");
        var ica = Intermediate("CN=Constrained", root, excludedDns: ["secret.example.com"]);
        var leaf = Leaf("CN=wild", ica, dns: ["*.example.com"]);

        var result = Validate(leaf, [root], [ica]);

        result.IsValid.Should().BeFalse();
        result.FailureSummary().Should().Contain("excluded");
    }

    [Test]
    public void Validate_checks_the_extended_key_usage_for_the_purpose()
    {
        var root = Root("CN=Root");
        var leaf = Leaf("CN=client", root, eku: ["1.3.6.1.5.5.7.3.2"]);

        Validate(leaf, [root], []).IsValid.Should().BeFalse();
        Validate(leaf, [root], [], new ChainPolicy { Purpose = CertificatePurpose.ClientAuth }).IsValid.Should().BeTrue();
    }

    [TestCase("app.example.com", "app.example.com", true)]
    [TestCase("APP.Example.com", "app.example.com", true)]
    [TestCase("*.example.com", "app.example.com", true)]
    [TestCase("*.example.com", "example.com", false)]
    [TestCase("*.example.com", "a.b.example.com", false)]
    [TestCase("*.com", "example.com", false)]
    [TestCase("other.example.com", "app.example.com", false)]
    public void Validate_matches_dns_peer_names_like_rfc_6125(string san, string expected, bool match)
    {
        var root = Root("CN=Root");
        var leaf = Leaf("CN=x", root, dns: [san]);

        var result = Validate(leaf, [root], [], new ChainPolicy { Purpose = CertificatePurpose.ServerAuth, PeerNames = [new PeerName(PeerNameKind.Dns, expected)] });

        result.IsValid.Should().Be(match, result.FailureSummary());
    }

    [Test]
    public void Validate_finishes_within_its_budget_on_many_same_subject_intermediates()
    {
        var root = Root("CN=Root");
        // 60 intermediates with one subject and distinct keys, each issued by the previous: a thicket of candidates.
        var ladder = new List<Issued>();
        var issuer = Intermediate("CN=Same", Root("CN=Unrelated"));
        for (int i = 0; i < 60; i++)
        {
            var next = Intermediate("CN=Same", issuer);
            ladder.Add(next);
            issuer = next;
        }
        var leaf = Leaf("CN=app", issuer);
        var clock = Stopwatch.StartNew();

        var result = Validate(leaf, [root], [.. ladder], new ChainPolicy { Purpose = CertificatePurpose.ServerAuth, TimeBudget = TimeSpan.FromSeconds(5) });

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        result.IsValid.Should().BeFalse();
        (result.BudgetExhausted || result.Attempts.Count > 0).Should().BeTrue();
    }

    [Test]
    public void Validate_never_reports_revocation_as_checked_without_a_crl_and_still_validates()
    {
        var root = Root("CN=Root");
        var leaf = Leaf("CN=app", root);

        var result = Validate(leaf, [root], [], new ChainPolicy { Purpose = CertificatePurpose.ServerAuth, Crls = [] });

        result.IsValid.Should().BeTrue();
    }
}
