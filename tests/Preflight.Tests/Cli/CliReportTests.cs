using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Reporting;

namespace Preflight.Tests.Cli;

/// <summary>What <c>preflight scan</c> writes, per format, through the real entry point.</summary>
public class CliReportTests
{
    private Workspace _work = null!;

    [SetUp]
    public void SetUp() => _work = new Workspace();

    [TearDown]
    public void TearDown() => _work.Dispose();

    /// <summary>The rule ids of a JSON report's findings, in report order.</summary>
    internal static string[] RuleIds(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!)];
    }

    [Test]
    public async Task Json_report_parses_and_carries_the_contracts_top_level_fields()
    {
        string tar = _work.TarWithShadowLink();

        var result = await CliHarness.RunAsync("scan", tar, "--format", "json", "--as-of", "2026-11-27");

        result.ExitCode.Should().Be(1, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        root.GetProperty("schemaVersion").GetString().Should().Be(ScanReport.CurrentSchemaVersion);
        root.GetProperty("tool").GetProperty("name").GetString().Should().Be("preflight");
        root.GetProperty("tool").GetProperty("version").GetString().Should().Be(ToolInfo.Current.Version);
        root.GetProperty("package").GetProperty("path").GetString().Should().Be(tar);
        root.GetProperty("package").GetProperty("sha256").GetString().Should().MatchRegex("^[0-9a-f]{64}$");
        root.GetProperty("package").GetProperty("sizeBytes").GetInt64().Should().Be(new FileInfo(tar).Length);
        root.GetProperty("asOf").GetString().Should().Be("2026-11-27T00:00:00Z");
        var summary = root.GetProperty("summary");
        summary.GetProperty("high").GetInt32().Should().Be(1);
        summary.GetProperty("failOn").GetString().Should().Be("high");
        summary.GetProperty("failed").GetBoolean().Should().BeTrue();
        var finding = root.GetProperty("findings").EnumerateArray().Should().ContainSingle().Subject;
        finding.GetProperty("ruleId").GetString().Should().Be("PF006");
        finding.GetProperty("severity").GetString().Should().Be("high");
        finding.GetProperty("location").GetProperty("path").GetString().Should().Be("opt/app/shadow");
        root.TryGetProperty("inventory", out _).Should().BeTrue();
        root.TryGetProperty("diagnostics", out _).Should().BeTrue();
    }

    [TestCase("2026-11-27T08:30:00+02:00", "2026-11-27T06:30:00Z")]
    [TestCase("2030-01-02", "2030-01-02T00:00:00Z")]
    public async Task As_of_reaches_the_report_in_utc(string given, string expected)
    {
        var result = await CliHarness.RunAsync("scan", _work.CleanZip(), "--format", "json", "--as-of", given);

        result.ExitCode.Should().Be(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        doc.RootElement.GetProperty("asOf").GetString().Should().Be(expected);
    }

    [TestCase("none", false)]
    [TestCase("critical", false)]
    [TestCase("high", true)]
    public async Task Json_summary_tells_the_fail_on_level_and_verdict_the_exit_code_follows(string level, bool failed)
    {
        var result = await CliHarness.RunAsync("scan", _work.TarWithShadowLink(), "--format", "json", "--fail-on", level);

        using var doc = JsonDocument.Parse(result.Stdout);
        var summary = doc.RootElement.GetProperty("summary");
        summary.GetProperty("failed").GetBoolean().Should().Be(failed);
        if (level == "none") summary.GetProperty("failOn").ValueKind.Should().BeOneOf(JsonValueKind.Null, JsonValueKind.String);
        else summary.GetProperty("failOn").GetString().Should().Be(level);
        result.ExitCode.Should().Be(failed ? 1 : 0);
    }
}
