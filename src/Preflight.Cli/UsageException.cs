namespace Preflight.Cli;

/// <summary>A usage or configuration error found while running a command: exit code 2, one line on stderr.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException(string message, Exception inner) : base(message, inner) { }

    public UsageException() { }
}
