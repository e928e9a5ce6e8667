using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Reporting;

/// <summary>
/// Writes SARIF 2.1.0: one run; <c>tool.driver.rules</c> is the whole catalog (<see cref="DetectorRegistry.Rules"/>)
/// plus any rule a finding names that the catalog lacks; every result has a <c>level</c>, a relative
/// <c>uri</c> under the <c>PACKAGEROOT</c> base (nested archives kept as <c>outer.zip!/inner</c>), a region only
/// when the line is known, <c>partialFingerprints["preflight/v1"]</c>, and <c>suppressions</c> when suppressed.
/// The scanned package is <c>artifacts[0]</c> (its path, length and SHA-256); findings about the package as a
/// whole point at it. Diagnostics become the invocation's tool execution notifications.
/// </summary>
internal static partial class SarifReportWriter
{
    /// <summary>The uriBaseId of every entry location: the root of the scanned package.</summary>
    public const string PackageRoot = "PACKAGEROOT";

    /// <summary>The key of the fingerprint in <c>partialFingerprints</c>.</summary>
    public const string FingerprintKey = "preflight/v1";

    /// <summary>GitHub code scanning rejects a run with more results than this: the most severe are written, and the run says how many were left out.</summary>
    public const int MaxResults = 25_000;

    private static readonly SarifJsonContext Context = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static async Task WriteAsync(ScanReport report, Stream output, CancellationToken ct)
    {
        await JsonSerializer.SerializeAsync(output, Build(report), Context.SarifLog, ct).ConfigureAwait(false);
        output.WriteByte((byte)'\n');
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>SARIF's level for a severity: critical and high are errors, medium a warning, low and info notes.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    internal static SarifLog Build(ScanReport report)
    {
        var rules = new List<RuleDescriptor>(DetectorRegistry.Rules);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rules.Count; i++) index.TryAdd(rules[i].Id, i);
        foreach (var f in report.Findings)
        {
            if (index.ContainsKey(f.RuleId)) continue;
            // A rule the catalog does not know (a report read from an older or newer version): describe it from the finding.
            index[f.RuleId] = rules.Count;
            rules.Add(new RuleDescriptor(f.RuleId, f.Rule, f.Detector, f.Severity, f.Rule, f.Rule));
        }

        var packageLocation = new SarifArtifactLocation { Uri = PackageUri(report.Package.Path), Index = 0 };
        // Code scanning wants relative uris in results: an absolute package path is named by its file name there.
        var resultPackageLocation = Uri.TryCreate(packageLocation.Uri, UriKind.Absolute, out _)
            ? new SarifArtifactLocation { Uri = Uri.EscapeDataString(Path.GetFileName(report.Package.Path.TrimEnd('/', '\\'))) }
            : packageLocation;
        IReadOnlyList<Finding> written = report.Findings;
        int omitted = 0;
        if (written.Count > MaxResults)
        {
            // Stable: within a severity the report's order is kept.
            written = [.. report.Findings.OrderByDescending(f => f.Severity).Take(MaxResults)];
            omitted = report.Findings.Count - MaxResults;
        }
        var notifications = report.Diagnostics.Select(d => new SarifNotification
        {
            Level = "warning",
            Message = new SarifText { Text = d.Message },
            Locations = [new SarifLocation { PhysicalLocation = new SarifPhysicalLocation { ArtifactLocation = ArtifactLocation(d.Path, packageLocation) } }],
        }).ToList();
        if (omitted > 0)
        {
            notifications.Add(new SarifNotification
            {
                Level = "warning",
                Message = new SarifText
                {
                    Text = $"The report has {report.Findings.Count} findings; code scanning accepts at most {MaxResults} results per run, so the {MaxResults} most severe are written and {omitted} are omitted. The JSON report has them all.",
                },
            });
        }
        var run = new SarifRun
        {
            Tool = new SarifTool
            {
                Driver = new SarifDriver
                {
                    Name = report.Tool.Name,
                    Version = report.Tool.Version,
                    SemanticVersion = IsSemanticVersion(report.Tool.Version) ? report.Tool.Version : null,
                    InformationUri = ToolInfo.InformationUri.AbsoluteUri,
                    Rules = [.. rules.Select(Rule)],
                },
            },
            Invocations =
            [
                new SarifInvocation
                {
                    ExecutionSuccessful = true,
                    ToolExecutionNotifications = notifications,
                },
            ],
            OriginalUriBaseIds = new Dictionary<string, SarifArtifactLocation>(StringComparer.Ordinal)
            {
                [PackageRoot] = new SarifArtifactLocation
                {
                    Description = new SarifText { Text = $"The root of the package {report.Package.Path}; an entry inside a nested archive is written archive!/entry." },
                },
            },
            Artifacts =
            [
                new SarifArtifact
                {
                    Location = new SarifArtifactLocation { Uri = packageLocation.Uri },
                    Length = report.Package.SizeBytes,
                    Roles = ["analysisTarget"],
                    Hashes = new Dictionary<string, string>(StringComparer.Ordinal) { ["sha-256"] = report.Package.Sha256 },
                },
            ],
            Results = [.. written.Select(f => Result(f, index[f.RuleId], resultPackageLocation))],
            Properties = new SarifRunProperties
            {
                SchemaVersion = report.SchemaVersion,
                AsOf = ReportText.Iso(report.AsOf),
                FailOn = ReportText.FailOnName(report.Summary.FailOn),
                Failed = report.Summary.Failed,
                Entries = report.Package.Entries,
                Baseline = report.Baseline is { } b ? new SarifBaseline { Path = b.Path, Sha256 = b.Sha256 } : null,
                FindingsInReport = omitted > 0 ? report.Findings.Count : null,
                ResultsOmitted = omitted > 0 ? omitted : null,
            },
        };
        return new SarifLog { Runs = [run] };
    }

