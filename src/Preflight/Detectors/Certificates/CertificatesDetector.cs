using System.Collections.Concurrent;
using System.Globalization;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>
/// The <c>certificates</c> detector (PF6xx). Each entry that is a certificate container, or text holding a
/// PEM block, is read into certificates, CRLs and private keys; the cross-entry step inventories every
/// certificate, checks dates, keys and signature algorithms, pairs private keys with their certificates and
/// validates every leaf's chain offline against the configured trust bundle, with the package's own
/// certificates as intermediates.
/// </summary>
public sealed class CertificatesDetector : IDetector, IArchiveObserver, IWindowedDetector
{
    private const long MaxTextSize = 16L << 20;
    private const long MaxBinarySize = 8L << 20;
    private const long MaxHashedSize = 64L << 20;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly DateTime LongValidityCutoff = new(2020, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.Ordinal)
    {
        ".cer", ".crt", ".der", ".p7b", ".p7c", ".p7s", ".sig", ".pfx", ".p12", ".crl", ".jks", ".keystore", ".truststore",
    };

    private readonly ConcurrentBag<(ParsedCertificate Certificate, Location Location)> _certificates = [];
    private readonly ConcurrentBag<(byte[] PublicKeyInfo, Location Location)> _privateKeys = [];
    private readonly ConcurrentBag<X509Crl> _crls = [];
    private readonly ConcurrentBag<DetachedSignature> _signatures = [];
    private readonly ConcurrentDictionary<string, byte[]> _sha256ByPath = new(StringComparer.Ordinal);
    // Every entry path, for checksum manifests (a manifest's unlisted and missing files). Queued as the entries come, in a
    // set only at the end and only when there is a manifest: a dictionary insert per entry was a quarter of this
    // detector's time on text in a package of 100,000 small files.
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly ConcurrentBag<ChecksumManifest> _manifests = [];
    private readonly ConcurrentBag<NuGetSignature> _nugetSignatures = [];
    private readonly ConcurrentBag<(string Path, bool Signed)> _executablePaths = [];
    private readonly ConcurrentDictionary<string, byte> _signers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTime> _stampedAt = new(StringComparer.Ordinal);
    private volatile bool _packageBytesSeen;

    // Decoded certificates and imported public keys, shared by the workers for this scan (one detector instance per scan).
    private readonly CertificateCache _cache;

    // What each distinct executable yielded, by the SHA-256 of its bytes (bounded: see ExecutableOutcomes).
    private readonly ExecutableOutcomes _executables;

    /// <summary>Creates the detector for one scan.</summary>
    public CertificatesDetector()
        : this(new CertificateCache(), new ExecutableOutcomes())
    {
    }

    /// <summary>Creates the detector with the given per-scan tables (tests use small ones).</summary>
    internal CertificatesDetector(CertificateCache cache, ExecutableOutcomes executables)
    {
        _cache = cache;
        _executables = executables;
    }

