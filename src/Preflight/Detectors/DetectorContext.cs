using System.Collections.Concurrent;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors;

/// <summary>
/// The per-scan state every detector reports into. Thread-safe: detectors call it concurrently.
/// </summary>
public class DetectorContext
{
    private readonly ScanState _state;

    internal DetectorContext(ScanState state) => _state = state;

    /// <summary>Remembers a full secret so that no output quotes it (see <c>SecretScrubber</c>); never written anywhere.</summary>
    internal void RememberSecret(string secret) => _state.Secrets.TryAdd(secret, 0);

    /// <summary>The scan's options.</summary>
    public ScanOptions Options => _state.Options;

    /// <summary>The evaluation time (<c>--as-of</c>, else now), fixed for the whole scan.</summary>
    public DateTimeOffset EvaluationTime => _state.EvaluationTime;

    /// <summary>Cancelled when the scan is.</summary>
    public CancellationToken CancellationToken => _state.CancellationToken;

    /// <summary>
    /// The inventory of the baseline package (the version installed today), when <c>--baseline</c> was given;
    /// read with the same pipeline, inventory only. Null without a baseline.
    /// </summary>
    public Inventory? Baseline => _state.Baseline;

    /// <summary>
    /// True while the baseline package (<c>--baseline</c>) is read for its inventory. What <see cref="Report"/>
    /// reports then is discarded; a detector that has something to say about the installed version itself
    /// (its jobs firing inside the maintenance window) uses <see cref="ReportFromBaseline"/>.
    /// </summary>
    public bool ScanningBaseline => _state.IsBaseline;

    /// <summary>
    /// While <see cref="ScanningBaseline"/>: keeps a detector's compact summary of the installed version (for the
    /// migrations detector, the schema its migrations built) for the scan of the new package, which reads it back
    /// with <see cref="BaselineSummary"/>. One summary per detector id; a later call replaces it.
    /// </summary>
    public void KeepForUpgrade(string detectorId, object summary)
    {
        ArgumentNullException.ThrowIfNull(detectorId);
        ArgumentNullException.ThrowIfNull(summary);
        _state.Kept[detectorId] = summary;
    }

    /// <summary>In the new package's scan: what the detector kept with <see cref="KeepForUpgrade"/> while the baseline was scanned; null without a baseline.</summary>
    public object? BaselineSummary(string detectorId) => _state.BaselineKept?.GetValueOrDefault(detectorId);

    /// <summary>Unit names installed on the target host (<c>--installed-units</c>), when given.</summary>
    public IReadOnlySet<string>? InstalledUnits => _state.InstalledUnits;

    /// <summary>The inventory under construction.</summary>
    public InventoryBuilder Inventory => _state.Inventory;

    /// <summary>
    /// Reports a finding (unless the configuration disabled its rule). The fingerprint is computed from the rule id, the location path and
    /// <paramref name="identity"/>; the severity is the rule's default unless given, then any configured
    /// override applies.
    /// </summary>
    /// <param name="rule">One of the detector's rules.</param>
    /// <param name="location">Where.</param>
    /// <param name="message">One sentence for a person; never a secret in clear.</param>
    /// <param name="identity">What distinguishes this finding at this path (a secret, a unit name, a statement). Hashed, never shown.</param>
    /// <param name="evidence">A short excerpt, already redacted.</param>
    /// <param name="severity">The severity for this occurrence, when it differs from the rule's default.</param>
    /// <param name="properties">Rule-specific facts.</param>
    /// <param name="suppressionReason">When an in-source suppression (such as <c>-- preflight-ignore PF501: reason</c>) covers this finding: its reason. The finding stays in the report, marked suppressed.</param>
    public Finding Report(
        RuleDescriptor rule,
        Location location,
        string message,
        string identity,
        string? evidence = null,
        Severity? severity = null,
        IReadOnlyDictionary<string, string>? properties = null,
        string? suppressionReason = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(location);
        return ReportFingerprinted(rule, location, message, Fingerprint.Compute(rule.Id, location.Path, identity), evidence, severity, properties, suppressionReason);
    }

    /// <summary>
    /// <see cref="Report"/> with the fingerprint already computed (<see cref="Fingerprint.Compute"/> of the rule id, the
    /// location's path and the identity), for a caller that has it from <see cref="TryCountRepeat"/>.
    /// </summary>
    internal Finding ReportFingerprinted(
        RuleDescriptor rule,
        Location location,
        string message,
        string fingerprint,
        string? evidence = null,
        Severity? severity = null,
        IReadOnlyDictionary<string, string>? properties = null,
        string? suppressionReason = null)
    {
        var effective = Options.SeverityOverrides.TryGetValue(rule.Id, out var configured)
            ? configured
            : severity ?? rule.DefaultSeverity;
        var finding = new Finding(
            rule.Id, rule.Name, rule.Detector, effective, message, location, evidence,
            fingerprint,
            properties is null ? EmptyProperties : CompactProperties.From(properties))
        {
            Suppressed = suppressionReason is not null,
            SuppressionReason = suppressionReason,
        };
        if (!Options.DisabledRules.Contains(rule.Id)) _state.Findings.Add(finding, (this as EntryContext)?.Window?.Index ?? -1);
        return finding;
    }

