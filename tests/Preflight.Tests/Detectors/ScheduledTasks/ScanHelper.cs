using Preflight.Configuration;
using Preflight.Reporting;
using Preflight;

namespace Preflight.Tests.Detectors.ScheduledTasks;

/// <summary>Scans a folder package built from in-memory files.</summary>
internal static class ScanHelper
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public static ScanOptions Options(string? window = null, params string[] detectors) => ScanOptions.Default with
    {
        AsOf = AsOf,
        MaintenanceWindow = window is null ? null : MaintenanceWindow.Parse(window),
        EnabledDetectors = detectors.Length == 0 ? null : new HashSet<string>(detectors, StringComparer.Ordinal),
        MaxDegreeOfParallelism = 2,
    };

    public static async Task<ScanReport> ScanAsync(IReadOnlyDictionary<string, string> files, ScanOptions options)
    {
        var dir = Directory.CreateTempSubdirectory("pf-sched-");
        try
        {
            foreach (var (path, text) in files)
            {
                var full = Path.Combine(dir.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, text);
            }
            return await PreflightScanner.ScanAsync(dir.FullName, options);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static Task<ScanReport> ScanAsync(string path, string text, ScanOptions options) =>
        ScanAsync(new Dictionary<string, string> { [path] = text }, options);
}
