using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;

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

    /// <summary>Every match of <paramref name="pattern"/> in <paramref name="input"/>: place, length, and each group's place and value.</summary>
    public static List<string> Describe(Regex pattern, string input) => Describe(Matches(pattern, input));

    /// <summary>The same description of matches already found.</summary>
    public static List<string> Describe(IEnumerable<Match> matches) =>
        [.. matches.Select(m => $"{m.Index}+{m.Length} " + string.Join(' ', m.Groups.Values.Skip(1).Select(g => $"{g.Name}={g.Index}:{g.Value}")))];

    private static IEnumerable<Match> Matches(Regex pattern, string input)
    {
        for (var m = pattern.Match(input); m.Success; m = m.NextMatch()) yield return m;
    }

    // One non-backtracking reference per pattern (building one takes tens of milliseconds); tests run one at a time.
    private static readonly Dictionary<TimedRegex, Regex> References = [];

    /// <summary>
    /// Asserts that <paramref name="subject"/>'s backtracking form finds in <paramref name="input"/> exactly the matches and
    /// groups of the same pattern on the non-backtracking engine; returns how many there are.
    /// </summary>
    public static int AssertSameAsLinear(TimedRegex subject, string input)
    {
        if (!References.TryGetValue(subject, out var reference))
            References[subject] = reference = new Regex(subject.Backtracking.ToString(), subject.Backtracking.Options | RegexOptions.NonBacktracking);
        var expected = Describe(reference, input);
        Retrying(() => Describe(subject.Backtracking, input)).Should().Equal(expected, "{0} on \"{1}\"", subject.Backtracking, input);
        return expected.Count;
    }

    /// <summary>A string made of one choice from each of <paramref name="parts"/>, in order.</summary>
    public static string Build(Random random, string[][] parts)
    {
        var sb = new StringBuilder();
        foreach (var choices in parts) sb.Append(choices[random.Next(choices.Length)]);
        return sb.ToString();
    }

    /// <summary>The text files' extensions <see cref="RepositoryLines"/> reads.</summary>
    public static readonly string[] TextExtensions =
        [".cs", ".md", ".json", ".yaml", ".yml", ".xml", ".config", ".sh", ".ini", ".conf", ".service", ".sql", ".txt", ".ps1", ".py", ".toml", ".env", ".properties", ".log"];

    /// <summary>Every line of the repository's text files (sources, tests, fixtures, benchmarks, docs; no build output), with its file.</summary>
    public static IEnumerable<(string File, string Line)> RepositoryLines()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Preflight.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new InvalidOperationException("the repository root was not found");
        char sep = Path.DirectorySeparatorChar;
        foreach (var top in new[] { "src", "tests", "fixtures", "benchmarks", "docs" }.Select(d => Path.Combine(root, d)).Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(top, "*", SearchOption.AllDirectories))
            {
                if (!TextExtensions.Contains(Path.GetExtension(file)) || file.Contains($"{sep}bin{sep}", StringComparison.Ordinal)
                    || file.Contains($"{sep}obj{sep}", StringComparison.Ordinal)) continue;
                foreach (var line in File.ReadLines(file)) yield return (file, line);
            }
    }
}