    /// <summary>
    /// For a detector that reports the same problem many times in one file (a script naming a missing unit in a
    /// hundred places): counts this occurrence of the finding <see cref="ReportFingerprinted"/> would make with these
    /// arguments, without building its message and properties, when that finding is already reported and this occurrence
    /// would not be the one shown. <paramref name="fingerprint"/> is <see cref="Fingerprint.Compute"/> of the rule id, the
    /// location's path and the identity, which such a caller computes once for its repeats. False when the caller must
    /// report; the report is the same either way.
    /// </summary>
    internal bool TryCountRepeat(RuleDescriptor rule, Location location, string fingerprint, Severity? severity = null)
    {
        if (Options.DisabledRules.Contains(rule.Id) || this is EntryContext { Window: not null }) return false;
        var effective = Options.SeverityOverrides.TryGetValue(rule.Id, out var configured) ? configured : severity ?? rule.DefaultSeverity;
        return _state.Findings.TryCountOccurrence(fingerprint, effective, location);
    }

    /// <summary>
    /// While <see cref="ScanningBaseline"/>: reports a finding about the installed version that the new
    /// package's report carries. Its location is a path in the baseline package; the property <c>package</c>
    /// is <c>baseline</c>, and its fingerprint differs from any finding of the new package at the same path.
    /// </summary>
    public Finding ReportFromBaseline(
        RuleDescriptor rule,
        Location location,
        string message,
        string identity,
        string? evidence = null,
        Severity? severity = null,
        IReadOnlyDictionary<string, string>? properties = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(location);
        var props = new Dictionary<string, string>(properties ?? EmptyProperties) { ["package"] = "baseline" };
        var effective = Options.SeverityOverrides.TryGetValue(rule.Id, out var configured) ? configured : severity ?? rule.DefaultSeverity;
        var finding = new Finding(rule.Id, rule.Name, rule.Detector, effective, message, location, evidence,
            Fingerprint.Compute(rule.Id, location.Path, "baseline\0" + identity), props);
        if (!Options.DisabledRules.Contains(rule.Id)) _state.CarriedFindings.Add(finding);
        return finding;
    }

    /// <summary>Records that something could not be analysed in full.</summary>
    public void Diagnostic(string path, string message) => _state.Diagnostics.Add(new ScanDiagnostic(path, message));

    internal static IReadOnlyDictionary<string, string> EmptyProperties => CompactProperties.Empty;
}

/// <summary>The context of one entry: its views plus everything of <see cref="DetectorContext"/>.</summary>
public sealed class EntryContext : DetectorContext
{
    internal EntryContext(ScanState state, EntryInfo info, EntryContent content) : base(state)
    {
        Info = info;
        Content = content;
    }

    /// <summary>What the gate saw.</summary>
    public EntryInfo Info { get; }

    /// <summary>The entry's bytes and lazily computed views, shared by every detector of this entry.</summary>
    public EntryContent Content { get; }

    /// <summary>A location in this entry (for a window of a large entry, the line and column are the window's and are shifted to the entry's).</summary>
    public Location At(int? line = null, int? column = null)
    {
        if (line is not { } l) return new(Info.Path, null, column);
        var (shiftedLine, shiftedColumn) = Shift(l, column ?? 1);
        return new(Info.Path, shiftedLine, column is null ? null : shiftedColumn);
    }

    /// <summary>Set when <see cref="Content"/> holds one window of a large entry (only for an <see cref="IWindowedDetector"/>).</summary>
    internal Packages.EntryWindow? Window { get; init; }

    /// <summary>The entry's line and column of a position in <see cref="Content"/>.</summary>
    internal (int Line, int Column) Shift(int line, int column) => Window is { } window ? window.Shift(line, column) : (line, column);

    /// <summary>Offset of <see cref="Content"/>'s first byte in the entry: 0 unless it is a window.</summary>
    internal long ByteOffset => Window?.ByteOffset ?? 0;
}

/// <summary>Mutable per-scan state behind the contexts.</summary>
internal sealed class ScanState(ScanOptions options, CancellationToken cancellationToken)
{
    public ScanOptions Options { get; } = options;
    public DateTimeOffset EvaluationTime { get; } = options.EvaluationTime;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public FindingSet Findings { get; } = new();
    public ConcurrentBag<ScanDiagnostic> Diagnostics { get; } = [];
    public InventoryBuilder Inventory { get; } = new();
    public Inventory? Baseline { get; init; }
    public IReadOnlySet<string>? InstalledUnits { get; init; }
    public bool IsBaseline { get; init; }
    public FindingSet CarriedFindings { get; } = new();
    public ConcurrentDictionary<string, object> Kept { get; } = new(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, object>? BaselineKept { get; init; }

    /// <summary>Every full secret found in this scan, kept in memory only to mask it wherever another detector quotes it.</summary>
    public ConcurrentDictionary<string, byte> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Per-detector time of the current run; set when the run starts (null for entries analysed outside a run).</summary>
    public ScanClock? Clock { get; set; }
}
