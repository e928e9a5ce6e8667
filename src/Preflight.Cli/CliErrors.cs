using Preflight.Packages;

namespace Preflight.Cli;

/// <summary>
/// Turns what goes wrong inside a command into an exit code and ONE line on stderr
/// (<c>preflight: error: …</c>); the stack trace follows only with <c>--verbose</c>.
/// </summary>
internal static class CliErrors
{
    /// <summary>Runs <paramref name="body"/> and maps its exceptions to exit codes.</summary>
    public static async Task<int> GuardAsync(CliConsole console, bool verbose, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            return Report(console, verbose, ex, ex.Message, ExitCodes.UsageError);
        }
        catch (Preflight.Configuration.ConfigurationException ex)
        {
            return Report(console, verbose, ex, ex.Message, ExitCodes.UsageError);
        }
        catch (PackageUnreadableException ex)
        {
            return Report(console, verbose, ex, ex.Message, ex.NotFound ? ExitCodes.UsageError : ExitCodes.Unreadable);
        }
        catch (OperationCanceledException ex)
        {
            return Report(console, verbose, ex, "cancelled", ExitCodes.Cancelled);
        }
        catch (OutOfMemoryException ex)
        {
            return Report(console, verbose, ex, OutOfMemoryMessage(), ExitCodes.Unreadable);
        }
        catch (Exception ex)
        {
            string hint = verbose ? string.Empty : " (run with --verbose for details)";
            return Report(console, verbose, ex, $"unexpected {ex.GetType().Name}: {ex.Message}{hint}", ExitCodes.Unreadable);
        }
    }

    /// <summary>Writes the one error line (and, when <paramref name="verbose"/>, the exception) and returns <paramref name="exitCode"/>.</summary>
    public static int Report(CliConsole console, bool verbose, Exception? exception, string message, int exitCode)
    {
        console.Error.WriteLine("preflight: error: " + OneLine(message));
        if (verbose && exception is not null) console.Error.WriteLine(exception.ToString());
        console.Error.Flush();
        return exitCode;
    }

    /// <summary>What to say when the scan ran out of memory: the limit the runtime had, and what to change.</summary>
    internal static string OutOfMemoryMessage()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        string limit = available > 0
            ? $" (the runtime allowed this process {(available / 1048576).ToString(System.Globalization.CultureInfo.InvariantCulture)} MiB)"
            : string.Empty;
        return $"the scan ran out of memory{limit} and was stopped without a complete report. Give the process more memory " +
            "(the container's limit, or DOTNET_GCHeapHardLimit), or lower the package limits in the configuration file " +
            "(limits.maxAnalyzedEntryBytes, limits.maxInMemoryNestedArchiveBytes)";
    }

    /// <summary>Folds line breaks and tabs into single spaces.</summary>
    public static string OneLine(string message)
    {
        var parts = message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(' ', parts);
    }
}
