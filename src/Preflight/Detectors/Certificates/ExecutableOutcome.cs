using System.Collections.Concurrent;
using System.Security.Cryptography;
using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>A finding about an executable, waiting for the location of the entry it is reported at.</summary>
internal sealed record PendingReport(RuleDescriptor Rule, string Message, string Identity, string? Evidence, IReadOnlyDictionary<string, string>? Properties);

/// <summary>What a verified signature tells the cross-entry step: its signer, and the time its timestamp vouches for.</summary>
/// <param name="SignerSha256">The signer certificate's SHA-256 (lower-case hex), when the SignedData includes it.</param>
/// <param name="StampedAt">The time of a verified timestamp, else null.</param>
/// <param name="CertificateSha256s">With a verified timestamp: the SHA-256 of every certificate the signature carries.</param>
internal sealed record SignerRecord(string? SignerSha256, DateTime? StampedAt, IReadOnlyList<string> CertificateSha256s)
{
    /// <summary>The record of a verified <paramref name="check"/>.</summary>
    public static SignerRecord Of(SignerCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        string? signer = check.Signer is { } cert ? Sha256(cert.GetEncoded()) : null;
        if (check is not { Timestamped: true, SigningTime: { } stamped }) return new SignerRecord(signer, null, []);
        return new SignerRecord(signer, stamped, [.. check.Certificates.Select(static c => Sha256(c.GetEncoded()))]);
    }

    private static string Sha256(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));
}

/// <summary>
/// What the Authenticode check of one executable found: whether it is a PE and signed, the certificates its
/// signature carries, the findings to report at its location and the verified signers. It depends on the
/// file's bytes alone (no clock, no option, no other entry), so a byte-identical copy reuses it.
/// </summary>
internal sealed class ExecutableOutcome
{
    private ExecutableOutcome(bool isPe, bool signed)
    {
        IsPe = isPe;
        Signed = signed;
    }

    /// <summary>Creates the outcome of a PE image.</summary>
    public ExecutableOutcome(bool signed) : this(true, signed)
    {
    }

    /// <summary>The outcome of bytes that are no PE image: nothing to record.</summary>
    public static ExecutableOutcome NotPe { get; } = new(false, false);

    /// <summary>True for a PE image.</summary>
    public bool IsPe { get; }

    /// <summary>True when its certificate table holds a PKCS#7 signature.</summary>
    public bool Signed { get; }

    /// <summary>The certificates its signature carries, in order.</summary>
    public List<ParsedCertificate> Certificates { get; } = [];

    /// <summary>The findings, in the order they were made.</summary>
    public List<PendingReport> Reports { get; } = [];

    /// <summary>The verified signers.</summary>
    public List<SignerRecord> Signers { get; } = [];

    /// <summary>Adds a finding.</summary>
    public void Report(RuleDescriptor rule, string message, string identity, string? evidence = null, IReadOnlyDictionary<string, string>? properties = null) =>
        Reports.Add(new PendingReport(rule, message, identity, evidence, properties));
}

/// <summary>
/// The outcomes of the executables of one scan by the SHA-256 of their bytes. Stops taking new entries at
/// <paramref name="maxEntries"/> (an outcome holds a few strings and references to certificates the scan keeps
/// anyway), so its memory does not grow with the package.
/// </summary>
internal sealed class ExecutableOutcomes(int maxEntries = ExecutableOutcomes.DefaultMaxEntries)
{
    /// <summary>How many distinct executables are remembered.</summary>
    public const int DefaultMaxEntries = 4096;

    private readonly ConcurrentDictionary<byte[], ExecutableOutcome> _outcomes = new(ByteArrayContentComparer.Instance);
    private int _count;

    /// <summary>Copies whose outcome was reused (for tests and measurements).</summary>
    public int Hits => _hits;

    private int _hits;

    /// <summary>The outcome of an executable with these bytes, if one was examined.</summary>
    public bool TryGetValue(byte[] sha256, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ExecutableOutcome outcome)
    {
        if (!_outcomes.TryGetValue(sha256, out outcome)) return false;
        Interlocked.Increment(ref _hits);
        return true;
    }

    /// <summary>Remembers an outcome while there is room.</summary>
    public void TryAdd(byte[] sha256, ExecutableOutcome outcome)
    {
        if (Interlocked.Increment(ref _count) > maxEntries || !_outcomes.TryAdd(sha256, outcome)) Interlocked.Decrement(ref _count);
    }
}
