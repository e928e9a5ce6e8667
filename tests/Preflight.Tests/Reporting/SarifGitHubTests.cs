using System.Globalization;
using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;
using Preflight.Reporting;
using Preflight.Tests.Support;

namespace Preflight.Tests.Reporting;

/// <summary>
/// The constraints GitHub code scanning documents for uploaded SARIF, beyond schema validity: at most 25,000
/// results and 20 runs per file, <c>security-severity</c> a number written as a string on every rule, relative
/// <c>uri</c>s, and <c>partialFingerprints</c> on every result.
/// </summary>
public class SarifGitHubTests
{
    private const int GitHubMaxResults = 25_000;
    private const int GitHubMaxRuns = 20;

    private static JsonNode Sarif(ScanReport report) => JsonNode.Parse(ReportWriter.WriteToString(report, ReportFormat.Sarif))!;

    /// <summary>25,010 findings: 10 high ones, then many low, then info ones at the end of the report.</summary>
    private static ScanReport Huge()
    {
        var findings = new List<Finding>();
        for (int i = 0; i < 24_990; i++)
            findings.Add(SampleReports.Finding("PF201", "plaintext-http", Severity.Low, $"conf/site{i:D5}.ini", 1, 1, $"plain http #{i}"));
        for (int i = 0; i < 10; i++)
            findings.Add(SampleReports.Finding("PF006", "link-entry", Severity.Info, $"bin/link{i}", message: $"link #{i}"));
        for (int i = 0; i < 10; i++)
            findings.Add(SampleReports.Finding("PF003", "path-traversal", Severity.High, $"zz/evil{i}", message: $"climbs out #{i}"));
        return SampleReports.Empty() with { Findings = findings, Summary = ReportSummary.From(findings, Severity.High) };
    }

    public static IEnumerable<TestCaseData> Reports()
    {
        yield return new TestCaseData(SampleReports.Full()).SetArgDisplayNames("full sample");
        yield return new TestCaseData(SampleReports.Empty() with
        {
            Package = new PackageInfo("/var/tmp/release drop/acme 5.0.zip", SampleReports.PackageSha, 1, 1),
            Findings = [SampleReports.Finding("PF999", "from-the-future", Severity.Low, "", message: "about the package itself")],
        }).SetArgDisplayNames("absolute package path, package-level finding");
    }

    [Test]
    public void Sarif_with_more_than_25000_findings_writes_the_25000_most_severe_and_says_so()
    {
        var report = Huge();

        var run = Sarif(report)["runs"]![0]!;

        var results = run["results"]!.AsArray();
        results.Should().HaveCount(GitHubMaxResults);
        results.Take(10).Select(r => (string)r!["ruleId"]!).Should().AllBe("PF003", "the high findings come first although the report lists them last");
        results.Select(r => (string)r!["ruleId"]!).Should().NotContain("PF006", "the ten info findings are the least severe and are the ones left out");
        run["properties"]!["resultsOmitted"]!.GetValue<int>().Should().Be(10);
        run["properties"]!["findingsInReport"]!.GetValue<int>().Should().Be(25_010);
        run["invocations"]![0]!["toolExecutionNotifications"]!.AsArray()
            .Select(n => (string)n!["message"]!["text"]!)
            .Should().ContainSingle(t => t.Contains("25010 findings", StringComparison.Ordinal) && t.Contains("10 are omitted", StringComparison.Ordinal));
    }

    [Test]
    public void Sarif_with_at_most_25000_findings_omits_nothing_and_keeps_the_report_order()
    {
        var report = Huge();
        report = report with { Findings = [.. report.Findings.Skip(10)] };

        var run = Sarif(report)["runs"]![0]!;

        run["results"]!.AsArray().Should().HaveCount(GitHubMaxResults);
        run["results"]![0]!["ruleId"]!.GetValue<string>().Should().Be("PF201");
        run["properties"]!["resultsOmitted"].Should().BeNull();
    }

    [Category(SharedData.Category)]
    [Test]
    public async Task Sarif_cut_to_25000_results_still_validates_against_the_schema()
    {
        var schema = await SarifSchema.LoadAsync();
        var errors = schema.Validate(ReportWriter.WriteToString(Huge(), ReportFormat.Sarif));
        errors.Should().BeEmpty(string.Join("\n", errors.Take(5).Select(e => $"{e.Path}: {e.Kind}")));
    }

    [TestCaseSource(nameof(Reports))]
    public void Sarif_has_at_most_20_runs(ScanReport report) =>
        Sarif(report)["runs"]!.AsArray().Count.Should().BeInRange(1, GitHubMaxRuns);

    [TestCaseSource(nameof(Reports))]
    public void Sarif_rules_carry_security_severity_as_a_string_number(ScanReport report)
    {
        var rules = Sarif(report)["runs"]![0]!["tool"]!["driver"]!["rules"]!.AsArray();

        rules.Should().NotBeEmpty().And.AllSatisfy(rule =>
        {
            var value = rule!["properties"]!["security-severity"]!;
            value.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.String, $"rule {rule["id"]}");
            double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out double score).Should().BeTrue();
            score.Should().BeInRange(0.0, 10.0);
        });
    }

    [TestCaseSource(nameof(Reports))]
    public void Sarif_result_uris_are_relative(ScanReport report)
    {
        var results = Sarif(report)["runs"]![0]!["results"]!.AsArray();

        results.Should().NotBeEmpty().And.AllSatisfy(r =>
        {
            foreach (var location in r!["locations"]!.AsArray())
            {
                string uri = (string)location!["physicalLocation"]!["artifactLocation"]!["uri"]!;
                Uri.TryCreate(uri, UriKind.Relative, out _).Should().BeTrue($"'{uri}' must be a relative reference");
                uri.Should().NotStartWith("/").And.NotContain("://");
            }
        });
    }

    [TestCaseSource(nameof(Reports))]
    public void Sarif_results_all_carry_partial_fingerprints(ScanReport report)
    {
        var results = Sarif(report)["runs"]![0]!["results"]!.AsArray();

        results.Should().HaveCount(report.Findings.Count).And.AllSatisfy(r =>
            ((string)r!["partialFingerprints"]!["preflight/v1"]!).Should().MatchRegex("^sha256:[0-9a-f]{64}$"));
    }
}
