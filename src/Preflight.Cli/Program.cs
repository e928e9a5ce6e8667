namespace Preflight.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) => PreflightCli.RunAsync(args, CliConsole.System());
}
