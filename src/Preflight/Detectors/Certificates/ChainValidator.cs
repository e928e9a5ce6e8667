using System.Diagnostics;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace Preflight.Detectors.Certificates;

/// <summary>
/// Offline, deterministic RFC 5280 path building and validation. BouncyCastle decodes certificates and
/// verifies signatures; building the candidate paths and checking each one is done here, within a budget, so
/// that hostile inputs (cycles, hundreds of same-subject intermediates) end with a verdict. Revocation is only
/// checked against CRLs handed in; nothing is ever fetched.
/// </summary>
internal sealed class ChainValidator
{
    internal const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    internal const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    internal const string CodeSigningOid = "1.3.6.1.5.5.7.3.3";
    internal const string TimeStampingOid = "1.3.6.1.5.5.7.3.8";
    internal const string AnyEkuOid = "2.5.29.37.0";

    private readonly Dictionary<string, List<ParsedCertificate>> _anchorsBySubject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ParsedCertificate>> _intermediatesBySubject = new(StringComparer.Ordinal);
    private readonly HashSet<string> _anchorHashes = new(StringComparer.Ordinal);

    /// <summary>Creates a validator over a fixed set of trust anchors and untrusted intermediates.</summary>
    public ChainValidator(IEnumerable<ParsedCertificate> anchors, IEnumerable<ParsedCertificate> intermediates)
    {
        foreach (var a in anchors)
        {
            if (!_anchorHashes.Add(a.Sha256)) continue;
            Add(_anchorsBySubject, a);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in intermediates)
        {
            if (_anchorHashes.Contains(i.Sha256) || !seen.Add(i.Sha256)) continue;
            Add(_intermediatesBySubject, i);
        }
    }

    private static void Add(Dictionary<string, List<ParsedCertificate>> index, ParsedCertificate c)
    {
        string key = Convert.ToHexString(c.SubjectDer);
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        list.Add(c);
    }

    /// <summary>True when the certificate is one of the trust anchors.</summary>
    public bool IsAnchor(ParsedCertificate certificate) => _anchorHashes.Contains(certificate.Sha256);

    /// <summary>Builds and checks paths from <paramref name="leaf"/> to a trust anchor at <paramref name="time"/>.</summary>
    public ChainResult Validate(ParsedCertificate leaf, DateTimeOffset time, ChainPolicy policy)
    {
        var run = new Run(this, policy, FloorToSecond(time));
        run.Search([leaf], 0);
        run.Result.SignatureChecks = run.SignatureChecks;
        return run.Result;
    }

