using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Preflight.Findings;

/// <summary>
/// The last line of the no-leak guarantee. Detectors quote what they read — a cron command, an ExecStart line, a
/// SQL statement, a URL — and such a quote may hold a secret the credentials detector found elsewhere in the same
/// text. Every full secret found during a scan is remembered (in memory only), and before the report is assembled
/// every message, evidence, property, inventory text and diagnostic is searched for them and each one masked.
/// </summary>
internal sealed class SecretScrubber
{
    /// <summary>Shorter values are not scrubbed: they would mask ordinary words.</summary>
    public const int MinimumLength = 8;

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> StringProperties = new();

    private readonly string[] _secrets;

    public SecretScrubber(IEnumerable<string> secrets) =>
        // Longest first, so that a secret containing another is masked whole.
        _secrets = [.. secrets.Where(s => s.Length >= MinimumLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    public bool IsEmpty => _secrets.Length == 0;

    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = Redaction.MaskIn(text, secret);
        return text;
    }

    private string? ScrubNullable(string? text) => text is null ? null : Scrub(text);

    private IReadOnlyDictionary<string, string> Scrub(IReadOnlyDictionary<string, string> properties)
    {
        Dictionary<string, string>? changed = null;
        foreach (var (key, value) in properties)
        {
            var scrubbed = Scrub(value);
            if (ReferenceEquals(scrubbed, value)) continue;
            changed ??= new Dictionary<string, string>(properties, StringComparer.Ordinal);
            changed[key] = scrubbed;
        }
        return changed ?? properties;
    }

    public Finding Scrub(Finding finding)
    {
        var message = Scrub(finding.Message);
        var evidence = ScrubNullable(finding.Evidence);
        var properties = Scrub(finding.Properties);
        var reason = ScrubNullable(finding.SuppressionReason);
        return ReferenceEquals(message, finding.Message) && ReferenceEquals(evidence, finding.Evidence)
            && ReferenceEquals(properties, finding.Properties) && ReferenceEquals(reason, finding.SuppressionReason)
            ? finding
            : finding with { Message = message, Evidence = evidence, Properties = properties, SuppressionReason = reason };
    }

    public ScanDiagnostic Scrub(ScanDiagnostic diagnostic)
    {
        var message = Scrub(diagnostic.Message);
        return ReferenceEquals(message, diagnostic.Message) ? diagnostic : diagnostic with { Message = message };
    }

    /// <summary>Every inventory section, item by item: the text properties of each item (commands, descriptions, URLs).</summary>
    public Inventory Scrub(Inventory inventory) => inventory with
    {
        ScheduledTasks = ScrubItems(inventory.ScheduledTasks),
        Endpoints = ScrubItems(inventory.Endpoints),
        ServiceUnits = ScrubItems(inventory.ServiceUnits),
        Migrations = ScrubItems(inventory.Migrations),
        Certificates = ScrubItems(inventory.Certificates),
        Credentials = ScrubItems(inventory.Credentials),
        Links = ScrubItems(inventory.Links),
    };

    // The item types are sealed records: what T names is what each item is, so the members read by reflection below are
    // the ones T's annotation keeps when the tool is trimmed (a native build).
    private const DynamicallyAccessedMemberTypes ItemMembers = DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicMethods;

    private IReadOnlyList<T> ScrubItems<[DynamicallyAccessedMembers(ItemMembers)] T>(IReadOnlyList<T> items) where T : class
    {
        List<T>? changed = null;
        for (int i = 0; i < items.Count; i++)
        {
            var scrubbed = ScrubItem(items[i]);
            if (ReferenceEquals(scrubbed, items[i])) continue;
            changed ??= [.. items];
            changed[i] = scrubbed;
        }
        return changed ?? items;
    }

    /// <summary>
    /// A copy of a record with its string properties scrubbed, or the record itself when none held a secret. The
    /// copy comes from the record's own clone method, so every other property is kept as it was.
    /// </summary>
    private T ScrubItem<[DynamicallyAccessedMembers(ItemMembers)] T>(T item) where T : class
    {
        var properties = StringProperties.GetOrAdd(typeof(T), static _ =>
            [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(string) && p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0)]);
        T? copy = null;
        foreach (var property in properties)
        {
            if (property.GetValue(item) is not string value) continue;
            var scrubbed = Scrub(value);
            if (ReferenceEquals(scrubbed, value)) continue;
            copy ??= Clone(item);
            property.SetValue(copy, scrubbed);
        }
        return copy ?? item;
    }

    private static T Clone<[DynamicallyAccessedMembers(ItemMembers)] T>(T item) where T : class
    {
        var clone = typeof(T).GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not a record");
        return (T)clone.Invoke(item, null)!;
    }
}
