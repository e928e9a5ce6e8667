using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Tests.Support;

namespace Preflight.Tests.Configuration;

public class SuppressionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static Finding MakeFinding(string ruleId, string path, Severity severity = Severity.High) =>
        new(ruleId, "rule", "test", severity, "message", new Location(path), null, Fingerprint.Compute(ruleId, path, "x"), new Dictionary<string, string>());

    [Test]
    public void Entries_by_fingerprint_and_by_rule_and_glob_suppress_with_their_reason()
    {
        var a = MakeFinding("PF003", "etc/a.conf");
        var b = MakeFinding("PF006", "lib/x/link");
        var c = MakeFinding("PF006", "other/link");
        var set = SuppressionSet.Parse($$"""
            { "suppressions": [
                { "fingerprint": "{{a.Fingerprint}}", "reason": "vendor confirmed" },
                { "ruleId": "link-entry", "path": "lib/**", "reason": "links inside lib are fine", "expires": "2027-01-31" }
            ] }
            """, "s.json");

        var (findings, results) = set.Apply([a, b, c], Now);

        findings.Select(f => (f.Location.Path, f.Suppressed, f.SuppressionReason)).Should().Equal(
            ("etc/a.conf", true, "vendor confirmed"),
            ("lib/x/link", true, "links inside lib are fine"),
            ("other/link", false, null));
        results.Select(r => (r.Status, r.Matched)).Should().Equal(("applied", 1), ("applied", 1));
    }

    [Test]
    public void An_expired_entry_suppresses_nothing_and_says_so_and_an_unused_entry_is_stale()
    {
        var f = MakeFinding("PF003", "etc/a.conf");
        var set = SuppressionSet.Parse("""
            { "suppressions": [
                { "ruleId": "PF003", "reason": "accepted last quarter", "expires": "2026-10-01" },
                { "ruleId": "PF009", "reason": "old bomb" }
            ] }
            """, "s.json");

        var (findings, results) = set.Apply([f], Now);

        findings[0].Suppressed.Should().BeFalse();
        findings[0].Properties.Should().Contain("suppressionExpired", "2026-10-01");
        results.Select(r => r.Status).Should().Equal("expired", "unused");
    }

    [Test]
    public void A_date_expires_at_the_end_of_that_day()
    {
        var f = MakeFinding("PF003", "a");
        var set = SuppressionSet.Parse("""{ "suppressions": [ { "ruleId": "PF003", "reason": "r", "expires": "2026-11-27" } ] }""", "s.json");
        set.Apply([f], Now).Findings[0].Suppressed.Should().BeTrue();
        set.Apply([f], Now.AddDays(1)).Findings[0].Suppressed.Should().BeFalse();
    }

    [Test]
    public void Entries_without_reason_or_target_are_rejected_with_their_path()
    {
        var act = () => SuppressionSet.Parse("""
            { "suppressions": [
                { "ruleId": "PF003" },
                { "reason": "why" },
                { "fingerprint": "sha1:abc", "reason": "x" },
                { "ruleId": "PF003", "reason": "x", "until": "2027-01-01" }
            ], "other": 1 }
            """, "s.json");
        act.Should().Throw<ConfigurationException>().Which.Errors.Should().BeEquivalentTo(
        [
            "$.suppressions[0]: a reason is mandatory",
            "$.suppressions[1]: needs a fingerprint, or a ruleId (with an optional path)",
            "$.suppressions[2].fingerprint: expected \"sha256:\" and 64 hex digits",
            "$.suppressions[3].until: unknown key",
            "$.other: unknown key",
        ]);
    }

    [Test]
    public async Task A_scan_with_suppressions_keeps_suppressed_findings_but_does_not_fail()
    {
        var dir = Directory.CreateTempSubdirectory("pf-supp-");
        try
        {
            // A folder package with a symlink out of the root: one high PF006 finding.
            var package = Directory.CreateDirectory(Path.Combine(dir.FullName, "pkg"));
            File.WriteAllText(Path.Combine(package.FullName, "readme.txt"), "hello");
            File.CreateSymbolicLink(Path.Combine(package.FullName, "shadow"), "/etc/shadow");
            var options = ScanOptions.Default with { AsOf = Now };

            var plain = await PreflightScanner.ScanAsync(package.FullName, options);
            plain.Failed.Should().BeTrue();
            var high = plain.Findings.Single(f => f.Severity == Severity.High);

            var file = Path.Combine(dir.FullName, "s.json");
            File.WriteAllText(file, $$"""{ "suppressions": [ { "fingerprint": "{{high.Fingerprint}}", "reason": "known vendor link" } ] }""");
            var suppressed = await PreflightScanner.ScanAsync(package.FullName, options with { SuppressionsFile = file });
            suppressed.Failed.Should().BeFalse();
            suppressed.Summary.Suppressed.Should().Be(1);
            suppressed.Findings.Should().ContainSingle(f => f.Suppressed && f.SuppressionReason == "known vendor link");

            File.WriteAllText(file, $$"""{ "suppressions": [ { "fingerprint": "{{high.Fingerprint}}", "reason": "known vendor link", "expires": "2026-11-01" } ] }""");
            var expired = await PreflightScanner.ScanAsync(package.FullName, options with { SuppressionsFile = file });
            expired.Failed.Should().BeTrue();
            expired.Diagnostics.Should().Contain(d => d.Message.Contains("expired on 2026-11-01", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Excluded_paths_are_not_analysed_and_disabled_rules_are_not_reported()
    {
        var dir = Directory.CreateTempSubdirectory("pf-excl-");
        try
        {
            File.CreateSymbolicLink(Path.Combine(dir.FullName, "shadow"), "/etc/shadow");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "docs"));
            File.WriteAllText(Path.Combine(dir.FullName, "docs", "example.service"), "[Unit]\nRequires=nowhere-to-be-found.service\n[Service]\nExecStart=/bin/true\n");
            var options = ScanOptions.Default with { AsOf = Now };

            var all = await PreflightScanner.ScanAsync(dir.FullName, options);
            all.Findings.Select(f => f.RuleId).Should().BeEquivalentTo(["PF006", "PF403"]);

            var trimmed = await PreflightScanner.ScanAsync(dir.FullName, options with
            {
                DisabledRules = new HashSet<string> { "PF006" },
                Exclude = ["docs/**"],
            });
            trimmed.Findings.Should().BeEmpty();
            trimmed.Package.Entries.Should().Be(all.Package.Entries, "excluded entries are still read and counted");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
