using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Reporting;
using Preflight.Tests.Fixtures;
using Preflight.Tests.Packages;
using Preflight.Tests.Support;

namespace Preflight.Tests.Hostile;

/// <summary>
/// Issue 10: every input of the hostile corpus is scanned by the real CLI in a child process, with its own
/// TMPDIR and working folder. Each scan must end on its own within 10 seconds and 300 MB of peak memory, report
/// what <c>fixtures/hostile/EXPECTED.md</c> says (a PF0xx, or the detector's own "malformed input" finding), still
/// analyse the rest of the package (the canary cron job is reported), and leave nothing behind.
/// </summary>
[NonParallelizable]
public class HostileCorpusTests
{
    private static readonly TimeSpan WallClockLimit = TimeSpan.FromSeconds(10);
    private const long PeakMemoryLimitKb = 300 * 1024;

    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    public static IEnumerable<TestCaseData> Cases() =>
        HostileCorpus.All.Select(c => new TestCaseData(c.File).SetName($"Hostile input {c.File} is scanned within bounds"));

    [Test]
    public void The_corpus_has_at_least_forty_inputs_with_distinct_names()
    {
        HostileCorpus.All.Should().HaveCountGreaterThanOrEqualTo(40);
        HostileCorpus.All.Select(c => c.File).Should().OnlyHaveUniqueItems();
    }

    [TestCaseSource(nameof(Cases))]
    public void Scan(string file)
    {
        var input = HostileCorpus.All.Single(c => c.File == file);
        var packageFolder = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "package")).FullName;
        var inputs = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "inputs")).FullName;
        var temp = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "tmp")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_scratch.Folder, "work")).FullName;
        var package = Path.Combine(packageFolder, input.File);
        File.WriteAllBytes(package, HostileFixtures.Bytes(input));

        var args = new List<string> { "scan", package, "--format", "json", "--as-of", "2026-11-27T12:00:00Z", "--fail-on", "none" };
        if (input.Trust is not null)
        {
            var trust = Path.Combine(inputs, "trust.pem");
            File.WriteAllText(trust, input.Trust);
            args.AddRange(["--trust", trust]);
        }
        if (input.Window is not null) args.AddRange(["--window", input.Window]);

        var run = CliProcess.Run(args, temp, work);
        TestContext.Out.WriteLine($"{input.File}: {new FileInfo(package).Length} bytes, exit {run.ExitCode}, {run.Elapsed.TotalSeconds:0.00} s, peak {run.PeakKb / 1024} MB");

        run.TimedOut.Should().BeFalse("the scan must end on its own");
        run.Elapsed.Should().BeLessThan(WallClockLimit, run.Stderr);
        run.PeakKb.Should().BePositive("the child's memory must have been sampled").And.BeLessThan(PeakMemoryLimitKb, run.Stderr);
        run.ExitCode.Should().Be(0, "with --fail-on none only an error fails the scan; stderr: {0}", run.Stderr);

        var report = ScanReportJson.Read(run.Stdout);
        var seen = report.Findings.Select(f => (f.RuleId, f.Location.Path)).ToList();
        string Describe() => string.Join("\n", seen.Select(s => $"{s.RuleId}@{s.Path}").Distinct().Take(60));
        var expected = input.Canary ? input.Expect.Append(HostileCorpus.CanaryExpectation) : input.Expect;
        foreach (var expectation in expected)
        {
            var (rule, at) = Split(expectation);
            seen.Any(s => s.RuleId == rule && (at == null || s.Path == at)).Should().BeTrue("the report must hold {0}; it holds:\n{1}", expectation, Describe());
        }
        foreach (var rule in input.Absent ?? [])
            seen.Any(s => s.RuleId == rule).Should().BeFalse("{0} must not be reported; the report holds:\n{1}", rule, Describe());

        Directory.EnumerateFileSystemEntries(temp).Should().BeEmpty("the scan's temporary folder must be gone");
        Directory.EnumerateFileSystemEntries(work).Should().BeEmpty("nothing is written to the working folder");
        Directory.EnumerateFileSystemEntries(packageFolder).Should().Equal(package);
    }

    [Test]
    public void The_committed_corpus_and_its_ground_truth_match_the_builder()
    {
        if (DemoFixture.Updating) HostileFixtures.WriteAll();
        foreach (var input in HostileCorpus.All.Where(c => c.Committed))
        {
            var path = Path.Combine(HostileCorpus.Folder, input.File);
            File.Exists(path).Should().BeTrue("{0} is committed; regenerate with PREFLIGHT_UPDATE_FIXTURES=1", input.File);
            File.ReadAllBytes(path).AsSpan().SequenceEqual(HostileFixtures.Bytes(input)).Should()
                .BeTrue("fixtures/hostile/{0} must be what the builder makes; regenerate with PREFLIGHT_UPDATE_FIXTURES=1", input.File);
        }
        var committed = Directory.EnumerateFiles(HostileCorpus.Folder).Select(Path.GetFileName)
            .Where(n => n is not "EXPECTED.md" and not "README.md");
        committed.Should().BeEquivalentTo(HostileCorpus.All.Where(c => c.Committed).Select(c => c.File), "no stale input may linger");
        File.ReadAllText(Path.Combine(HostileCorpus.Folder, "EXPECTED.md")).ReplaceLineEndings("\n").Should()
            .Be(HostileFixtures.ExpectedMarkdown(), "EXPECTED.md is written from the catalog; regenerate with PREFLIGHT_UPDATE_FIXTURES=1");
    }

    private static (string Rule, string? At) Split(string expectation)
    {
        int at = expectation.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (expectation, null) : (expectation[..at], expectation[(at + 1)..]);
    }
}

