namespace Preflight.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "scan")
        {
            await Console.Error.WriteLineAsync("usage: preflight scan <path>");
            return 2;
        }
        var report = await PreflightScanner.ScanAsync(args[1]);
        foreach (var f in report.Findings) Console.WriteLine($"{f.RuleId} {f.Severity} {f.Location} {f.Message}");
        Console.WriteLine($"{report.Package.Entries} entries");
        return report.Failed ? 1 : 0;
    }
}
