using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;

namespace Preflight.Tests.Cli;

/// <summary>
/// The native build (<see cref="NativeCli"/>) against the managed tool, process against process: the same inputs and
/// commands must give the same exit codes, the same reports and the same messages. The native build is trimmed and
/// compiled ahead of time, so what reflection, serialisation or run-time code generation does in the managed tool
/// could be missing or different in it; the inputs are the demo package and every fixture package, the hostile ones
/// included (their errors take other code paths).
/// </summary>
[Category(NativeCli.Category)]
[Parallelizable(ParallelScope.All)] // each case mostly waits for its two child processes: two at a time keep both cores busy
public class NativeBuildTests
{
    private static readonly string Root = SharedData.RepositoryRoot;

    /// <summary>The demo package, its source folder, the fixture corpora and every hostile fixture.</summary>
    public static IEnumerable<TestCaseData> Inputs()
    {
        string[] fixed_ =
        [
            "fixtures/dten/Full-upgrade-package-dten.zip",
            "fixtures/dten/baseline/Full-upgrade-package-dten-4.2.3.zip",
            "fixtures/dten/src",
            "fixtures/credentials/corpus",
            "fixtures/endpoints/corpus",
            "fixtures/migrations/mixed",
            "fixtures/units/new",
        ];
        foreach (var relative in fixed_) yield return new TestCaseData(relative).SetArgDisplayNames(relative);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "fixtures", "hostile")).Order(StringComparer.Ordinal))
        {
            if (file.EndsWith(".md", StringComparison.Ordinal)) continue;
            var relative = Path.GetRelativePath(Root, file);
            yield return new TestCaseData(relative).SetArgDisplayNames(relative);
        }
    }

    [TestCaseSource(nameof(Inputs))]
    public void A_scan_reports_the_same_as_the_managed_tool(string relative)
    {
        var native = NativeCli.Require();
        using var dirs = new Dirs();
        string input = Path.Combine(Root, relative);
        string[] args = ["scan", input, "--format", "json", "--as-of", "2026-11-27", "--quiet", "--fail-on", "high"];
        var managed = CliProcess.Run(args, dirs.Temp, dirs.Work, TimeSpan.FromMinutes(2));
        var compiled = CliProcess.Run(args, dirs.Temp, dirs.Work, TimeSpan.FromMinutes(2), native: native);

        compiled.ExitCode.Should().Be(managed.ExitCode, "stderr of the native build: {0}", compiled.Stderr);
        compiled.Stderr.Should().Be(managed.Stderr);
        managed.Stdout.Should().Contain("\"findings\"", "the managed tool wrote a report");
        Comparable(compiled.Stdout).Should().Be(Comparable(managed.Stdout));
        Directory.EnumerateFileSystemEntries(dirs.Temp).Should().BeEmpty("the native build cleans up its temporary files too");
    }

    [TestCase("sarif")]
    [TestCase("markdown")]
    [TestCase("text")]
    public void The_demo_package_gives_the_same_report_in_every_format(string format)
    {
        var native = NativeCli.Require();
        using var dirs = new Dirs();
        string[] args = ["scan", Path.Combine(Root, "fixtures/dten/Full-upgrade-package-dten.zip"), "--format", format,
            "--as-of", "2026-11-27", "--trust", Path.Combine(Root, "fixtures/dten/trust/dten-release-root-2026.pem"), "--baseline", Path.Combine(Root, "fixtures/dten/baseline/Full-upgrade-package-dten-4.2.3.zip")];
        var managed = CliProcess.Run(args, dirs.Temp, dirs.Work);
        var compiled = CliProcess.Run(args, dirs.Temp, dirs.Work, native: native);
        compiled.ExitCode.Should().Be(managed.ExitCode, "stderr of the native build: {0}", compiled.Stderr);
        managed.Stdout.Length.Should().BeGreaterThan(1000, "the managed tool wrote a report");
        Without(compiled.Stdout, "\"durationMs\"").Should().Be(Without(managed.Stdout, "\"durationMs\""));
        compiled.Stderr.Should().Be(managed.Stderr);
    }

    [Test]
    public void Rules_explanations_and_errors_read_the_same()
    {
        var native = NativeCli.Require();
        using var dirs = new Dirs();
        var rules = CliProcess.Run(["rules"], dirs.Temp, dirs.Work);
        rules.ExitCode.Should().Be(0);
        var ids = rules.Stdout.Split('\n').Select(l => l.Split(' ', 2)[0]).Where(id => id.StartsWith("PF", StringComparison.Ordinal) && id.Length == 5).ToList();
        ids.Should().HaveCountGreaterThan(20, "rules lists every rule; stdout: {0}", rules.Stdout);

        List<string[]> commands = [["rules"], ["rules", "--format", "json"], ["--version"], ["scan"], ["scan", "/nonexistent/package.zip"],
            ["scan", Path.Combine(Root, "README.md")], ["scan", Root, "--format", "yaml"], ["explain", "PF999"]];
        // The first and last rule of each detector's range (PF0xx package, PF1xx scheduled tasks, …): a managed run costs
        // half a second, and explaining all of them doubled this fixture's time.
        var sample = ids.GroupBy(id => id[..3]).SelectMany(g => new[] { g.First(), g.Last() }).Distinct();
        commands.AddRange(sample.Select(id => new[] { "explain", id }));
        foreach (var command in commands)
        {
            var managed = CliProcess.Run(command, dirs.Temp, dirs.Work);
            var compiled = CliProcess.Run(command, dirs.Temp, dirs.Work, native: native);
            string what = string.Join(' ', command);
            compiled.ExitCode.Should().Be(managed.ExitCode, what);
            compiled.Stdout.Should().Be(managed.Stdout, what);
            compiled.Stderr.Should().Be(managed.Stderr, what);
        }
    }

    [Test]
    public void Suppress_writes_the_same_file()
    {
        var native = NativeCli.Require();
        using var dirs = new Dirs();
        var report = Path.Combine(dirs.Work, "report.json");
        CliProcess.Run(["scan", Path.Combine(Root, "fixtures/dten/Full-upgrade-package-dten.zip"), "--format", "json", "--output", report, "--quiet", "--fail-on", "none"], dirs.Temp, dirs.Work)
            .ExitCode.Should().Be(0);
        var files = new List<string>();
        foreach (var (name, build) in new[] { ("managed.json", (string?)null), ("native.json", native) })
        {
            var target = Path.Combine(dirs.Work, name);
            var run = CliProcess.Run(["suppress", report, "--reason", "accepted for the 4.3 rollout", "--expires", "2027-01-31", "--output", target], dirs.Temp, dirs.Work, native: build);
            run.ExitCode.Should().Be(0, run.Stderr);
            files.Add(File.ReadAllText(target));
        }
        files[0].Should().Contain("\"fingerprint\"");
        files[1].Should().Be(files[0]);
    }

    /// <summary>The report without what differs from run to run (timings).</summary>
    private static string Comparable(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("statistics");
        if (node["summary"] is JsonObject summary) summary.Remove("durationMs");
        return node.ToJsonString();
    }

    /// <summary>The lines of a report that do not hold <paramref name="marker"/>.</summary>
    private static string Without(string text, string marker) =>
        string.Join('\n', text.Split('\n').Where(l => !l.Contains(marker, StringComparison.Ordinal)));

    private sealed class Dirs : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("pf-native-").FullName;

        public Dirs()
        {
            Temp = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName;
            Work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        }

        public string Temp { get; }

        public string Work { get; }

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }
}