    private static SarifRule Rule(RuleDescriptor r) => new()
    {
        Id = r.Id,
        Name = r.Name,
        ShortDescription = new SarifText { Text = r.Summary },
        FullDescription = new SarifText { Text = r.Summary + " " + r.Help },
        Help = new SarifText { Text = r.Help, Markdown = $"**{r.Summary}**\n\n{r.Help}" },
        DefaultConfiguration = new SarifConfiguration { Level = Level(r.DefaultSeverity) },
        Properties = new SarifRuleProperties
        {
            SecuritySeverity = r.SecuritySeverity,
            Tags = ["security", r.Detector],
            Detector = r.Detector,
            Severity = r.DefaultSeverity.ToName(),
        },
    };

    private static SarifResult Result(Finding f, int ruleIndex, SarifArtifactLocation packageLocation)
    {
        SortedDictionary<string, string>? details = null;
        if (f.Properties.Count > 0)
        {
            details = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in f.Properties) details[key] = value;
        }
        return new SarifResult
        {
            RuleId = f.RuleId,
            RuleIndex = ruleIndex,
            Level = Level(f.Severity),
            Message = new SarifText { Text = f.Message },
            Locations =
            [
                new SarifLocation
                {
                    PhysicalLocation = new SarifPhysicalLocation
                    {
                        ArtifactLocation = ArtifactLocation(f.Location.Path, packageLocation),
                        Region = f.Location.Line is { } line ? new SarifRegion { StartLine = line, StartColumn = f.Location.Column } : null,
                    },
                },
            ],
            PartialFingerprints = new Dictionary<string, string>(StringComparer.Ordinal) { [FingerprintKey] = f.Fingerprint },
            Suppressions = f.Suppressed ? [new SarifSuppression { Justification = f.SuppressionReason }] : null,
            Properties = new SarifResultProperties
            {
                Severity = f.Severity.ToName(),
                Detector = f.Detector,
                Rule = f.Rule,
                Evidence = f.Evidence,
                Details = details,
            },
        };
    }

    private static SarifArtifactLocation ArtifactLocation(string path, SarifArtifactLocation packageLocation) =>
        path.Length == 0 ? packageLocation : new SarifArtifactLocation { Uri = EntryUri(path), UriBaseId = PackageRoot };

    /// <summary>
    /// A location path as a relative URI reference: each segment percent-encoded (spaces, <c>%</c>, <c>#</c>, <c>?</c>,
    /// non-ASCII), <c>/</c> kept, and the nested-archive separator <c>!/</c> kept as written.
    /// </summary>
    internal static string EntryUri(string path)
    {
        var sb = new StringBuilder(path.Length + 8);
        var archives = path.Split(Location.NestedSeparator);
        for (int a = 0; a < archives.Length; a++)
        {
            if (a > 0) sb.Append(Location.NestedSeparator);
            var segments = archives[a].Split('/');
            for (int s = 0; s < segments.Length; s++)
            {
                if (s > 0) sb.Append('/');
                sb.Append(Uri.EscapeDataString(segments[s]));
            }
        }
        return sb.ToString();
    }

    /// <summary>The package path as given, as a URI reference: an absolute path becomes a <c>file:</c> URI, a relative one stays relative.</summary>
    internal static string PackageUri(string path)
    {
        if (Path.IsPathFullyQualified(path) && Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.IsFile)
            return absolute.AbsoluteUri;
        var relative = path.Replace('\\', '/');
        return string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
    }

    private static bool IsSemanticVersion(string version) => SemanticVersionPattern().IsMatch(version);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$",
        System.Text.RegularExpressions.RegexOptions.NonBacktracking | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SemanticVersionPattern();
}
