using FluentAssertions;
using NUnit.Framework;

namespace Preflight.Tests.Cli;

/// <summary>The exit codes and error lines of <c>preflight scan</c>, through the real entry point.</summary>
public class CliExitCodeTests
{
    private Workspace _work = null!;

    [SetUp]
    public void SetUp() => _work = new Workspace();

    [TearDown]
    public void TearDown() => _work.Dispose();

    [Test]
    public async Task Scan_exits_0_when_nothing_reaches_the_fail_on_level()
    {
        var result = await CliHarness.RunAsync("scan", _work.CleanZip(), "--as-of", "2026-11-27");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().BeEmpty();
    }

    [Test]
    public async Task Scan_exits_1_when_a_high_finding_is_at_the_default_fail_on_level()
    {
        var result = await CliHarness.RunAsync("scan", _work.TarWithShadowLink(), "--as-of", "2026-11-27", "--format", "json");

        result.ExitCode.Should().Be(1, result.ToString());
        CliReportTests.RuleIds(result.Stdout).Should().Equal("PF006");
        result.Stderr.Should().BeEmpty();
    }

    [TestCase("none", 0)]
    [TestCase("critical", 0)]
    [TestCase("high", 1)]
    [TestCase("medium", 1)]
    [TestCase("info", 1)]
    [TestCase("HIGH", 1)]
    public async Task Fail_on_moves_the_exit_code_for_a_high_finding(string level, int expected)
    {
        var result = await CliHarness.RunAsync("scan", _work.TarWithShadowLink(), "--fail-on", level);

        result.ExitCode.Should().Be(expected, result.ToString());
    }

