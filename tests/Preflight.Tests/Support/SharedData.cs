using NUnit.Framework;

namespace Preflight.Tests.Support;

/// <summary>
/// Locates <c>../shared/data</c> (beside the checkout). Tests that need it carry
/// <c>[Category("Conformance")]</c> and call <see cref="Require"/>: where the folder is absent (a user's fresh
/// clone) the test is ignored with the reason; where <c>PREFLIGHT_REQUIRE_CONFORMANCE=1</c> (CI) it fails instead.
/// </summary>
public static class SharedData
{
    /// <summary>The NUnit category of tests that need the shared data.</summary>
    public const string Category = "Conformance";

    /// <summary>The repository root (the folder holding Preflight.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The shared data folder, whether or not it exists.</summary>
    public static string Folder { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    /// <summary>The full path of <paramref name="relative"/> under the shared data folder; ignores or fails the test when it is missing.</summary>
    public static string Require(string relative)
    {
        var path = Path.Combine(Folder, relative);
        if (File.Exists(path) || Directory.Exists(path)) return path;
        string reason = $"shared conformance data not found at {path} (it lives beside the checkout in ../shared/data)";
        if (Environment.GetEnvironmentVariable("PREFLIGHT_REQUIRE_CONFORMANCE") == "1")
            Assert.Fail(reason);
        Assert.Ignore(reason);
        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Preflight.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Preflight.sln not found above the test directory");
    }
}
