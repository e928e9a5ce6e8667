using System.Globalization;
using System.Security.Cryptography;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// The <c>credentials</c> detector (PF3xx): typed credential formats, private keys and generic secret
/// assignments in text; typed formats in the printable strings of binaries; user strings, constants,
/// attribute arguments and embedded resources of .NET assemblies; credential-named literals in C# source.
/// Every finding shows the secret redacted; its fingerprint hashes the secret.
/// </summary>
public sealed class CredentialsDetector : IDetector, IWindowedDetector
{
    private readonly TextScanner _scanner = TextScanner.Default;

    private static readonly KeywordIndex CSharpGate = new([.. GenericAssignments.Keywords, "NetworkCredential"]);

    /// <inheritdoc />
    public string Id => CredentialRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => CredentialRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Kind is ContentKind.Text or ContentKind.CertificateContainer or ContentKind.DotNetAssembly
            or ContentKind.NativeBinary or ContentKind.OtherBinary;
    }

    /// <summary>
    /// Windows of a text hold whole lines and whole PEM blocks, so the line rules find what they find in the whole
    /// text. C# source (a syntax tree), YAML and JSON (Kubernetes Secret documents span many lines) and PuTTY key
    /// files (a multi-line block) are read whole, as are key stores.
    /// </summary>
    bool IWindowedDetector.AcceptsWindows(EntryInfo entry, ReadOnlySpan<byte> head) => entry.Kind switch
    {
        ContentKind.Text => entry.Extension is not (".cs" or ".csx" or ".yaml" or ".yml" or ".json") && head.IndexOf("PuTTY-User-Key-File-"u8) < 0,
        ContentKind.OtherBinary => !Pkcs12Check.LooksLikePfx(head, entry.Extension),
        _ => false,
    };

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var content = context.Content;
        var path = context.Info.Path;
        switch (context.Info.Kind)
        {
            case ContentKind.DotNetAssembly:
                try
                {
                    AnalyzeAssembly(context);
                }
                catch (Exception ex) when (CecilFailures.IsMalformedMetadata(ex))
                {
                    // Cecil reads lazily: malformed metadata surfaces mid-walk. Fall back to the raw strings.
                    context.Diagnostic(path, $"the assembly's metadata is malformed ({ex.GetType().Name}); its printable strings were scanned instead");
                    AnalyzeBinaryStrings(context);
                }
                break;
            case ContentKind.Text:
            case ContentKind.CertificateContainer when content.IsText:
                AnalyzeText(context, path);
                break;
            case ContentKind.CertificateContainer:
                AnalyzePkcs12(context);
                break;
            default:
                if (Pkcs12Check.LooksLikePfx(content.Bytes.Span, context.Info.Extension) && AnalyzePkcs12(context)) break;
                AnalyzeBinaryStrings(context);
                break;
        }
    }

    /// <inheritdoc />
    public void Complete(DetectorContext context) { }

    private void AnalyzeText(EntryContext context, string path)
    {
        var text = context.Content.TextSpan;
        var hits = new List<SecretHit>();
        bool csharp = context.Info.Extension is ".cs" or ".csx";
        // The syntax tree is built only when a credential-like name or NetworkCredential occurs at all. When the
        // file is too deeply nested to parse, its assignments are looked for as in any other text instead.
        var tree = csharp && CSharpGate.IndexOfAny(text) >= 0 ? context.Content.CSharpSyntaxTree : null;
        bool parsed = tree is not null && context.Content.ParseRefusal is null;
        int timedOut = _scanner.Scan(text, path, generic: !csharp || (tree is not null && !parsed), binary: false, hits);
        GaveUp(context, path, timedOut);
        if (BlockAnalyzers.MayHold(text)) BlockAnalyzers.Scan(context.Content.Text, hits);
        if (parsed) CSharpLiterals.Scan(tree!, path, hits, context.CancellationToken);
        if (hits.Count == 0) return;
        var lines = context.Content.Lines;
        foreach (var hit in Deduplicate(hits, byOffset: true))
        {
            var (line, column) = hit.Offset >= 0 ? lines.Position(hit.Offset) : (1, 1);
            Report(context, hit, context.At(line, column), path);
        }
    }

    private void AnalyzeBinaryStrings(EntryContext context)
    {
        var hits = new List<SecretHit>();
        var offsets = new Dictionary<SecretHit, long>();
        int timedOut = 0;
        foreach (var s in context.Content.PrintableStrings)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int before = hits.Count;
            timedOut += _scanner.Scan(s.Value, context.Info.Path, generic: false, binary: true, hits);
            for (int i = before; i < hits.Count; i++) offsets[hits[i]] = s.Offset;
        }
        GaveUp(context, context.Info.Path, timedOut);
        foreach (var hit in Deduplicate(hits, byOffset: false))
        {
            var properties = new Dictionary<string, string> { ["offset"] = (offsets[hit] + context.ByteOffset).ToString(CultureInfo.InvariantCulture) };
            Report(context, hit with { Properties = properties }, context.At(), context.Info.Path);
        }
    }

    /// <summary>
    /// The assemblies examined so far: a copy's hits and diagnostics are the first one's. They depend on nothing but
    /// the bytes and the file name (the only part of a path a rule looks at: .npmrc, .env, and a resource's own name).
    /// </summary>
    private readonly CopyMemo<AssemblyOutcome> _assemblies = new();

    /// <summary>An assembly's deduplicated hits (member and properties set) and its diagnostics, in order.</summary>
    private sealed record AssemblyOutcome(List<SecretHit> Hits, List<string> Diagnostics);

    private void AnalyzeAssembly(EntryContext context)
    {
        var path = context.Info.Path;
        var key = CopyKey.Of(context);
        if (!_assemblies.TryGet(key, out var outcome))
        {
            var module = context.Content.Module;
            if (module is null)
            {
                AnalyzeBinaryStrings(context);
                return;
            }
            outcome = ExamineAssembly(context, module);
            _assemblies.Remember(key, outcome);
        }
        else
        {
            foreach (var message in outcome.Diagnostics) context.Diagnostic(path, message);
        }
        foreach (var hit in outcome.Hits) Report(context, hit, context.At(), path);
    }

    private AssemblyOutcome ExamineAssembly(EntryContext context, Mono.Cecil.ModuleDefinition module)
    {
        var path = context.Info.Path;
        var hits = new List<SecretHit>();
        // Said at once (a walk that fails later on malformed metadata keeps what it said) and kept for the copies.
        var diagnostics = new List<string>();
        void Diagnose(string message)
        {
            context.Diagnostic(path, message);
            diagnostics.Add(message);
        }
        var found = new List<SecretHit>();
        // A method body is read only when one of its strings could be reported: a typed or block rule finds something
        // in it alone, or it is plausible as a secret (a generic hit needs that and a credential-like name besides).
        // Every other string leads to no hit below, whatever member or name it comes with.
        var probe = new List<SecretHit>();
        int timedOut = 0;
        bool Matters(string value)
        {
            probe.Clear();
            // A string a pattern gave up on is read in its member, where the same pattern gives up again and is counted.
            if (_scanner.Scan(value, path, generic: false, binary: true, probe) > 0) return true;
            BlockAnalyzers.Scan(value, probe);
            return probe.Count > 0 || GenericAssignments.IsPlausibleSecret(value);
        }
        foreach (var s in AssemblyStrings.Read(module, ModuleIndex.For(context.Content), Matters))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            found.Clear();
            timedOut += _scanner.Scan(s.Value, path, generic: false, binary: true, found);
            BlockAnalyzers.Scan(s.Value, found);
            if (s.AssignedTo is { } name && GenericAssignments.IsCredentialName(name) && GenericAssignments.IsPlausibleSecret(s.Value))
                found.Add(GenericAssignments.Hit(path, 0, s.Value.Trim(), name));
            foreach (var h in found) hits.Add(h with { Member = s.Member });
        }
        foreach (var resource in module.Resources.OfType<Mono.Cecil.EmbeddedResource>())
        {
            byte[] data;
            try
            {
                data = resource.GetResourceData();
            }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or ArgumentException or IndexOutOfRangeException)
            {
                Diagnose("an embedded resource of the assembly could not be read");
                continue;
            }
            if (TextDecoding.Detect(data) is not { } encoding) continue;
            var text = encoding.GetString(data.AsSpan(TextDecoding.PreambleLength(data)));
            found.Clear();
            var resourcePath = path + "!/" + resource.Name;
            timedOut += _scanner.Scan(text, resourcePath, generic: true, binary: false, found);
            BlockAnalyzers.Scan(text, found);
            var lines = new LineIndex(text);
            foreach (var h in Deduplicate(found, byOffset: true))
            {
                var properties = new Dictionary<string, string>(h.Properties ?? new Dictionary<string, string>())
                {
                    ["resource"] = resource.Name,
                    ["resourceLine"] = lines.Position(Math.Max(0, h.Offset)).Line.ToString(CultureInfo.InvariantCulture),
                };
                hits.Add(h with { Member = "resource " + resource.Name, Offset = -1, Properties = properties });
            }
        }
        if (GaveUpMessage(timedOut) is { } gaveUp) Diagnose(gaveUp);
        var kept = new List<SecretHit>();
        foreach (var hit in Deduplicate(hits, byOffset: false))
        {
            var properties = new Dictionary<string, string>(hit.Properties ?? new Dictionary<string, string>());
            if (hit.Member is { } member) properties["member"] = member;
            kept.Add(hit with { Properties = properties });
        }
        return new AssemblyOutcome(kept, diagnostics);
    }

    private static bool AnalyzePkcs12(EntryContext context)
    {
        var bytes = context.Content.Bytes;
        if (!Pkcs12Check.LooksLikePfx(bytes.Span, context.Info.Extension)) return false;
        if (Pkcs12Check.KeysWithEmptyPassword(bytes) is not int keys || keys == 0) return false;
        var identity = Convert.ToHexStringLower(SHA256.HashData(bytes.Span));
        var rule = CredentialRules.Pkcs12WithoutPassword;
        var properties = new Dictionary<string, string> { ["privateKeys"] = keys.ToString(CultureInfo.InvariantCulture) };
        var finding = context.Report(rule, context.At(), $"PKCS#12 key store holding {keys} private key(s) opens with an empty password",
            identity, evidence: $"pkcs12: {keys} private key(s), empty password", severity: Adjust(rule.DefaultSeverity, context.Info.Path), properties: properties);
        context.Inventory.Add(new CredentialItem(rule.Id, finding.Location, finding.Fingerprint));
        return true;
    }

    /// <summary>
    /// One finding per secret span: overlapping candidates keep the most specific rule; the same secret found
    /// again by the same rule in one entry is reported once.
    /// </summary>
    internal static List<SecretHit> Deduplicate(List<SecretHit> hits, bool byOffset)
    {
        var ordered = hits.OrderByDescending(h => h.Specificity).ThenBy(h => h.Offset).ThenBy(h => h.Rule.Id, StringComparer.Ordinal).ToList();
        var kept = new List<SecretHit>();
        var seen = new HashSet<(string, string)>();
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in ordered)
        {
            if (!seen.Add((h.Rule.Id, h.Secret))) continue;
            bool overlaps = false;
            foreach (var k in kept)
            {
                if (byOffset && h.Offset >= 0 && k.Offset >= 0)
                {
                    if (h.Offset < k.Offset + k.Secret.Length && k.Offset < h.Offset + h.Secret.Length) { overlaps = true; break; }
                }
                else if (string.Equals(h.Secret, k.Secret, StringComparison.Ordinal) || k.Secret.Contains(h.Secret, StringComparison.Ordinal))
                {
                    overlaps = true;
                    break;
                }
            }
            if (overlaps) continue;
            if (!byOffset && !secrets.Add(h.Secret)) continue;
            kept.Add(h);
        }
        kept.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return kept;
    }

    /// <summary>Says in the report that some lines were not searched in full (a pattern ran past its timeout on them).</summary>
    private static void GaveUp(EntryContext context, string path, int timedOut)
    {
        if (GaveUpMessage(timedOut) is { } message) context.Diagnostic(path, message);
    }

    private static string? GaveUpMessage(int timedOut) => timedOut == 0 ? null : string.Create(CultureInfo.InvariantCulture,
        $"a credential pattern gave up {timedOut} time(s) on a line after {TypedRules.PatternTimeout.TotalSeconds:0.#} s; those lines were not searched with it");

    private static Severity Adjust(Severity severity, string path) =>
        Placeholders.IsTemplatePath(path) && severity > Severity.Low ? Severity.Low : severity;

    private static void Report(EntryContext context, SecretHit hit, Location location, string path)
    {
        var redacted = Redaction.Secret(hit.Secret);
        var message = hit.Member is { } member
            ? $"{Capitalise(hit.What)} {redacted} in {member}"
            : hit.Key is { } key ? $"{Capitalise(hit.What)} {redacted} assigned to '{key}'" : $"{Capitalise(hit.What)} {redacted}";
        var severity = Adjust(hit.Severity, path);
        var properties = new Dictionary<string, string>(hit.Properties ?? new Dictionary<string, string>());
        if (hit.Key is { } k) properties["key"] = k;
        if (severity != hit.Severity) properties["template"] = "true";
        var evidence = hit.Key is { } name ? $"{name}: {redacted}" : redacted;
        context.RememberSecret(hit.Secret);
        var finding = context.Report(hit.Rule, location, message, hit.Secret, evidence, severity, properties);
        context.Inventory.Add(new CredentialItem(hit.Rule.Id, finding.Location, finding.Fingerprint));
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
