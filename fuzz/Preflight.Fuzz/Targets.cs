using System.Buffers;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Packages;

namespace Preflight.Fuzz;

/// <summary>
/// One fuzz target per parser. Each target feeds the input to the code that would read it in a real package: the
/// archive reader and the whole pipeline for <c>archive</c>, and for the others one entry at a path that routes it
/// to its parser, analysed by every detector exactly as the scan does. A detector exception, which the pipeline
/// would turn into a diagnostic, is rethrown here so that the fuzzer sees it as a crash.
/// </summary>
internal static class Targets
{
    /// <summary>Target name → the entry path that routes an input to its parser (null: the input is a whole package).</summary>
    public static IReadOnlyDictionary<string, string?> All { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["archive"] = null,
        ["content"] = "data/fuzz.bin",
        ["unit"] = "lib/systemd/system/fuzz.service",
        ["timer"] = "lib/systemd/system/fuzz.timer",
        ["cron"] = "etc/cron.d/fuzz",
        ["task-xml"] = "Windows/System32/Tasks/Fuzz",
        ["plist"] = "Library/LaunchDaemons/com.example.fuzz.plist",
        ["yaml"] = "deploy/cronjob.yaml",
        ["sql"] = "db/migration/V1__fuzz.sql",
        ["tsql"] = "db/migration/V2__fuzz.sql",
        ["pem"] = "etc/tls/fuzz.pem",
        ["der"] = "etc/tls/fuzz.der",
        ["pkcs12"] = "etc/tls/fuzz.pfx",
        ["cms"] = "bin/tool.sh.p7s",
        ["cecil"] = "bin/Fuzz.dll",
        ["csharp"] = "src/Fuzz.cs",
        ["script"] = "opt/app/bin/install.sh",
        // Signature readers: a signed NuGet package (the whole package: its .signature.p7s and content hash) and a
        // signed PE at a path that makes it an executable (the Authenticode certificate table and image digest).
        ["nuget"] = null,
        ["authenticode"] = "bin/Signed.dll",
    };

    // Built on first use, inside the fuzzer's callback: instrumented code (all of Preflight) must not run before
    // SharpFuzz has set up AFL's shared memory, or it writes to memory that is not there yet.
    private static PackageLimits? _limits;

    private static PackageLimits Limits => _limits ??= PackageLimits.Default with
    {
        MaxTotalBytes = 64L * 1024 * 1024,
        MaxEntryBytes = 16L * 1024 * 1024,
        MaxDuration = TimeSpan.FromSeconds(20),
    };

    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public static void Run(string target, byte[] input)
    {
        if (!All.TryGetValue(target, out var path)) throw new ArgumentException($"unknown target '{target}'", nameof(target));
        if (path is null) RunPackage(input);
        else RunEntry(target, path, input);
    }

    private static void RunPackage(byte[] input)
    {
        var options = new ScanOptions { Limits = Limits, AsOf = AsOf };
        try
        {
            using var stream = new MemoryStream(input, writable: false);
            var report = PreflightScanner.ScanAsync(stream, "fuzz.bin", options).GetAwaiter().GetResult();
            ThrowOnDetectorFailure(report.Diagnostics.Select(d => d.Message));
        }
        catch (PackageUnreadableException)
        {
            // A clean refusal ("not a package we can read") is a correct outcome, not a crash.
        }
    }

    private static void RunEntry(string target, string path, byte[] input)
    {
        var options = new ScanOptions
        {
            Limits = Limits,
            AsOf = AsOf,
            MigrationsDialect = target == "tsql" ? "sqlserver" : null,
        };
        var state = new ScanState(options, CancellationToken.None);
        var detectors = DetectorRegistry.CreateAll().ToArray();
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, input.Length));
        input.CopyTo(buffer, 0);
        using (var entry = new PackageEntry(path, input.Length, 0, buffer, input.Length))
            PreflightScanner.AnalyzeEntry(entry, detectors, state);
        var context = new DetectorContext(state);
        foreach (var detector in detectors) detector.Complete(context);
        ThrowOnDetectorFailure(state.Diagnostics.Select(d => d.Message));
    }

    private static void ThrowOnDetectorFailure(IEnumerable<string> diagnostics)
    {
        foreach (var message in diagnostics)
            if (message.Contains("failed on this entry", StringComparison.Ordinal) || message.Contains("failed to gate", StringComparison.Ordinal))
                throw new InvalidOperationException("a detector threw: " + message);
    }
}
