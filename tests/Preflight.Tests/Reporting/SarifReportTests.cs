using System.Text.Json.Nodes;
using FluentAssertions;
using NJsonSchema;
using NUnit.Framework;
using Preflight.Detectors;
using Preflight.Findings;
using Preflight.Reporting;
using Preflight.Tests.Support;

namespace Preflight.Tests.Reporting;

public class SarifReportTests
{
    private static string Sarif(ScanReport report) => ReportWriter.WriteToString(report, ReportFormat.Sarif);

    private static JsonNode Run(ScanReport report) => JsonNode.Parse(Sarif(report))!["runs"]![0]!;

    private static readonly Lazy<Task<JsonSchema>> Schema = new(() =>
        JsonSchema.FromFileAsync(SharedData.Require("sarif/sarif-schema-2.1.0.json")));

    private static async Task<JsonSchema> LoadSchemaAsync()
    {
        SharedData.Require("sarif/sarif-schema-2.1.0.json");
        return await Schema.Value;
    }

    public static IEnumerable<TestCaseData> Reports()
    {
        yield return new TestCaseData(SampleReports.Full()).SetArgDisplayNames("every severity, suppressed, nested archive, no line");
        yield return new TestCaseData(SampleReports.Empty()).SetArgDisplayNames("zero findings");
        yield return new TestCaseData(SampleReports.Empty(failOn: null) with
        {
            Package = new PackageInfo("/var/tmp/release drop/acme 5.0#1.zip", SampleReports.PackageSha, 1, 1),
            Findings = [SampleReports.Finding("PF999", "from-the-future", Severity.Low, "", message: "a rule this version does not know")],
            Diagnostics = [new ScanDiagnostic("", "reading stopped at the time budget")],
        }).SetArgDisplayNames("absolute path with spaces, unknown rule, package-level finding");
    }

