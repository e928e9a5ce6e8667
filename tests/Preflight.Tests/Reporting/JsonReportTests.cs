using System.Text;
using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Reporting;

public class JsonReportTests
{
    private static JsonElement Parse(ScanReport report)
    {
        using var doc = JsonDocument.Parse(ReportWriter.WriteToString(report, ReportFormat.Json));
        return doc.RootElement.Clone();
    }

    private static void ShouldHave(JsonElement obj, string name, params JsonValueKind[] kinds)
    {
        obj.ValueKind.Should().Be(JsonValueKind.Object);
        obj.TryGetProperty(name, out var value).Should().BeTrue($"the contract names '{name}'");
        kinds.Should().Contain(value.ValueKind, $"'{name}' has the contract's JSON type");
    }

    private const JsonValueKind Str = JsonValueKind.String, Num = JsonValueKind.Number, Obj = JsonValueKind.Object,
        Arr = JsonValueKind.Array, Null = JsonValueKind.Null, True = JsonValueKind.True, False = JsonValueKind.False;

    [Test]
    public void Json_report_has_every_contract_field_with_its_type()
    {
        var root = Parse(SampleReports.Full());

        ShouldHave(root, "schemaVersion", Str);
        root.GetProperty("schemaVersion").GetString().Should().Be("1.0");
        ShouldHave(root, "tool", Obj);
        ShouldHave(root.GetProperty("tool"), "name", Str);
        ShouldHave(root.GetProperty("tool"), "version", Str);
        var package = root.GetProperty("package");
        ShouldHave(root, "package", Obj);
        ShouldHave(package, "path", Str);
        ShouldHave(package, "sha256", Str);
        ShouldHave(package, "sizeBytes", Num);
        ShouldHave(package, "entries", Num);
        ShouldHave(root, "baseline", Obj);
        ShouldHave(root.GetProperty("baseline"), "path", Str);
        ShouldHave(root.GetProperty("baseline"), "sha256", Str);
        ShouldHave(root, "asOf", Str);
        ShouldHave(root, "summary", Obj);
        var summary = root.GetProperty("summary");
        foreach (var count in new[] { "critical", "high", "medium", "low", "info", "suppressed" })
            ShouldHave(summary, count, Num);
        ShouldHave(summary, "failOn", Str);
        ShouldHave(summary, "failed", True, False);

        ShouldHave(root, "findings", Arr);
        root.GetProperty("findings").GetArrayLength().Should().Be(6);
        foreach (var f in root.GetProperty("findings").EnumerateArray())
        {
            foreach (var s in new[] { "ruleId", "rule", "detector", "severity", "message", "fingerprint" })
                ShouldHave(f, s, Str);
            ShouldHave(f, "evidence", Str, Null);
            ShouldHave(f, "properties", Obj);
            ShouldHave(f, "suppressed", True, False);
            ShouldHave(f, "location", Obj);
            var location = f.GetProperty("location");
            ShouldHave(location, "path", Str);
            ShouldHave(location, "line", Num, Null);
            ShouldHave(location, "column", Num, Null);
            foreach (var p in f.GetProperty("properties").EnumerateObject())
                p.Value.ValueKind.Should().Be(Str);
        }

        ShouldHave(root, "inventory", Obj);
        foreach (var section in new[] { "scheduledTasks", "endpoints", "serviceUnits", "migrations", "certificates", "credentials", "links" })
        {
            ShouldHave(root.GetProperty("inventory"), section, Arr);
            root.GetProperty("inventory").GetProperty(section).GetArrayLength().Should().Be(1, $"the sample fills '{section}'");
        }

        ShouldHave(root, "changes", Arr, Null);
        foreach (var c in root.GetProperty("changes").EnumerateArray())
        {
            foreach (var s in new[] { "section", "change", "identity", "detail" })
                ShouldHave(c, s, Str);
            ShouldHave(c, "location", Obj, Null);
        }
        ShouldHave(root, "suppressions", Arr);
        root.GetProperty("suppressions").GetArrayLength().Should().Be(2);

        ShouldHave(root, "diagnostics", Arr);
        var diagnostic = root.GetProperty("diagnostics")[0];
        ShouldHave(diagnostic, "path", Str);
        ShouldHave(diagnostic, "message", Str);
    }

