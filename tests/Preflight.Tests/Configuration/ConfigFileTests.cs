using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;

namespace Preflight.Tests.Configuration;

public class ConfigFileTests
{
    private static ScanOptions Apply(string json) => ConfigFile.Apply(json, "/base", "preflight.json", ScanOptions.Default);

    [Test]
    public void A_full_configuration_sets_every_option()
    {
        var options = Apply("""
            {
              "$schema": "https://example.invalid/preflight.schema.json",
              "failOn": "medium",
              "detectors": { "service-units": false },
              "rules": { "PF006": { "severity": "low" }, "PF015": { "enabled": false } },
              "limits": { "maxDepth": 3, "maxEntries": 1000, "maxCompressionRatio": 50.5, "maxDuration": "00:01:30", "maxTotalBytes": 1048576, "analysisWindowBytes": 262144 },
              "exclude": ["docs/**", "**/*.md"],
              "suppressions": "ops/preflight-suppressions.json"
            }
            """);
        options.FailOn.Should().Be(Severity.Medium);
        options.EnabledDetectors.Should().NotContain("service-units").And.Contain("package");
        options.SeverityOverrides.Should().Contain("PF006", Severity.Low);
        options.DisabledRules.Should().BeEquivalentTo(["PF015"]);
        options.Limits.MaxDepth.Should().Be(3);
        options.Limits.MaxEntries.Should().Be(1000);
        options.Limits.MaxCompressionRatio.Should().Be(50.5);
        options.Limits.MaxDuration.Should().Be(TimeSpan.FromSeconds(90));
        options.Limits.MaxTotalBytes.Should().Be(1048576);
        options.Limits.AnalysisWindowBytes.Should().Be(262144);
        options.Exclude.Should().Equal("docs/**", "**/*.md");
        options.SuppressionsFile.Should().Be(Path.GetFullPath("/base/ops/preflight-suppressions.json"));
    }

    [Test]
    public void Every_bad_key_and_value_is_reported_with_its_json_path()
    {
        var act = () => Apply("""
            {
              "failOn": "severe",
              "detector": {},
              "detectors": { "nope": true, "credentials": "yes" },
              "rules": { "PF999": {}, "PF006": { "severity": "urgent", "colour": "red" } },
              "limits": { "maxDepth": 99, "maxEntries": -1, "maxDuration": "soon", "bogus": 1 },
              "exclude": ["ok", 3]
            }
            """);
        act.Should().Throw<ConfigurationException>().Which.Errors.Should().BeEquivalentTo(
        [
            "$.failOn: expected one of info, low, medium, high, critical, none",
            "$.detector: unknown key",
            $"$.detectors.nope: unknown detector (known: {string.Join(", ", Preflight.Detectors.DetectorRegistry.DetectorIds)})",
            "$.detectors.credentials: expected true or false",
            "$.rules.PF999: unknown rule id or name",
            "$.rules.PF006.severity: expected one of info, low, medium, high, critical",
            "$.rules.PF006.colour: unknown key",
            "$.limits.maxDepth: expected a whole number from 0 to 64",
            "$.limits.maxEntries: expected a whole number from 1 to 2147483647",
            "$.limits.maxDuration: expected a positive number of seconds or a time span such as \"00:10:00\"",
            "$.limits.bogus: unknown key",
            "$.exclude[1]: expected a non-empty string",
        ]);
    }

    [Test]
    public void Failing_can_be_turned_off()
    {
        Apply("""{ "failOn": "none" }""").FailOn.Should().BeNull();
    }

    [Test]
    public void Broken_json_is_a_clear_error()
    {
        var act = () => Apply("{ \"failOn\": ");
        act.Should().Throw<ConfigurationException>().WithMessage("preflight.json: not valid JSON*");
    }

    [Test]
    public void The_file_next_to_the_package_is_found()
    {
        var dir = Directory.CreateTempSubdirectory("pf-config-");
        try
        {
            var package = Path.Combine(dir.FullName, "p.zip");
            ConfigFile.FindNextTo(package).Should().BeNull();
            File.WriteAllText(Path.Combine(dir.FullName, "preflight.json"), "{}");
            ConfigFile.FindNextTo(package).Should().Be(Path.Combine(dir.FullName, "preflight.json"));
            ConfigFile.FindNextTo(dir.FullName).Should().Be(Path.Combine(dir.FullName, "preflight.json"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public class ConfigSchemaTests
{
    private static string Schema(string name) => Path.Combine(Preflight.Tests.Support.SharedData.RepositoryRoot, "schema", name);

    [Test]
    public async Task The_shipped_schema_accepts_what_the_loader_accepts_and_rejects_unknown_keys()
    {
        var schema = await NJsonSchema.JsonSchema.FromFileAsync(Schema("preflight.schema.json"));
        const string good = """
            { "failOn": "none", "detectors": { "package": true }, "rules": { "PF006": { "enabled": false, "severity": "low" } },
              "limits": { "maxDepth": 2, "maxDuration": 30, "maxCompressionRatio": 20, "analysisWindowBytes": 0 }, "exclude": ["docs/**"], "suppressions": "s.json" }
            """;
        schema.Validate(good).Should().BeEmpty();
        ConfigFile.Apply(good, "/", "good", ScanOptions.Default).FailOn.Should().BeNull();

        const string bad = """{ "failOn": "high", "colour": true, "limits": { "maxDepth": 100 } }""";
        schema.Validate(bad).Select(e => e.Path ?? e.Property).Should().HaveCount(2);
        FluentActions.Invoking(() => ConfigFile.Apply(bad, "/", "bad", ScanOptions.Default)).Should().Throw<ConfigurationException>()
            .Which.Errors.Should().HaveCount(2);
    }

    [Test]
    public async Task The_suppressions_schema_requires_a_reason_and_one_target()
    {
        var schema = await NJsonSchema.JsonSchema.FromFileAsync(Schema("preflight-suppressions.schema.json"));
        schema.Validate("""{ "suppressions": [ { "ruleId": "PF003", "path": "lib/**", "reason": "ok", "expires": "2027-01-31" } ] }""").Should().BeEmpty();
        schema.Validate("""{ "suppressions": [ { "ruleId": "PF003" } ] }""").Should().NotBeEmpty();
        schema.Validate("""{ "suppressions": [ { "fingerprint": "sha256:00", "reason": "x" } ] }""").Should().NotBeEmpty();
    }
}
