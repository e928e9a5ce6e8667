namespace Preflight.Cli;

/// <summary>
/// What the CLI talks to: standard output as bytes (reports are written as streams), standard error as text,
/// whether standard output is a terminal, and the environment. <see cref="System"/> is the real process; tests
/// build their own so the real entry point runs in-process with captured output.
/// </summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="OutIsTerminal">True when standard output is a terminal (colour may be used there).</param>
/// <param name="GetEnvironmentVariable">Reads an environment variable.</param>
internal sealed record CliConsole(Stream Out, TextWriter Error, bool OutIsTerminal, Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>The process's own console and environment.</summary>
    public static CliConsole System() => new(
        Console.OpenStandardOutput(),
        Console.Error,
        !Console.IsOutputRedirected,
        Environment.GetEnvironmentVariable)
    {
        ErrorIsTerminal = !Console.IsErrorRedirected,
    };

    /// <summary>True when standard error is a terminal: the scan's progress display may be drawn there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>How long a scan runs before the progress display appears; shorter scans show none.</summary>
    public TimeSpan ProgressDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>True when the NO_COLOR convention (no-color.org) asks for no colour: set and not empty.</summary>
    public bool NoColorRequested => !string.IsNullOrEmpty(GetEnvironmentVariable("NO_COLOR"));
}
