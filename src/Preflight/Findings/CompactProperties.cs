using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Preflight.Findings;

/// <summary>
/// A finding's properties as one array of keys and values sorted by key: a scan keeps tens of thousands of findings
/// until the report is written, and a <see cref="Dictionary{TKey,TValue}"/> of four or five short strings took about
/// three times the memory of the strings' references. Read-only; lookups are a binary search.
/// </summary>
internal sealed class CompactProperties : IReadOnlyDictionary<string, string>
{
    private readonly string[] _pairs; // key0, value0, key1, value1, ... keys in ordinal order, distinct

    private CompactProperties(string[] pairs) => _pairs = pairs;

    /// <summary>The same pairs; the given dictionary is copied, so changing it afterwards changes nothing here.</summary>
    public static IReadOnlyDictionary<string, string> From(IReadOnlyDictionary<string, string> properties)
    {
        if (properties is CompactProperties compact) return compact;
        int n = properties.Count;
        if (n == 0) return Empty;
        var keys = new string[n];
        var values = new string[n];
        int i = 0;
        foreach (var (key, value) in properties)
        {
            keys[i] = key;
            values[i] = value;
            i++;
        }
        Array.Sort(keys, values, StringComparer.Ordinal);
        var pairs = new string[2 * n];
        for (int k = 0; k < n; k++)
        {
            pairs[2 * k] = keys[k];
            pairs[2 * k + 1] = values[k];
        }
        return new CompactProperties(pairs);
    }

    /// <summary>
    /// Properties from keys and values already in order (<c>key0, value0, key1, value1, ...</c>, keys ordinal-ascending and
    /// distinct), taken as they are: no dictionary and no sort for a caller that reports thousands of findings.
    /// </summary>
    public static CompactProperties OfSorted(string[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Length % 2 != 0) throw new ArgumentException("keys and values come in pairs", nameof(pairs));
        for (int k = 2; k < pairs.Length; k += 2)
            if (string.CompareOrdinal(pairs[k - 2], pairs[k]) >= 0) throw new ArgumentException($"key '{pairs[k]}' is out of order", nameof(pairs));
        return pairs.Length == 0 ? Empty : new CompactProperties(pairs);
    }

    /// <summary>No properties.</summary>
    public static CompactProperties Empty { get; } = new([]);

    public int Count => _pairs.Length / 2;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no property '{key}'");

    public IEnumerable<string> Keys
    {
        get
        {
            for (int i = 0; i < _pairs.Length; i += 2) yield return _pairs[i];
        }
    }

    public IEnumerable<string> Values
    {
        get
        {
            for (int i = 1; i < _pairs.Length; i += 2) yield return _pairs[i];
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        int at = IndexOf(key);
        value = at >= 0 ? _pairs[2 * at + 1] : null;
        return at >= 0;
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(_pairs[2 * mid], key);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _pairs.Length; i += 2) yield return new(_pairs[i], _pairs[i + 1]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
