using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>The labelled corpus: recall, precision, decoys, and no secret in any output.</summary>
public class CredentialCorpusTests
{
    private static readonly ScanOptions Options = ScanOptions.Default with
    {
        AsOf = CredentialScan.AsOf,
        EnabledDetectors = new HashSet<string> { "credentials" },
    };

    private CredentialCorpus _corpus = null!;
    private ScanReport _report = null!;
    private DirectoryInfo _dir = null!;

    [OneTimeSetUp]
    public async Task Scan_the_corpus()
    {
        _corpus = CredentialCorpus.Build(seed: 3127);
        _dir = Directory.CreateTempSubdirectory("pf-cred-");
        var zip = Path.Combine(_dir.FullName, "corpus.zip");
        _corpus.WriteZip(zip);
        _report = await PreflightScanner.ScanAsync(zip, Options);
    }

    [OneTimeTearDown]
    public void Clean() => _dir.Delete(recursive: true);

    private static bool IsDecoyPath(string path) => path.StartsWith("decoys/", StringComparison.Ordinal);

    [Test]
    public void Corpus_has_at_least_forty_planted_secrets_and_forty_decoys_that_exist()
    {
        _corpus.Expected.Should().HaveCountGreaterThanOrEqualTo(40);
        _corpus.Decoys.Should().HaveCountGreaterThanOrEqualTo(40);
        foreach (var d in _corpus.Decoys)
        {
            _corpus.Files.Should().ContainKey(d.Path);
            Encoding.UTF8.GetString(_corpus.Files[d.Path]).Should().Contain(d.Contains, $"the decoy '{d.Why}' is in {d.Path}");
        }
        foreach (var p in _corpus.Expected) _corpus.Files.Should().ContainKey(p.Path);
    }

    [Test]
    public void Recall_and_precision_on_the_corpus_are_at_least_095()
    {
        var reported = _report.Findings.Where(f => f.Severity > Severity.Info).ToList();
        var unmatched = reported.ToList();
        var missed = new List<CredentialCorpus.Planted>();
        foreach (var expected in _corpus.Expected)
        {
            var match = unmatched.FirstOrDefault(f => f.Location.Path == expected.Path && f.RuleId == expected.Rule);
            if (match is null) missed.Add(expected);
            else unmatched.Remove(match);
        }
        int truePositives = _corpus.Expected.Count - missed.Count;
        double recall = (double)truePositives / _corpus.Expected.Count;
        double precision = (double)truePositives / (truePositives + unmatched.Count);
        TestContext.Out.WriteLine($"planted {_corpus.Expected.Count}, found {truePositives}, extra {unmatched.Count}: recall {recall:F3}, precision {precision:F3}");
        foreach (var m in missed) TestContext.Out.WriteLine($"missed: {m.Path} {m.Rule}");
        foreach (var d in _report.Diagnostics) TestContext.Out.WriteLine($"diagnostic: {d.Path} {d.Message}");
        foreach (var u in unmatched) TestContext.Out.WriteLine($"extra: {u.Location} {u.RuleId} {u.Message}");
        recall.Should().BeGreaterThanOrEqualTo(0.95, "missed: " + string.Join(", ", missed.Select(m => $"{m.Path} {m.Rule}")));
        precision.Should().BeGreaterThanOrEqualTo(0.95, "extra: " + string.Join(", ", unmatched.Select(u => $"{u.Location} {u.RuleId}")));
    }

    [Test]
    public void No_decoy_is_flagged_above_info()
    {
        _report.Findings.Where(f => IsDecoyPath(f.Location.Path) && f.Severity > Severity.Info)
            .Select(f => $"{f.Location} {f.RuleId} {f.Message}")
            .Should().BeEmpty();
    }

    [Test]
    public void Template_files_report_low_and_the_inventory_lists_every_finding_without_its_value()
    {
        _report.Findings.Where(f => f.Location.Path == "config/app.env.example").Should().ContainSingle()
            .Which.Severity.Should().Be(Severity.Low);
        _report.Inventory.Credentials.Should().HaveCount(_report.Findings.Count);
        _report.Inventory.Credentials.Select(c => c.Fingerprint).Should().BeEquivalentTo(_report.Findings.Select(f => f.Fingerprint));
    }

    [Test]
    public void Assembly_findings_name_the_type_and_member()
    {
        var dll = _report.Findings.Where(f => f.Location.Path == "lib/Acme.Plugin.dll").ToList();
        dll.Should().Contain(f => f.RuleId == "PF323" && f.Properties["member"] == "Acme.Plugin.Notifier::Key");
        dll.Should().Contain(f => f.RuleId == "PF390" && f.Properties["member"] == "Acme.Plugin.Notifier::ApiToken");
        dll.Should().Contain(f => f.RuleId == "PF350" && f.Properties["member"] == "Acme.Plugin.Notifier");
        dll.Should().Contain(f => f.RuleId == "PF321" && f.Properties["resource"] == "Acme.Plugin.appsettings.json");
    }

    [Test]
    public void Csharp_findings_carry_line_and_column()
    {
        var cs = _report.Findings.Where(f => f.Location.Path == "src/Acme.Orders/Mailer.cs").ToList();
        cs.Should().OnlyContain(f => f.Location.Line > 0 && f.Location.Column > 0);
        cs.Should().Contain(f => f.RuleId == "PF390" && f.Location.Line == 8 && f.Properties["key"] == "SmtpPassword");
        cs.Should().Contain(f => f.RuleId == "PF373" && f.Location.Line == 11);
        cs.Should().Contain(f => f.RuleId == "PF390" && f.Location.Line == 17 && f.Properties["key"] == "Password");
    }

    [Test]
    public void No_report_format_contains_a_full_secret()
    {
        _corpus.Secrets.Should().HaveCountGreaterThanOrEqualTo(40);
        var json = JsonSerializer.Serialize(_report, new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() }, WriteIndented = true });
        var texts = new List<string> { json };
        // Every format, with and without colour.
        foreach (var format in Enum.GetValues<ReportFormat>())
        {
            texts.Add(ReportWriter.WriteToString(_report, format));
            texts.Add(ReportWriter.WriteToString(_report, format, ReportWriterOptions.Default with { UseColor = true }));
        }
        texts.AddRange(_report.Findings.Select(f => f.Message));
        texts.AddRange(_report.Findings.Select(f => f.Evidence ?? string.Empty));
        texts.AddRange(_report.Findings.SelectMany(f => f.Properties.Values));
        texts.AddRange(_report.Diagnostics.Select(d => d.Message));
        foreach (var secret in _corpus.Secrets.Distinct())
        {
            foreach (var text in texts)
                text.Contains(secret, StringComparison.Ordinal).Should().BeFalse($"a secret of {secret.Length} chars must never appear in an output");
            // Multi-line secrets (PEM blocks): no line of their body either.
            foreach (var line in secret.Split('\n').Where(l => l.Length >= 24))
                texts.Should().NotContain(t => t.Contains(line, StringComparison.Ordinal), "no line of a key body may appear in an output");
        }
        _report.Findings.Should().NotBeEmpty();
    }
}
