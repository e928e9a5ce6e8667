using Preflight.Tests.Support;

namespace Preflight.Tests.Fixtures;

/// <summary>
/// Where the demo package lives, and its regeneration: with <c>PREFLIGHT_UPDATE_FIXTURES=1</c> the tests rewrite
/// the committed certificates, zip and golden report instead of comparing against them (run the Fixtures tests,
/// review the diff, commit). Without it they only compare.
/// </summary>
internal static class DemoFixture
{
    private static readonly Lazy<bool> Regenerated = new(RegenerateSources, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary><c>fixtures/dten</c>.</summary>
    public static string Folder { get; } = Path.Combine(SharedData.RepositoryRoot, "fixtures", "dten");

    /// <summary><c>fixtures/dten/src</c>, the package's source tree.</summary>
    public static string SourceRoot { get; } = Path.Combine(Folder, "src");

    /// <summary>The committed package.</summary>
    public static string ZipPath { get; } = Path.Combine(Folder, DemoPackageBuilder.PackageFileName);

    /// <summary><c>fixtures/dten/baseline/src</c>: dten 4.2.3, the version installed today in the demo.</summary>
    public static string BaselineSourceRoot { get; } = Path.Combine(Folder, "baseline", "src");

    /// <summary>The committed baseline package.</summary>
    public static string BaselineZipPath { get; } = Path.Combine(Folder, "baseline", BaselineFileName);

    /// <summary>The baseline package's file name.</summary>
    public const string BaselineFileName = "Full-upgrade-package-dten-4.2.3.zip";

    /// <summary>True when the fixtures are to be rewritten rather than compared.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable("PREFLIGHT_UPDATE_FIXTURES") == "1";

    /// <summary>
    /// In update mode, rewrites the generated sources (certificates) and then the zip, once per test run, so
    /// every test that reads them sees the new versions. Does nothing otherwise.
    /// </summary>
    public static void EnsureRegeneratedWhenUpdating()
    {
        if (Updating) _ = Regenerated.Value;
    }

    private static bool RegenerateSources()
    {
        foreach (var (relative, pem) in DemoCertificates.Generate())
        {
            var path = Path.Combine(SourceRoot, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, pem);
        }
        // After every other generated source: the manifest hashes the final bytes of the package's files.
        foreach (var (relative, bytes) in DemoSigning.Generate(SourceRoot))
        {
            var path = Path.Combine(Folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        File.WriteAllBytes(ZipPath, DemoPackageBuilder.Build(SourceRoot));
        File.WriteAllBytes(BaselineZipPath, DemoPackageBuilder.Build(BaselineSourceRoot));
        return true;
    }
}
