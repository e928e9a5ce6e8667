using System.Text;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Detectors.Credentials;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>Runs the credentials detector on one entry, the way the pipeline does, and returns its findings.</summary>
internal static class CredentialScan
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<Finding> Text(string path, string text) => Bytes(path, Encoding.UTF8.GetBytes(text));

    public static IReadOnlyList<Finding> Bytes(string path, byte[] bytes) => Run(path, bytes, out _);

    public static IReadOnlyList<Finding> Run(string path, byte[] bytes, out Inventory inventory)
    {
        var state = new ScanState(ScanOptions.Default with { AsOf = AsOf }, CancellationToken.None);
        var kind = ContentSniffer.Classify(bytes.AsSpan(0, Math.Min(bytes.Length, ContentSniffer.PrefixLength)), path[(path.LastIndexOf('/') + 1)..]);
        var info = new EntryInfo(path, path[(path.LastIndexOf('/') + 1)..], bytes.Length, kind, 0);
        var detector = new CredentialsDetector();
        using var content = new EntryContent(path, bytes, kind);
        if (detector.Wants(info))
            detector.Analyze(new EntryContext(state, info, content));
        inventory = state.Inventory.Build();
        return [.. state.Findings.OrderBy(f => f.Location.Line).ThenBy(f => f.Location.Column)];
    }

    public static IReadOnlyList<Finding> Sample(RuleSample sample) =>
        sample.Bytes is { } b ? Bytes(sample.Path, b) : Text(sample.Path, sample.Text);
}
