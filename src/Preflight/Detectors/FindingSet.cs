using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using Preflight.Findings;

namespace Preflight.Detectors;

/// <summary>
/// The findings of a scan, one per fingerprint. The fingerprint hashes the rule, the path and what the detector says
/// distinguishes the finding there, so two reports with the same fingerprint are the same problem in the same file at
/// another line: a script that restarts a missing unit in forty places, a secret pasted twice. They become one
/// finding whose properties count the occurrences (<c>occurrences</c>) and list their lines (<c>lines</c>, at most
/// <see cref="MaxListedLines"/>). Suppressions and <c>--since</c> match fingerprints, so they see no difference; the
/// report's size, and the memory it takes, grow with the problems rather than with their repetitions.
/// </summary>
internal sealed class FindingSet : IReadOnlyCollection<Finding>
{
    /// <summary>How many lines of a repeated finding the <c>lines</c> property lists (the smallest ones).</summary>
    public const int MaxListedLines = 50;

    private readonly ConcurrentDictionary<string, Entry> _byFingerprint = new(StringComparer.Ordinal);

    /// <summary>Adds a finding, or counts it as another occurrence of the finding with its fingerprint.</summary>
    /// <param name="finding">The finding.</param>
    /// <param name="window">
    /// The index of the window of a large entry the finding comes from, or -1. A detector that reads windows reports
    /// what it finds once per window where, whole, it would have reported it once per entry: a repeat from a window
    /// is not another occurrence, it only decides which one is shown (the earliest, and for findings without a line
    /// the one of the first window), so the report is the one the whole entry gives.
    /// </param>
    public void Add(Finding finding, int window = -1)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var entry = _byFingerprint.GetOrAdd(finding.Fingerprint, static (_, a) => new Entry(a.Finding, a.Window), (Finding: finding, Window: window));
        if (ReferenceEquals(entry.Origin, finding)) return;
        if (window >= 0) entry.MergeWindow(finding, window);
        else entry.Merge(finding);
    }

    /// <summary>
    /// Counts another occurrence of the finding with <paramref name="fingerprint"/> without building it, when that
    /// finding exists and the occurrence would not become the one shown (it is neither more severe nor earlier in the
    /// file). False otherwise: the caller then reports the finding in full, and <see cref="Add"/> does the rest.
    /// </summary>
    public bool TryCountOccurrence(string fingerprint, Severity severity, Location location)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentNullException.ThrowIfNull(location);
        return _byFingerprint.TryGetValue(fingerprint, out var entry) && entry.TryCount(severity, location);
    }

    /// <summary>Forgets every finding: the scan calls it once the report's list is made, so the two do not live side by side.</summary>
    public void Clear() => _byFingerprint.Clear();

    /// <summary>Number of distinct findings.</summary>
    public int Count => _byFingerprint.Count;

    /// <inheritdoc />
    public IEnumerator<Finding> GetEnumerator()
    {
        foreach (var entry in _byFingerprint.Values) yield return entry.Result();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Entry(Finding origin, int window)
    {
        private int _primaryWindow = window;
        // Merges lock the entry itself: a Lock object per entry was one more allocation per finding (26,731 at 2 GiB).
        private Finding _primary = origin;
        private int _count = 1;
        private List<int>? _lines;

        public Finding Origin { get; } = origin;

        public void Merge(Finding other)
        {
            lock (this)
            {
                if (_count == 1) AddLine(_primary.Location.Line);
                _count++;
                AddLine(other.Location.Line);
                // The finding shown is the most severe occurrence, then the first in the file.
                if (other.Severity > _primary.Severity || other.Severity == _primary.Severity && Before(other.Location, _primary.Location))
                    _primary = other;
            }
        }

        public void MergeWindow(Finding other, int window)
        {
            lock (this)
            {
                bool earlier = other.Severity > _primary.Severity
                    || other.Severity == _primary.Severity && (Before(other.Location, _primary.Location) || !Before(_primary.Location, other.Location) && window < _primaryWindow);
                if (!earlier) return;
                _primary = other;
                _primaryWindow = window;
            }
        }

        /// <summary><see cref="Merge"/> for an occurrence that would not replace the primary finding; false if it would.</summary>
        public bool TryCount(Severity severity, Location location)
        {
            lock (this)
            {
                if (severity > _primary.Severity || severity == _primary.Severity && Before(location, _primary.Location)) return false;
                if (_count == 1) AddLine(_primary.Location.Line);
                _count++;
                AddLine(location.Line);
                return true;
            }
        }

        private void AddLine(int? line)
        {
            if (line is not { } l) return;
            _lines ??= [];
            int at = _lines.BinarySearch(l);
            if (at >= 0) return;
            at = ~at;
            if (at >= MaxListedLines) return;
            _lines.Insert(at, l);
            if (_lines.Count > MaxListedLines) _lines.RemoveAt(_lines.Count - 1);
        }

        private static bool Before(Location a, Location b)
        {
            int c = Nullable.Compare(a.Line, b.Line);
            return c < 0 || c == 0 && Nullable.Compare(a.Column, b.Column) < 0;
        }

        public Finding Result()
        {
            lock (this)
            {
                if (_count == 1) return _primary;
                var properties = new Dictionary<string, string>(_primary.Properties)
                {
                    ["occurrences"] = _count.ToString(CultureInfo.InvariantCulture),
                };
                if (_lines is { Count: > 0 }) properties["lines"] = string.Join(", ", _lines);
                return _primary with { Properties = CompactProperties.From(properties) };
            }
        }
    }
}