/// <summary>Builds (once per test run) and writes the corpus files and their ground-truth table.</summary>
internal static class HostileFixtures
{
    private static readonly Dictionary<string, byte[]> Cache = [];

    public static byte[] Bytes(HostileCase input)
    {
        lock (Cache)
        {
            // Large inputs are not kept: each is built when its test runs.
            if (!input.Committed) return input.Build();
            if (!Cache.TryGetValue(input.File, out var bytes)) Cache[input.File] = bytes = input.Build();
            return bytes;
        }
    }

    public static void WriteAll()
    {
        Directory.CreateDirectory(HostileCorpus.Folder);
        foreach (var stale in Directory.EnumerateFiles(HostileCorpus.Folder).Where(p => Path.GetFileName(p) is not "README.md"))
            File.Delete(stale);
        foreach (var input in HostileCorpus.All.Where(c => c.Committed))
            File.WriteAllBytes(Path.Combine(HostileCorpus.Folder, input.File), Bytes(input));
        File.WriteAllText(Path.Combine(HostileCorpus.Folder, "EXPECTED.md"), ExpectedMarkdown());
    }

    public static string ExpectedMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("# Hostile corpus — ground truth\n\n");
        sb.Append("Written by `tests/Preflight.Tests/Hostile/HostileCorpus.cs` (regenerate with `PREFLIGHT_UPDATE_FIXTURES=1`); do not edit by hand.\n\n");
        sb.Append("Every input is scanned by `HostileCorpusTests` with the real CLI in a child process. Each scan must end within ");
        sb.Append("**10 s** and **300 MB** peak RSS, exit without an error, leave its TMPDIR and working folder empty, and report ");
        sb.Append("what the last column says. Unless marked *no canary*, the package also holds `").Append(HostileCorpus.CanaryPath);
        sb.Append("`, a cron job firing every minute, whose `").Append(HostileCorpus.CanaryExpectation).Append("` finding proves that the rest of the package was still analysed.\n\n");
        sb.Append("Inputs marked *built at test time* are not committed (too large, or encrypted with random salts); the builder makes them when the test runs.\n\n");
        sb.Append("| Input | What it is | Must report |\n|---|---|---|\n");
        foreach (var c in HostileCorpus.All)
        {
            var notes = new List<string>();
            if (!c.Committed) notes.Add("built at test time");
            if (!c.Canary) notes.Add("no canary");
            if (c.Trust is not null) notes.Add("scanned with `--trust` (its root)");
            if (c.Window is not null) notes.Add($"scanned with `--window {c.Window}`");
            string name = c.Committed ? $"[`{c.File}`]({c.File})" : $"`{c.File}`";
            string what = c.What.Replace("|", "\\|", StringComparison.Ordinal) + (notes.Count > 0 ? $" *({string.Join("; ", notes)})*" : "");
            var must = c.Expect.Select(e => $"`{e}`").ToList();
            if (c.Absent is { Length: > 0 }) must.Add("never " + string.Join(", ", c.Absent.Select(a => $"`{a}`")));
            sb.Append("| ").Append(name).Append(" | ").Append(what).Append(" | ")
              .Append(must.Count == 0 ? "no crash, no finding of its own required" : string.Join(", ", must)).Append(" |\n");
        }
        return sb.ToString();
    }
}