    [Test]
    public async Task Fail_on_info_fails_a_package_whose_only_finding_is_info()
    {
        // A link inside the package is an info finding: only --fail-on info turns it into exit 1.
        string tar = _work.PathOf("inner-link.tar");
        using (var file = File.Create(tar))
        using (var writer = new System.Formats.Tar.TarWriter(file, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: false))
        {
            writer.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "a/real.conf")
            {
                DataStream = new MemoryStream("x = 1\n"u8.ToArray()),
            });
            writer.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.SymbolicLink, "a/alias.conf") { LinkName = "real.conf" });
        }

        (await CliHarness.RunAsync("scan", tar)).ExitCode.Should().Be(0);
        (await CliHarness.RunAsync("scan", tar, "--fail-on", "low")).ExitCode.Should().Be(0);
        (await CliHarness.RunAsync("scan", tar, "--fail-on", "info")).ExitCode.Should().Be(1);
    }

    [Test]
    public async Task Scan_exits_2_with_one_line_when_the_path_does_not_exist()
    {
        string missing = _work.PathOf("no-such-package.zip");

        var result = await CliHarness.RunAsync("scan", missing);

        result.ExitCode.Should().Be(2);
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith("preflight: error: ").And.Contain(missing);
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Scan_exits_3_with_one_line_when_the_file_is_no_package()
    {
        var result = await CliHarness.RunAsync("scan", _work.PlainFile());

        result.ExitCode.Should().Be(3);
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith("preflight: error: ").And.Contain("not a package");
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Verbose_adds_the_stack_trace_after_the_error_line()
    {
        var quiet = await CliHarness.RunAsync("scan", _work.PlainFile());
        var verbose = await CliHarness.RunAsync("scan", _work.PlainFile(), "--verbose");

        quiet.Stderr.Should().NotContain(" at ");
        verbose.ExitCode.Should().Be(3);
        verbose.StderrLines[0].Should().Be(quiet.StderrLines[0]);
        verbose.Stderr.Should().Contain("PackageUnreadableException").And.Contain(" at ");
    }

    [Test]
    public async Task Verbose_writes_a_summary_line_to_stderr_on_success()
    {
        var result = await CliHarness.RunAsync("scan", _work.TarWithShadowLink(), "--verbose");

        result.ExitCode.Should().Be(1);
        result.StderrLines.Should().ContainSingle().Which.Should().Contain("1 entry in").And.Contain("1 high").And.Contain("fail-on high: failed");
    }

    [TestCase(new[] { "scan" }, "scan")]
    [TestCase(new string[0], "Required command")]
    [TestCase(new[] { "scan", "x.zip", "--fail-on", "severe" }, "--fail-on must be one of info, low, medium, high, critical, none")]
    [TestCase(new[] { "scan", "x.zip", "--format", "xml" }, "--format must be one of text, json, sarif, markdown")]
    [TestCase(new[] { "scan", "x.zip", "--as-of", "27/11/2026" }, "--as-of must be an ISO 8601 date")]
    [TestCase(new[] { "scan", "x.zip", "--as-of", "2026-02-30" }, "--as-of must be an ISO 8601 date")]
    [TestCase(new[] { "scan", "x.zip", "--baseline", "old.zip" }, "no such file or folder: x.zip")]
    [TestCase(new[] { "scan", "x.zip", "--suppressions", "none.json" }, "--suppressions none.json: the file does not exist")]
    [TestCase(new[] { "scan", "x.zip", "--trust", "roots.pem" }, "--trust")]
    [TestCase(new[] { "scan", "x.zip", "--config", "preflight.json" }, "--config")]
    [TestCase(new[] { "scan", "x.zip", "--window", "7d" }, "--window")]
    [TestCase(new[] { "rules", "--format", "sarif" }, "--format must be one of text, json")]
    [TestCase(new[] { "frobnicate" }, "frobnicate")]
    public async Task Usage_errors_exit_2_with_one_line_and_no_stack_trace(string[] args, string expected)
    {
        var result = await CliHarness.RunAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.StderrLines.Should().ContainSingle().Which.Should().StartWith("preflight: error: ").And.Contain(expected);
        result.Stdout.Should().BeEmpty();
    }

    [Test]
    public async Task Output_into_a_missing_folder_is_a_usage_error_found_before_the_scan()
    {
        string target = Path.Combine(_work.PathOf("missing-folder"), "report.txt");

        var result = await CliHarness.RunAsync("scan", _work.CleanZip(), "--output", target);

        result.ExitCode.Should().Be(2);
        result.StderrLines.Should().ContainSingle().Which.Should().Contain("does not exist");
        Directory.Exists(_work.PathOf("missing-folder")).Should().BeFalse("the CLI does not create folders");
    }

    [Test]
    public async Task Output_naming_a_folder_is_a_usage_error()
    {
        var result = await CliHarness.RunAsync("scan", _work.CleanZip(), "--output", _work.Root.FullName);

        result.ExitCode.Should().Be(2);
        result.StderrLines.Should().ContainSingle().Which.Should().Contain("is a folder");
    }

    [Test]
    public async Task Output_writes_the_report_to_the_file_and_nothing_to_stdout()
    {
        string target = _work.PathOf("report.json");

        var result = await CliHarness.RunAsync("scan", _work.TarWithShadowLink(), "--format", "json", "--output", target);

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().BeEmpty();
        CliReportTests.RuleIds(File.ReadAllText(target)).Should().Equal("PF006");
    }

    [Test]
    public async Task The_built_executable_exits_2_and_3_with_one_line_and_no_stack_trace()
    {
        var missing = await CliHarness.RunProcessAsync("scan", _work.PathOf("absent.tar.gz"));
        var notPackage = await CliHarness.RunProcessAsync("scan", _work.PlainFile());

        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.StderrLines.Should().ContainSingle().Which.Should().StartWith("preflight: error: ");
        notPackage.ExitCode.Should().Be(3, notPackage.ToString());
        notPackage.StderrLines.Should().ContainSingle().Which.Should().StartWith("preflight: error: ");
        (missing.Stderr + notPackage.Stderr).Should().NotContain(" at ").And.NotContain("Exception");
    }

    [Test]
    public async Task The_built_executable_exits_1_on_a_high_finding_and_0_with_fail_on_none()
    {
        string tar = _work.TarWithShadowLink();

        var failing = await CliHarness.RunProcessAsync("scan", tar);
        var passing = await CliHarness.RunProcessAsync("scan", tar, "--fail-on", "none", "--format", "json");

        failing.ExitCode.Should().Be(1, failing.ToString());
        passing.ExitCode.Should().Be(0, passing.ToString());
        CliReportTests.RuleIds(passing.Stdout).Should().Equal("PF006");
    }
}
