using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Findings;
using Preflight.Tests.Support;

namespace Preflight.Tests.Cli;

/// <summary>
/// The README's generated sections agree with the code: the rule table with <see cref="DetectorRegistry.Rules"/>
/// and the limits table with <see cref="PackageLimits.Default"/>. With <c>PREFLIGHT_UPDATE_README=1</c> the
/// tests rewrite the sections first (then check the file they wrote).
/// </summary>
public partial class ReadmeTests
{
    private const string UpdateVariable = "PREFLIGHT_UPDATE_README";

    private static string ReadmePath => Path.Combine(SharedData.RepositoryRoot, "README.md");

    [Test]
    public void Readme_rule_table_is_the_catalog()
    {
        CheckSection("rules", RenderRuleTable(DetectorRegistry.Rules));
    }

    [Test]
    public void Readme_limits_table_has_the_defaults()
    {
        CheckSection("limits", RenderLimitsTable());
    }

    [Test]
    public void Security_policy_limits_table_has_the_defaults()
    {
        CheckSection("limits", RenderLimitsTable(), Path.Combine(SharedData.RepositoryRoot, "SECURITY.md"));
    }

    [Test]
    public void Readme_rule_table_lists_every_rule_once()
    {
        // The rendering itself: one row per rule, in catalog order, with the cells a reader needs.
        string table = RenderRuleTable(DetectorRegistry.Rules);
        var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();
        rows.Should().HaveCount(DetectorRegistry.Rules.Count);
        foreach (var (row, rule) in rows.Zip(DetectorRegistry.Rules))
            row.Should().StartWith($"| {rule.Id} | `{rule.Name}` | {rule.Detector} | {rule.DefaultSeverity.ToName()} |");
    }

    [Test]
    public void Readme_starts_with_the_two_commands()
    {
        string readme = File.ReadAllText(ReadmePath);
        var firstScreen = string.Join('\n', readme.Split('\n').Take(24));

        firstScreen.Should().Contain("dotnet run --project src/Preflight.Cli -- scan fixtures/dten/Full-upgrade-package-dten.zip");
        firstScreen.Should().Contain("\ndotnet test\n");
    }

    [Test]
    public void Section_replacement_keeps_everything_outside_the_markers()
    {
        string text = "intro\n<!-- x:begin -->\nold\n<!-- x:end -->\noutro\n";

        ReplaceSection(text, "x", "| new |\n").Should().Be("intro\n<!-- x:begin -->\n| new |\n<!-- x:end -->\noutro\n");
    }

    internal static string RenderRuleTable(IEnumerable<RuleDescriptor> rules)
    {
        var sb = new StringBuilder();
        sb.Append("| id | name | detector | severity | summary |\n");
        sb.Append("|---|---|---|---|---|\n");
        foreach (var r in rules)
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Id} | `{r.Name}` | {r.Detector} | {r.DefaultSeverity.ToName()} | {Cell(r.Summary)} |\n");
        return sb.ToString();
    }

    internal static string RenderLimitsTable()
    {
        var docs = LoadDocSummaries(typeof(PackageLimits).Assembly);
        var sb = new StringBuilder();
        sb.Append("| `PackageLimits` property | default | what it bounds |\n");
        sb.Append("|---|---|---|\n");
        foreach (var property in typeof(PackageLimits).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string key = $"P:{typeof(PackageLimits).FullName}.{property.Name}";
            docs.TryGetValue(key, out var summary).Should().BeTrue($"{property.Name} has an XML doc summary");
            string what = DefaultSentence().Replace(summary!, string.Empty).Trim();
            string value = FormatDefault(property.Name, property.GetValue(PackageLimits.Default));
            sb.Append(CultureInfo.InvariantCulture, $"| `{property.Name}` | {value} | {Cell(what)} |\n");
        }
        return sb.ToString();
    }

    private static string FormatDefault(string name, object? value) => value switch
    {
        long or int when name.EndsWith("Bytes", StringComparison.Ordinal) => Bytes(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        int i => i.ToString("N0", CultureInfo.InvariantCulture),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        double d when name.Contains("Ratio", StringComparison.Ordinal) => d.ToString(CultureInfo.InvariantCulture) + ":1",
        double d => d.ToString(CultureInfo.InvariantCulture),
        TimeSpan t when t.TotalMinutes >= 1 && t.Seconds == 0 => t.TotalMinutes.ToString(CultureInfo.InvariantCulture) + " min",
        TimeSpan t => t.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string Bytes(long n)
    {
        foreach (var (unit, size) in new[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
            if (n >= size && n % size == 0) return $"{n / size} {unit}";
        return n.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>Member summaries from the library's XML documentation file, with <c>see cref</c> as code.</summary>
    private static Dictionary<string, string> LoadDocSummaries(Assembly assembly)
    {
        string xmlPath = Path.ChangeExtension(assembly.Location, ".xml");
        File.Exists(xmlPath).Should().BeTrue($"the library's XML docs are built beside it ({xmlPath})");
        var doc = XDocument.Load(xmlPath);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in doc.Descendants("member"))
        {
            var summary = member.Element("summary");
            if (summary is null) continue;
            var text = new StringBuilder();
            foreach (var node in summary.Nodes())
            {
                text.Append(node switch
                {
                    XText t => t.Value,
                    XElement { Name.LocalName: "see" } e => "`" + ((string?)e.Attribute("cref") ?? (string?)e.Attribute("langword") ?? "").Split('.')[^1] + "`",
                    XElement { Name.LocalName: "c" } e => "`" + e.Value + "`",
                    XElement e => e.Value,
                    _ => "",
                });
            }
            result[(string)member.Attribute("name")!] = WhiteSpace().Replace(text.ToString(), " ").Trim();
        }
        return result;
    }

    private static void CheckSection(string name, string generated, string? path = null)
    {
        path ??= ReadmePath;
        string readme = File.ReadAllText(path);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, ReplaceSection(readme, name, generated));
            readme = File.ReadAllText(path);
        }
        ExtractSection(readme, name).Should().Be(generated,
            $"the {Path.GetFileName(path)} {name} section is generated; run {UpdateVariable}=1 dotnet test --filter FullyQualifiedName~Readme to rewrite it");
    }

    internal static string ExtractSection(string text, string name)
    {
        var (start, end) = Markers(text, name);
        return text[start..end].Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    internal static string ReplaceSection(string text, string name, string content)
    {
        var (start, end) = Markers(text, name);
        return string.Concat(text.AsSpan(0, start), content, text.AsSpan(end));
    }

    private static (int Start, int End) Markers(string text, string name)
    {
        string begin = $"<!-- {name}:begin -->\n", end = $"<!-- {name}:end -->";
        int b = text.IndexOf(begin, StringComparison.Ordinal);
        int e = text.IndexOf(end, StringComparison.Ordinal);
        (b >= 0 && e > b).Should().BeTrue($"the README has the markers {begin.Trim()} and {end}");
        return (b + begin.Length, e);
    }

    [GeneratedRegex(@"\s*Default\b[^.]*\.\s*$", RegexOptions.NonBacktracking)]
    private static partial Regex DefaultSentence();

    [GeneratedRegex(@"\s+", RegexOptions.NonBacktracking)]
    private static partial Regex WhiteSpace();
}