    [Test]
    public void Json_report_writes_the_contract_values_in_their_contract_form()
    {
        var report = SampleReports.Full();
        var root = Parse(report);

        root.GetProperty("asOf").GetString().Should().Be("2026-11-27T00:00:00Z");
        root.GetProperty("package").GetProperty("sha256").GetString().Should().Be(SampleReports.PackageSha);
        root.GetProperty("package").GetProperty("sizeBytes").GetInt64().Should().Be(123_456);
        var summary = root.GetProperty("summary");
        summary.GetProperty("critical").GetInt32().Should().Be(1);
        summary.GetProperty("medium").GetInt32().Should().Be(1, "the suppressed medium is counted apart");
        summary.GetProperty("suppressed").GetInt32().Should().Be(1);
        summary.GetProperty("failOn").GetString().Should().Be("high");
        summary.GetProperty("failed").GetBoolean().Should().BeTrue();

        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => f.GetProperty("fingerprint").GetString())
            .Should().Equal(report.Findings.Select(f => f.Fingerprint), "findings keep the pipeline's order");
        findings.Select(f => f.GetProperty("severity").GetString()).Should().OnlyContain(s => s == s!.ToLowerInvariant());
        var aws = findings.Single(f => f.GetProperty("ruleId").GetString() == "PF301");
        aws.GetProperty("severity").GetString().Should().Be("high");
        aws.GetProperty("location").GetProperty("line").GetInt32().Should().Be(12);
        aws.GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().Equal("entropy", "kind");
        aws.GetProperty("message").GetString().Should().Contain("AKIA…(20 chars)", "non-ASCII is written as is");
        var wholeFile = findings.Single(f => f.GetProperty("ruleId").GetString() == "PF006");
        wholeFile.GetProperty("location").GetProperty("line").ValueKind.Should().Be(Null);
        wholeFile.GetProperty("evidence").ValueKind.Should().Be(Null);
        findings.Single(f => f.GetProperty("ruleId").GetString() == "PF005").GetProperty("suppressed").GetBoolean().Should().BeTrue();
    }

    [Test]
    public void Json_report_without_baseline_or_fail_level_writes_null_baseline_and_fail_on_none()
    {
        var root = Parse(SampleReports.Empty(failOn: null));
        root.GetProperty("baseline").ValueKind.Should().Be(Null);
        root.GetProperty("summary").GetProperty("failOn").GetString().Should().Be("none");
        root.GetProperty("summary").GetProperty("failed").GetBoolean().Should().BeFalse();
        root.GetProperty("findings").GetArrayLength().Should().Be(0);
    }

    [Test]
    public void Json_report_round_trips_through_the_reader()
    {
        var report = SampleReports.Full();
        var read = ScanReportJson.Read(ScanReportJson.Write(report));

        read.Should().BeEquivalentTo(report);
        read.Findings.Select(f => f.Fingerprint).Should().Equal(report.Findings.Select(f => f.Fingerprint));
        ScanReportJson.Write(read).Should().Be(ScanReportJson.Write(report));
    }

    [Test]
    public async Task Json_report_round_trips_through_streams()
    {
        var report = SampleReports.Empty(failOn: null) with { AsOf = new DateTimeOffset(2026, 11, 27, 13, 45, 12, 345, TimeSpan.FromHours(2)) };
        using var stream = new MemoryStream();
        await ReportWriter.WriteAsync(report, ReportFormat.Json, stream);
        stream.Position = 0;
        var read = await ScanReportJson.ReadAsync(stream);
        read.Should().BeEquivalentTo(report);
        read.AsOf.Offset.Should().Be(TimeSpan.Zero, "times are read back in UTC");
        read.Summary.FailOn.Should().BeNull();
    }

    [Test]
    public void Json_report_is_utf8_without_bom_and_ends_with_a_newline()
    {
        using var stream = new MemoryStream();
        ReportWriter.WriteAsync(SampleReports.Empty(), ReportFormat.Json, stream).GetAwaiter().GetResult();
        var bytes = stream.ToArray();
        bytes[0].Should().Be((byte)'{');
        bytes[^1].Should().Be((byte)'\n');
        Encoding.UTF8.GetString(bytes).Should().NotContain("\r");
    }

    [TestCase("", TestName = "Json_reader_rejects_an_empty_document")]
    [TestCase("not json", TestName = "Json_reader_rejects_text_that_is_not_json")]
    [TestCase("""{"schemaVersion":"1.0"}""", TestName = "Json_reader_rejects_a_report_missing_contract_fields")]
    [TestCase("null", TestName = "Json_reader_rejects_null")]
    public void Json_reader_rejects_what_is_not_a_report(string text)
    {
        var act = () => ScanReportJson.Read(text);
        act.Should().Throw<InvalidDataException>().WithMessage("*report*");
    }

    [Test]
    public void Json_reader_rejects_an_unknown_severity_and_a_future_major_schema()
    {
        var json = ScanReportJson.Write(SampleReports.Full());
        var badSeverity = json.Replace("\"severity\": \"high\"", "\"severity\": \"urgent\"", StringComparison.Ordinal);
        badSeverity.Should().NotBe(json);
        FluentActions.Invoking(() => ScanReportJson.Read(badSeverity)).Should().Throw<InvalidDataException>().WithMessage("*urgent*");

        var future = json.Replace("\"schemaVersion\": \"1.0\"", "\"schemaVersion\": \"2.0\"", StringComparison.Ordinal);
        future.Should().NotBe(json);
        FluentActions.Invoking(() => ScanReportJson.Read(future)).Should().Throw<InvalidDataException>().WithMessage("*2.0*");
    }

    [TestCase("\"schemaVersion\": \"1.0\"", "\"schemaVersion\": null", TestName = "Json_reader_rejects_a_null_schema_version")]
    [TestCase("\"message\": \"entry name climbs out of the package\"", "\"message\": null", TestName = "Json_reader_rejects_a_null_message")]
    [TestCase("\"findings\": [", "\"findings\": [null, ", TestName = "Json_reader_rejects_a_null_finding")]
    [TestCase("\"urls\": [", "\"urls\": [null, ", TestName = "Json_reader_rejects_a_null_url")]
    [TestCase("\"severity\": \"high\"", "\"severity\": 3", TestName = "Json_reader_rejects_a_numeric_severity")]
    public void Json_reader_rejects_nulls_and_wrong_types_where_the_contract_has_values(string from, string to)
    {
        var json = ScanReportJson.Write(SampleReports.Full());
        var broken = json.Replace(from, to, StringComparison.Ordinal);
        broken.Should().NotBe(json, "the test edits the report");
        FluentActions.Invoking(() => ScanReportJson.Read(broken)).Should().Throw<InvalidDataException>();
    }

    [Test]
    public void Json_reader_takes_a_null_fail_on_as_none()
    {
        var json = ScanReportJson.Write(SampleReports.Full());
        var read = ScanReportJson.Read(json.Replace("\"failOn\": \"high\"", "\"failOn\": null", StringComparison.Ordinal));
        read.Summary.FailOn.Should().BeNull();
    }

    [Test]
    public void Json_reader_ignores_fields_it_does_not_know()
    {
        var json = ScanReportJson.Write(SampleReports.Empty());
        var extended = json.Replace("\"schemaVersion\": \"1.0\",", "\"schemaVersion\": \"1.0\", \"futureField\": {\"x\": [1, 2]},", StringComparison.Ordinal);
        extended.Should().NotBe(json);
        ScanReportJson.Read(extended).Should().BeEquivalentTo(SampleReports.Empty());
    }

    [Test]
    public void Json_reader_reads_a_report_without_the_fields_added_after_1_0()
    {
        var json = ScanReportJson.Write(SampleReports.Full());
        // Strip the additive fields, as a report written before they existed would lack them.
        var stripped = System.Text.RegularExpressions.Regex.Replace(json,
            "\\s*\"(suppressed|suppressionReason)\": (true|false|null|\"[^\"]*\"),?", "", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        stripped.Should().NotContain("suppressionReason");
        var read = ScanReportJson.Read(stripped);
        read.Findings.Should().HaveCount(6).And.OnlyContain(f => !f.Suppressed);
    }
}

