using System.Globalization;

namespace Preflight.Benchmarks.Generation;

/// <summary>The kinds of entry a synthetic package holds.</summary>
internal enum EntryCategory
{
    Config,
    Script,
    Sql,
    Log,
    Binary,
    Assembly,
    Nested,
}

/// <summary>
/// The share of the package's (uncompressed) bytes each category gets, e.g.
/// <c>config=3,script=2,sql=4,log=33,binary=25,assembly=15,nested=18</c>. Shares are relative weights; they need
/// not add up to 100. A category left out gets none.
/// </summary>
internal sealed class PackageMix
{
    /// <summary>The default mix: mostly logs, binaries, assemblies and nested archives by bytes; many small configs and scripts by count.</summary>
    public const string DefaultText = "config=3,script=2,sql=4,log=33,binary=25,assembly=15,nested=18";

    private PackageMix(IReadOnlyDictionary<EntryCategory, double> shares) => Shares = shares;

    /// <summary>Normalised shares (they add up to 1).</summary>
    public IReadOnlyDictionary<EntryCategory, double> Shares { get; }

    public static PackageMix Default { get; } = Parse(DefaultText);

    public static PackageMix Parse(string text)
    {
        var raw = new SortedDictionary<EntryCategory, double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !Enum.TryParse<EntryCategory>(pair[0], ignoreCase: true, out var category) ||
                !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || weight < 0)
                throw new FormatException($"--mix: '{part}' is not category=weight (categories: {string.Join(", ", Enum.GetNames<EntryCategory>()).ToLowerInvariant()})");
            raw[category] = weight;
        }
        double total = raw.Values.Sum();
        if (total <= 0) throw new FormatException("--mix: at least one category needs a positive weight");
        return new PackageMix(raw.Where(p => p.Value > 0).ToDictionary(p => p.Key, p => p.Value / total));
    }

    public override string ToString() =>
        string.Join(",", Shares.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key.ToString().ToLowerInvariant()}={p.Value * 100:0.#}")));
}
