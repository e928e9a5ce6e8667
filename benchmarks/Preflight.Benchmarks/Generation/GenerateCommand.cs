using System.Diagnostics;
using System.Globalization;

namespace Preflight.Benchmarks.Generation;

/// <summary>
/// <c>generate --size 300MiB --out pkg.zip [--seed N] [--mix config=3,script=2,...]</c>: writes a deterministic
/// synthetic package. <c>--size</c> is the total of the entries' uncompressed bytes (nested archives count with
/// their inner bytes); the file is smaller. <c>--entry-size</c> gives every entry one size (to compare many small
/// files with few large ones). An output ending in <c>.tar.gz</c> or <c>.tgz</c> gives a tar.gz.
/// </summary>
internal static class GenerateCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        string? size = null, output = null, mix = null, entrySize = null;
        int seed = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--size": size = Next(); break;
                case "--out": output = Next(); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--mix": mix = Next(); break;
                case "--entry-size": entrySize = Next(); break;
                default:
                    Console.Error.WriteLine($"generate: unknown option {args[i]}");
                    return Task.FromResult(Usage());
            }
        }
        if (size is null || output is null) return Task.FromResult(Usage());

        long bytes = ParseSize(size);
        var packageMix = mix is null ? PackageMix.Default : PackageMix.Parse(mix);
        var clock = Stopwatch.StartNew();
        int? fixedSize = entrySize is null ? null : (int)Math.Min(int.MaxValue, ParseSize(entrySize));
        var package = SyntheticPackage.Generate(output, bytes, seed, packageMix, fixedSize);
        clock.Stop();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {package.Path}: {package.FileBytes / 1048576.0:0.0} MiB file, {package.ContentBytes / 1048576.0:0.0} MiB of content in {package.Entries} top-level entries (seed {seed}, mix {packageMix}) in {clock.Elapsed.TotalSeconds:0.0} s"));
        foreach (var (category, (entries, total)) in package.ByCategory.OrderBy(p => p.Key))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {category.ToString().ToLowerInvariant(),-9} {entries,6} entries {total / 1048576.0,9:0.0} MiB"));
        return Task.FromResult(0);
    }

    /// <summary>Parses <c>300MiB</c>, <c>1.5GiB</c>, <c>512KiB</c>, <c>20MB</c> or a plain byte count.</summary>
    public static long ParseSize(string text)
    {
        (string Suffix, double Factor)[] units =
        [
            ("KiB", 1024d), ("MiB", 1024d * 1024), ("GiB", 1024d * 1024 * 1024),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("B", 1),
        ];
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0)
                return (long)(value * factor);
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long plain) && plain > 0
            ? plain
            : throw new FormatException($"--size: '{text}' is not a size such as 300MiB");
    }

    private static int Usage()
    {
        Console.Error.WriteLine($"usage: generate --size 300MiB --out pkg.zip|pkg.tar.gz [--seed N] [--mix {PackageMix.DefaultText}] [--entry-size 3KiB]");
        return 2;
    }
}
