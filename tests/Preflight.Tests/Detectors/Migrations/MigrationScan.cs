using Preflight.Configuration;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>Scans a folder of migrations written by the test with only the migrations detector enabled.</summary>
internal static class MigrationScan
{
    public static readonly ScanOptions Options = ScanOptions.Default with
    {
        AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
        EnabledDetectors = new HashSet<string> { "migrations" },
    };

    public static async Task<Preflight.Reporting.ScanReport> ScanFolder(Dictionary<string, string> files)
    {
        var dir = Directory.CreateTempSubdirectory("pf-mig-");
        try
        {
            foreach (var (path, text) in files)
            {
                var full = Path.Combine(dir.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, text);
            }
            return await PreflightScanner.ScanAsync(dir.FullName, Options);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
