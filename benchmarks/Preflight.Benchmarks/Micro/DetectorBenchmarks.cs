using BenchmarkDotNet.Attributes;
using Preflight.Benchmarks.Generation;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;

namespace Preflight.Benchmarks.Micro;

/// <summary>
/// Each detector's per-entry step on a realistic entry from the synthetic package generator (the same code that
/// makes the end-to-end packages): a fresh <see cref="EntryContent"/> per call, so decoding the views the detector
/// asks for (text, lines, module) is part of the cost, as in a scan. Case names are <c>detector/category</c>.
/// </summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private string _path = string.Empty;
    private byte[] _bytes = [];
    private ContentKind _kind;
    private Type _detectorType = null!;
    private ScanOptions _options = null!;

    public static IEnumerable<string> Cases =>
    [
        "credentials/config", "credentials/script", "credentials/log", "credentials/assembly", "credentials/binary",
        "endpoints/config", "endpoints/log", "endpoints/assembly",
        "scheduled-tasks/assembly",
        "service-units/script",
        "migrations/sql",
        "certificates/assembly", "certificates/log",
    ];

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "credentials/config";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Case.Split('/');
        var category = Enum.Parse<EntryCategory>(parts[1], ignoreCase: true);
        // 64 KiB texts, 256 KiB binaries; assemblies are real framework assemblies as found (the generator's choice).
        int size = category == EntryCategory.Binary ? 256 * 1024 : 64 * 1024;
        var factory = new EntryFactory(new Random(9), SyntheticPackage.Timestamp) { FixedSize = size };
        (_path, _bytes, _) = factory.Create(category, 1, size);
        _kind = ContentSniffer.Classify(_bytes.AsSpan(0, Math.Min(_bytes.Length, ContentSniffer.PrefixLength)), FileName);
        var detector = DetectorRegistry.CreateAll().Single(d => d.Id == parts[0]);
        _detectorType = detector.GetType();
        _options = ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) };
        if (!detector.Wants(Info)) throw new InvalidOperationException($"{Case}: the detector does not want {_path} ({_kind})");
    }

    private string FileName => _path[(_path.LastIndexOf('/') + 1)..];

    private EntryInfo Info => new(_path, FileName, _bytes.Length, _kind, 0);

    /// <summary>A fresh detector and scan state per call (detectors keep per-scan state), then the entry.</summary>
    [Benchmark]
    public int Analyze()
    {
        var detector = (IDetector)Activator.CreateInstance(_detectorType)!;
        var state = new ScanState(_options, CancellationToken.None);
        using var content = new EntryContent(_path, _bytes, _kind);
        detector.Analyze(new EntryContext(state, Info, content));
        return state.Findings.Count;
    }
}
