using Preflight.Findings;

namespace Preflight.Detectors.Endpoints;

/// <summary>The <c>endpoints</c> detector's rules (PF2xx).</summary>
public static class EndpointRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "endpoints";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);

    /// <summary>PF201.</summary>
    public static readonly RuleDescriptor PlaintextEndpoint = R("PF201", "plaintext-public-endpoint", Severity.High,
        "A plaintext URL (http, ftp, ldap, ws, telnet) to a public host.",
        "Anyone on the path can read and change the traffic, including credentials and updates. Use the TLS variant (https, ftps/sftp, ldaps, wss) or keep the host on a private network.");

    /// <summary>PF202.</summary>
    public static readonly RuleDescriptor RawPublicIp = R("PF202", "raw-public-ip", Severity.Medium,
        "A public IP address literal.",
        "Hard-coded addresses break when the provider renumbers and bypass DNS-based controls and certificate names. Use a host name the operator controls, or add the range to `endpoints.allow` when it is intended.");

    /// <summary>PF203.</summary>
    public static readonly RuleDescriptor MetadataEndpoint = R("PF203", "cloud-metadata-endpoint", Severity.High,
        "A cloud instance-metadata endpoint (169.254.169.254, fd00:ec2::254, metadata.google.internal, 168.63.129.16).",
        "Code that reads instance metadata can obtain the machine's cloud credentials; it is also the classic SSRF target. Make sure the package needs it, and require IMDSv2 / metadata headers.");

    /// <summary>PF204.</summary>
    public static readonly RuleDescriptor Webhook = R("PF204", "webhook", Severity.Medium,
        "A webhook URL (Slack, Teams, Discord, generic /webhook or /hooks/ endpoints, webhook-named settings).",
        "Webhooks post data to third parties and keep doing so after the upgrade; their URLs are often secrets themselves. Check who receives the data and rotate the URL if it leaked.");

    /// <summary>PF205.</summary>
    public static readonly RuleDescriptor PublicEndpoint = R("PF205", "public-endpoint", Severity.Low,
        "A public host the package talks to that is not in the allowlist; medium when the installed version (--baseline) never talked to it.",
        "Review the host and add it (or its domain, `*.vendor.com`) to `endpoints.allow` in the configuration once it is approved.");

    /// <summary>All PF2xx rules, in id order.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } = [PlaintextEndpoint, RawPublicIp, MetadataEndpoint, Webhook, PublicEndpoint];
}
