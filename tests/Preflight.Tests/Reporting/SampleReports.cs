using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Tests.Reporting;

/// <summary>Report instances built by hand, so each writer is tested on known input.</summary>
internal static class SampleReports
{
    public static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public const string PackageSha = "3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a";

    public static Finding Finding(
        string ruleId, string rule, Severity severity, string path, int? line = null, int? column = null,
        string message = "something worth knowing", string? evidence = null, string detector = "package",
        bool suppressed = false, IReadOnlyDictionary<string, string>? properties = null) =>
        new(ruleId, rule, detector, severity, message, new Location(path, line, column), evidence,
            Fingerprint.Compute(ruleId, path, message), properties ?? new Dictionary<string, string>())
        {
            Suppressed = suppressed,
            SuppressionReason = suppressed ? "accepted by the release board" : null,
        };

    /// <summary>One finding of every severity, a suppressed one, a nested-archive path, a finding without a line, and every inventory section filled.</summary>
    public static ScanReport Full(Severity? failOn = Severity.High)
    {
        List<Finding> findings =
        [
            Finding("PF301", "aws-access-key", Severity.High, "etc/app.yaml", 12, 9,
                "AWS access key id AKIA…(20 chars) in a YAML config", "aws_access_key_id: AKIA****************", "credentials",
                properties: new Dictionary<string, string> { ["kind"] = "aws", ["entropy"] = "4.1" }),
            Finding("PF003", "path-traversal", Severity.Critical, "lib/plugins.zip!/../../etc/cron.d/evil", message: "entry name climbs out of the package"),
            Finding("PF101", "cron-every-minute", Severity.Medium, "etc/cron.d/acme", 3, 1, "runs every minute as root", "* * * * * root /opt/acme/bin/sync", "scheduled-tasks"),
            Finding("PF201", "plaintext-http", Severity.Low, "lib/plugins.zip!/conf/plugin.ini", 7, 5, "plain http to a public host", "url=http://updates.example.com/feed", "endpoints"),
            Finding("PF006", "link-entry", Severity.Info, "bin/current", message: "symbolic link to releases/5.0"),
            Finding("PF005", "duplicate-entry", Severity.Medium, "etc/app.yaml", message: "duplicate entry", suppressed: true),
        ];
        findings.Sort(Preflight.Findings.Finding.ReportOrder);
        var location = new Location("etc/cron.d/acme", 3, 1);
        return new ScanReport
        {
            Tool = new ToolInfo("preflight", "1.2.3"),
            Package = new PackageInfo("acme-5.0.zip", PackageSha, 123_456, 42),
            Baseline = new BaselineInfo("acme-4.2.zip", new string('a', 64)),
            AsOf = AsOf,
            Summary = ReportSummary.From(findings, failOn),
            Findings = findings,
            Inventory = new Inventory
            {
                ScheduledTasks = [new ScheduledTaskItem(location, "cron.d", "* * * * *", "every minute", "/opt/acme/bin/sync", "root", "UTC",
                    [AsOf.AddMinutes(1), AsOf.AddMinutes(2)])],
                Endpoints = [new EndpointItem("updates.example.com", "http", "public", ["http://updates.example.com/feed"],
                    [new Location("lib/plugins.zip!/conf/plugin.ini", 7, 5)])],
                ServiceUnits = [new ServiceUnitItem("acme-worker.service", "systemd", new Location("lib/systemd/system/acme-worker.service"),
                    ["acme.service"], "/opt/acme/bin/worker")],
                Migrations = [new MigrationItem(new Location("db/V5__add_index.sql"), "flyway", "postgresql", "5", 2)],
                Certificates = [new CertificateItem(new Location("etc/ssl/acme.pem"), "CN=acme.example.com", "CN=Acme CA", "01", new string('b', 64),
                    new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
                    "RSA", 2048, "sha256WithRSAEncryption", ["acme.example.com"], ["digitalSignature"], ["serverAuth"], false)],
                Credentials = [new CredentialItem("PF301", new Location("etc/app.yaml", 12, 9), Fingerprint.Compute("PF301", "etc/app.yaml", "k"))],
                Links = [new LinkItem(new Location("bin/current"), "symlink", "releases/5.0", false)],
            },
            Diagnostics = [new ScanDiagnostic("lib/broken.zip", "central directory is truncated")],
        };
    }

    /// <summary>A clean package: no findings, empty inventory, no baseline.</summary>
    public static ScanReport Empty(Severity? failOn = Severity.High) => new()
    {
        Tool = new ToolInfo("preflight", "1.2.3"),
        Package = new PackageInfo("clean.zip", PackageSha, 512, 3),
        AsOf = AsOf,
        Summary = ReportSummary.From([], failOn),
        Findings = [],
        Inventory = Inventory.Empty,
        Diagnostics = [],
    };
}
