using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Preflight.Findings;

namespace Preflight.Reporting;

/// <summary>
/// The JSON report (schema version <see cref="ScanReport.CurrentSchemaVersion"/>): writing it, and reading
/// it back (for <c>--since</c>-style comparisons and round trips).
/// </summary>
/// <remarks>
/// The shape is the contract in DESIGN.md: camelCase names; severities as lower-case names; <c>asOf</c> and
/// every other time as ISO 8601 UTC (<c>2026-11-27T00:00:00Z</c>); <c>baseline</c> is <c>null</c> when none
/// was given; <c>summary.failOn</c> is a severity name or <c>"none"</c> (never null) when the scan cannot
/// fail; a location's <c>line</c> and <c>column</c> are always present and <c>null</c> when unknown;
/// <c>evidence</c> is always present and <c>null</c> when there is none; <c>properties</c> is an object of
/// strings with its keys in ordinal order. Findings keep the report's order. Each finding also carries
/// <c>suppressed</c> (and <c>suppressionReason</c>), and the inventory carries <c>credentials</c> and
/// <c>links</c>: fields added without a schema change. Readers ignore fields they do not know.
/// </remarks>
public static class ScanReportJson
{
    private static readonly JsonReportContext Context = new(Options());

    /// <summary>The same options with the hand-written writers of the most numerous values (see <see cref="JsonReportWriters"/>).</summary>
    private static readonly JsonReportContext WriteContext = new(Options(JsonReportWriters.All));

