using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Endpoints;
using Preflight.Findings;
using Preflight.Tests.Detectors.ScheduledTasks;

namespace Preflight.Tests.Detectors.Endpoints;

public class HostClassifierTests
{
    [TestCase("1.2.3")]
    [TestCase("2130706433")]
    [TestCase("0x7f.0.0.1")]
    [TestCase("010.1.1.1")]
    [TestCase("1.2.3.256")]
    [TestCase("1.2.3.4.5")]
    [TestCase("1..2.3")]
    public void Strict_IPv4_parsing_refuses_what_IPAddress_TryParse_accepts(string text) =>
        HostClassifier.TryParseIPv4(text, out _).Should().BeFalse();

    [TestCase("8.8.8.8", "public")]
    [TestCase("10.1.2.3", "private")]
    [TestCase("172.16.0.1", "private")]
    [TestCase("172.32.0.1", "public")]
    [TestCase("192.168.10.1", "private")]
    [TestCase("100.64.1.1", "private")]
    [TestCase("127.0.0.1", "loopback")]
    [TestCase("169.254.10.1", "link-local")]
    [TestCase("169.254.169.254", "metadata")]
    [TestCase("168.63.129.16", "metadata")]
    [TestCase("192.0.2.10", "documentation")]
    [TestCase("198.51.100.1", "documentation")]
    [TestCase("203.0.113.9", "documentation")]
    [TestCase("0.0.0.0", "reserved")]
    [TestCase("::1", "loopback")]
    [TestCase("fd00:ec2::254", "metadata")]
    [TestCase("fd12:3456::1", "private")]
    [TestCase("fe80::1", "link-local")]
    [TestCase("2001:db8::1", "documentation")]
    [TestCase("2606:4700:4700::1111", "public")]
    [TestCase("::ffff:10.0.0.1", "private")]
    [TestCase("metadata.google.internal", "metadata")]
    [TestCase("localhost", "loopback")]
    [TestCase("api.example.com", "documentation")]
    [TestCase("example.net", "documentation")]
    [TestCase("svc.acme.test", "documentation")]
    [TestCase("x.invalid", "documentation")]
    [TestCase("app.localhost", "documentation")]
    [TestCase("printer.local", "internal")]
    [TestCase("db.acme.internal", "internal")]
    [TestCase("fs01.acme.corp", "internal")]
    [TestCase("nas.lan", "internal")]
    [TestCase("postgres", "internal")]
    [TestCase("api.github.com", "public")]
    public void Hosts_are_classified(string host, string expected) =>
        HostClassifier.Classify(host, out _).Should().Be(expected);

    [TestCase("api.acme.com", "*.acme.com", true)]
    [TestCase("acme.com", "*.acme.com", false)]
    [TestCase("evilacme.com", "*.acme.com", false)]
    [TestCase("api.acme.com", "api.acme.com", true)]
    [TestCase("52.14.200.13", "52.14.0.0/16", true)]
    [TestCase("52.15.200.13", "52.14.0.0/16", false)]
    [TestCase("2606:4700::1", "2606:4700::/32", true)]
    [TestCase("8.8.8.8", "8.8.8.8", true)]
    public void Allowlist_takes_domains_with_wildcards_and_cidr_ranges(string host, string entry, bool allowed) =>
        HostClassifier.IsAllowed(host, [entry]).Should().Be(allowed);
}

public class EndpointDetectorTests
{
    [Test]
    public async Task Each_endpoint_is_listed_once_with_all_its_locations()
    {
        var files = new Dictionary<string, string>
        {
            ["etc/a.conf"] = "url = https://api.acme-cloud.com/v1\nother = https://api.acme-cloud.com/v2\n",
            ["etc/b.yaml"] = "endpoint: https://api.acme-cloud.com/v1\n",
        };
        var report = await ScanHelper.ScanAsync(files, EndpointTestSupport.Options());
        var item = report.Inventory.Endpoints.Should().ContainSingle(e => e.Host == "api.acme-cloud.com").Subject;
        item.Scheme.Should().Be("https");
        item.Class.Should().Be("public");
        item.Urls.Should().Equal("https://api.acme-cloud.com/v1", "https://api.acme-cloud.com/v2");
        item.Locations.Should().BeEquivalentTo([new Location("etc/a.conf", 1, 7), new Location("etc/a.conf", 2, 9), new Location("etc/b.yaml", 1, 11)]);
    }

