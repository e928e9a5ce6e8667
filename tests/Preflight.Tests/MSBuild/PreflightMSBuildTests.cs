using System.IO.Compression;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Reporting;
using Preflight.Tests.Cli;

namespace Preflight.Tests.MSBuild;

/// <summary>
/// Acceptance 1 and 2 of the pipeline issue: Preflight.MSBuild, packed from this repository into a local folder,
/// is referenced by a small project made here; <c>dotnet pack</c> of that project with <c>PreflightScan=true</c>
/// fails on a planted high finding with a canonical MSBuild error, passes once it is suppressed with a reason,
/// and fails again when the suppression has expired, saying so. The restore sees only the local feed and a
/// private package cache (no network, no stale copy of the same version).
/// </summary>
[Category("Packaging")]
public class PreflightMSBuildTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(5);

    // An AWS access key id shape that is not one of the documented examples: a high PF301 finding.
    private const string PlantedKey = "AKIAQ3EGRZJ7VXK5TW2N";

    private Workspace _work = null!;
    private string _feed = null!;
    private string _cache = null!;

    [OneTimeSetUp]
    public async Task Pack_the_msbuild_package_into_a_local_feed()
    {
        _work = new Workspace();
        _cache = _work.PathOf("nuget-packages");
        // The repository's own pack command, shared with the packaging tests.
        _feed = await PackedFeed.GetAsync();
    }

    [OneTimeTearDown]
    public void Remove_the_workspace() => _work?.Dispose();

    [Test]
    public void Package_holds_the_targets_and_the_task_with_its_libraries_and_no_dependencies()
    {
        using var package = ZipFile.OpenRead(Path.Combine(_feed, $"Preflight.MSBuild.{ToolInfo.Current.Version}.nupkg"));
        var names = package.Entries.Select(e => e.FullName).ToList();

        names.Should().Contain(["build/Preflight.MSBuild.props", "build/Preflight.MSBuild.targets",
            "tasks/net10.0/Preflight.MSBuild.dll", "tasks/net10.0/Preflight.dll", "tasks/net10.0/ICSharpCode.SharpZipLib.dll"]);
        names.Should().NotContain(n => n.StartsWith("lib/", StringComparison.Ordinal), "a consuming project gets no assembly reference");
        names.Should().NotContain(n => n.Contains("Microsoft.Build", StringComparison.Ordinal), "MSBuild provides its own assemblies");
        using var nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string text = nuspec.ReadToEnd();
        text.Should().NotContain("<dependencies").And.Contain("<developmentDependency>true</developmentDependency>");
    }

    [Test]
    public async Task Pack_fails_with_a_canonical_msbuild_error_on_a_planted_high_finding()
    {
        string project = CreateProject("planted");

        var pack = await PackAsync(project);

        pack.ExitCode.Should().NotBe(0, pack.ToString());
        pack.Stdout.Should().MatchRegex(@"(?m)^\s*content/config/app\.ini\(3,\d+\): error PF301: AWS access key id ", pack.ToString());
        pack.Stdout.Should().NotContain(PlantedKey, "the key is redacted in the build output");
        pack.Stdout.Should().Contain("fail-on high: failed");
    }

    [Test]
    public async Task Pack_passes_when_the_finding_is_suppressed_with_a_reason()
    {
        string project = CreateProject("suppressed");
        await File.WriteAllTextAsync(Path.Combine(project, "preflight-suppressions.json"), """
            {
              "suppressions": [
                { "ruleId": "PF301", "path": "content/config/app.ini", "reason": "test account without permissions, rotated weekly" }
              ]
            }
            """);

        var pack = await PackAsync(project);

        pack.ExitCode.Should().Be(0, pack.ToString());
        pack.Stdout.Should().NotContain("error PF301").And.Contain("1 suppressed; fail-on high: passed");
    }

    [Test]
    public async Task Pack_fails_again_when_the_suppression_has_expired_and_says_so()
    {
        string project = CreateProject("expired");
        await File.WriteAllTextAsync(Path.Combine(project, "preflight-suppressions.json"), """
            {
              "suppressions": [
                { "ruleId": "PF301", "path": "content/config/app.ini", "reason": "until the key is rotated", "expires": "2026-06-30" }
              ]
            }
            """);

        var pack = await PackAsync(project, "-p:PreflightAsOf=2026-11-27");

        pack.ExitCode.Should().NotBe(0, pack.ToString());
        pack.Stdout.Should().MatchRegex(@"(?m)^\s*content/config/app\.ini\(3,\d+\): error PF301: ", pack.ToString());
        pack.Stdout.Should().MatchRegex(@"preflight-suppressions\.json ?: warning PREFLIGHT: suppression #1 PF301 content/config/app\.ini expired on 2026-06-30 \(reason was: until the key is rotated\)");
    }

    [Test]
    public async Task Fail_on_critical_turns_the_high_finding_into_a_warning()
    {
        string project = CreateProject("critical");

        var pack = await PackAsync(project, "-p:PreflightFailOn=critical");

        pack.ExitCode.Should().Be(0, pack.ToString());
        pack.Stdout.Should().MatchRegex(@"(?m)^\s*content/config/app\.ini\(3,\d+\): warning PF301: ");
    }

    [Test]
    public async Task Without_PreflightScan_pack_does_not_scan()
    {
        string project = CreateProject("off", scan: false);

        var pack = await PackAsync(project);

        pack.ExitCode.Should().Be(0, pack.ToString());
        pack.Stdout.Should().NotContain("PF301").And.NotContain("Preflight:");
    }

    /// <summary>A class library whose package carries a config file with an AWS access key id.</summary>
    private string CreateProject(string name, bool scan = true)
    {
        string folder = _work.PathOf(name);
        Directory.CreateDirectory(Path.Combine(folder, "config"));
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="preflight-local" value="{_feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Acme.App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>Acme.App</PackageId>
                <Version>1.0.0</Version>
                <PreflightScan>{(scan ? "true" : "false")}</PreflightScan>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Preflight.MSBuild" Version="{ToolInfo.Current.Version}" PrivateAssets="all" />
                <None Include="config/app.ini" Pack="true" PackagePath="content/config/" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "App.cs"), "namespace Acme;\n\npublic static class App\n{\n    public static int Answer => 42;\n}\n");
        File.WriteAllText(Path.Combine(folder, "config", "app.ini"), $"[aws]\nregion = eu-west-1\naws_access_key_id = {PlantedKey}\n");
        return folder;
    }

    private Task<CliResult> PackAsync(string project, params string[] properties) =>
        DotnetChild.DotnetAsync(project, _cache, Slow, ["pack", "-c", "Release", "-nodeReuse:false", "--disable-build-servers", .. properties]);
}
