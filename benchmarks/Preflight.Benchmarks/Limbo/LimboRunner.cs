using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Preflight.Detectors.Certificates;

namespace Preflight.Benchmarks.Limbo;

/// <summary>The outcome of one x509-limbo test case.</summary>
/// <param name="Id">The case id.</param>
/// <param name="Expected">True when the case expects SUCCESS.</param>
/// <param name="Actual">True when our validator accepted the chain.</param>
/// <param name="Reason">Why our validator rejected it, or "valid".</param>
/// <param name="Elapsed">How long the validation took.</param>
/// <param name="BudgetExhausted">The path-building budget ran out.</param>
public sealed record LimboOutcome(string Id, bool Expected, bool Actual, string Reason, TimeSpan Elapsed, bool BudgetExhausted)
{
    /// <summary>Our verdict matches the expected one.</summary>
    public bool Passed => Expected == Actual;
}

/// <summary>
/// Feeds every case of the x509-limbo suite (<c>limbo.json</c>) to Preflight's own chain validator: trusted
/// certificates as anchors, untrusted intermediates, the peer certificate, the validation time, the expected
/// peer name and the extended key usage.
/// </summary>
public static class LimboRunner
{
    /// <summary>Runs every case of the file.</summary>
    public static IReadOnlyList<LimboOutcome> RunAll(string limboJsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(limboJsonPath));
        var outcomes = new List<LimboOutcome>();
        foreach (var testcase in doc.RootElement.GetProperty("testcases").EnumerateArray())
            outcomes.Add(RunCase(testcase));
        return outcomes;
    }

    /// <summary>Runs one case.</summary>
    public static LimboOutcome RunCase(JsonElement testcase)
    {
        string id = testcase.GetProperty("id").GetString()!;
        bool expected = testcase.GetProperty("expected_result").GetString() == "SUCCESS";
        var clock = Stopwatch.StartNew();
        try
        {
            var (ok, reason, exhausted) = Validate(testcase);
            return new LimboOutcome(id, expected, ok, reason, clock.Elapsed, exhausted);
        }
        catch (Exception ex) when (ParsedCertificate.IsParseFailure(ex) || ex is JsonException or KeyNotFoundException)
        {
            return new LimboOutcome(id, expected, false, $"input rejected: {ex.GetType().Name}", clock.Elapsed, false);
        }
    }

    private static (bool Ok, string Reason, bool Exhausted) Validate(JsonElement c)
    {
        var anchors = new List<ParsedCertificate>();
        foreach (var pem in c.GetProperty("trusted_certs").EnumerateArray())
        {
            var parsed = ParsePem(pem.GetString()!, out string? error);
            if (parsed is null) return (false, $"trusted certificate: {error}", false);
            anchors.Add(parsed);
        }
        var intermediates = new List<ParsedCertificate>();
        foreach (var pem in c.GetProperty("untrusted_intermediates").EnumerateArray())
        {
            var parsed = ParsePem(pem.GetString()!, out _);
            if (parsed is not null) intermediates.Add(parsed);
        }
        var leaf = ParsePem(c.GetProperty("peer_certificate").GetString()!, out string? leafError);
        if (leaf is null) return (false, $"peer certificate: {leafError}", false);

        var crls = new List<Org.BouncyCastle.X509.X509Crl>();
        if (c.TryGetProperty("crls", out var crlArray))
        {
            foreach (var pem in crlArray.EnumerateArray())
            {
                foreach (var block in PemBlocks.Find(pem.GetString()!))
                    if (block.Der is not null) crls.Add(new Org.BouncyCastle.X509.X509Crl(Org.BouncyCastle.Asn1.X509.CertificateList.GetInstance(block.Der)));
            }
        }

        var time = c.TryGetProperty("validation_time", out var t) && t.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.UtcNow;
        bool server = c.GetProperty("validation_kind").GetString() == "SERVER";
        var purpose = server ? CertificatePurpose.ServerAuth : CertificatePurpose.ClientAuth;
        foreach (var eku in c.GetProperty("extended_key_usage").EnumerateArray())
        {
            purpose = eku.GetString() switch
            {
                "serverAuth" => CertificatePurpose.ServerAuth,
                "clientAuth" => CertificatePurpose.ClientAuth,
                "codeSigning" => CertificatePurpose.CodeSigning,
                "timeStamping" => CertificatePurpose.TimeStamping,
                _ => purpose,
            };
        }
        var names = new List<PeerName>();
        if (c.TryGetProperty("expected_peer_name", out var peer) && peer.ValueKind == JsonValueKind.Object)
            names.Add(ToPeerName(peer));
        if (c.TryGetProperty("expected_peer_names", out var peers))
            foreach (var p in peers.EnumerateArray()) names.Add(ToPeerName(p));

        int maxDepth = c.TryGetProperty("max_chain_depth", out var depth) && depth.ValueKind == JsonValueKind.Number ? depth.GetInt32() : 8;
        var policy = new ChainPolicy
        {
            Purpose = purpose,
            PeerNames = names,
            WebPki = true,
            MaxIntermediates = maxDepth,
            Crls = crls,
        };
        var validator = new ChainValidator(anchors, intermediates);
        var result = validator.Validate(leaf, time, policy);
        return (result.IsValid, result.FailureSummary(), result.BudgetExhausted);
    }

    private static PeerName ToPeerName(JsonElement e)
    {
        string kind = e.GetProperty("kind").GetString()!;
        string value = e.GetProperty("value").GetString()!;
        return new PeerName(kind switch { "IP" => PeerNameKind.Ip, "RFC822" => PeerNameKind.Email, _ => PeerNameKind.Dns }, value);
    }

    private static ParsedCertificate? ParsePem(string pem, out string? error)
    {
        var blocks = PemBlocks.Find(pem);
        if (blocks.Count == 0 || blocks[0].Der is null) { error = "not a PEM certificate"; return null; }
        return ParsedCertificate.TryParse(blocks[0].Der, out error);
    }

    /// <summary>The command: prints failing ids with reasons, then <c>limbo: N/M passed</c> as the last line.</summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length < 1) { Console.Error.WriteLine("usage: limbo <limbo.json>"); return 2; }
        var outcomes = RunAll(args[0]);
        foreach (var o in outcomes.Where(static o => !o.Passed))
            Console.WriteLine($"FAIL {o.Id}: expected {(o.Expected ? "SUCCESS" : "FAILURE")}, got {(o.Actual ? "SUCCESS" : "FAILURE")} — {o.Reason}");
        foreach (var slow in outcomes.OrderByDescending(static o => o.Elapsed).Take(5))
            Console.WriteLine($"slow case: {slow.Id} {slow.Elapsed.TotalMilliseconds:0} ms{(slow.BudgetExhausted ? " (budget exhausted)" : "")}");
        Console.WriteLine($"limbo: {outcomes.Count(static o => o.Passed)}/{outcomes.Count} passed");
        return 0;
    }
}