    [Test]
    public async Task Credentials_in_urls_never_reach_the_report()
    {
        var text = "DATABASE_URL=postgres://admin:Sup3rS3cret@db.acme-cloud.io:5432/app\nAPI=https://api.acme-cloud.io/x?api_key=k3yv4lu3&page=2\n";
        var report = await ScanHelper.ScanAsync("app/.env", text, EndpointTestSupport.Options());
        var everything = string.Join("\n", report.Findings.Select(f => f.Message + f.Evidence + string.Join(",", f.Properties.Values))
            .Concat(report.Inventory.Endpoints.SelectMany(e => e.Urls)));
        everything.Should().NotContain("Sup3rS3cret").And.NotContain("admin:").And.NotContain("k3yv4lu3");
        report.Inventory.Endpoints.Single(e => e.Host == "api.acme-cloud.io").Urls.Should().Equal("https://api.acme-cloud.io/x?api_key=***&page=2");
    }

    [Test]
    public async Task Webhook_tokens_are_masked_and_webhooks_reported_as_medium()
    {
        var text = "notify: https://hooks.slack.com/services/T0ACME/B0ACME/abcdefSECRETtoken\n";
        var report = await ScanHelper.ScanAsync("etc/notify.yaml", text, EndpointTestSupport.Options());
        var finding = report.Findings.Should().ContainSingle().Subject;
        finding.RuleId.Should().Be("PF204");
        finding.Severity.Should().Be(Severity.Medium);
        finding.Evidence.Should().Be("https://hooks.slack.com/services/***");
        finding.Message.Should().NotContain("SECRET");
    }

    [TestCase("url: http://updates.acme-cloud.com/feed", "PF201", Severity.High)]
    [TestCase("url: ftp://files.acme-cloud.com/pub", "PF201", Severity.High)]
    [TestCase("url: ldap://dir.acme-cloud.com", "PF201", Severity.High)]
    [TestCase("peer = 52.14.200.13", "PF202", Severity.Medium)]
    [TestCase("imds: http://169.254.169.254/latest/api/token", "PF203", Severity.High)]
    [TestCase("hook_url: https://ci.acme-cloud.com/hooks/deploy", "PF204", Severity.Medium)]
    [TestCase("url: https://api.acme-cloud.com", "PF205", Severity.Low)]
    public async Task Rules_and_severities(string line, string rule, Severity severity)
    {
        var report = await ScanHelper.ScanAsync("etc/app.yaml", line + "\n", EndpointTestSupport.Options());
        report.Findings.Should().ContainSingle().Which.Should().Match<Finding>(f => f.RuleId == rule && f.Severity == severity);
    }

    [Test]
    public async Task Allowlisted_public_endpoints_stay_in_the_inventory_without_findings_but_plaintext_is_still_reported()
    {
        var text = "a: https://api.acme-cloud.com\nb: http://legacy.acme-cloud.com\nc: https://other.vendor.com\n";
        var report = await ScanHelper.ScanAsync("etc/app.yaml", text, EndpointTestSupport.Options("*.acme-cloud.com"));
        report.Inventory.Endpoints.Should().HaveCount(3);
        report.Findings.Select(f => (f.RuleId, f.Properties["host"])).Should().BeEquivalentTo([("PF201", "legacy.acme-cloud.com"), ("PF205", "other.vendor.com")]);
    }

    [Test]
    public async Task Identifiers_documentation_and_comments_are_not_endpoints()
    {
        var text = """
            <?xml version="1.0"?>
            <!-- see https://wiki.acme-cloud.com/page -->
            <root xmlns="http://acme-cloud.com/schema/v1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <assemblyIdentity name="Acme.Core" version="1.2.3.4" />
            </root>
            """;
        var report = await ScanHelper.ScanAsync("etc/app.xml", text, EndpointTestSupport.Options());
        report.Findings.Should().BeEmpty();
        report.Inventory.Endpoints.Should().BeEmpty();
    }

    [Test]
    public async Task Systemd_documentation_links_are_kept_out()
    {
        var text = "[Unit]\nDocumentation=https://docs.acme-cloud.com/unit\n[Service]\nExecStart=/opt/acme/bin/run --api https://api.acme-cloud.com\n";
        var report = await ScanHelper.ScanAsync("lib/systemd/system/acme.service", text, EndpointTestSupport.Options());
        report.Inventory.Endpoints.Select(e => e.Host).Should().Equal("api.acme-cloud.com");
    }

