namespace Preflight.Detectors.Certificates;

/// <summary>What a certificate is validated for; decides the extended key usage it must allow.</summary>
internal enum CertificatePurpose
{
    /// <summary>No particular purpose: extended key usage is not checked.</summary>
    Any = 0,
    /// <summary>TLS server (id-kp-serverAuth).</summary>
    ServerAuth,
    /// <summary>TLS client (id-kp-clientAuth).</summary>
    ClientAuth,
    /// <summary>Code and package signing (id-kp-codeSigning).</summary>
    CodeSigning,
    /// <summary>Time-stamping authorities (id-kp-timeStamping).</summary>
    TimeStamping,
}

/// <summary>The kind of a name a peer is expected to present.</summary>
internal enum PeerNameKind
{
    /// <summary>A DNS host name.</summary>
    Dns,
    /// <summary>An IPv4 or IPv6 address.</summary>
    Ip,
    /// <summary>An e-mail address (rfc822Name).</summary>
    Email,
}

/// <summary>A name the leaf certificate must carry in its subjectAltName.</summary>
internal sealed record PeerName(PeerNameKind Kind, string Value);

/// <summary>How a chain is validated. Budgets keep path building bounded on hostile inputs.</summary>
internal sealed record ChainPolicy
{
    /// <summary>The purpose the leaf must serve.</summary>
    public CertificatePurpose Purpose { get; init; }

    /// <summary>Names the leaf must match (all of them); empty checks no name.</summary>
    public IReadOnlyList<PeerName> PeerNames { get; init; } = [];

    /// <summary>
    /// Apply the CA/Browser Forum (web PKI) profile on top of RFC 5280: key identifiers present, subjectAltName
    /// required, EKU required in the leaf, only strong keys and SHA-2 signatures, serial numbers in range.
    /// </summary>
    public bool WebPki { get; init; }

    /// <summary>Most non-self-issued intermediates in one path.</summary>
    public int MaxIntermediates { get; init; } = 8;

    /// <summary>Skip validity periods altogether: tells a chain that fails only because of dates from one that fails for good.</summary>
    public bool IgnoreValidity { get; init; }

    /// <summary>Tolerance for clock skew on both ends of every validity period.</summary>
    public TimeSpan ClockSkew { get; init; }

    /// <summary>Most signature verifications for one validation.</summary>
    public int MaxSignatureChecks { get; init; } = 1024;

    /// <summary>Most issuer candidates tried per certificate.</summary>
    public int MaxCandidatesPerCertificate { get; init; } = 32;

    /// <summary>Most complete paths checked.</summary>
    public int MaxPaths { get; init; } = 64;

    /// <summary>Wall-clock budget for one validation.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most (name × constraint) comparisons for one certificate against one CA's name constraints.</summary>
    public int MaxNameConstraintChecks { get; init; } = 1 << 16;

    /// <summary>CRLs to consult; revocation is never fetched, and with no CRL it is simply not checked.</summary>
    public IReadOnlyList<Org.BouncyCastle.X509.X509Crl> Crls { get; init; } = [];
}

/// <summary>One candidate path and why it did not validate.</summary>
/// <param name="Path">Leaf first.</param>
/// <param name="Reason">Why it failed.</param>
internal sealed record PathAttempt(IReadOnlyList<ParsedCertificate> Path, string Reason)
{
    /// <summary>The path as subjects, leaf first, for messages.</summary>
    public string Describe() => string.Join(" <- ", Path.Select(static c => c.SubjectText)) + ": " + Reason;
}

/// <summary>The verdict of one validation.</summary>
internal sealed class ChainResult
{
    /// <summary>A path validated.</summary>
    public bool IsValid => ValidPath is not null;

    /// <summary>The path that validated, leaf first, anchor last.</summary>
    public IReadOnlyList<ParsedCertificate>? ValidPath { get; internal set; }

    /// <summary>Every path tried that failed, in the order tried.</summary>
    public List<PathAttempt> Attempts { get; } = [];

    /// <summary>Issuer names for which no certificate was found (neither trusted nor shipped), with the certificate that names them.</summary>
    public List<(ParsedCertificate Child, string IssuerName)> MissingIssuers { get; } = [];

    /// <summary>Self-signed certificates a path ended at that are not trusted.</summary>
    public List<ParsedCertificate> UntrustedRoots { get; } = [];

    /// <summary>The budget ran out before every path was tried.</summary>
    public bool BudgetExhausted { get; internal set; }

    /// <summary>What was exhausted, for the message.</summary>
    public string? BudgetReason { get; internal set; }

    /// <summary>Signature verifications done.</summary>
    public int SignatureChecks { get; internal set; }

    /// <summary>A one-line summary of why no path validated.</summary>
    public string FailureSummary()
    {
        if (IsValid) return "valid";
        if (BudgetExhausted && Attempts.Count == 0) return $"path building gave up: {BudgetReason}";
        var parts = Attempts.Take(5).Select(static a => a.Describe()).ToList();
        if (Attempts.Count > 5) parts.Add($"and {Attempts.Count - 5} more");
        if (BudgetExhausted) parts.Add($"path building gave up: {BudgetReason}");
        return parts.Count == 0 ? "no path" : string.Join("; ", parts);
    }
}
