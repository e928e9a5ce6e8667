using System.Text.RegularExpressions;

namespace Preflight.Tests.Support;

/// <summary>Helpers for tests that hold a pattern's backtracking form (with its short time limit) to its other form.</summary>
internal static class RegexEngines
{
    /// <summary>
    /// Runs <paramref name="run"/>, which uses a backtracking form; one that gives up (a loaded machine can stall a
    /// single match past a 50 ms limit) is run again, up to four more times, before the time-out counts.
    /// </summary>
    public static T Retrying<T>(Func<T> run)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return run();
            }
            catch (RegexMatchTimeoutException) when (attempt < 4)
            {
                Thread.Sleep(50);
            }
        }
    }
}