    [Category(SharedData.Category)]
    [TestCaseSource(nameof(Reports))]
    public async Task Sarif_output_validates_against_the_sarif_2_1_0_schema(ScanReport report)
    {
        var schema = await LoadSchemaAsync();
        var errors = schema.Validate(Sarif(report));
        errors.Should().BeEmpty(string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Test]
    [Category(SharedData.Category)]
    public async Task Schema_validation_catches_a_level_sarif_does_not_know()
    {
        // The control for the test above: the validator really checks what we write.
        var schema = await LoadSchemaAsync();
        var sarif = JsonNode.Parse(Sarif(SampleReports.Full()))!;
        sarif["runs"]![0]!["results"]![0]!["level"] = "critical";
        schema.Validate(sarif.ToJsonString()).Should().NotBeEmpty();
    }

    [Test]
    public void Sarif_driver_lists_every_catalog_rule_with_level_security_severity_and_tags()
    {
        var driver = Run(SampleReports.Empty())["tool"]!["driver"]!;
        driver["name"]!.GetValue<string>().Should().Be("preflight");
        driver["version"]!.GetValue<string>().Should().Be("1.2.3");
        driver["semanticVersion"]!.GetValue<string>().Should().Be("1.2.3");
        driver["informationUri"]!.GetValue<string>().Should().StartWith("https://");
        var rules = driver["rules"]!.AsArray();
        rules.Select(r => r!["id"]!.GetValue<string>()).Should().Equal(DetectorRegistry.Rules.Select(r => r.Id));
        foreach (var (node, rule) in rules.Zip(DetectorRegistry.Rules))
        {
            node!["name"]!.GetValue<string>().Should().Be(rule.Name);
            node["shortDescription"]!["text"]!.GetValue<string>().Should().Be(rule.Summary);
            node["help"]!["text"]!.GetValue<string>().Should().Be(rule.Help);
            node["defaultConfiguration"]!["level"]!.GetValue<string>().Should().Be(SarifReportWriter.Level(rule.DefaultSeverity));
            var score = node["properties"]!["security-severity"]!.GetValue<string>();
            score.Should().Be(rule.SecuritySeverity);
            double.Parse(score, System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(0, 10);
            node["properties"]!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Contain("security").And.Contain(rule.Detector);
        }
    }

    [Test]
    public void Sarif_of_a_clean_package_has_an_empty_result_list_and_still_the_rules()
    {
        var run = Run(SampleReports.Empty());
        run["results"]!.AsArray().Should().BeEmpty();
        run["tool"]!["driver"]!["rules"]!.AsArray().Should().NotBeEmpty();
        run["invocations"]![0]!["executionSuccessful"]!.GetValue<bool>().Should().BeTrue();
    }

    [TestCase(Severity.Critical, "error")]
    [TestCase(Severity.High, "error")]
    [TestCase(Severity.Medium, "warning")]
    [TestCase(Severity.Low, "note")]
    [TestCase(Severity.Info, "note")]
    public void Sarif_result_level_is_always_set_from_the_severity(Severity severity, string level)
    {
        var run = Run(SampleReports.Full());
        var results = run["results"]!.AsArray();
        var result = results.Single(r => r!["properties"]!["severity"]!.GetValue<string>() == severity.ToName() && r["suppressions"] is null);
        result!["level"]!.GetValue<string>().Should().Be(level);
        results.Should().OnlyContain(r => r!["level"] != null);
    }

    [Test]
    public void Sarif_results_point_at_their_rule_and_carry_the_fingerprint()
    {
        var report = SampleReports.Full();
        var run = Run(report);
        var rules = run["tool"]!["driver"]!["rules"]!.AsArray();
        var results = run["results"]!.AsArray();
        results.Should().HaveCount(report.Findings.Count);
        foreach (var (node, finding) in results.Zip(report.Findings))
        {
            node!["ruleId"]!.GetValue<string>().Should().Be(finding.RuleId);
            rules[node["ruleIndex"]!.GetValue<int>()]!["id"]!.GetValue<string>().Should().Be(finding.RuleId);
            node["message"]!["text"]!.GetValue<string>().Should().Be(finding.Message);
            node["partialFingerprints"]!["preflight/v1"]!.GetValue<string>().Should().Be(finding.Fingerprint);
        }
    }

    [Test]
    public void Sarif_keeps_nested_archive_paths_relative_with_the_separator()
    {
        var results = Run(SampleReports.Full())["results"]!.AsArray();
        var low = results.Single(r => r!["ruleId"]!.GetValue<string>() == "PF201")!;
        var physical = low["locations"]![0]!["physicalLocation"]!;
        physical["artifactLocation"]!["uri"]!.GetValue<string>().Should().Be("lib/plugins.zip!/conf/plugin.ini");
        physical["artifactLocation"]!["uriBaseId"]!.GetValue<string>().Should().Be("PACKAGEROOT");
        physical["region"]!["startLine"]!.GetValue<int>().Should().Be(7);
        physical["region"]!["startColumn"]!.GetValue<int>().Should().Be(5);
        foreach (var r in results)
        {
            var uri = r!["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>();
            Uri.TryCreate(uri, UriKind.Relative, out _).Should().BeTrue($"'{uri}' is a relative reference");
        }
    }

    [Test]
    public void Sarif_finding_without_a_line_has_no_region()
    {
        var results = Run(SampleReports.Full())["results"]!.AsArray();
        var link = results.Single(r => r!["ruleId"]!.GetValue<string>() == "PF006")!;
        var physical = link["locations"]![0]!["physicalLocation"]!;
        physical["artifactLocation"]!["uri"]!.GetValue<string>().Should().Be("bin/current");
        physical["region"].Should().BeNull();
    }

    [Test]
    public void Sarif_marks_suppressed_findings_with_a_suppression()
    {
        var results = Run(SampleReports.Full())["results"]!.AsArray();
        var suppressed = results.Where(r => r!["suppressions"] is not null).ToList();
        suppressed.Should().ContainSingle();
        suppressed[0]!["ruleId"]!.GetValue<string>().Should().Be("PF005");
        var s = suppressed[0]!["suppressions"]![0]!;
        s["kind"]!.GetValue<string>().Should().Be("external");
        s["justification"]!.GetValue<string>().Should().Be("accepted by the release board");
    }

    [Test]
    public void Sarif_names_the_package_as_the_analysis_target_and_reports_diagnostics()
    {
        var run = Run(SampleReports.Full());
        var artifact = run["artifacts"]![0]!;
        artifact["location"]!["uri"]!.GetValue<string>().Should().Be("acme-5.0.zip");
        artifact["hashes"]!["sha-256"]!.GetValue<string>().Should().Be(SampleReports.PackageSha);
        artifact["length"]!.GetValue<long>().Should().Be(123_456);
        run["originalUriBaseIds"]!["PACKAGEROOT"].Should().NotBeNull();
        var note = run["invocations"]![0]!["toolExecutionNotifications"]![0]!;
        note["message"]!["text"]!.GetValue<string>().Should().Be("central directory is truncated");
        note["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>().Should().Be("lib/broken.zip");
        run["properties"]!["asOf"]!.GetValue<string>().Should().Be("2026-11-27T00:00:00Z");
    }

    [Test]
    public void Sarif_describes_a_rule_missing_from_the_catalog_from_its_finding()
    {
        var finding = SampleReports.Finding("PF999", "from-the-future", Severity.Low, "", message: "a rule this version does not know");
        var run = Run(SampleReports.Empty() with { Findings = [finding] });
        var rules = run["tool"]!["driver"]!["rules"]!.AsArray();
        var result = run["results"]![0]!;
        int index = result["ruleIndex"]!.GetValue<int>();
        index.Should().Be(DetectorRegistry.Rules.Count);
        rules[index]!["id"]!.GetValue<string>().Should().Be("PF999");
        rules[index]!["name"]!.GetValue<string>().Should().Be("from-the-future");
        var location = result["locations"]![0]!["physicalLocation"]!["artifactLocation"]!;
        location["uri"]!.GetValue<string>().Should().Be("clean.zip", "a finding about the package as a whole points at the package");
        location["index"]!.GetValue<int>().Should().Be(0);
    }

    [TestCase("etc/app.yaml", "etc/app.yaml")]
    [TestCase("lib/a.zip!/b.tar.gz!/c d/e#f.ini", "lib/a.zip!/b.tar.gz!/c%20d/e%23f.ini")]
    [TestCase("docs/100%/naïve?.txt", "docs/100%25/na%C3%AFve%3F.txt")]
    [TestCase("bang!name/x", "bang%21name/x")]
    public void Sarif_entry_uris_are_escaped_per_segment(string path, string uri)
    {
        SarifReportWriter.EntryUri(path).Should().Be(uri);
    }

    [TestCase("acme-5.0.zip", "acme-5.0.zip")]
    [TestCase("drops/acme 5.0.zip", "drops/acme%205.0.zip")]
    [TestCase("/var/tmp/acme 5.0.zip", "file:///var/tmp/acme%205.0.zip")]
    public void Sarif_package_uri_keeps_relative_paths_relative(string path, string uri)
    {
        SarifReportWriter.PackageUri(path).Should().Be(uri);
    }
}
