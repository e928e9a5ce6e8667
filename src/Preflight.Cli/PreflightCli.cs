using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;
using Preflight.Reporting;

namespace Preflight.Cli;

/// <summary>
/// The command line: builds the commands, turns parse errors into one line and exit code 2, and runs the
/// chosen command. <see cref="Program"/> calls <see cref="RunAsync"/> with the real console; tests call it with
/// a captured one.
/// </summary>
internal static class PreflightCli
{
    private const string Description =
        "Preflight reads an upgrade package before it is installed and reports what it will do. It never runs anything from the package.";

    /// <summary>Runs the command line <paramref name="args"/> and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var output = new StreamWriter(console.Out, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true);
        await using (output.ConfigureAwait(false))
        {
            try
            {
                var root = BuildRoot(console, output);
                var parse = root.Parse(args);
                if (parse.Errors.Count > 0)
                {
                    string command = parse.CommandResult.Command == root ? "preflight" : "preflight " + parse.CommandResult.Command.Name;
                    // An unknown word explains the other errors it causes ("required command was not provided").
                    string message = parse.UnmatchedTokens.Count > 0
                        ? $"unrecognized command or argument '{parse.UnmatchedTokens[0]}'"
                        : parse.Errors[0].Message;
                    return CliErrors.Report(console, verbose: false, exception: null,
                        $"{message} (see '{command} --help')", ExitCodes.UsageError);
                }
                var invocation = new InvocationConfiguration
                {
                    Output = output,
                    Error = console.Error,
                    EnableDefaultExceptionHandler = false,
                };
                int code = await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return code;
            }
            catch (Exception ex)
            {
                // Commands map their own errors; this is the last line of defence, still one line.
                bool verbose = args.Contains("--verbose", StringComparer.Ordinal);
                return CliErrors.Report(console, verbose, ex, $"unexpected {ex.GetType().Name}: {ex.Message}", ExitCodes.Unreadable);
            }
        }
    }

    private static RootCommand BuildRoot(CliConsole console, TextWriter output)
    {
        var root = new RootCommand(Description)
        {
            ScanCommand.Create(console),
            RulesCommand.Create(console, output),
            ExplainCommand.Create(console, output),
            SuppressCommand.Create(console, output),
        };
        foreach (var option in root.Options)
        {
            // The version printed is the one reports carry (tool.version), without the source revision.
            if (option is VersionOption version) version.Action = new PrintVersionAction();
        }
        return root;
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(ToolInfo.Current.Version);
            return ExitCodes.Passed;
        }
    }
}
