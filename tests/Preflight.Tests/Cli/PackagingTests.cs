using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Reporting;
using Preflight.Tests.Reporting;
using Preflight.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Preflight.Tests.Cli;

/// <summary>
/// Acceptance 1: <c>dotnet pack -c Release</c> yields the library package, one portable tool package and the
/// MSBuild task package (tested in <see cref="MSBuild.PreflightMSBuildTests"/>), and
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
        string feed = await PackedFeed.GetAsync();
        string tools = work.PathOf("tools");

        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Should()
            .BeEquivalentTo($"Preflight.{version}.nupkg", $"Preflight.Cli.{version}.nupkg", $"Preflight.MSBuild.{version}.nupkg");

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
            // The installed tool runs with the tiering settings the performance figures were measured with
            // (benchmarks/README.md, "Runtime settings"); without them a scan takes nearly twice the CPU.
            using var runtimeConfig = tool.GetEntry("tools/net10.0/any/Preflight.Cli.runtimeconfig.json")!.Open();
            var properties = System.Text.Json.JsonDocument.Parse(runtimeConfig).RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
            properties.GetProperty("System.Runtime.TieredPGO").GetBoolean().Should().BeFalse();
            properties.GetProperty("System.Runtime.TieredCompilation.QuickJitForLoops").GetBoolean().Should().BeFalse();
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

    /// <summary>
    /// Acceptance 3: the GitHub Actions recipe's own <c>run:</c> commands that install and run preflight, run by
    /// bash with the recipe's <c>env</c>, install the tool from the packed folder (the <c>--add-source</c> its
    /// comment names) and write a SARIF file that passes the SARIF 2.1.0 schema.
    /// </summary>
    [Test]
    [Category(SharedData.Category)]
    public async Task GitHub_Actions_recipe_commands_install_the_packed_tool_and_write_sarif_that_passes_the_schema()
    {
        var schema = await SarifSchema.LoadAsync();
        string feed = await PackedFeed.GetAsync();
        using var work = new Workspace();
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(SharedData.RepositoryRoot, "docs", "ci", "github-actions.yml"))) yaml.Load(reader);
        var workflow = (YamlMappingNode)yaml.Documents[0].RootNode;
        var env = ((YamlMappingNode)workflow["env"]).ToDictionary(e => e.Key.ToString(), e => e.Value.ToString());
        env["PREFLIGHT_VERSION"].Should().Be(ToolInfo.Current.Version, "the recipe pins the version this repository packs");
        var steps = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)workflow["jobs"])["scan"])["steps"])
            .Cast<YamlMappingNode>()
            .Where(step => step.Children.ContainsKey("run"))
            .Select(step => step["run"].ToString())
            .Where(run => run.Contains("preflight", StringComparison.OrdinalIgnoreCase))
            .ToList();
        steps.Should().HaveCount(2, "the recipe installs the tool, then scans");

        await File.WriteAllTextAsync(work.PathOf("nuget.config"), """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
              </packageSources>
            </configuration>
            """);
        env["PACKAGE"] = work.TarWithShadowLink();
        var install = await BashAsync(work, env, steps[0] + $" --add-source '{feed}' --configfile nuget.config");
        install.ExitCode.Should().Be(0, install.ToString());
        var scan = await BashAsync(work, env, steps[1]);
        scan.ExitCode.Should().Be(1, $"the shadow link is high and the recipe fails on high\n{scan}");

        string sarif = await File.ReadAllTextAsync(work.PathOf("preflight.sarif"));
        var errors = schema.Validate(sarif);
        errors.Should().BeEmpty(string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
        JsonNode.Parse(sarif)!["runs"]![0]!["results"]!.AsArray().Should().Contain(r => (string)r!["ruleId"]! == "PF006");
    }

    private static Task<CliResult> BashAsync(Workspace work, Dictionary<string, string> env, string command)
    {
        var start = DotnetChild.Start("bash", work.Root.FullName, ["-eo", "pipefail", "-c", command]);
        foreach (var (name, value) in env) start.Environment[name] = value;
        start.Environment["NUGET_PACKAGES"] = work.PathOf("nuget-packages");
        return CliHarness.RunToEndAsync(start, TimeSpan.FromMinutes(3));
    }

    private static Task<CliResult> DotnetAsync(string workingDirectory, Workspace work, bool privateCache, params string[] args) =>
        DotnetChild.DotnetAsync(workingDirectory, privateCache ? work.PathOf("nuget-packages") : null, Slow, args);

    private static Task<CliResult> ToolAsync(string tool, Workspace work, params string[] args) =>
        CliHarness.RunToEndAsync(DotnetChild.Start(tool, work.Root.FullName, args), TimeSpan.FromMinutes(2));
}
