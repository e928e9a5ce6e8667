using System.CommandLine;

namespace Preflight.Cli;

/// <summary>Builders for options whose errors must read as one clear line.</summary>
internal static class CliOptions
{
    /// <summary>
    /// A string option limited to <paramref name="choices"/> (case-insensitive, normalised to lower case), with
    /// <paramref name="defaultValue"/> when absent.
    /// </summary>
    public static Option<string> Choice(string name, string description, string[] choices, string defaultValue)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', choices),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string given = result.Tokens.Count > 0 ? result.Tokens[^1].Value : defaultValue;
                string? match = choices.FirstOrDefault(c => string.Equals(c, given.Trim(), StringComparison.OrdinalIgnoreCase));
                if (match is null)
                    result.AddError($"{name} must be one of {string.Join(", ", choices)}, not '{given}'");
                return match ?? defaultValue;
            },
        };
        return option;
    }
}
