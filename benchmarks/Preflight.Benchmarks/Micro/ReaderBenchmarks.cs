using BenchmarkDotNet.Attributes;
using Preflight.Benchmarks.Generation;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Packages;

namespace Preflight.Benchmarks.Micro;

/// <summary>
/// Reading a 20 MiB (of content) synthetic package of mixed entries — configs, scripts, SQL, logs, binaries,
/// assemblies, nested tar.gz — into a sink that discards every entry: the reader's own cost.
/// </summary>
[MemoryDiagnoser]
public class ReaderBenchmarks
{
    private string _folder = string.Empty;
    private string _package = string.Empty;

    [Params("zip", "tar.gz")]
    public string Format { get; set; } = "zip";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("pf-bench-").FullName;
        _package = Path.Combine(_folder, "mixed-20MiB." + Format);
        SyntheticPackage.Generate(_package, 20L * 1024 * 1024, seed: 1, PackageMix.Default);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark]
    public async Task<long> ReadAll()
    {
        var sink = new DiscardingSink();
        await PackageReader.ReadAsync(_package, PackageLimits.Default, sink, CancellationToken.None);
        return sink.Bytes;
    }

    private sealed class DiscardingSink : IPackageSink
    {
        public long Bytes { get; private set; }

        public ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
        {
            Bytes += entry.Size;
            entry.Dispose();
            return ValueTask.CompletedTask;
        }

        public void OnIssue(PackageIssue issue) { }

        public void OnLink(LinkItem link) { }

        public void OnDiagnostic(ScanDiagnostic diagnostic) { }
    }
}