    [Test]
    public async Task Assembly_strings_are_reported_with_the_member_that_holds_them()
    {
        var dir = Directory.CreateTempSubdirectory("pf-asm-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "Acme.Client.dll"), EndpointTestSupport.Compile(EndpointTestSupport.AgentAssemblySource, "Acme.Client"));
            var report = await Preflight.PreflightScanner.ScanAsync(dir.FullName, EndpointTestSupport.Options());
            report.Findings.Should().Contain(f => f.Properties["host"] == "ftp-gw.acme-storage.com" && f.Properties["member"] == "Acme.Client.Uploader::Put" && f.RuleId == "PF201");
            report.Findings.Should().Contain(f => f.Properties["host"] == "registry.acme-services.com" && f.Properties["member"].Contains("[ServiceAttribute]"));
            report.Findings.Should().Contain(f => f.Properties["host"] == "fd00:ec2::254" && f.RuleId == "PF203");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_minified_line_with_thousands_of_urls_is_scanned_in_linear_time()
    {
        // One 1.2 MB line of 20,000 URLs over 50 hosts: a quadratic look-back per URL would take minutes here.
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 20_000; i++) sb.Append("var a").Append(i).Append("=\"https://cdn").Append(i % 50).Append(".acme-static.com/x/").Append(i).Append(".js\";");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var report = await ScanHelper.ScanAsync("web/app.min.js", sb.ToString(), EndpointTestSupport.Options());
        watch.Stop();
        report.Inventory.Endpoints.Should().HaveCount(50);
        report.Inventory.Endpoints.Should().OnlyContain(e => e.Locations.Count == 200, "locations per endpoint are capped to bound memory");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Test]
    public async Task The_locations_kept_under_the_cap_are_the_first_in_report_order_whatever_order_the_files_come_in()
    {
        // 300 files name the same host; only 200 locations are kept. Which 200 must not depend on the order the
        // archive lists the files in, nor on which worker got there first: they are the first 200 by path.
        var names = Enumerable.Range(0, 300).Select(i => $"etc/app-{i:D3}.conf").ToList();
        var reversed = Enumerable.Reverse(names).ToList();
        var shuffled = names.OrderBy(n => n.GetHashCode(StringComparison.Ordinal)).ToList();
        var expected = names.Take(200).Select(n => new Location(n, 2, 10)).ToList();
        foreach (var order in new[] { names, reversed, shuffled })
        {
            // A zip keeps the order its entries were written in (a folder is read sorted).
            var zip = Path.Combine(Path.GetTempPath(), $"pf-order-{Guid.NewGuid():N}.zip");
            try
            {
                using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
                    foreach (var name in order)
                    {
                        using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                        writer.Write("# settings\nendpoint=https://api.acme-upstream.com/v1/" + name.Length + "\n");
                    }
                var report = await Preflight.PreflightScanner.ScanAsync(zip, EndpointTestSupport.Options());
                var item = report.Inventory.Endpoints.Should().ContainSingle(e => e.Host == "api.acme-upstream.com").Subject;
                item.Locations.Should().Equal(expected);
            }
            finally
            {
                File.Delete(zip);
            }
        }
    }

    [Test]
    public async Task Repeats_within_files_keep_the_first_locations_in_report_order_too()
    {
        // Three logs name one host on 150 lines each (after the first, each line is a repeat); the 200 kept
        // locations are all of the first log and the first 50 of the second, whatever order the logs come in.
        var names = new[] { "var/log/a.log", "var/log/b.log", "var/log/c.log" };
        static string Log() => string.Concat(Enumerable.Range(1, 150).Select(n => $"{n:D4} GET https://api.acme-upstream.com/v1/items/{n}\n"));
        var expected = names.SelectMany(n => Enumerable.Range(1, 150).Select(line => new Location(n, line, 10))).Take(200).ToList();
        foreach (var order in new[] { names, names.Reverse().ToArray(), new[] { names[1], names[2], names[0] } })
        {
            var zip = Path.Combine(Path.GetTempPath(), $"pf-repeats-{Guid.NewGuid():N}.zip");
            try
            {
                using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
                    foreach (var name in order)
                    {
                        using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                        writer.Write(Log());
                    }
                var report = await Preflight.PreflightScanner.ScanAsync(zip, EndpointTestSupport.Options());
                var item = report.Inventory.Endpoints.Should().ContainSingle(e => e.Host == "api.acme-upstream.com").Subject;
                item.Locations.Should().Equal(expected);
            }
            finally
            {
                File.Delete(zip);
            }
        }
    }
}
