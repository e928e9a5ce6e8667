using FluentAssertions;
using Preflight.Tests.Support;

namespace Preflight.Tests.Cli;

/// <summary>
/// The README's pack command (<c>dotnet pack -c Release -o feed</c> at the repository root), run once per test
/// run and shared by the packaging, recipe and MSBuild tests: a Release build of everything is the slow part.
/// The folder is deleted when the test process exits.
/// </summary>
internal static class PackedFeed
{
    private static readonly Lazy<Task<string>> Feed = new(PackAsync);

    /// <summary>The folder holding the packed .nupkg files.</summary>
    public static Task<string> GetAsync() => Feed.Value;

    private static async Task<string> PackAsync()
    {
        var root = Directory.CreateTempSubdirectory("pf-feed-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { root.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        string feed = Path.Combine(root.FullName, "feed");
        var pack = await DotnetChild.DotnetAsync(SharedData.RepositoryRoot, packageCache: null, TimeSpan.FromMinutes(10),
            "pack", "-c", "Release", "-o", feed, "-nodeReuse:false", "--disable-build-servers");
        pack.ExitCode.Should().Be(0, pack.ToString());
        return feed;
    }
}
