using System.Text;
using BenchmarkDotNet.Attributes;
using Preflight.Content;

namespace Preflight.Benchmarks.Micro;

/// <summary>Content sniffing of one entry's prefix (up to 8 KiB), by kind of content.</summary>
[MemoryDiagnoser]
public class SnifferBenchmarks
{
    private byte[] _prefix = [];
    private string _name = string.Empty;

    [Params("yaml", "utf16-text", "elf", "dotnet-assembly", "pem", "zip", "random")]
    public string Kind { get; set; } = "yaml";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        (_name, _prefix) = Kind switch
        {
            "yaml" => ("dten.yaml", Encoding.UTF8.GetBytes(Repeat("api:\n  base_url: https://api.dten-cloud.io/v2\n  timeout_seconds: 30\n"))),
            "utf16-text" => ("notes.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Repeat("Hello, upgrade notes line.\r\n")[..4000])]),
            "elf" => ("libx.so", Elf(random)),
            "dotnet-assembly" => ("System.Runtime.dll", File.ReadAllBytes(typeof(object).Assembly.Location).AsSpan(0, ContentSniffer.PrefixLength).ToArray()),
            "pem" => ("ca.pem", Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\n" + Repeat("MIIBkTCCATegAwIBAgICEAEwCgYIKoZIzj0EAwIwRjELMAkGA1UEBhMCREUxFTAT\n")[..4000])),
            "zip" => ("plugins.zip", [0x50, 0x4b, 3, 4, .. new byte[ContentSniffer.PrefixLength - 4]]),
            _ => ("blob.bin", RandomBytes(random)),
        };
    }

    [Benchmark]
    public ContentKind Classify() => ContentSniffer.Classify(_prefix, _name);

    private static string Repeat(string line)
    {
        var text = new StringBuilder(ContentSniffer.PrefixLength + line.Length);
        while (text.Length < ContentSniffer.PrefixLength) text.Append(line);
        return text.ToString(0, ContentSniffer.PrefixLength);
    }

    private static byte[] Elf(Random random)
    {
        var bytes = RandomBytes(random);
        ReadOnlySpan<byte> ident = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0];
        ident.CopyTo(bytes);
        return bytes;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[ContentSniffer.PrefixLength];
        random.NextBytes(bytes);
        return bytes;
    }
}
