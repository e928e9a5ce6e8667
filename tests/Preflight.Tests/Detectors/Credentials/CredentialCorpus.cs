using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Preflight.Detectors.Credentials;
using static Preflight.Detectors.Credentials.SampleFactory;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// Builds the labelled corpus of fixtures/credentials: expands the {{secret:KIND}} and {{decoy:KIND}} markers
/// with generated values, compiles the plugin assembly with Roslyn, generates the binary entries, and packs it
/// all into a zip. The generated secrets are kept for the leak test.
/// </summary>
internal sealed partial class CredentialCorpus
{
    public sealed record Planted(string Path, string Rule);
    public sealed record Decoy(string Path, string Contains, string Why);
    private sealed record Manifest(List<Planted> Planted, List<Decoy> Decoys);

    public List<Planted> Expected { get; private init; } = [];
    public List<Decoy> Decoys { get; private init; } = [];
    public List<string> Secrets { get; } = [];
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    private readonly Random _random;

    private CredentialCorpus(int seed) => _random = new Random(seed);

    public static string FixtureRoot
    {
        get
        {
            var dir = new DirectoryInfo(NUnit.Framework.TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "fixtures", "credentials")))
                dir = dir.Parent;
            return dir is null ? throw new DirectoryNotFoundException("fixtures/credentials not found above the test directory")
                : Path.Combine(dir.FullName, "fixtures", "credentials");
        }
    }

    public static CredentialCorpus Build(int seed)
    {
        var root = FixtureRoot;
        var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(root, "EXPECTED.json")), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var corpus = new CredentialCorpus(seed) { Expected = manifest.Planted, Decoys = manifest.Decoys };
        var corpusDir = Path.Combine(root, "corpus");
        foreach (var file in Directory.EnumerateFiles(corpusDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(corpusDir, file).Replace('\\', '/');
            if (rel.StartsWith("assembly/", StringComparison.Ordinal)) continue;
            corpus.Files[rel] = Encoding.UTF8.GetBytes(corpus.Expand(File.ReadAllText(file)));
        }
        corpus.Files["certs/client.pfx"] = RuleSamples.Pfx(corpus._random, string.Empty, "certs/client.pfx").Bytes!;
        corpus.Files["lib/Acme.Plugin.dll"] = corpus.CompilePlugin(Path.Combine(corpusDir, "assembly"));
        corpus.Files["bin/acme-agent"] = corpus.NativeBinary();
        return corpus;
    }

    public void WriteZip(string zipPath)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var (name, bytes) in Files)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(bytes);
        }
    }

    [GeneratedRegex(@"\{\{(secret|decoy):([a-z0-9\-]+)\}\}")]
    private static partial Regex Marker();

    public string Expand(string text) => Marker().Replace(text, m =>
    {
        var value = m.Groups[1].Value == "secret" ? Secret(m.Groups[2].Value) : DecoyValue(m.Groups[2].Value);
        if (m.Groups[1].Value == "secret") Secrets.Add(value);
        return value;
    });

    private string FromRule(string name) =>
        TypedRules.All.Single(r => r.Descriptor.Name == name).Positives(_random).First().Secret!;

    private string Secret(string kind)
    {
        var r = _random;
        return kind switch
        {
            "password" => Password(r),
            "url-password" => UrlPassword(r),
            "random40" => S(r, Alnum, 40),
            "hex32" => Hex(r, 32),
            "b64-password" => Convert.ToBase64String(Encoding.UTF8.GetBytes(Password(r))),
            "apr1" => "$apr1$" + S(r, Alnum, 8) + "$" + S(r, Alnum + "./", 22),
            "azure-storage" => Base64(r, 64),
            "sas" => Uri.EscapeDataString(Base64(r, 32)),
            "pem-rsa" => RuleSamples.Pem(r, "RSA PRIVATE KEY", "k").Text.TrimEnd(),
            "openssh" => RuleSamples.OpenSsh(r, "none").Text.TrimEnd(),
            "putty" => RuleSamples.Putty(r, "none").Text.TrimEnd(),
            "pgp" => RuleSamples.Pgp(r, 0).Text.TrimEnd(),
            "gcp-pem" => "-----BEGIN PRIVATE KEY-----\\n" + string.Join("\\n", Enumerable.Range(0, 8).Select(_ => Base64(r, 48))) + "\\n-----END PRIVATE KEY-----\\n",
            "stripe" => FromRule("stripe-key"),
            "sendgrid" => FromRule("sendgrid-api-key"),
            "aws-key-id" => FromRule("aws-access-key"),
            "aws-secret" => FromRule("aws-secret-key"),
            "slack-webhook" => FromRule("slack-webhook"),
            "openai" => FromRule("openai-api-key"),
            "github-pat" => FromRule("github-pat"),
            "twilio" => FromRule("twilio-api-key"),
            "mailgun" => FromRule("mailgun-api-key"),
            "shopify" => FromRule("shopify-token"),
            "newrelic" => FromRule("new-relic-key"),
            "vault" => FromRule("vault-token"),
            "terraform" => FromRule("terraform-token"),
            "aad" => FromRule("azure-ad-client-secret"),
            "gcp-api" => FromRule("gcp-api-key"),
            "gitlab" => FromRule("gitlab-pat"),
            "npm" => FromRule("npm-token"),
            "nuget" => FromRule("nuget-api-key"),
            "pypi" => FromRule("pypi-token"),
            "dockerhub" => FromRule("dockerhub-token"),
            "slack-bot" => "xoxb-" + S(r, Digits, 12) + "-" + S(r, Digits, 13) + "-" + S(r, Alnum, 24),
            "digitalocean" => FromRule("digitalocean-token"),
            "anthropic" => FromRule("anthropic-api-key"),
            "huggingface" => FromRule("huggingface-token"),
            "jwt" => Jwts.Signed(r),
            _ => throw new ArgumentException($"no generator for secret kind '{kind}'", nameof(kind)),
        };
    }

    private string DecoyValue(string kind)
    {
        var r = _random;
        return kind switch
        {
            "hex64" => Hex(r, 64),
            "uuid" => Uuid(r),
            "base64-64" => Base64(r, 64),
            "base64-48" => Base64(r, 48),
            "base64-90" => Base64(r, 90),
            "base64-300" => Base64(r, 300),
            "alnum-43" => S(r, Alnum, 43),
            "stripe-publishable" => "pk_live_" + S(r, Alnum, 32),
            "github-bad-checksum" => BadChecksum("ghp_"),
            "jwt-unsigned" => Jwts.Unsigned(r),
            _ => throw new ArgumentException($"no generator for decoy kind '{kind}'", nameof(kind)),
        };
    }

    private string BadChecksum(string prefix)
    {
        while (true)
        {
            var t = prefix + S(_random, Alnum, 36);
            if (!SecretFormats.HasBase62Crc32Suffix(t)) return t;
        }
    }

    /// <summary>Compiles assembly/Plugin.cs.template (markers expanded) with its appsettings.json embedded.</summary>
    private byte[] CompilePlugin(string dir)
    {
        var source = Expand(File.ReadAllText(Path.Combine(dir, "Plugin.cs.template")));
        var settings = Encoding.UTF8.GetBytes(Expand(File.ReadAllText(Path.Combine(dir, "appsettings.json"))));
        return Compile("Acme.Plugin", source, [new ResourceDescription("Acme.Plugin.appsettings.json", () => new MemoryStream(settings), isPublic: true)]);
    }

    public static byte[] Compile(string name, string source, IEnumerable<ResourceDescription>? resources = null)
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = tpa.Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "System.Net.Primitives.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(name,
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, deterministic: true));
        using var pe = new MemoryStream();
        EmitResult result = compilation.Emit(pe, manifestResources: resources);
        if (!result.Success)
            throw new InvalidOperationException("the test assembly did not compile: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return pe.ToArray();
    }

    /// <summary>A native-looking binary: random bytes with an AWS key id and a Slack bot token as ASCII strings.</summary>
    private byte[] NativeBinary()
    {
        var r = _random;
        using var s = new MemoryStream();
        s.Write([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]);
        void Noise()
        {
            var b = new byte[2048];
            r.NextBytes(b);
            for (int i = 0; i < b.Length; i += 5) b[i] = 0;
            s.Write(b);
        }
        Noise();
        var key = Secret("aws-key-id");
        Secrets.Add(key);
        s.Write(Encoding.ASCII.GetBytes("\0AWS_ACCESS_KEY_ID=" + key + "\0"));
        Noise();
        var slack = Secret("slack-bot");
        Secrets.Add(slack);
        s.Write(Encoding.ASCII.GetBytes("\0" + slack + "\0"));
        Noise();
        return s.ToArray();
    }
}
