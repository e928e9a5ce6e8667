using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Reporting;
using Preflight.Tests.Support;

namespace Preflight.Tests.Fixtures;

/// <summary>
/// The JSON report of the demo package, scanned at a fixed evaluation time, is compared structurally with the
/// committed golden file <c>fixtures/dten/expected-report.json</c>. Only the tool version is removed; the
/// package path is written relative to the repository root. With <c>PREFLIGHT_UPDATE_FIXTURES=1</c> the golden
/// file is rewritten instead (review its diff before committing).
/// </summary>
public class DemoGoldenTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions GoldenFormat = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string GoldenPath => Path.Combine(DemoFixture.Folder, "expected-report.json");

    [OneTimeSetUp]
    public void Regenerate_when_asked() => DemoFixture.EnsureRegeneratedWhenUpdating();

    [Test]
    public async Task Demo_scan_json_report_matches_the_golden_report()
    {
        var actual = await ScanDemoAsync();

        if (DemoFixture.Updating)
            await File.WriteAllTextAsync(GoldenPath, actual.ToJsonString(GoldenFormat) + "\n");

        File.Exists(GoldenPath).Should().BeTrue("the golden report is committed; regenerate it with PREFLIGHT_UPDATE_FIXTURES=1");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(GoldenPath))!;
        var differences = Differences(expected, actual, "$").Take(20).ToList();
        differences.Should().BeEmpty(
            "the demo's JSON report must match fixtures/dten/expected-report.json; if the change is intended, " +
            "regenerate it with PREFLIGHT_UPDATE_FIXTURES=1 and review the diff");
    }

    [Test]
    public async Task Demo_scan_gives_the_same_report_twice()
    {
        var first = await ScanDemoAsync();
        var second = await ScanDemoAsync();

        Differences(first, second, "$").Should().BeEmpty();
    }

    [Test]
    public async Task Demo_report_path_is_relative_and_only_the_tool_version_is_removed()
    {
        var report = await ScanDemoAsync();

        report["package"]!["path"]!.GetValue<string>().Should().Be("fixtures/dten/Full-upgrade-package-dten.zip");
        report["tool"]!.AsObject().Select(p => p.Key).Should().Equal("name");
        report["asOf"]!.GetValue<string>().Should().Be("2026-11-27T00:00:00Z");
        report["package"]!["sha256"]!.GetValue<string>().Should().HaveLength(64);
    }

    /// <summary>Scans the committed demo zip and returns its JSON report without the volatile fields.</summary>
    private static async Task<JsonNode> ScanDemoAsync()
    {
        var scan = await PreflightScanner.ScanAsync(DemoFixture.ZipPath, ScanOptions.Default with { AsOf = AsOf });
        scan.Package.Path.Should().Be(DemoFixture.ZipPath, "the report names the package as it was given");

        // As the README's command gives it: relative to the repository root, '/' separators.
        var relative = Path.GetRelativePath(SharedData.RepositoryRoot, scan.Package.Path).Replace('\\', '/');
        scan = scan with { Package = scan.Package with { Path = relative } };

        using var buffer = new MemoryStream();
        await ReportWriter.WriteAsync(scan, ReportFormat.Json, buffer);
        var json = JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray()))!;
        json["tool"]!.AsObject().Remove("version");
        return json;
    }

    /// <summary>JSON paths where two documents differ (object key order is ignored, array order is not).</summary>
    private static IEnumerable<string> Differences(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                yield break;
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    if (!e.ContainsKey(key)) { yield return $"{path}.{key}: not expected, got {Show(a[key])}"; continue; }
                    if (!a.ContainsKey(key)) { yield return $"{path}.{key}: missing, expected {Show(e[key])}"; continue; }
                    foreach (var d in Differences(e[key], a[key], $"{path}.{key}")) yield return d;
                }
                yield break;
            case (JsonArray e, JsonArray a):
                for (int i = 0; i < Math.Max(e.Count, a.Count); i++)
                {
                    if (i >= a.Count) { yield return $"{path}[{i}]: missing, expected {Show(e[i])}"; continue; }
                    if (i >= e.Count) { yield return $"{path}[{i}]: not expected, got {Show(a[i])}"; continue; }
                    foreach (var d in Differences(e[i], a[i], $"{path}[{i}]")) yield return d;
                }
                yield break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                    yield return $"{path}: expected {Show(expected)}, got {Show(actual)}";
                yield break;
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