    private static DateTime FloorToSecond(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private sealed class Run(ChainValidator owner, ChainPolicy policy, DateTime time)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _paths;
        private readonly HashSet<string> _missingReported = new(StringComparer.Ordinal);

        public ChainResult Result { get; } = new();
        public int SignatureChecks { get; private set; }

        private bool Done => Result.IsValid || Result.BudgetExhausted;

        public void Search(List<ParsedCertificate> path, int nonSelfIssuedIntermediates)
        {
            var current = path[^1];
            string issuerKey = Convert.ToHexString(current.IssuerDer);
            var candidates = new List<(ParsedCertificate Cert, bool Anchor)>();
            if (owner._anchorsBySubject.TryGetValue(issuerKey, out var anchors))
                candidates.AddRange(anchors.Select(static a => (a, true)));
            if (owner._intermediatesBySubject.TryGetValue(issuerKey, out var intermediates))
                candidates.AddRange(intermediates.Select(static i => (i, false)));
            // Prefer candidates whose subject key identifier matches the authority key identifier; keep the rest.
            var aki = current.AuthorityKeyId?.KeyIdentifier?.GetOctets();
            if (aki is not null)
                candidates = [.. candidates.OrderBy(c => c.Cert.SubjectKeyId is { } ski && !ski.AsSpan().SequenceEqual(aki) ? 1 : 0)];

            bool anyUsable = false;
            int tried = 0;
            foreach (var (candidate, isAnchor) in candidates)
            {
                if (Done) return;
                if (path.Exists(p => p.Sha256 == candidate.Sha256
                                     || (p.SubjectDer.AsSpan().SequenceEqual(candidate.SubjectDer) && p.SpkiDer.AsSpan().SequenceEqual(candidate.SpkiDer))))
                    continue; // a cycle, or the same logical CA again
                if (++tried > policy.MaxCandidatesPerCertificate)
                {
                    Exhaust($"more than {policy.MaxCandidatesPerCertificate} issuer candidates for {current.SubjectText}");
                    return;
                }
                if (!SpendBudget()) return;
                anyUsable = true;
                if (!current.SignedBy(candidate))
                {
                    Record([.. path, candidate], $"the signature of {current.SubjectText} does not verify with the key of this {RoleName(isAnchor)} {candidate.SubjectText}");
                    continue;
                }
                path.Add(candidate);
                try
                {
                    if (isAnchor)
                    {
                        if (++_paths > policy.MaxPaths) { Exhaust($"more than {policy.MaxPaths} complete paths"); return; }
                        string? reason = CheckPath(path);
                        if (reason is null) Result.ValidPath = [.. path];
                        else Record([.. path], reason);
                    }
                    else
                    {
                        int count = nonSelfIssuedIntermediates + (candidate.IsSelfIssued ? 0 : 1);
                        if (count > policy.MaxIntermediates)
                        {
                            Record([.. path], $"longer than the maximum of {policy.MaxIntermediates} intermediates");
                            continue;
                        }
                        string? reason = CheckValidity(candidate) ?? CheckCertificate(candidate, Role.Intermediate);
                        if (reason is not null)
                        {
                            Record([.. path], $"{candidate.SubjectText}: {reason}");
                            continue;
                        }
                        Search(path, count);
                    }
                }
                finally
                {
                    path.RemoveAt(path.Count - 1);
                }
            }

            if (!anyUsable && !Done)
            {
                if (current.IsSelfIssued && current.SignedBy(current))
                {
                    if (!Result.UntrustedRoots.Exists(r => r.Sha256 == current.Sha256)) Result.UntrustedRoots.Add(current);
                    Record([.. path], $"ends at the self-signed {current.SubjectText}, which is not a trusted root");
                }
                else
                {
                    string name = current.IssuerText;
                    if (_missingReported.Add(current.Sha256 + "|" + name)) Result.MissingIssuers.Add((current, name));
                    Record([.. path], $"no certificate of the issuer {name} is trusted or shipped");
                }
            }
        }

        private static string RoleName(bool anchor) => anchor ? "trusted root" : "intermediate";

        private bool SpendBudget()
        {
            if (++SignatureChecks > policy.MaxSignatureChecks)
            {
                Exhaust($"more than {policy.MaxSignatureChecks} signature checks");
                return false;
            }
            if (_clock.Elapsed > policy.TimeBudget)
            {
                Exhaust($"more than {policy.TimeBudget.TotalSeconds:0.#} s");
                return false;
            }
            return true;
        }

        private void Exhaust(string reason)
        {
            Result.BudgetExhausted = true;
            Result.BudgetReason = reason;
        }

        private void Record(List<ParsedCertificate> path, string reason)
        {
            if (Result.Attempts.Count < 256) Result.Attempts.Add(new PathAttempt(path, reason));
        }

        private string? CheckValidity(ParsedCertificate c)
        {
            var cert = c.Certificate;
            if (policy.IgnoreValidity) return null;
            if (time < cert.NotBefore - policy.ClockSkew)
                return $"not valid before {cert.NotBefore:yyyy-MM-ddTHH:mm:ssZ}";
            if (time > cert.NotAfter + policy.ClockSkew)
                return $"expired {cert.NotAfter:yyyy-MM-ddTHH:mm:ssZ}";
            return null;
        }

        /// <summary>Every check of a complete path (leaf first, anchor last); null when it validates.</summary>
        private string? CheckPath(List<ParsedCertificate> path)
        {
            int n = path.Count - 1;
            for (int i = 0; i <= n; i++)
            {
                var c = path[i];
                var role = i == 0 ? Role.Leaf : i == n ? Role.Anchor : Role.Intermediate;
                string? reason = CheckValidity(c) ?? CheckCertificate(c, role);
                if (reason is not null) return $"{c.SubjectText}: {reason}";
                if (i < n && policy.WebPki && !WebPkiSignatureAlgorithms.Contains(c.Certificate.SigAlgOid))
                    return $"{c.SubjectText}: signature algorithm {c.Certificate.SigAlgName} is not allowed";
                if (i > 0)
                {
                    var bc = c.BasicConstraints;
                    if (bc?.PathLenConstraint is BigInteger pathLen)
                    {
                        int below = 0;
                        for (int j = 1; j < i; j++) if (!path[j].IsSelfIssued) below++;
                        if (pathLen.IntValue < below) return $"{c.SubjectText}: pathLenConstraint {pathLen} but {below} intermediates follow it";
                    }
                    if (c.NameConstraints is not null)
                    {
                        for (int j = 0; j < i; j++)
                        {
                            if (j > 0 && path[j].IsSelfIssued) continue;
                            string? nc = NameChecks.CheckNameConstraints(c, path[j], policy.MaxNameConstraintChecks);
                            if (nc is not null) return $"{path[j].SubjectText}: {nc} (name constraints of {c.SubjectText})";
                        }
                    }
                    if (i < n && c.ExtendedKeyUsages is { } caEku && PurposeOid(policy.Purpose) is { } want
                        && !caEku.Contains(want) && !caEku.Contains(AnyEkuOid))
                        return $"{c.SubjectText}: its extended key usage does not allow {policy.Purpose}";
                }
                if (i < n && policy.Crls.Count > 0)
                {
                    string? revoked = CheckRevocation(c, path[i + 1]);
                    if (revoked is not null) return $"{c.SubjectText}: {revoked}";
                }
            }
            return CheckLeafPurpose(path[0]);
        }

        private string? CheckLeafPurpose(ParsedCertificate leaf)
        {
            if (PurposeOid(policy.Purpose) is { } want)
            {
                if (leaf.ExtendedKeyUsages is { } eku)
                {
                    if (!eku.Contains(want) && (policy.WebPki || !eku.Contains(AnyEkuOid)))
                        return $"{leaf.SubjectText}: its extended key usage does not allow {policy.Purpose}";
                }
            }
            foreach (var name in policy.PeerNames)
            {
                if (!NameChecks.Matches(leaf, name))
                    return $"{leaf.SubjectText}: does not match the expected {name.Kind} name {name.Value}";
            }
            return null;
        }

        private string? CheckRevocation(ParsedCertificate c, ParsedCertificate issuer)
        {
            foreach (var crl in policy.Crls)
            {
                if (!crl.IssuerDN.GetEncoded().AsSpan().SequenceEqual(c.IssuerDer)) continue;
                bool signed;
                try { signed = issuer.PublicKey is { } key && crl.IsSignatureValid(key); }
                catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex)) { signed = false; }
                if (!signed) continue;
                if (!issuer.KeyUsageAllows(KeyUsage.CrlSign)) return $"the CRL issuer {issuer.SubjectText} may not sign CRLs (no cRLSign)";
                var crlNumber = crl.CertificateList.TbsCertList.Extensions?.GetExtension(X509Extensions.CrlNumber);
                if (crlNumber is null) return "the CRL of its issuer has no CRL number";
                if (crlNumber.IsCritical) return "the CRL of its issuer marks the CRL number critical";
                if (crl.IsRevoked(c.Certificate)) return "revoked by its issuer's CRL";
            }
            return null;
        }

        /// <summary>The checks that depend only on the certificate and its role.</summary>
        public string? CheckCertificate(ParsedCertificate c, Role role)
        {
            if (c.Defects.Count > 0) return c.Defects[0];
            if (c.UnknownCriticalExtensions.Count > 0) return $"unknown critical extension {c.UnknownCriticalExtensions[0]}";
            if (c.HasPolicyConstraints && !c.PolicyConstraintsCritical) return "policyConstraints is not critical";
            if (c.AuthorityInfoAccessCritical) return "authorityInfoAccess is critical";
            if (c.AuthorityKeyIdCritical) return "authorityKeyIdentifier is critical";
            if (c.SubjectKeyIdCritical) return "subjectKeyIdentifier is critical";
            if (c.IssuerIsEmpty) return "its issuer name is empty";
            string? sanProblem = NameChecks.CheckSubjectAlternativeNames(c);
            if (sanProblem is not null) return sanProblem;
            if (c.IsCa && !c.KeyUsageAllows(KeyUsage.KeyCertSign)) return "basicConstraints cA=TRUE with a key usage that lacks keyCertSign";
            if (policy.WebPki)
            {
                string? web = CheckWebPki(c, role);
                if (web is not null) return web;
            }
            if (role == Role.Leaf)
            {
                if (c.NameConstraints is not null) return "an end-entity certificate carries name constraints";
                if (!c.IsCa && c.KeyUsageBits is int ku && (ku & KeyUsage.KeyCertSign) != 0)
                    return "an end-entity certificate asserts keyCertSign";
                return null;
            }
            // A CA: intermediate or anchor.
            if (c.Certificate.Version >= 3 || role == Role.Intermediate)
            {
                if (c.BasicConstraints is null) return "a CA certificate without basicConstraints";
                if (!c.IsCa) return "a CA certificate without basicConstraints cA=TRUE";
            }
            if (!c.KeyUsageAllows(KeyUsage.KeyCertSign)) return "a CA certificate whose key usage lacks keyCertSign";
            if (c.NameConstraints is not null)
            {
                string? nc = NameChecks.CheckConstraintSyntax(c.NameConstraints);
                if (nc is not null) return nc;
            }
            return null;
        }

        private string? CheckWebPki(ParsedCertificate c, Role role)
        {
            var cert = c.Certificate;
            if (cert.Version != 3) return $"a version {cert.Version} certificate";
            var serial = cert.SerialNumber;
            if (role != Role.Anchor)
            {
                // Roots predate the rule; some trusted roots carry serial 0.
                if (serial.SignValue <= 0) return "its serial number is not positive";
                if (serial.ToByteArray().Length > 20) return "its serial number is longer than 20 bytes";
            }
            var structure = cert.CertificateStructure;
            if (!structure.SignatureAlgorithm.Equals(structure.TbsCertificate.Signature))
                return "the outer and inner signature algorithms differ";
            string? key = CheckWebPkiKey(c);
            if (key is not null) return key;
            if (role == Role.Leaf)
            {
                if (c.AuthorityKeyId?.KeyIdentifier is null) return "no authorityKeyIdentifier";
                if (c.ExtendedKeyUsages is { } eku)
                {
                    if (c.ExtendedKeyUsageCritical) return "extendedKeyUsage is critical in an end-entity certificate";
                    if (eku.Count == 0) return "extendedKeyUsage is empty";
                    if (eku.Contains(AnyEkuOid)) return "extendedKeyUsage holds anyExtendedKeyUsage";
                }
                if (policy.Purpose == CertificatePurpose.ServerAuth && c.SubjectAlternativeNames is null)
                    return "no subjectAltName";
                if (c.SubjectAlternativeNamesCritical && !c.SubjectIsEmpty) return "subjectAltName is critical although the subject is not empty";
                return null;
            }
            if (c.SubjectIsEmpty) return "a CA certificate with an empty subject";
            if (c.BasicConstraints is not null && !c.BasicConstraintsCritical) return "basicConstraints is not critical in a CA certificate";
            if (c.KeyUsageBits is null && role != Role.Anchor) return "a CA certificate without key usage";
            if (c.SubjectKeyId is null) return "a CA certificate without subjectKeyIdentifier";
            bool selfSigned = role == Role.Anchor && c.IsSelfIssued;
            if (role == Role.Anchor && c.ExtendedKeyUsages is not null) return "a root certificate with extendedKeyUsage";
            if (selfSigned)
            {
                if (c.AuthorityKeyId is { } aki)
                {
                    if (aki.KeyIdentifier is null) return "authorityKeyIdentifier without keyIdentifier";
                    if (aki.AuthorityCertIssuer is not null || aki.AuthorityCertSerialNumber is not null)
                        return "authorityKeyIdentifier of a root names an issuer and serial";
                    if (!aki.KeyIdentifier.GetOctets().AsSpan().SequenceEqual(c.SubjectKeyId))
                        return "authorityKeyIdentifier differs from subjectKeyIdentifier in a self-signed root";
                }
            }
            else if (c.AuthorityKeyId?.KeyIdentifier is null)
            {
                return "no authorityKeyIdentifier";
            }
            if (c.NameConstraints is { } nc && nc.Permitted is null && nc.Excluded is null)
                return "nameConstraints with neither permitted nor excluded subtrees";
            if (c.NameConstraints is { } nc2 && (nc2.Permitted?.Count == 0 || nc2.Excluded?.Count == 0))
                return "nameConstraints with an empty subtree list";
            return null;
        }

        private static string? CheckWebPkiKey(ParsedCertificate c)
        {
            var spki = c.Certificate.CertificateStructure.SubjectPublicKeyInfo;
            var (algorithm, size) = c.KeyDescription();
            if (algorithm == "RSA")
            {
                    int bits = size;
                    if (bits < 2048) return $"an RSA key of {bits} bits";
                    if (bits % 8 != 0) return $"an RSA key of {bits} bits (not a multiple of 8)";
                    return null;
            }
            switch (c.PublicKey)
            {
                case ECPublicKeyParameters:
                    if (spki.Algorithm.Parameters is not DerObjectIdentifier curve) return "an EC key on explicit curve parameters";
                    return curve.Id is "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35"
                        ? null
                        : $"an EC key on {ParsedCertificate.CurveName(curve.Id)}";
                case null:
                    return "a public key that cannot be decoded";
                default:
                    return $"a {algorithm} key";
            }
        }
    }

    internal enum Role { Leaf, Intermediate, Anchor }

    private static readonly HashSet<string> WebPkiSignatureAlgorithms = new(StringComparer.Ordinal)
    {
        "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", // RSA PKCS#1 v1.5 SHA-2
        "1.2.840.113549.1.1.10", // RSASSA-PSS
        "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", // ECDSA SHA-2
    };

    /// <summary>The EKU OID a purpose needs, or null for <see cref="CertificatePurpose.Any"/>.</summary>
    internal static string? PurposeOid(CertificatePurpose purpose) => purpose switch
    {
        CertificatePurpose.ServerAuth => ServerAuthOid,
        CertificatePurpose.ClientAuth => ClientAuthOid,
        CertificatePurpose.CodeSigning => CodeSigningOid,
        CertificatePurpose.TimeStamping => TimeStampingOid,
        _ => null,
    };
}
