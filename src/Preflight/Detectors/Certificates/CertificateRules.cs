using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>The <c>certificates</c> detector's rules (PF6xx): chains, expiry, weak crypto, keystores.</summary>
public static class CertificateRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "certificates";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);

    /// <summary>PF601.</summary>
    public static readonly RuleDescriptor Malformed = R("PF601", "malformed-certificate", Severity.Medium,
        "A certificate, CRL or keystore is truncated or malformed and could not be read.",
        "Software that loads it will fail at run time, or worse, silently skip it. Ask the vendor for an intact file; compare it with the copy the vendor publishes.");

    /// <summary>PF602.</summary>
    public static readonly RuleDescriptor Expired = R("PF602", "certificate-expired", Severity.High,
        "A certificate has expired at the evaluation time.",
        "TLS handshakes and signature checks that rely on it will fail. Ask the vendor for a renewed certificate, or replace it with your own before installing.");

    /// <summary>PF603.</summary>
    public static readonly RuleDescriptor NotYetValid = R("PF603", "certificate-not-yet-valid", Severity.High,
        "A certificate is not valid yet at the evaluation time.",
        "It will be rejected until its notBefore date. Check the clock of the machine that issued it, or wait for its validity before rolling the package out.");

    /// <summary>PF604.</summary>
    public static readonly RuleDescriptor ExpiringSoon = R("PF604", "certificate-expiring-soon", Severity.Medium,
        "A certificate expires within the warning window (30 days unless configured).",
        "Plan its renewal now: the package will stop working when it expires. The window is ScanOptions.ExpiryWarningDays.");

    /// <summary>PF605.</summary>
    public static readonly RuleDescriptor UntrustedChain = R("PF605", "untrusted-chain", Severity.High,
        "No path from a certificate reaches a trusted root; the finding lists every path tried and names the missing issuer.",
        "Check the issuer the finding names. When the vendor rotated its CA, the package often ships the new root or a cross-signed one: verify it with the vendor out of band and add it to the trust bundle (--trust). Revocation is never checked online.");

    /// <summary>PF606.</summary>
    public static readonly RuleDescriptor MissingIntermediate = R("PF606", "missing-intermediate", Severity.High,
        "The issuer of a certificate is neither shipped in the package nor in the trust bundle.",
        "Clients that do not fetch intermediates (most servers, Java, many embedded TLS stacks) will reject the chain. Ship the full chain (leaf plus intermediates) with the certificate. The finding names the missing issuer and, when the certificate carries one, the URL it would be fetched from.");

    /// <summary>PF607.</summary>
    public static readonly RuleDescriptor SelfSignedLeaf = R("PF607", "self-signed-leaf", Severity.Medium,
        "A self-signed certificate is used as a server or signing certificate.",
        "Nobody can verify it without trusting it by hand, and it cannot be revoked. Replace it with a certificate from your CA, or make sure the people who rely on it pin it deliberately.");

    /// <summary>PF608.</summary>
    public static readonly RuleDescriptor WeakKey = R("PF608", "weak-key", Severity.High,
        "A certificate's key is weak: RSA below 2048 bits (3072 for code signing), DSA, or an EC curve other than P-256, P-384 or P-521.",
        "Such keys are below current baseline requirements and rejected by modern clients. Reissue the certificate with RSA 3072+ or ECDSA P-256/P-384.");

    /// <summary>PF609.</summary>
    public static readonly RuleDescriptor WeakSignature = R("PF609", "weak-signature-algorithm", Severity.High,
        "A certificate below the root is signed with SHA-1 or MD5.",
        "Collisions for these hashes are practical; clients reject them. Reissue the certificate with a SHA-256 (or stronger) signature. Self-signed roots are exempt: their signature is not relied on.");

    /// <summary>PF610.</summary>
    public static readonly RuleDescriptor CaConstraints = R("PF610", "ca-constraints-violation", Severity.Medium,
        "CA and leaf roles are inconsistent: a CA without basicConstraints cA or keyCertSign, a leaf with cA=TRUE, or a path longer than a pathLenConstraint allows.",
        "Validators reject such chains, or worse, a leaf marked as a CA could issue certificates. Reissue the certificate with the right basicConstraints and keyUsage.");

    /// <summary>PF611.</summary>
    public static readonly RuleDescriptor LongValidity = R("PF611", "tls-validity-too-long", Severity.Low,
        "A TLS server certificate is valid for more than 398 days.",
        "Browsers reject publicly trusted TLS certificates valid longer than 398 days (issued since 2020-09-01). Reissue with a shorter validity and automate renewal.");

    /// <summary>PF612.</summary>
    public static readonly RuleDescriptor PrivateKeyPaired = R("PF612", "private-key-with-certificate", Severity.High,
        "The private key of a certificate in the package is shipped in the package too.",
        "Anyone with the package can impersonate the certificate's subject. Remove the key from the package, revoke and reissue the certificate, and provision keys on the target machine instead. (The credentials detector reports the key itself.)");

    /// <summary>PF613.</summary>
    public static readonly RuleDescriptor ChainBudget = R("PF613", "chain-building-budget-exhausted", Severity.Medium,
        "Path building gave up within its budget (too many candidate issuers, paths or signature checks).",
        "The certificates offer so many candidate paths that validation was stopped; this is typical of hostile inputs (many same-subject intermediates). Ship only the intermediates the chain needs.");

    /// <summary>PF614.</summary>
    public static readonly RuleDescriptor UnprotectedKeystore = R("PF614", "unprotected-keystore", Severity.High,
        "A PKCS#12 keystore with a private key opens without a password (or with an empty one).",
        "Anyone with the package holds the private key. Remove the keystore from the package, or protect it with a strong password provisioned separately; then reissue the certificate.");

    /// <summary>PF615.</summary>
    public static readonly RuleDescriptor NoTrustBundle = R("PF615", "chain-not-validated", Severity.Info,
        "Certificate chains were not validated because no trust bundle was given.",
        "Pass the roots you trust (ScanOptions.TrustedRoots, --trust roots.pem) to validate every chain in the package. The machine's own store is never used silently.");

    /// <summary>PF616.</summary>
    public static readonly RuleDescriptor SignatureMismatch = R("PF616", "signature-mismatch", Severity.Critical,
        "A signature (detached CMS, NuGet package, Authenticode, --signature) does not verify over what it signs: the content was altered after signing.",
        "Do not install the package. Download it again from the vendor and compare it with the published checksum; if the mismatch stays, report it to the vendor.");

    /// <summary>PF617.</summary>
    public static readonly RuleDescriptor SignedFileMissing = R("PF617", "signed-file-missing", Severity.High,
        "A detached signature signs a file that is not in the package.",
        "The package is incomplete or the signature belongs to another build. Ask the vendor for a consistent package.");

    /// <summary>PF618.</summary>
    public static readonly RuleDescriptor SignatureUnverifiable = R("PF618", "signature-unverifiable", Severity.Medium,
        "A signature could not be verified (unsupported digest, signer certificate not included).",
        "Nothing was verified: treat the file as unsigned until you check it another way (the vendor's published checksum, a signature tool that supports the algorithm).");

    /// <summary>PF619.</summary>
    public static readonly RuleDescriptor ManifestMismatch = R("PF619", "manifest-hash-mismatch", Severity.Critical,
        "A file does not match its SHA-256 in the package's checksum manifest (SHA256SUMS, *.sha256).",
        "The file changed after the manifest was made (and signed). Do not install: download the package again and compare it with the vendor's published checksum.");

    /// <summary>PF620.</summary>
    public static readonly RuleDescriptor ManifestFileMissing = R("PF620", "manifest-file-missing", Severity.High,
        "A file listed in the checksum manifest is not in the package.",
        "The package is incomplete or the manifest belongs to another build. Ask the vendor for a consistent package.");

    /// <summary>PF621.</summary>
    public static readonly RuleDescriptor ManifestUnlistedFile = R("PF621", "manifest-unlisted-file", Severity.Medium,
        "Files under a checksum manifest's folder are not listed in it.",
        "Files the manifest does not cover were not vouched for by whoever signed it; they may have been added later. Check them with the vendor.");

    /// <summary>PF622.</summary>
    public static readonly RuleDescriptor UnsignedExecutable = R("PF622", "unsigned-executable", Severity.Medium,
        "An executable (PE) is not Authenticode-signed while other executables in the package are.",
        "A vendor that signs its binaries signs all of them; an unsigned one may have been added or replaced after the build. Ask the vendor whether it is meant to be unsigned, or for a signed build.");

    /// <summary>All PF6xx rules, in id order.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } =
    [
        Malformed, Expired, NotYetValid, ExpiringSoon, UntrustedChain, MissingIntermediate, SelfSignedLeaf,
        WeakKey, WeakSignature, CaConstraints, LongValidity, PrivateKeyPaired, ChainBudget, UnprotectedKeystore,
        NoTrustBundle, SignatureMismatch, SignedFileMissing, SignatureUnverifiable, ManifestMismatch,
        ManifestFileMissing, ManifestUnlistedFile, UnsignedExecutable,
    ];
}
