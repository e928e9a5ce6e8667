using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Detectors.Credentials;

namespace Preflight.Benchmarks.Credentials;

/// <summary>
/// The credentials detector over a realistic mixed corpus (about 8 MiB): YAML/JSON/INI configs, shell and
/// PowerShell scripts, C# sources, logs and minified JavaScript, with a secret in about one file in twenty.
/// MB/s = <see cref="CorpusBytes"/> / mean time. Set PREFLIGHT_CREDENTIALS_CORPUS_DIR to also write the
/// corpus as files, for running other scanners (secretlint) on the same input.
/// </summary>
[MemoryDiagnoser]
public class CredentialsBenchmarks
{
    private (EntryInfo Info, byte[] Bytes)[] _entries = [];

    /// <summary>Total bytes scanned per operation.</summary>
    public static long CorpusBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var files = CredentialsCorpusGenerator.Generate(seed: 11, targetBytes: 8 * 1024 * 1024);
        _entries = [.. files.Select(f =>
        {
            var kind = ContentSniffer.Classify(f.Bytes.AsSpan(0, Math.Min(f.Bytes.Length, ContentSniffer.PrefixLength)), Path.GetFileName(f.Path));
            return (new EntryInfo(f.Path, Path.GetFileName(f.Path), f.Bytes.Length, kind, 0), f.Bytes);
        })];
        CorpusBytes = files.Sum(f => (long)f.Bytes.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// credentials corpus: {files.Count} files, {CorpusBytes} bytes"));
        if (Environment.GetEnvironmentVariable("PREFLIGHT_CREDENTIALS_CORPUS_DIR") is { Length: > 0 } dir)
        {
            foreach (var f in files)
            {
                var target = Path.Combine(dir, f.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, f.Bytes);
            }
        }
    }

    /// <summary>Every entry through the detector, as the pipeline does (sniff, views on demand, analyse).</summary>
    [Benchmark]
    public int ScanCorpus()
    {
        var state = new ScanState(ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);
        var detector = new CredentialsDetector();
        foreach (var (info, bytes) in _entries)
        {
            if (!detector.Wants(info)) continue;
            using var content = new EntryContent(info.Path, bytes, info.Kind);
            detector.Analyze(new EntryContext(state, info, content));
        }
        return state.Findings.Count;
    }
}

/// <summary>Deterministic files for the benchmark.</summary>
public static class CredentialsCorpusGenerator
{
    /// <summary>Generates files until <paramref name="targetBytes"/> is reached.</summary>
    public static List<(string Path, byte[] Bytes)> Generate(int seed, long targetBytes)
    {
        var r = new Random(seed);
        var files = new List<(string, byte[])>();
        long total = 0;
        int n = 0;
        while (total < targetBytes)
        {
            n++;
            var (path, text) = (n % 7) switch
            {
                0 => ($"etc/app{n}.yaml", Yaml(r, n)),
                1 => ($"config/settings{n}.json", Json(r, n)),
                2 => ($"scripts/job{n}.sh", Shell(r, n)),
                3 => ($"src/Service{n}.cs", CSharp(r, n)),
                4 => ($"logs/app{n}.log", Log(r)),
                5 => ($"web/bundle{n}.min.js", MinifiedJs(r)),
                _ => ($"config/app{n}.ini", Ini(r, n)),
            };
            var bytes = Encoding.UTF8.GetBytes(text);
            files.Add((path, bytes));
            total += bytes.Length;
        }
        return files;
    }

    private static string Secret(Random r, int n) => n % 20 == 0 ? "ghp_" + SecretFormats.WithBase62Crc32(SampleFactory.S(r, SampleFactory.Alnum, 30)) : "${SECRET_" + n + "}";

    private static string Yaml(Random r, int n)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 200; i++)
            sb.Append(CultureInfo.InvariantCulture, $"service{i}:\n  host: svc{i}.acme.internal\n  port: {8000 + i}\n  timeout_seconds: {r.Next(1, 90)}\n  retries: {r.Next(5)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"auth:\n  token: {Secret(r, n)}\n  password: ${{DB_PASSWORD}}\n");
        return sb.ToString();
    }

    private static string Json(Random r, int n)
    {
        var sb = new StringBuilder("{\n");
        for (int i = 0; i < 200; i++)
            sb.Append(CultureInfo.InvariantCulture, $"  \"feature{i}\": {{ \"enabled\": {(r.Next(2) == 0 ? "true" : "false")}, \"threshold\": {r.NextDouble():F3}, \"owner\": \"team-{r.Next(40)}\" }},\n");
        sb.Append(CultureInfo.InvariantCulture, $"  \"apiKey\": \"{Secret(r, n)}\"\n}}\n");
        return sb.ToString();
    }

    private static string Shell(Random r, int n)
    {
        var sb = new StringBuilder("#!/bin/sh\nset -eu\n");
        for (int i = 0; i < 250; i++)
            sb.Append(CultureInfo.InvariantCulture, $"cp -r /opt/acme/releases/{r.Next(1000)}/lib /var/lib/acme/cache{i} && echo \"step {i} done\"\n");
        sb.Append(CultureInfo.InvariantCulture, $"export API_TOKEN=\"{Secret(r, n)}\"\ncurl -fsS -H \"Authorization: Bearer $API_TOKEN\" https://api.acme.internal/deploy\n");
        return sb.ToString();
    }

    private static string CSharp(Random r, int n)
    {
        var sb = new StringBuilder("namespace Acme;\n\npublic sealed class Service\n{\n");
        for (int i = 0; i < 120; i++)
            sb.Append(CultureInfo.InvariantCulture, $"    public int Compute{i}(int x) => x * {r.Next(100)} + {r.Next(1000)}; // step {i}\n    private readonly string _label{i} = \"label-{r.Next(10000)}\";\n");
        sb.Append(CultureInfo.InvariantCulture, $"    private const string Token = \"{Secret(r, n)}\";\n}}\n");
        return sb.ToString();
    }

    private static string Log(Random r)
    {
        var sb = new StringBuilder();
        var time = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < 600; i++)
        {
            time = time.AddMilliseconds(r.Next(1, 5000));
            sb.Append(CultureInfo.InvariantCulture, $"{time:yyyy-MM-ddTHH:mm:ss.fffZ} INFO  [worker-{r.Next(16)}] processed order {r.Next(1_000_000)} for customer {r.Next(50_000)} in {r.Next(1, 999)} ms\n");
        }
        return sb.ToString();
    }

    private static string MinifiedJs(Random r)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 900; i++)
            sb.Append(CultureInfo.InvariantCulture, $"function f{i}(a,b){{return a*{r.Next(100)}+b.length>{r.Next(50)}?a:b.slice({r.Next(9)})}};var v{i}=\"k{r.Next(99999)}\";");
        sb.Append('\n');
        return sb.ToString();
    }

    private static string Ini(Random r, int n)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 150; i++)
            sb.Append(CultureInfo.InvariantCulture, $"[section{i}]\nname = item{i}\nsize = {r.Next(1, 4096)}\npath = /var/lib/acme/{i}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"[auth]\ntoken = {Secret(r, n)}\n");
        return sb.ToString();
    }
}
