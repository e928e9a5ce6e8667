using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.Credentials;

public class CredentialsDetectorTests
{
    private static readonly Random R = new(42);

    private static string GitHubPat() => "ghp_" + SecretFormats.WithBase62Crc32(SampleFactory.S(R, SampleFactory.Alnum, 30));

    [Test]
    public void Scan_reports_a_github_token_with_redacted_evidence_line_column_and_secret_fingerprint()
    {
        var token = GitHubPat();
        var findings = CredentialScan.Text("etc/app.yaml", $"name: app\ngithub:\n  token: {token}\n");
        var f = findings.Should().ContainSingle().Which;
        f.RuleId.Should().Be("PF304");
        f.Location.Should().Be(new Location("etc/app.yaml", 3, 10));
        f.Evidence.Should().Be("ghp_…(40 chars)");
        f.Message.Should().NotContain(token).And.Contain("ghp_…(40 chars)");
        f.Fingerprint.Should().Be(Fingerprint.Compute("PF304", "etc/app.yaml", token));
    }

    [Test]
    public void One_secret_found_by_two_rules_on_the_same_span_is_one_finding_of_the_more_specific_rule()
    {
        var token = GitHubPat();
        // "api_token" makes the generic rule match the same value as the typed GitHub rule.
        var findings = CredentialScan.Text("config/app.ini", $"api_token = {token}\n");
        findings.Should().ContainSingle().Which.RuleId.Should().Be("PF304");

        var password = SampleFactory.UrlPassword(R);
        var url = CredentialScan.Text("config/app.ini", $"database = postgresql://app:{password}@db.acme.internal/app\n");
        url.Should().ContainSingle().Which.RuleId.Should().Be("PF351", "the database-URL rule is more specific than basic-auth-url");
    }

