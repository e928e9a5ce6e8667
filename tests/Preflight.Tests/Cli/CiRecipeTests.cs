using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Preflight.Tests.Cli;

/// <summary>
/// The CI recipes in docs/ci are valid YAML, run only options the CLI accepts, and their scan command, run as
/// written (with the package and output swapped for test files), writes a SARIF file.
/// </summary>
public class CiRecipeTests
{
    private static readonly string[] Recipes = ["github-actions.yml", "azure-pipelines.yml", "gitlab-ci.yml"];

    private static readonly Regex PreflightCommand = new(@"(?:^|[\s/])preflight\s+(scan|suppress|explain|rules)\b([^;&|\n]*)",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex Flag = new(@"(?<=^|\s)--[a-z][a-z-]*", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static string PathOf(string recipe) => Path.Combine(SharedData.RepositoryRoot, "docs", "ci", recipe);

    /// <summary>Every scalar of the YAML document (keys and values), which is where the commands are.</summary>
    private static List<string> Scalars(string recipe)
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(PathOf(recipe)))) yaml.Load(reader);
        var scalars = new List<string>();
        var pending = new Stack<YamlNode>(yaml.Documents.Select(d => d.RootNode));
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case YamlScalarNode s when s.Value is not null: scalars.Add(s.Value); break;
                case YamlSequenceNode seq: foreach (var n in seq) pending.Push(n); break;
                case YamlMappingNode map: foreach (var (k, v) in map) { pending.Push(k); pending.Push(v); } break;
            }
        }
        return scalars;
    }

    /// <summary>The preflight commands a recipe runs: (subcommand, arguments as written).</summary>
    private static List<(string Command, string Arguments)> Commands(string recipe) =>
        [.. Scalars(recipe).SelectMany(s => PreflightCommand.Matches(s.Replace("\\\n", " ", StringComparison.Ordinal)))
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value.Trim()))];

    [TestCaseSource(nameof(Recipes))]
    public async Task Recipe_runs_a_sarif_scan_using_only_options_the_cli_accepts(string recipe)
    {
        var commands = Commands(recipe);

        commands.Should().Contain(c => c.Command == "scan", $"{recipe} must run preflight scan");
        foreach (var (command, arguments) in commands)
        {
            var help = await CliHarness.RunAsync(command, "--help");
            help.ExitCode.Should().Be(0);
            foreach (Match flag in Flag.Matches(arguments))
                help.Stdout.Should().MatchRegex($@"(?m)^\s+{Regex.Escape(flag.Value)}[\s,]", $"{recipe} runs 'preflight {command} {flag.Value}'");
        }
        var scan = commands.First(c => c.Command == "scan").Arguments;
        scan.Should().MatchRegex(@"--format\s+sarif\b").And.MatchRegex(@"--output\s+\S+");
    }

    [TestCaseSource(nameof(Recipes))]
    public void Recipe_installs_the_tool_package_that_provides_the_preflight_command(string recipe)
    {
        var installs = Scalars(recipe).Where(s => s.Contains("dotnet tool install", StringComparison.Ordinal)).ToList();

        installs.Should().ContainSingle().Which.Should().Contain(" Preflight.Cli ");
        string csproj = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "src", "Preflight.Cli", "Preflight.Cli.csproj"));
        csproj.Should().Contain("<PackageId>Preflight.Cli</PackageId>").And.Contain("<ToolCommandName>preflight</ToolCommandName>");
    }

    [TestCaseSource(nameof(Recipes))]
    public async Task Recipe_scan_command_as_written_writes_sarif_and_fails_on_a_high_finding(string recipe)
    {
        using var ws = new Workspace();
        string package = ws.TarWithShadowLink();
        string sarif = ws.PathOf("preflight.sarif");
        var tokens = Commands(recipe).First(c => c.Command == "scan").Arguments
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        // The package is the first word that is no option or option value; the output goes to the workspace.
        tokens[0].Should().Contain("PACKAGE", "the recipes scan the package named by the PACKAGE variable");
        tokens[0] = package;
        tokens[tokens.IndexOf("--output") + 1] = sarif;

        var run = await CliHarness.RunAsync(["scan", "--as-of", "2026-11-27", .. tokens]);

        run.ExitCode.Should().Be(1, $"the shadow link is high and the recipe fails on high\n{run}");
        var log = JsonNode.Parse(await File.ReadAllTextAsync(sarif))!;
        ((string)log["version"]!).Should().Be("2.1.0");
        log["runs"]![0]!["results"]!.AsArray().Should().NotBeEmpty();
    }

    [Test]
    public void Ci_readme_links_every_recipe_and_the_main_readme_links_it()
    {
        string readme = File.ReadAllText(PathOf("README.md"));
        foreach (var recipe in Recipes) readme.Should().Contain($"({recipe})");
        File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md")).Should().Contain("(docs/ci/README.md)");
    }
}