    private static JsonSerializerOptions Options(params JsonConverter[] converters)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = true,
            NewLine = "\n",
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            // A null where the contract has a value is a malformed report, not a null reference later.
            RespectNullableAnnotations = true,
            // The report is a file, not HTML: keep '…', '<' and non-ASCII readable. Parsers see the same strings.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        foreach (var converter in converters) options.Converters.Add(converter);
        return options;
    }

    /// <summary>Writes <paramref name="report"/> as indented UTF-8 JSON (no byte order mark, <c>\n</c> line ends, a final newline).</summary>
    public static async Task WriteAsync(ScanReport report, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        await JsonSerializer.SerializeAsync(output, ToWire(report), WriteContext.JsonReport, ct).ConfigureAwait(false);
        output.WriteByte((byte)'\n');
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The report as a JSON string.</summary>
    public static string Write(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(ToWire(report), WriteContext.JsonReport) + "\n";
    }

    /// <summary>The report as the generated metadata alone writes it (tests hold the hand-written writers to it).</summary>
    internal static string WriteWithGeneratedMetadata(ScanReport report) => JsonSerializer.Serialize(ToWire(report), Context.JsonReport) + "\n";

    /// <summary>Reads a JSON report.</summary>
    /// <exception cref="InvalidDataException">The stream is not JSON, or not a report this version can read.</exception>
    public static async Task<ScanReport> ReadAsync(Stream input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        JsonReport? wire;
        try
        {
            wire = await JsonSerializer.DeserializeAsync(input, Context.JsonReport, ct).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw Invalid(ex);
        }
        return FromWire(wire);
    }

    /// <summary>Reads a JSON report synchronously.</summary>
    /// <exception cref="InvalidDataException">The stream is not JSON, or not a report this version can read.</exception>
    public static ScanReport Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Parse(() => JsonSerializer.Deserialize(input, Context.JsonReport));
    }

    /// <summary>Reads a JSON report from a string.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON, or not a report this version can read.</exception>
    public static ScanReport Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(() => JsonSerializer.Deserialize(json, Context.JsonReport));
    }

    private static ScanReport Parse(Func<JsonReport?> deserialize)
    {
        JsonReport? wire;
        try
        {
            wire = deserialize();
        }
        catch (JsonException ex)
        {
            throw Invalid(ex);
        }
        return FromWire(wire);
    }

    private static InvalidDataException Invalid(JsonException ex) =>
        new($"not a Preflight JSON report: {ex.Message}", ex);

    // ---- domain → wire

    private static JsonReport ToWire(ScanReport r) => new()
    {
        SchemaVersion = r.SchemaVersion,
        Tool = new JsonTool { Name = r.Tool.Name, Version = r.Tool.Version },
        Package = new JsonPackage { Path = r.Package.Path, Sha256 = r.Package.Sha256, SizeBytes = r.Package.SizeBytes, Entries = r.Package.Entries },
        Baseline = r.Baseline is { } b ? new JsonBaseline { Path = b.Path, Sha256 = b.Sha256 } : null,
        AsOf = ReportText.Iso(r.AsOf),
        Summary = new JsonSummary
        {
            Critical = r.Summary.Critical,
            High = r.Summary.High,
            Medium = r.Summary.Medium,
            Low = r.Summary.Low,
            Info = r.Summary.Info,
            Suppressed = r.Summary.Suppressed,
            FailOn = ReportText.FailOnName(r.Summary.FailOn),
            Failed = r.Summary.Failed,
        },
        Findings = r.Findings.Select(ToWire),
        Inventory = ToWire(r.Inventory),
        Changes = r.Changes is null ? null : [.. r.Changes.Select(c => new JsonChange
        {
            Section = c.Section, Change = c.Change, Identity = c.Identity, Detail = c.Detail,
            Location = c.Location is null ? null : ToWire(c.Location),
        })],
        Suppressions = [.. r.Suppressions.Select(s => new JsonSuppressionResult
        {
            Index = s.Suppression.Index,
            Fingerprint = s.Suppression.Fingerprint,
            RuleId = s.Suppression.RuleId,
            Path = s.Suppression.PathGlob,
            Reason = s.Suppression.Reason,
            Expires = s.Suppression.Expires is { } x ? ReportText.Iso(x) : null,
            Status = s.Status,
            Matched = s.Matched,
        })],
        Diagnostics = [.. r.Diagnostics.Select(d => new JsonDiagnostic { Path = d.Path, Message = d.Message })],
        Statistics = r.Statistics is not { } st ? null : new JsonStatistics
        {
            ElapsedSeconds = Math.Round(st.Elapsed.TotalSeconds, 3),
            Entries = st.Entries,
            ContentBytes = st.ContentBytes,
            Workers = st.Workers,
            SniffingSeconds = Math.Round(st.Sniffing.TotalSeconds, 3),
            Detectors = [.. st.Detectors.Select(d => new JsonDetectorTiming { Detector = d.Detector, Entries = d.Entries, Bytes = d.Bytes, Seconds = Math.Round(d.Time.TotalSeconds, 3) })],
        },
    };

    private static JsonFinding ToWire(Finding f)
    {
        // A scan's findings keep their properties sorted already (CompactProperties): only others get a sorted copy.
        var properties = f.Properties is CompactProperties sorted ? sorted : (IReadOnlyDictionary<string, string>)new SortedDictionary<string, string>(f.Properties.ToDictionary(), StringComparer.Ordinal);
        return new JsonFinding
        {
            RuleId = f.RuleId,
            Rule = f.Rule,
            Detector = f.Detector,
            Severity = f.Severity.ToName(),
            Message = f.Message,
            Location = ToWire(f.Location),
            Evidence = f.Evidence,
            Fingerprint = f.Fingerprint,
            Properties = properties,
            Suppressed = f.Suppressed,
            SuppressionReason = f.SuppressionReason,
        };
    }

    private static JsonLocation ToWire(Location l) => new() { Path = l.Path, Line = l.Line, Column = l.Column };

    private static JsonInventory ToWire(Inventory i) => new()
    {
        ScheduledTasks = [.. i.ScheduledTasks.Select(t => new JsonScheduledTask
        {
            Location = ToWire(t.Location),
            Format = t.Format,
            Schedule = t.Schedule,
            Description = t.Description,
            Command = t.Command,
            User = t.User,
            TimeZone = t.TimeZone,
            NextRuns = [.. t.NextRuns.Select(ReportText.Iso)],
        })],
        Endpoints = [.. i.Endpoints.Select(e => new JsonEndpoint
        {
            Host = e.Host,
            Scheme = e.Scheme,
            Class = e.Class,
            Urls = [.. e.Urls],
            Locations = e.Locations.Select(ToWire),
        })],
        ServiceUnits = [.. i.ServiceUnits.Select(u => new JsonServiceUnit
        {
            Name = u.Name,
            Kind = u.Kind,
            Location = ToWire(u.Location),
            Aliases = [.. u.Aliases],
            ExecStart = u.ExecStart,
            Description = u.Description,
            Activates = u.Activates,
            Enabled = u.Enabled,
        })],
        Migrations = [.. i.Migrations.Select(m => new JsonMigration
        {
            Location = ToWire(m.Location),
            Runner = m.Runner,
            Dialect = m.Dialect,
            Version = m.Version,
            Statements = m.Statements,
            RunnerLocks = m.RunnerLocks,
            Member = m.Member,
        })],
        Certificates = [.. i.Certificates.Select(c => new JsonCertificate
        {
            Location = ToWire(c.Location),
            Subject = c.Subject,
            Issuer = c.Issuer,
            SerialNumber = c.SerialNumber,
            Sha256 = c.Sha256,
            NotBefore = ReportText.Iso(c.NotBefore),
            NotAfter = ReportText.Iso(c.NotAfter),
            KeyAlgorithm = c.KeyAlgorithm,
            KeySize = c.KeySize,
            SignatureAlgorithm = c.SignatureAlgorithm,
            SubjectAlternativeNames = [.. c.SubjectAlternativeNames],
            KeyUsage = [.. c.KeyUsage],
            ExtendedKeyUsage = [.. c.ExtendedKeyUsage],
            IsCertificateAuthority = c.IsCertificateAuthority,
        })],
        Credentials = [.. i.Credentials.Select(c => new JsonCredential { RuleId = c.RuleId, Location = ToWire(c.Location), Fingerprint = c.Fingerprint })],
        Links = [.. i.Links.Select(l => new JsonLink { Location = ToWire(l.Location), Kind = l.Kind, Target = l.Target, EscapesRoot = l.EscapesRoot })],
    };

    // ---- wire → domain

    private static ScanReport FromWire(JsonReport? w)
    {
        if (w is null) throw new InvalidDataException("not a Preflight JSON report: the document is null");
        if (!w.SchemaVersion.StartsWith("1.", StringComparison.Ordinal))
            throw new InvalidDataException($"unsupported report schemaVersion '{ReportText.Truncate(w.SchemaVersion, 20)}' (this version reads 1.x)");
        Severity? failOn = w.Summary.FailOn is null or "none" ? null : ParseSeverity(w.Summary.FailOn, "summary.failOn");
        return new ScanReport
        {
            SchemaVersion = w.SchemaVersion,
            Tool = new ToolInfo(w.Tool.Name, w.Tool.Version),
            Package = new PackageInfo(w.Package.Path, w.Package.Sha256, w.Package.SizeBytes, w.Package.Entries),
            Baseline = w.Baseline is { } b ? new BaselineInfo(b.Path, b.Sha256) : null,
            AsOf = ReportText.ParseIso(w.AsOf, "asOf"),
            Summary = new ReportSummary(w.Summary.Critical, w.Summary.High, w.Summary.Medium, w.Summary.Low, w.Summary.Info, w.Summary.Suppressed, failOn, w.Summary.Failed),
            Findings = Each(w.Findings as List<JsonFinding> ?? [.. w.Findings], "findings", FromWire),
            Inventory = FromWire(w.Inventory),
            Changes = w.Changes is null ? null : Each(w.Changes, "changes", c => new InventoryChange(c.Section, c.Change, c.Identity, c.Detail, c.Location is { } cl ? FromWire(cl) : null)),
            Suppressions = Each(w.Suppressions, "suppressions", s => new SuppressionResult(
                new Suppression(s.Index, s.Fingerprint, s.RuleId, s.Path, s.Reason, s.Expires is null ? null : ReportText.ParseIso(s.Expires, "suppressions[].expires")),
                s.Status, s.Matched)),
            Diagnostics = Each(w.Diagnostics, "diagnostics", d => new ScanDiagnostic(d.Path, d.Message)),
            Statistics = w.Statistics is not { } st ? null : new ScanStatistics(TimeSpan.FromSeconds(st.ElapsedSeconds), st.Entries, st.ContentBytes, st.Workers,
                TimeSpan.FromSeconds(st.SniffingSeconds), Each(st.Detectors, "statistics.detectors", d => new DetectorTiming(d.Detector, d.Entries, d.Bytes, TimeSpan.FromSeconds(d.Seconds)))),
        };
    }

    private static Finding FromWire(JsonFinding f) =>
        new(f.RuleId, f.Rule, f.Detector, ParseSeverity(f.Severity, "findings[].severity"), f.Message, FromWire(f.Location),
            f.Evidence, f.Fingerprint, new Dictionary<string, string>(f.Properties, StringComparer.Ordinal))
        {
            Suppressed = f.Suppressed,
            SuppressionReason = f.SuppressionReason,
        };

    private static Location FromWire(JsonLocation l) => new(l.Path, l.Line, l.Column);

    private static Inventory FromWire(JsonInventory i) => new()
    {
        ScheduledTasks = Each(i.ScheduledTasks, "inventory.scheduledTasks", t => new ScheduledTaskItem(FromWire(t.Location), t.Format, t.Schedule, t.Description,
            t.Command, t.User, t.TimeZone, Each(t.NextRuns, "inventory.scheduledTasks[].nextRuns", n => ReportText.ParseIso(n, "inventory.scheduledTasks[].nextRuns")))),
        Endpoints = Each(i.Endpoints, "inventory.endpoints", e => new EndpointItem(e.Host, e.Scheme, e.Class, Strings(e.Urls, "inventory.endpoints[].urls"), Each(e.Locations as List<JsonLocation> ?? [.. e.Locations], "inventory.endpoints[].locations", FromWire))),
        ServiceUnits = Each(i.ServiceUnits, "inventory.serviceUnits", u => new ServiceUnitItem(u.Name, u.Kind, FromWire(u.Location), Strings(u.Aliases, "inventory.serviceUnits[].aliases"), u.ExecStart)
        {
            Description = u.Description,
            Activates = u.Activates,
            Enabled = u.Enabled,
        }),
        Migrations = Each(i.Migrations, "inventory.migrations", m => new MigrationItem(FromWire(m.Location), m.Runner, m.Dialect, m.Version, m.Statements) { RunnerLocks = m.RunnerLocks, Member = m.Member }),
        Certificates = Each(i.Certificates, "inventory.certificates", c => new CertificateItem(FromWire(c.Location), c.Subject, c.Issuer, c.SerialNumber, c.Sha256,
            ReportText.ParseIso(c.NotBefore, "inventory.certificates[].notBefore"), ReportText.ParseIso(c.NotAfter, "inventory.certificates[].notAfter"),
            c.KeyAlgorithm, c.KeySize, c.SignatureAlgorithm, Strings(c.SubjectAlternativeNames, "inventory.certificates[].subjectAlternativeNames"), Strings(c.KeyUsage, "inventory.certificates[].keyUsage"),
            Strings(c.ExtendedKeyUsage, "inventory.certificates[].extendedKeyUsage"), c.IsCertificateAuthority)),
        Credentials = Each(i.Credentials, "inventory.credentials", c => new CredentialItem(c.RuleId, FromWire(c.Location), c.Fingerprint)),
        Links = Each(i.Links, "inventory.links", l => new LinkItem(FromWire(l.Location), l.Kind, l.Target, l.EscapesRoot)),
    };

    private static Severity ParseSeverity(string text, string field) =>
        SeverityNames.TryParse(text, out var s) ? s
        : throw new InvalidDataException($"report field '{field}' is not a severity: '{ReportText.Truncate(text, 20)}'");

    // Nullable annotations are enforced on properties, not on collection elements: a null element is rejected here.
    private static List<TOut> Each<TIn, TOut>(List<TIn> items, string field, Func<TIn, TOut> map)
    {
        var result = new List<TOut>(items.Count);
        foreach (var item in items)
            result.Add(item is null ? throw new InvalidDataException($"report field '{field}' holds null") : map(item));
        return result;
    }

    private static List<string> Strings(List<string> items, string field) => Each(items, field, static s => s);
}