    // The assignment patterns run only on lines holding a credential-name word; names whose words are split by a
    // separator (api.key, signing_key) still qualify, alone on their line with no other rule's keyword.
    [TestCase("config/app.properties", "api.key = {0}\n", "api.key")]
    [TestCase("config/app.yaml", "jwt:\n  signing_key: {0}\n", "signing_key")]
    [TestCase("config/app.ini", "master-key={0}\n", "master-key")]
    public void A_credential_name_split_by_a_separator_is_still_a_generic_secret(string path, string template, string key)
    {
        var password = SampleFactory.Password(R);
        var f = CredentialScan.Text(path, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, password)).Should().ContainSingle().Which;
        f.RuleId.Should().Be("PF390");
        f.Properties["key"].Should().Be(key);
    }

    [Test]
    public void A_log_line_with_a_url_and_no_credential_word_yields_no_generic_secret() =>
        CredentialScan.Text("logs/app.log", "2026-11-15T07:54:31.369Z INFO  [w-6] POST https://partner-110.example.net/hooks/status -> 202 state=Xk29fLq7Zp\n")
            .Should().BeEmpty();

    [Test]
    public void Random_base64_in_a_pgp_armor_is_no_private_key()
    {
        // Before the version byte was checked, about one random body in a hundred passed as a "v5/v6" key.
        var (_, _, negatives) = RuleSamples.All.Single(s => s.Rule.Id == "PF346");
        var reported = Enumerable.Range(0, 500)
            .SelectMany(seed => negatives(new Random(seed)))
            .Count(sample => CredentialScan.Sample(sample).Any(f => f.RuleId == "PF346"));
        reported.Should().Be(0);
    }

    [Test]
    public void Evidence_shows_the_key_name_and_a_short_prefix_only()
    {
        var password = SampleFactory.Password(R);
        var f = CredentialScan.Text("config/app.yaml", $"smtp:\n  password: {password}\n").Should().ContainSingle().Which;
        f.RuleId.Should().Be("PF390");
        f.Evidence.Should().Be($"password: {Redaction.Secret(password)}");
        f.Properties["key"].Should().Be("password");
        f.Severity.Should().Be(Severity.Medium);
    }

    [TestCase("password: ${DB_PASSWORD}")]
    [TestCase("password: \"$(DB_PASSWORD)\"")]
    [TestCase("password = %DB_PASSWORD%")]
    [TestCase("password: {{ .Values.db.password }}")]
    [TestCase("password: <password>")]
    [TestCase("password: changeme")]
    [TestCase("password: xxxxxxxxxxxx")]
    [TestCase("api_key: REPLACE_ME")]
    [TestCase("secret: \"\"")]
    [TestCase("aws_access_key_id: AKIAIOSFODNN7EXAMPLE")]
    [TestCase("client_secret: 0f8fad5b-d9cb-469f-a165-70867728950e")]
    [TestCase("token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [TestCase("\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\"")]
    [TestCase("secretIcon: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")]
    [TestCase("password_file: /run/secrets/db")]
    [TestCase("access_token: refresh_token")]
    [TestCase("token: ENC(AbCdEf0123456789)")]
    public void Placeholders_references_and_hashes_stay_silent(string line)
    {
        CredentialScan.Text("config/app.yaml", line + "\n").Should().BeEmpty();
    }

    [TestCase("config/app.yaml.example")]
    [TestCase("config/settings.sample.json")]
    [TestCase("deploy/values.template.yaml")]
    [TestCase("etc/app.conf.dist")]
    public void Template_files_lower_the_severity_but_keep_the_finding(string path)
    {
        var f = CredentialScan.Text(path, "stripe_key: sk_live_" + SampleFactory.S(R, SampleFactory.Alnum, 32) + "\n").Should().ContainSingle().Which;
        f.RuleId.Should().Be("PF321");
        f.Severity.Should().Be(Severity.Low);
        f.Properties["template"].Should().Be("true");
    }

    [Test]
    public void Unencrypted_private_keys_are_critical_and_encrypted_ones_medium()
    {
        var plain = RuleSamples.Pem(R, "PRIVATE KEY", "k.pem");
        var encrypted = RuleSamples.Pem(R, "ENCRYPTED PRIVATE KEY", "k.pem");
        CredentialScan.Text("keys/a.pem", plain.Text).Should().ContainSingle().Which.Severity.Should().Be(Severity.Critical);
        var enc = CredentialScan.Text("keys/b.pem", encrypted.Text).Should().ContainSingle().Which;
        enc.Severity.Should().Be(Severity.Medium);
        enc.Properties["encrypted"].Should().Be("true");

        CredentialScan.Text("keys/id", RuleSamples.OpenSsh(R, "none").Text).Single().Severity.Should().Be(Severity.Critical);
        CredentialScan.Text("keys/id", RuleSamples.OpenSsh(R, "aes256-ctr").Text).Single().Severity.Should().Be(Severity.Medium);
        CredentialScan.Text("keys/k.asc", RuleSamples.Pgp(R, 0).Text).Single().Severity.Should().Be(Severity.Critical);
        CredentialScan.Text("keys/k.asc", RuleSamples.Pgp(R, 254).Text).Single().Severity.Should().Be(Severity.Medium);
    }

    [Test]
    public void A_jwt_counts_only_when_signed_with_real_claims()
    {
        CredentialScan.Text("a.txt", "bearer " + Jwts.Signed(R) + "\n").Should().ContainSingle().Which.RuleId.Should().Be("PF342");
        CredentialScan.Text("a.txt", "bearer " + Jwts.Example + "\n").Should().BeEmpty();
        CredentialScan.Text("a.txt", "bearer " + Jwts.Unsigned(R) + "\n").Should().BeEmpty();
        CredentialScan.Text("a.txt", "bearer " + Jwts.NoClaims(R) + "\n").Should().BeEmpty();
    }

    [Test]
    public void Binaries_go_through_typed_rules_only()
    {
        var key = "AKIA" + SampleFactory.S(R, SampleFactory.Base32Upper, 16);
        var bytes = new byte[600];
        R.NextBytes(bytes);
        bytes[0] = 0x7f; bytes[1] = (byte)'E'; bytes[2] = (byte)'L'; bytes[3] = (byte)'F';
        bytes[100] = 0;
        var payload = Encoding.ASCII.GetBytes("password=Tundra77!cobaltXy9 " + key);
        payload.CopyTo(bytes, 101);
        bytes[101 + payload.Length] = 0;
        var findings = CredentialScan.Bytes("bin/agent", bytes);
        findings.Should().ContainSingle().Which.RuleId.Should().Be("PF301");
        findings[0].Location.Line.Should().BeNull();
        findings[0].Properties.Should().ContainKey("offset");
    }

    [Test]
    public void Csharp_literals_assigned_to_credential_names_are_reported_with_line_and_column()
    {
        var password = SampleFactory.Password(R);
        var source = $$"""
            class C
            {
                private static readonly string Name = "{{SampleFactory.Password(R)}}";
                void M()
                {
                    var cred = new System.Net.NetworkCredential("svc", "{{password}}");
                    var cfg = new Options { ClientSecret = "{{password}}x" };
                    Call(apiKey: "{{password}}y");
                }
            }
            """;
        var findings = CredentialScan.Text("src/C.cs", source);
        findings.Select(f => (f.RuleId, f.Location.Line)).Should().BeEquivalentTo(new[] { ("PF373", (int?)6), ("PF390", 7), ("PF390", 8) });
        var line6 = source.Split('\n')[5];
        findings.Single(f => f.RuleId == "PF373").Location.Column.Should().Be(line6.IndexOf(password, StringComparison.Ordinal) + 1, "the column is where the literal's value starts");
    }

    [Test]
    public void Assemblies_name_the_type_and_method_of_a_user_string()
    {
        var token = GitHubPat();
        var dll = CredentialCorpus.Compile("T", $$"""
            namespace N;
            public class Client
            {
                public string Connect() => "{{token}}";
                public string Greeting() => "hello";
            }
            """);
        var f = CredentialScan.Bytes("lib/T.dll", dll).Should().ContainSingle().Which;
        f.RuleId.Should().Be("PF304");
        f.Properties["member"].Should().Be("N.Client::Connect");
        f.Message.Should().Contain("N.Client::Connect").And.NotContain(token);
    }

    [Test]
    public void A_malformed_assembly_falls_back_to_printable_strings_without_throwing()
    {
        var token = GitHubPat();
        var dll = CredentialCorpus.Compile("T", "public class C { public string S() => \"" + token + "\"; }");
        // Corrupt the metadata root signature ("BSJB") so Cecil cannot read it.
        int bsjb = dll.AsSpan().IndexOf("BSJB"u8);
        dll[bsjb] = (byte)'X';
        var findings = CredentialScan.Bytes("lib/T.dll", dll);
        findings.Should().ContainSingle().Which.RuleId.Should().Be("PF304");
    }

    [Test]
    public void Kubernetes_secret_values_are_reported_but_names_and_placeholders_are_not()
    {
        var password = SampleFactory.Password(R);
        var yaml = $"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: db
            data:
              username: {Convert.ToBase64String(Encoding.UTF8.GetBytes("orders"))}
              password: {Convert.ToBase64String(Encoding.UTF8.GetBytes(password))}
              placeholder: {Convert.ToBase64String(Encoding.UTF8.GetBytes("changeme"))}
            """;
        var f = CredentialScan.Text("deploy/secret.yaml", yaml).Should().ContainSingle().Which;
        f.RuleId.Should().Be("PF361");
        f.Location.Line.Should().Be(7);
        f.Properties["key"].Should().Be("password");
    }

    [Test]
    public void Every_finding_is_listed_in_the_inventory_by_rule_location_and_fingerprint()
    {
        var text = "token: " + GitHubPat() + "\nstripe: sk_live_" + SampleFactory.S(R, SampleFactory.Alnum, 30) + "\n";
        var findings = CredentialScan.Run("a.yaml", Encoding.UTF8.GetBytes(text), out var inventory);
        inventory.Credentials.Should().BeEquivalentTo(findings.Select(f => new CredentialItem(f.RuleId, f.Location, f.Fingerprint)));
    }

    [Test]
    public void The_github_checksum_is_crc32_in_base62()
    {
        SecretFormats.Crc32("123456789").Should().Be(0xCBF43926u, "the CRC-32 check value");
        SecretFormats.ToBase62(61, 6).Should().Be("00000z");
        SecretFormats.HasBase62Crc32Suffix(GitHubPat()).Should().BeTrue();
        SecretFormats.HasBase62Crc32Suffix("ghp_" + new string('a', 36)).Should().BeFalse();
    }
}