/// <summary>
/// Locations and findings are written by hand (JsonReportWriters) for speed; they must come out byte for byte as the
/// generated metadata writes them, with every kind of value: nulls, missing lines, suppression, unsorted properties,
/// and strings that need escaping or must stay unescaped (quotes, backslashes, control characters, '&lt;', non-ASCII).
/// </summary>
public class JsonReportWriterTests
{
    private static readonly string[] Awkward =
    [
        "plain", "quote \" and backslash \\ and slash /", "tab\tnew line\nreturn\r", "control \u0001\u001f end", "<script>&amp;'x'</script>",
        "é ü ß 中文 🚀 ſ", "\u2028 line separator \u2029", "lone surrogate \ud800 here", string.Empty,
    ];

    [Test]
    public void Hand_written_writers_write_what_the_generated_metadata_writes()
    {
        var random = new Random(20261129);
        var findings = new List<Preflight.Findings.Finding>();
        for (int i = 0; i < 400; i++)
        {
            string Pick() => Awkward[random.Next(Awkward.Length)];
            var properties = random.Next(3) switch
            {
                0 => new Dictionary<string, string>(),
                1 => new Dictionary<string, string> { ["zeta"] = Pick(), ["alpha"] = Pick(), [Pick() + "key"] = Pick() },
                _ => (IReadOnlyDictionary<string, string>)Preflight.Findings.CompactProperties.OfSorted(["a", Pick(), "b", Pick()]),
            };
            findings.Add(SampleReports.Finding($"PF{random.Next(1, 400):D3}", Pick(), (Severity)random.Next(0, 5), "dir/" + Pick() + ".txt",
                line: random.Next(3) == 0 ? null : random.Next(1, 100_000), column: random.Next(3) == 0 ? null : random.Next(1, 500),
                message: Pick(), evidence: random.Next(2) == 0 ? null : Pick(), detector: Pick(), suppressed: random.Next(4) == 0, properties: properties));
        }
        var locations = Enumerable.Range(0, 300).Select(i => new Preflight.Findings.Location(Awkward[i % Awkward.Length] + i, i % 5 == 0 ? null : i, i % 7 == 0 ? null : i * 3)).ToList();
        var full = SampleReports.Full();
        var report = full with
        {
            Findings = findings,
            Inventory = full.Inventory with
            {
                Endpoints = [.. full.Inventory.Endpoints, new EndpointItem("api.example.net", null, "public", ["https://api.example.net/v1"], locations)],
            },
        };
        var written = ScanReportJson.Write(report);
        written.Should().Be(ScanReportJson.WriteWithGeneratedMetadata(report));
        written.Should().Contain("\"evidence\": null").And.Contain("\"line\": null").And.Contain("\"suppressionReason\": \"accepted by the release board\"");
        ScanReportJson.Write(SampleReports.Empty()).Should().Be(ScanReportJson.WriteWithGeneratedMetadata(SampleReports.Empty()));
    }

    [Test]
    public void The_file_writer_writes_the_same_bytes_as_the_string_writer()
    {
        var report = SampleReports.Full();
        using var stream = new MemoryStream();
        ScanReportJson.WriteAsync(report, stream).GetAwaiter().GetResult();
        System.Text.Encoding.UTF8.GetString(stream.ToArray()).Should().Be(ScanReportJson.WriteWithGeneratedMetadata(report));
    }
}
