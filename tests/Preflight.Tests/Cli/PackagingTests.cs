using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Reporting;
using Preflight.Tests.Support;

namespace Preflight.Tests.Cli;

/// <summary>
/// Acceptance 1: <c>dotnet pack -c Release</c> yields the library package and one portable tool package, and
/// the tool installed from it with <c>dotnet tool install --tool-path … --add-source …</c> works. Slow (a Release
/// build), so it has its own category, but it runs in the normal <c>dotnet test</c>. No network: the install
/// sees only the folder the packages were written to, and a private package cache.
/// </summary>
[Category("Packaging")]
public class PackagingTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(10);

    [Test]
    public async Task Pack_yields_the_library_and_one_portable_tool_package_that_installs_and_scans()
    {
        string version = ToolInfo.Current.Version;
        using var work = new Workspace();
        string feed = work.PathOf("feed");
        string tools = work.PathOf("tools");

        // The README's command, run at the repository root.
        var pack = await DotnetAsync(SharedData.RepositoryRoot, work, privateCache: false, "pack", "-c", "Release", "-o", feed);
        pack.ExitCode.Should().Be(0, pack.ToString());

        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Should()
            .BeEquivalentTo($"Preflight.{version}.nupkg", $"Preflight.Cli.{version}.nupkg");

        using (var library = ZipFile.OpenRead(Path.Combine(feed, $"Preflight.{version}.nupkg")))
        {
            library.Entries.Select(e => e.FullName).Should().Contain(
                ["README.md", "LICENSE", "lib/net10.0/Preflight.dll", "lib/net10.0/Preflight.xml"]);
        }
        using (var tool = ZipFile.OpenRead(Path.Combine(feed, $"Preflight.Cli.{version}.nupkg")))
        {
            var names = tool.Entries.Select(e => e.FullName).ToList();
            names.Where(n => n.StartsWith("tools/", StringComparison.Ordinal)).Should()
                .OnlyContain(n => n.StartsWith("tools/net10.0/any/", StringComparison.Ordinal), "one portable package, no runtime-specific builds");
            using var settings = tool.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open();
            XDocument.Load(settings).Descendants("Command").Should().ContainSingle()
                .Which.Attribute("Name")!.Value.Should().Be("preflight");
        }

        // Only the packed folder as a source (the configuration clears the others), and a private package
        // cache so a stale copy of the same version cannot stand in for the one just packed.
        string config = work.PathOf("nuget.config");
        await File.WriteAllTextAsync(config, """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
              </packageSources>
            </configuration>
            """);
        var install = await DotnetAsync(work.Root.FullName, work, privateCache: true, "tool", "install", "--tool-path", tools,
            "--configfile", config, "--add-source", feed, "Preflight.Cli", "--version", version);
        install.ExitCode.Should().Be(0, install.ToString());

        string preflight = Path.Combine(tools, OperatingSystem.IsWindows() ? "preflight.exe" : "preflight");
        var printed = await ToolAsync(preflight, work, "--version");
        printed.ExitCode.Should().Be(0, printed.ToString());
        printed.Stdout.Trim().Should().Be(version);

        var scan = await ToolAsync(preflight, work, "scan", work.TarWithShadowLink(), "--format", "json", "--as-of", "2026-11-27");
        scan.ExitCode.Should().Be(1, scan.ToString());
        CliReportTests.RuleIds(scan.Stdout).Should().Equal("PF006");

        var missing = await ToolAsync(preflight, work, "scan", work.PathOf("absent.zip"));
        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.StderrLines.Should().ContainSingle().Which.Should().StartWith("preflight: error: ");
    }

    private static Task<CliResult> DotnetAsync(string workingDirectory, Workspace work, bool privateCache, params string[] args)
    {
        var start = Start(CliHarness.DotnetHost, workingDirectory, args);
        if (privateCache) start.Environment["NUGET_PACKAGES"] = work.PathOf("nuget-packages");
        return CliHarness.RunToEndAsync(start, Slow);
    }

    private static Task<CliResult> ToolAsync(string tool, Workspace work, params string[] args) =>
        CliHarness.RunToEndAsync(Start(tool, work.Root.FullName, args), TimeSpan.FromMinutes(2));

    private static ProcessStartInfo Start(string fileName, string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild and test-platform variables would steer the child build; the child gets a
        // plain developer environment.
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
        // The installed tool's launcher finds the runtime of the SDK running the tests.
        if (string.IsNullOrEmpty(start.Environment.TryGetValue("DOTNET_ROOT", out var root) ? root : null)
            && CliHarness.DotnetHost is { } host && Path.IsPathRooted(host))
        {
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(ResolveLink(host)));
        }
        start.Environment.Remove("NO_COLOR");
        return start;
    }

    private static string ResolveLink(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
}
