using FluentAssertions;
using NUnit.Framework;
using Preflight.Fuzz;
using Preflight.Tests.Support;

namespace Preflight.Tests.Hostile;

/// <summary>
/// The fuzz harnesses (fuzz/Preflight.Fuzz) run uninstrumented on every committed seed and on every input a fuzzing
/// run turned up (fuzz/regressions/&lt;target&gt;/): each must be analysed without a detector throwing, within a
/// few seconds. An input that once crashed or hung a parser stays here as its regression test.
/// </summary>
public class FuzzRegressionTests
{
    private static string FuzzFolder => Path.Combine(SharedData.RepositoryRoot, "fuzz");

    public static IEnumerable<TestCaseData> Inputs()
    {
        foreach (var target in Targets.All.Keys)
        {
            foreach (var folder in new[] { "seeds", "regressions" })
            {
                var dir = Path.Combine(FuzzFolder, folder, target);
                if (!Directory.Exists(dir)) continue;
                foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
                    yield return new TestCaseData(target, Path.GetRelativePath(FuzzFolder, file))
                        .SetName($"Fuzz target {target} handles {folder}/{Path.GetFileName(file)}");
            }
        }
    }

    [Test]
    public void Every_target_has_a_route()
    {
        Targets.All.Keys.Should().Contain(["archive", "unit", "timer", "cron", "task-xml", "yaml", "sql", "tsql", "pem", "cms", "cecil", "csharp"]);
    }

    [TestCaseSource(nameof(Inputs))]
    public void Replay(string target, string relativePath)
    {
        var input = File.ReadAllBytes(Path.Combine(FuzzFolder, relativePath));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var run = () => Targets.Run(target, input);
        run.Should().NotThrow();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }
}
