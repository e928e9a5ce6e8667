using System.Collections.Concurrent;
using Preflight.Findings;

namespace Preflight.Detectors;

/// <summary>Collects inventory items from detectors running concurrently; <see cref="Build"/> sorts each section deterministically.</summary>
public sealed class InventoryBuilder
{
    private readonly ConcurrentBag<ScheduledTaskItem> _tasks = [];
    private readonly ConcurrentBag<EndpointItem> _endpoints = [];
    private readonly ConcurrentBag<ServiceUnitItem> _units = [];
    private readonly ConcurrentQueue<MigrationItem> _migrations = new();
    private readonly ConcurrentBag<CertificateItem> _certificates = [];
    private readonly ConcurrentBag<CredentialItem> _credentials = [];
    private readonly ConcurrentBag<LinkItem> _links = [];

    /// <summary>Adds a scheduled task.</summary>
    public void Add(ScheduledTaskItem item) => _tasks.Add(item);
    /// <summary>Adds an endpoint (once per host; the detector merges locations).</summary>
    public void Add(EndpointItem item) => _endpoints.Add(item);
    /// <summary>Adds a service unit.</summary>
    public void Add(ServiceUnitItem item) => _units.Add(item);
    /// <summary>Adds a migration; migrations keep the order in which they are added (the runner's order).</summary>
    public void Add(MigrationItem item) => _migrations.Enqueue(item);
    /// <summary>Adds a certificate.</summary>
    public void Add(CertificateItem item) => _certificates.Add(item);
    /// <summary>Adds a credential (rule, location, fingerprint only).</summary>
    public void Add(CredentialItem item) => _credentials.Add(item);
    /// <summary>Adds a link entry.</summary>
    public void Add(LinkItem item) => _links.Add(item);

    /// <summary>The link entries recorded so far (the reader reports them before detectors complete).</summary>
    public IReadOnlyCollection<LinkItem> Links => _links.ToArray();

    /// <summary>The inventory, each section in a stable order.</summary>
    public Inventory Build() => new()
    {
        ScheduledTasks = [.. _tasks.OrderBy(t => t.Location.Path, StringComparer.Ordinal).ThenBy(t => t.Location.Line).ThenBy(t => t.Schedule, StringComparer.Ordinal)],
        Endpoints = [.. _endpoints.OrderBy(e => e.Host, StringComparer.Ordinal).ThenBy(e => e.Scheme, StringComparer.Ordinal)],
        ServiceUnits = [.. _units.OrderBy(u => u.Name, StringComparer.Ordinal).ThenBy(u => u.Location.Path, StringComparer.Ordinal)],
        Migrations = [.. _migrations],
        Certificates = [.. _certificates.OrderBy(c => c.Location.Path, StringComparer.Ordinal).ThenBy(c => c.Sha256, StringComparer.Ordinal)],
        // A secret is listed once per fingerprint, where it first occurs: the windows of a large entry each report it.
        Credentials = [.. _credentials
            .GroupBy(c => c.Fingerprint, StringComparer.Ordinal)
            .Select(g => g.OrderBy(c => c.Location.Line).ThenBy(c => c.Location.Column).First())
            .OrderBy(c => c.Location.Path, StringComparer.Ordinal).ThenBy(c => c.Location.Line).ThenBy(c => c.Fingerprint, StringComparer.Ordinal)],
        Links = [.. _links.OrderBy(l => l.Location.Path, StringComparer.Ordinal)],
    };
}