    /// <inheritdoc />
    public string Id => CertificateRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => CertificateRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Every entry is seen (its path) and, when small enough and a manifest or signature may name it, hashed once
        // (SHA-256) so that detached signatures and checksum manifests can be checked in the cross-entry step,
        // whatever the entry order.
        // The certificate parsing itself is gated in Analyze (IsCertificateCandidate, then a byte search for
        // "-----BEGIN " before any text is decoded).
        return true;
    }

    private static bool IsCertificateCandidate(EntryInfo entry) => entry.Kind switch
    {
        Content.ContentKind.CertificateContainer => entry.Size <= MaxTextSize,
        Content.ContentKind.Text => entry.Size <= MaxTextSize,
        Content.ContentKind.OtherBinary => entry.Size <= MaxBinarySize && BinaryExtensions.Contains(entry.Extension),
        _ => false,
    };

    /// <summary>
    /// Windows of a text hold whole PEM blocks, and the last window carries the whole entry's SHA-256 for manifests
    /// and detached signatures. Manifests, signatures, key stores and executables (Authenticode covers the whole
    /// file) are read whole.
    /// </summary>
    bool IWindowedDetector.AcceptsWindows(EntryInfo entry, ReadOnlySpan<byte> head) => entry.Kind switch
    {
        Content.ContentKind.Text => !ChecksumManifests.IsManifestName(entry.FileName) && !DetachedSignatures.IsSignatureName(entry.Path),
        Content.ContentKind.OtherBinary => !BinaryExtensions.Contains(entry.Extension) && !DetachedSignatures.IsSignatureName(entry.Path) && !Authenticode.LooksLikePe(head),
        _ => false,
    };

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var content = context.Content;
        var info = context.Info;
        if (context.Window is not { Index: > 0 }) _paths.Enqueue(info.Path);
        byte[]? sha256 = null;
        bool executable = context.Window is null && Authenticode.LooksLikePe(content.Bytes.Span);
        if (context.Window is { } window)
        {
            // The reader hashed the whole entry across its windows (when a manifest or signature may name it).
            if (window.IsLast && window.Sha256 is { } whole) _sha256ByPath[info.Path] = whole;
        }
        else if (content.Bytes.Length == info.Size && info.Size <= MaxHashedSize && (info.MayBeVouchedFor || executable))
        {
            // Only a manifest or a detached signature reads the digest by path; an executable's outcome is kept by it.
            sha256 = content.Sha256;
            if (info.MayBeVouchedFor) _sha256ByPath[info.Path] = sha256;
        }
        if (ChecksumManifests.IsManifestName(info.FileName) && content.IsText && info.Size <= MaxTextSize)
            _manifests.Add(ChecksumManifests.Parse(context.At(), info.FileName, content.Text));
        if (executable) AnalyzeExecutable(context, sha256);
        if (!IsCertificateCandidate(info)) return;
        if (DetachedSignatures.IsSignatureName(info.Path)
            && DetachedSignatures.TryRead(context.At(), content.Bytes.Span, content.IsText ? content.Text : null) is { } signature)
            _signatures.Add(signature);
        LoadedContainer loaded;
        if (content.IsText)
        {
            // The cheap part of the gate: most text holds no PEM block at all.
            if (content.Bytes.Span.IndexOf("-----BEGIN "u8) < 0) return;
            loaded = CertificateLoader.FromText(content.Text, _cache);
        }
        else
        {
            loaded = CertificateLoader.FromBinary(content.Bytes.Span, context.Info.Extension, _cache);
        }

        foreach (var (line, message) in loaded.Errors)
        {
            var at = context.At(line);
            context.Report(CertificateRules.Malformed, at, $"Malformed certificate material: {message}.", $"malformed|{at.Line}|{message}");
        }
        if (loaded.UnprotectedPkcs12)
            context.Report(CertificateRules.UnprotectedKeystore, context.At(),
                "A PKCS#12 keystore holding a private key opens without a password or with an empty one.", "pkcs12-no-password");
        foreach (var (certificate, line) in loaded.Certificates) _certificates.Add((certificate, context.At(line)));
        foreach (var (spki, line) in loaded.PrivateKeys) _privateKeys.Add((spki, context.At(line)));
        foreach (var crl in loaded.Crls) _crls.Add(crl);
    }

    /// <inheritdoc />
    public void AnalyzeArchive(DetectorContext context, string path, Stream bytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(bytes);
        if (context.ScanningBaseline) return;
        if (path.Length == 0)
        {
            _packageBytesSeen = true;
            if (context.Options.PackageSignaturePath is { } signaturePath)
                PackageSignature.Verify(context, signaturePath, bytes, AddSignatureCertificates, RecordSigner);
        }
        else
        {
            // A nested zip's own checksum, for manifests that list it.
            _paths.Enqueue(path);
            if (bytes.Length <= MaxHashedSize) _sha256ByPath[path] = System.Security.Cryptography.SHA256.HashData(bytes);
        }
        bytes.Position = 0;
        try
        {
            if (NuGetSignatures.TryRead(path, bytes) is { } nuget) _nugetSignatures.Add(nuget);
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            var location = new Location(path.Length == 0 ? NuGetSignatures.SignatureEntry : path + Location.NestedSeparator + NuGetSignatures.SignatureEntry);
            _nugetSignatures.Add(new NuGetSignature(path, location, $"the zip structure could not be read ({ex.GetType().Name})", null, null, null, null));
        }
    }

    private void AddSignatureCertificates(Location location, byte[] pkcs7)
    {
        foreach (var (certificate, _) in CertificateLoader.FromBinary(pkcs7, ".p7s", _cache).Certificates) _certificates.Add((certificate, location));
    }

    private void RecordSigner(SignerCheck check) => RecordSigner(SignerRecord.Of(check));

    private void RecordSigner(SignerRecord record)
    {
        if (record.SignerSha256 is { } signer) _signers[signer] = 0;
        // A verified timestamp vouches for the time of signing: the chain the signature carries is checked then.
        if (record.StampedAt is { } stamped)
        {
            foreach (var sha256 in record.CertificateSha256s) _stampedAt[sha256] = stamped;
        }
    }

    private void AnalyzeExecutable(EntryContext context, byte[]? sha256)
    {
        // A copy of an executable already examined (the same assembly shipped in several folders) yields the same
        // outcome: it is a function of the file's bytes alone, so it is replayed at the copy's location.
        if (sha256 is null || !_executables.TryGetValue(sha256, out var outcome))
        {
            outcome = ExamineExecutable(context.Content.Bytes.Span, context.Info.Size);
            if (sha256 is not null && outcome.IsPe) _executables.TryAdd(sha256, outcome);
        }
        if (!outcome.IsPe) return;
        var location = context.At();
        _executablePaths.Add((context.Info.Path, outcome.Signed));
        foreach (var certificate in outcome.Certificates) _certificates.Add((certificate, location));
        foreach (var report in outcome.Reports)
            context.Report(report.Rule, location, report.Message, report.Identity, report.Evidence, properties: report.Properties);
        foreach (var signer in outcome.Signers) RecordSigner(signer);
    }

    /// <summary>Reads an executable's Authenticode signature and checks it, without touching the scan's state.</summary>
    private ExecutableOutcome ExamineExecutable(ReadOnlySpan<byte> bytes, long size)
    {
        var image = Authenticode.Read(bytes, size);
        if (!image.IsPe) return ExecutableOutcome.NotPe;
        var outcome = new ExecutableOutcome(image.Signed);
        if (image.Problem == Authenticode.Partial)
        {
            outcome.Report(CertificateRules.SignatureUnverifiable,
                "The executable is larger than the analysed window; its Authenticode signature was not verified.", "authenticode|window");
            return outcome;
        }
        if (!image.Signed)
        {
            if (image.Problem is not null)
                outcome.Report(CertificateRules.Malformed, $"Malformed certificate material: the executable's certificate table is unreadable ({image.Problem}).", "authenticode|" + image.Problem);
            return outcome;
        }
        // The signature decoded once (when its image digest could be computed) serves both the inventory and the check.
        if (image.Decoded is { } decoded) outcome.Certificates.AddRange(CertificateLoader.FromSignedData(decoded, _cache).Certificates.Select(static c => c.Certificate));
        else if (image.Pkcs7 is not null) outcome.Certificates.AddRange(CertificateLoader.FromBinary(image.Pkcs7, ".p7s", _cache).Certificates.Select(static c => c.Certificate));
        if (image.Problem is not null)
        {
            outcome.Report(image.SignedDigest is not null ? CertificateRules.SignatureUnverifiable : CertificateRules.Malformed,
                image.SignedDigest is not null
                    ? $"The executable's Authenticode signature was not verified: {image.Problem}."
                    : $"Malformed certificate material: the executable's Authenticode signature is unreadable ({image.Problem}).",
                "authenticode|" + image.Problem);
            return outcome;
        }
        var props = new Dictionary<string, string>(StringComparer.Ordinal) { ["digestAlgorithm"] = image.DigestAlgorithm! };
        if (!image.ImageDigest.AsSpan().SequenceEqual(image.SignedDigest))
        {
            props["expected"] = Convert.ToHexStringLower(image.SignedDigest!);
            props["actual"] = Convert.ToHexStringLower(image.ImageDigest!);
            outcome.Report(CertificateRules.SignatureMismatch,
                "The executable does not match its Authenticode signature: its image hash differs from the signed one, so it was altered after signing.",
                "authenticode-image-hash", $"signed {props["expected"][..16]}…, found {props["actual"][..16]}…", props);
            return outcome;
        }
        try
        {
            var (signers, certificates) = image.Decoded is { } signedData ? Authenticode.Signers(signedData) : Authenticode.Signers(image.Pkcs7!);
            foreach (var signer in signers)
            {
                var check = CmsSigners.Check(signer, certificates, image.SignedContent!, _cache);
                if (check.Signer is { } cert) props["signer"] = ParsedCertificate.Display(cert.SubjectDN);
                if (check.Verified) { outcome.Signers.Add(SignerRecord.Of(check)); continue; }
                outcome.Report(check.Unverifiable ? CertificateRules.SignatureUnverifiable : CertificateRules.SignatureMismatch,
                    check.Unverifiable
                        ? $"The executable's Authenticode signature was not verified: {check.Problem}."
                        : $"The executable's Authenticode signature does not verify: {check.Problem}.",
                    "authenticode|" + check.Problem, properties: props);
            }
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            outcome.Report(CertificateRules.Malformed,
                $"Malformed certificate material: the executable's Authenticode signature could not be decoded ({ex.GetType().Name}).", "authenticode-malformed");
        }
        return outcome;
    }

    private void ReportUnsignedExecutables(DetectorContext context)
    {
        var executables = _executablePaths.ToList();
        int signed = executables.Count(static e => e.Signed);
        if (signed == 0) return;
        foreach (var (path, _) in executables.Where(static e => !e.Signed).OrderBy(static e => e.Path, StringComparer.Ordinal))
        {
            context.Report(CertificateRules.UnsignedExecutable, new Location(path),
                $"The executable is not Authenticode-signed, while {signed} other executable(s) in the package are.", "unsigned",
                properties: new Dictionary<string, string>(StringComparer.Ordinal) { ["signedExecutables"] = signed.ToString(CultureInfo.InvariantCulture) });
        }
    }

    /// <inheritdoc />
    public void Complete(DetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Every entry has been analysed: the imported keys are released (the decoded certificates live on in _certificates).
        _cache.Clear();
        DetachedSignatures.Verify(context, _signatures, _sha256ByPath, RecordSigner);
        ChecksumManifests.Verify(context, _manifests, _sha256ByPath, _manifests.IsEmpty ? [] : _paths.ToHashSet(StringComparer.Ordinal),
            _signatures.Select(static s => s.TargetPath).ToHashSet(StringComparer.Ordinal));
        NuGetSignatures.Verify(context, _nugetSignatures, RecordSigner);
        ReportUnsignedExecutables(context);
        if (context.Options.PackageSignaturePath is { } packageSignature && !_packageBytesSeen && !context.ScanningBaseline)
            context.Report(CertificateRules.SignatureUnverifiable, new Location(Path.GetFileName(packageSignature)),
                "The package signature (--signature) was not verified: the package is a folder, not a file.", "package-signature|folder");
        if (_certificates.IsEmpty) return;
        var time = context.EvaluationTime;

        // One entry per distinct certificate, reported at its first location in path order.
        var distinct = _certificates
            .GroupBy(static c => c.Certificate.Sha256, StringComparer.Ordinal)
            .Select(static g => g.OrderBy(static c => c.Location.Path, StringComparer.Ordinal).ThenBy(static c => c.Location.Line).ToList())
            .OrderBy(static g => g[0].Location.Path, StringComparer.Ordinal).ThenBy(static g => g[0].Location.Line).ThenBy(static g => g[0].Certificate.Sha256, StringComparer.Ordinal)
            .ToList();
        foreach (var (certificate, location) in _certificates)
            context.Inventory.Add(ToInventoryItem(certificate, location));

        var unique = distinct.Select(static g => g[0]).ToList();
        foreach (var (certificate, location) in unique)
        {
            CheckDates(context, certificate, location, time, _signers.ContainsKey(certificate.Sha256),
                _stampedAt.TryGetValue(certificate.Sha256, out var stampedAt) ? stampedAt : null);
            CheckKey(context, certificate, location);
            CheckSignatureAlgorithm(context, certificate, location);
            CheckValidityLength(context, certificate, location);
            CheckCaRoles(context, certificate, location, unique);
        }
        PairPrivateKeys(context, unique);
        ValidateChains(context, unique, time);
    }

    private static CertificateItem ToInventoryItem(ParsedCertificate c, Location location)
    {
        var cert = c.Certificate;
        var (algorithm, size) = c.KeyDescription();
        return new CertificateItem(
            location,
            c.SubjectText,
            c.IssuerText,
            cert.SerialNumber.ToString(16),
            c.Sha256,
            new DateTimeOffset(cert.NotBefore, TimeSpan.Zero),
            new DateTimeOffset(cert.NotAfter, TimeSpan.Zero),
            algorithm,
            size,
            cert.SigAlgName,
            [.. (c.SubjectAlternativeNames ?? []).Select(DescribeName)],
            KeyUsageNames(c.KeyUsageBits),
            [.. (c.ExtendedKeyUsages ?? []).Select(EkuName)],
            c.IsCa);
    }

    private static string DescribeName(GeneralName name)
    {
        try
        {
            return name.TagNo switch
            {
                GeneralName.DnsName => "DNS:" + DerIA5String.GetInstance(name.Name).GetString(),
                GeneralName.Rfc822Name => "email:" + DerIA5String.GetInstance(name.Name).GetString(),
                GeneralName.UniformResourceIdentifier => "URI:" + DerIA5String.GetInstance(name.Name).GetString(),
                GeneralName.IPAddress => "IP:" + (Asn1OctetString.GetInstance(name.Name).GetOctets() is { Length: 4 or 16 } ip
                    ? new System.Net.IPAddress(ip).ToString() : "invalid"),
                GeneralName.DirectoryName => "DirName:" + X509Name.GetInstance(name.Name),
                _ => $"other:{name.TagNo}",
            };
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex))
        {
            return "malformed";
        }
    }

    private static readonly (int Bit, string Name)[] KeyUsageTable =
    [
        (KeyUsage.DigitalSignature, "digitalSignature"), (KeyUsage.NonRepudiation, "nonRepudiation"),
        (KeyUsage.KeyEncipherment, "keyEncipherment"), (KeyUsage.DataEncipherment, "dataEncipherment"),
        (KeyUsage.KeyAgreement, "keyAgreement"), (KeyUsage.KeyCertSign, "keyCertSign"), (KeyUsage.CrlSign, "cRLSign"),
        (KeyUsage.EncipherOnly, "encipherOnly"), (KeyUsage.DecipherOnly, "decipherOnly"),
    ];

    private static List<string> KeyUsageNames(int? bits) =>
        bits is int b ? [.. KeyUsageTable.Where(k => (b & k.Bit) != 0).Select(static k => k.Name)] : [];

    private static string EkuName(string oid) => oid switch
    {
        ChainValidator.ServerAuthOid => "serverAuth",
        ChainValidator.ClientAuthOid => "clientAuth",
        ChainValidator.CodeSigningOid => "codeSigning",
        ChainValidator.TimeStampingOid => "timeStamping",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning",
        ChainValidator.AnyEkuOid => "anyExtendedKeyUsage",
        _ => oid,
    };

    private static string Name(ParsedCertificate c) => c.SubjectText is { Length: > 0 } s ? s : "(empty subject)";

    private static Dictionary<string, string> Props(ParsedCertificate c, params (string Key, string Value)[] more)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal) { ["subject"] = Name(c), ["sha256"] = c.Sha256 };
        foreach (var (k, v) in more) p[k] = v;
        return p;
    }

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>
    /// Validity at the evaluation time; for the certificates of a verified signature with a verified timestamp,
    /// at the timestamp instead (a signature made while the certificate was valid stays valid). An expired or
    /// not-yet-valid signer of a verified signature is critical.
    /// </summary>
    private static void CheckDates(DetectorContext context, ParsedCertificate c, Location location, DateTimeOffset time, bool signer, DateTime? stampedAt)
    {
        var cert = c.Certificate;
        var now = stampedAt ?? time.UtcDateTime;
        string when = stampedAt is not null ? "the signature's timestamp" : "the evaluation time";
        Severity? severity = signer ? Severity.Critical : null;
        (string, string)[] signerProps = !signer ? [] : [("packageSigner", "true"), ("validatedAt", Iso(now))];
        if (now > cert.NotAfter)
        {
            context.Report(CertificateRules.Expired, location,
                $"{(!signer ? "Certificate" : "Signing certificate")} '{Name(c)}' expired on {Iso(cert.NotAfter)} ({(int)(now - cert.NotAfter).TotalDays} days before {when}).",
                c.Sha256, $"notAfter={Iso(cert.NotAfter)}", severity, properties: Props(c, [("notAfter", Iso(cert.NotAfter)), .. signerProps]));
        }
        else if (now < cert.NotBefore)
        {
            context.Report(CertificateRules.NotYetValid, location,
                $"{(!signer ? "Certificate" : "Signing certificate")} '{Name(c)}' is not valid before {Iso(cert.NotBefore)} ({when} is earlier).",
                c.Sha256, $"notBefore={Iso(cert.NotBefore)}", severity, properties: Props(c, [("notBefore", Iso(cert.NotBefore)), .. signerProps]));
        }
        else if (stampedAt is not null)
        {
            // Valid when the signature was timestamped: its later expiry does not matter.
        }
        else if (cert.NotAfter - now <= TimeSpan.FromDays(context.Options.ExpiryWarningDays))
        {
            context.Report(CertificateRules.ExpiringSoon, location,
                $"Certificate '{Name(c)}' expires on {Iso(cert.NotAfter)}, within {context.Options.ExpiryWarningDays} days of the evaluation time.",
                c.Sha256, $"notAfter={Iso(cert.NotAfter)}", properties: Props(c, ("notAfter", Iso(cert.NotAfter))));
        }
    }

    private static bool HasEku(ParsedCertificate c, string oid) => c.ExtendedKeyUsages?.Contains(oid) == true;

    private static void CheckKey(DetectorContext context, ParsedCertificate c, Location location)
    {
        var (algorithm, size) = c.KeyDescription();
        bool codeSigning = HasEku(c, ChainValidator.CodeSigningOid);
        string? problem = algorithm switch
        {
            "RSA" when size < 2048 => $"an RSA key of {size} bits",
            "RSA" when codeSigning && size < 3072 => $"an RSA key of {size} bits for code signing (3072 required)",
            "DSA" => $"a DSA key ({size} bits)",
            _ when algorithm.StartsWith("EC ", StringComparison.Ordinal) && algorithm is not ("EC P-256" or "EC P-384" or "EC P-521")
                => $"an EC key on the curve {algorithm[3..]}",
            _ => null,
        };
        if (problem is null) return;
        context.Report(CertificateRules.WeakKey, location, $"Certificate '{Name(c)}' has {problem}.", c.Sha256,
            $"key={algorithm} {size}", properties: Props(c, ("keyAlgorithm", algorithm), ("keySize", size.ToString(CultureInfo.InvariantCulture))));
    }

    private static readonly Dictionary<string, string> WeakSignatureAlgorithms = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.2"] = "MD2 with RSA",
        ["1.2.840.113549.1.1.4"] = "MD5 with RSA",
        ["1.2.840.113549.1.1.5"] = "SHA-1 with RSA",
        ["1.3.14.3.2.29"] = "SHA-1 with RSA",
        ["1.2.840.10045.4.1"] = "ECDSA with SHA-1",
        ["1.2.840.10040.4.3"] = "DSA with SHA-1",
    };

    private static void CheckSignatureAlgorithm(DetectorContext context, ParsedCertificate c, Location location)
    {
        if (!WeakSignatureAlgorithms.TryGetValue(c.Certificate.SigAlgOid, out var name)) return;
        if (c.IsSelfSigned) return; // a root's self-signature is not relied on
        context.Report(CertificateRules.WeakSignature, location,
            $"Certificate '{Name(c)}' is signed with {name} by '{c.IssuerText}'.", c.Sha256, $"signatureAlgorithm={c.Certificate.SigAlgName}",
            properties: Props(c, ("signatureAlgorithm", name)));
    }

    private static void CheckValidityLength(DetectorContext context, ParsedCertificate c, Location location)
    {
        var cert = c.Certificate;
        if (c.IsCa || !HasEku(c, ChainValidator.ServerAuthOid) || cert.NotBefore < LongValidityCutoff) return;
        int days = (int)Math.Floor((cert.NotAfter - cert.NotBefore).TotalDays);
        if (days <= 398) return;
        context.Report(CertificateRules.LongValidity, location,
            $"TLS server certificate '{Name(c)}' is valid for {days} days (more than 398).", c.Sha256,
            $"notBefore={Iso(cert.NotBefore)} notAfter={Iso(cert.NotAfter)}", properties: Props(c, ("days", days.ToString(CultureInfo.InvariantCulture))));
    }

    private static void CheckCaRoles(DetectorContext context, ParsedCertificate c, Location location, List<(ParsedCertificate Certificate, Location Location)> all)
    {
        string? problem = null;
        bool issuesOthers = all.Exists(o => o.Certificate.Sha256 != c.Sha256 && o.Certificate.IssuerDer.AsSpan().SequenceEqual(c.SubjectDer) && o.Certificate.SignedBy(c));
        if (c.IsCa && !c.KeyUsageAllows(KeyUsage.KeyCertSign))
            problem = "is a CA (basicConstraints cA=TRUE) but its key usage lacks keyCertSign";
        else if (!c.IsCa && issuesOthers)
            problem = "issues certificates shipped in the package but has no basicConstraints cA=TRUE";
        else if (c.IsCa && !issuesOthers && !c.IsSelfIssued && (HasEku(c, ChainValidator.ServerAuthOid) || HasEku(c, ChainValidator.CodeSigningOid)))
            problem = "is a server or signing certificate marked as a CA (basicConstraints cA=TRUE)";
        if (problem is null) return;
        context.Report(CertificateRules.CaConstraints, location, $"Certificate '{Name(c)}' {problem}.", c.Sha256 + "|" + problem, properties: Props(c));
    }

    private void PairPrivateKeys(DetectorContext context, List<(ParsedCertificate Certificate, Location Location)> unique)
    {
        foreach (var (spki, keyLocation) in _privateKeys.OrderBy(static k => k.Location.Path, StringComparer.Ordinal).ThenBy(static k => k.Location.Line))
        {
            foreach (var (certificate, certLocation) in unique)
            {
                if (!certificate.SpkiDer.AsSpan().SequenceEqual(spki)) continue;
                string where = certLocation.Path == keyLocation.Path ? "in the same file" : $"at {certLocation.Path}";
                context.Report(CertificateRules.PrivateKeyPaired, keyLocation,
                    $"The private key of certificate '{Name(certificate)}' ({where}) is shipped in the package.",
                    certificate.Sha256, properties: Props(certificate, ("certificatePath", certLocation.Path)));
            }
        }
    }

    private List<ParsedCertificate> LoadTrustedRoots(DetectorContext context)
    {
        var roots = new List<ParsedCertificate>();
        foreach (var path in context.Options.TrustedRoots)
        {
            try
            {
                var loaded = CertificateLoader.FromText(File.ReadAllText(path));
                roots.AddRange(loaded.Certificates.Select(static c => c.Certificate));
                if (loaded.Certificates.Count == 0) context.Diagnostic(string.Empty, $"the trust bundle {Path.GetFileName(path)} holds no certificate");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                context.Diagnostic(string.Empty, $"the trust bundle {Path.GetFileName(path)} could not be read ({ex.GetType().Name})");
            }
        }
        return roots;
    }

    private void ValidateChains(DetectorContext context, List<(ParsedCertificate Certificate, Location Location)> unique, DateTimeOffset time)
    {
        var leaves = unique.Where(static u => !u.Certificate.IsCa).ToList();
        foreach (var (leaf, location) in leaves.Where(static l => l.Certificate.IsSelfSigned))
        {
            string use = HasEku(leaf, ChainValidator.CodeSigningOid) ? "code signing"
                : HasEku(leaf, ChainValidator.ServerAuthOid) ? "a TLS server" : "an end entity";
            context.Report(CertificateRules.SelfSignedLeaf, location,
                $"Certificate '{Name(leaf)}' is self-signed and used as {use} certificate; nobody can verify it without pinning it.",
                leaf.Sha256, properties: Props(leaf));
        }
        leaves.RemoveAll(static l => l.Certificate.IsSelfSigned);
        if (leaves.Count == 0) return;

        var anchors = LoadTrustedRoots(context);
        if (anchors.Count == 0)
        {
            var first = leaves[0];
            context.Report(CertificateRules.NoTrustBundle, first.Location,
                $"{leaves.Count} certificate chain(s) were not validated: no trust bundle was given.", "no-trust-bundle",
                properties: new Dictionary<string, string>(StringComparer.Ordinal) { ["leaves"] = leaves.Count.ToString(CultureInfo.InvariantCulture) });
            return;
        }

        var validator = new ChainValidator(anchors, unique.Select(static u => u.Certificate));
        var crls = _crls.ToList();
        foreach (var (leaf, location) in leaves)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (validator.IsAnchor(leaf)) continue;
            var policy = new ChainPolicy
            {
                // The signer of a verified signature is held to code signing, whatever its EKU says.
                Purpose = HasEku(leaf, ChainValidator.CodeSigningOid) || _signers.ContainsKey(leaf.Sha256) ? CertificatePurpose.CodeSigning
                    : HasEku(leaf, ChainValidator.ServerAuthOid) ? CertificatePurpose.ServerAuth : CertificatePurpose.Any,
                ClockSkew = ClockSkew,
                Crls = crls,
            };
            var result = validator.Validate(leaf, time, policy);
            if (result.IsValid) continue;
            if (result.BudgetExhausted)
            {
                context.Report(CertificateRules.ChainBudget, location,
                    $"Path building for '{Name(leaf)}' gave up: {result.BudgetReason}; {result.Attempts.Count} paths were tried.",
                    leaf.Sha256, properties: Props(leaf, ("signatureChecks", result.SignatureChecks.ToString(CultureInfo.InvariantCulture))));
                continue;
            }
            // A chain that only fails on dates is already reported by the date rules.
            if (validator.Validate(leaf, time, policy with { IgnoreValidity = true }).IsValid) continue;
            ReportUntrusted(context, leaf, location, result, anchors, unique);
        }
    }

    private static void ReportUntrusted(DetectorContext context, ParsedCertificate leaf, Location location, ChainResult result,
        List<ParsedCertificate> anchors, List<(ParsedCertificate Certificate, Location Location)> unique)
    {
        string rotation = RotationHint(result, anchors, unique);
        var props = Props(leaf, ("pathsTried", result.Attempts.Count.ToString(CultureInfo.InvariantCulture)), ("revocation", "not-checked"));
        var missingAtLeaf = result.MissingIssuers.FirstOrDefault(m => m.Child.Sha256 == leaf.Sha256);
        if (missingAtLeaf.Child is not null && result.UntrustedRoots.Count == 0)
        {
            string url = leaf.CaIssuerUrls.Count > 0 ? $" Its certificate would be published at {leaf.CaIssuerUrls[0]} (not fetched)." : string.Empty;
            props["missingIssuer"] = missingAtLeaf.IssuerName;
            if (leaf.CaIssuerUrls.Count > 0) props["caIssuers"] = leaf.CaIssuerUrls[0];
            context.Report(CertificateRules.MissingIntermediate, location,
                $"The issuer '{missingAtLeaf.IssuerName}' of certificate '{Name(leaf)}' is neither shipped in the package nor in the trust bundle.{url}{rotation}",
                leaf.Sha256, properties: props);
            return;
        }
        string missing = result.UntrustedRoots.Count > 0
            ? $"the chain ends at the root '{result.UntrustedRoots[0].SubjectText}', which is not in the trust bundle"
            : result.MissingIssuers.Count > 0
                ? $"no certificate of the issuer '{result.MissingIssuers[0].IssuerName}' is trusted or shipped"
                : "every path tried fails";
        if (result.MissingIssuers.Count > 0) props["missingIssuer"] = result.MissingIssuers[0].IssuerName;
        if (result.UntrustedRoots.Count > 0) props["untrustedRoot"] = result.UntrustedRoots[0].SubjectText;
        context.Report(CertificateRules.UntrustedChain, location,
            $"Certificate '{Name(leaf)}' does not chain to a trusted root: {missing}.{rotation} Paths tried: {result.FailureSummary()}",
            leaf.Sha256, properties: props);
    }

    /// <summary>
    /// "CA rotation" advice: the package ships a root the trust bundle lacks (possibly a newer generation of a
    /// trusted root with the same name and a new key).
    /// </summary>
    private static string RotationHint(ChainResult result, List<ParsedCertificate> anchors, List<(ParsedCertificate Certificate, Location Location)> unique)
    {
        var candidates = new List<ParsedCertificate>(result.UntrustedRoots);
        foreach (var (_, issuerName) in result.MissingIssuers)
        {
            // A shipped certificate for the missing issuer whose key is not the one expected (a newer root).
            candidates.AddRange(unique.Select(static u => u.Certificate).Where(c => c.IsCa && c.IsSelfSigned && c.SubjectText == issuerName));
        }
        var root = candidates.FirstOrDefault();
        if (root is null) return string.Empty;
        bool renamedOrRekeyed = anchors.Exists(a => a.SubjectDer.AsSpan().SequenceEqual(root.SubjectDer) && !a.SpkiDer.AsSpan().SequenceEqual(root.SpkiDer));
        string older = renamedOrRekeyed ? " The trust bundle holds an older certificate of the same name with a different key." : string.Empty;
        var crossSigned = unique.Select(static u => u.Certificate)
            .FirstOrDefault(c => !c.IsSelfIssued && c.SubjectDer.AsSpan().SequenceEqual(root.SubjectDer) && c.SpkiDer.AsSpan().SequenceEqual(root.SpkiDer));
        string cross = crossSigned is not null ? $" The package also ships it cross-signed by '{crossSigned.IssuerText}', which is not trusted either." : string.Empty;
        return $" CA rotation: the package ships the root '{root.SubjectText}' (SHA-256 {root.Sha256[..16]}…); add it to the trust bundle once the vendor confirms it.{older}{cross}";
    }
}
