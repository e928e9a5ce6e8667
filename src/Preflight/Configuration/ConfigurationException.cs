namespace Preflight.Configuration;

/// <summary>
/// A configuration or suppressions file is invalid. <see cref="Errors"/> lists every problem with the JSON
/// path of the offending key (<c>$.limits.maxDepth: expected a whole number from 1 to 64</c>).
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/> with its problems.</summary>
    public ConfigurationException(string file, IReadOnlyList<string> errors)
        : base($"{file}: {string.Join("; ", errors)}")
    {
        File = file;
        Errors = errors;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigurationException() : this(string.Empty, []) { }

    /// <summary>Creates the exception with a message.</summary>
    public ConfigurationException(string message) : this(string.Empty, [message]) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ConfigurationException(string message, Exception inner) : base(message, inner)
    {
        File = string.Empty;
        Errors = [message];
    }

    /// <summary>The file that is invalid.</summary>
    public string File { get; } = string.Empty;

    /// <summary>Each problem, prefixed with the JSON path of its key.</summary>
    public IReadOnlyList<string> Errors { get; } = [];
}
