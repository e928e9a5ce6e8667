namespace Preflight.Cli;

/// <summary>The exit codes of <c>preflight</c>, as fixed in DESIGN.md.</summary>
internal static class ExitCodes
{
    /// <summary>Nothing unsuppressed at or above the fail-on level (or a command other than scan succeeded).</summary>
    public const int Passed = 0;

    /// <summary>An unsuppressed finding is at or above the fail-on level.</summary>
    public const int Failed = 1;

    /// <summary>Usage or configuration error, including a package path that does not exist.</summary>
    public const int UsageError = 2;

    /// <summary>The package could not be read at all (a file that is no package, or the scan broke off).</summary>
    public const int Unreadable = 3;

    /// <summary>Interrupted (Ctrl+C): the shell convention 128 + SIGINT.</summary>
    public const int Cancelled = 130;
}
