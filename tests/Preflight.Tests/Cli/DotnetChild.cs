using System.Diagnostics;

namespace Preflight.Tests.Cli;

/// <summary>
/// Child processes of real tools (<c>dotnet pack</c>, <c>dotnet tool install</c>, an installed tool) with a plain
/// developer environment: the test host's MSBuild and test-platform variables would steer a child build.
/// </summary>
internal static class DotnetChild
{
    public static ProcessStartInfo Start(string fileName, string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) && !name.Equals("MSBUILDDISABLENODEREUSE", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // An installed tool's launcher finds the runtime of the SDK running the tests.
        if (string.IsNullOrEmpty(start.Environment.TryGetValue("DOTNET_ROOT", out var root) ? root : null)
            && CliHarness.DotnetHost is { } host && Path.IsPathRooted(host))
        {
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(ResolveLink(host)));
        }
        start.Environment.Remove("NO_COLOR");
        return start;
    }

    /// <summary>Runs <c>dotnet args</c> in <paramref name="workingDirectory"/>; with a package cache of its own when given.</summary>
    public static Task<CliResult> DotnetAsync(string workingDirectory, string? packageCache, TimeSpan timeout, params string[] args)
    {
        var start = Start(CliHarness.DotnetHost, workingDirectory, args);
        if (packageCache is not null) start.Environment["NUGET_PACKAGES"] = packageCache;
        return CliHarness.RunToEndAsync(start, timeout);
    }

    private static string ResolveLink(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
}
