using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Preflight.Detectors;
using Preflight.Findings;
using Preflight.Reporting;
using Spectre.Console;

namespace Preflight.Cli;

/// <summary><c>preflight rules</c>: the catalog from <see cref="DetectorRegistry.Rules"/>, as a table or JSON.</summary>
internal static class RulesCommand
{
    private static readonly string[] Formats = ["text", "json"];

    private static readonly CliJsonContext Json = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Help texts quote "zip slip" and `names`; keep them readable. The output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static Command Create(CliConsole console, TextWriter output)
    {
        var format = CliOptions.Choice("--format", "Catalog format.", Formats, "text");
        var command = new Command("rules", "List every rule: id, name, detector, default severity and summary.") { format };
        command.SetAction(parse =>
        {
            string chosen = parse.GetValue(format)!;
            return CliErrors.GuardAsync(console, verbose: false, () =>
            {
                if (chosen == "json") WriteJson(output);
                else if (console.OutIsTerminal) WriteTable(output, console);
                else WriteText(output);
                output.Flush();
                return Task.FromResult(ExitCodes.Passed);
            });
        });
        return command;
    }

    /// <summary>On a terminal: a table with wrapped summaries and coloured severities.</summary>
    private static void WriteTable(TextWriter output, CliConsole console)
    {
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            // NO_COLOR: no escape codes at all (no bold either); the table itself stays.
            Ansi = console.NoColorRequested ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = console.NoColorRequested ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        terminal.Profile.Width = TerminalWidth();
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("ID").AddColumn("Name").AddColumn("Detector").AddColumn("Severity").AddColumn("Summary");
        foreach (var rule in DetectorRegistry.Rules)
        {
            table.AddRow(
                new Text(rule.Id, new Style(decoration: Decoration.Bold)),
                new Text(rule.Name),
                new Text(rule.Detector),
                new Text(rule.DefaultSeverity.ToName(), SeverityStyle(rule.DefaultSeverity)),
                new Text(rule.Summary));
        }
        terminal.Write(table);
        terminal.WriteLine($"{DetectorRegistry.Rules.Count} rules. 'preflight explain <rule>' shows what a rule means and how to fix it, with a bad and a good example.");
    }

    private static Style SeverityStyle(Severity severity) => severity switch
    {
        Severity.Critical => new Style(Color.Red, decoration: Decoration.Bold),
        Severity.High => new Style(Color.Red),
        Severity.Medium => new Style(Color.Yellow),
        Severity.Low => new Style(Color.Blue),
        _ => Style.Plain,
    };

    private static int TerminalWidth()
    {
        try
        {
            return Console.IsOutputRedirected || Console.WindowWidth <= 0 ? 120 : Console.WindowWidth;
        }
        catch (IOException)
        {
            return 120;
        }
    }

    /// <summary>Redirected (a file, a pipe, CI): aligned plain text, one rule per line, for grep and diff.</summary>
    private static void WriteText(TextWriter output)
    {
        var rules = DetectorRegistry.Rules;
        string[] header = ["ID", "NAME", "DETECTOR", "SEVERITY", "SUMMARY"];
        var rows = rules.Select(r => new[] { r.Id, r.Name, r.Detector, r.DefaultSeverity.ToName(), r.Summary }).ToList();
        int[] widths = [.. Enumerable.Range(0, header.Length - 1)
            .Select(i => rows.Select(row => row[i].Length).Append(header[i].Length).Max())];
        void Line(string[] cells)
        {
            for (int i = 0; i < widths.Length; i++)
            {
                output.Write(cells[i].PadRight(widths[i]));
                output.Write("  ");
            }
            output.WriteLine(cells[^1]);
        }
        Line(header);
        foreach (var row in rows) Line(row);
        output.WriteLine();
        output.WriteLine($"{rules.Count} rules. 'preflight explain <rule>' shows what a rule means and how to fix it, with a bad and a good example.");
    }

    private static void WriteJson(TextWriter output)
    {
        var catalog = new RuleCatalogJson(
            ToolInfo.Current.Name,
            ToolInfo.Current.Version,
            [.. DetectorRegistry.Rules.Select(r => new RuleJson(r.Id, r.Name, r.Detector, r.DefaultSeverity.ToName(), r.SecuritySeverity, r.Summary, r.Help))]);
        output.WriteLine(JsonSerializer.Serialize(catalog, Json.RuleCatalogJson));
    }
}

/// <summary>The JSON shape of <c>preflight rules --format json</c>.</summary>
internal sealed record RuleCatalogJson(string Tool, string Version, IReadOnlyList<RuleJson> Rules);

/// <summary>One rule in <see cref="RuleCatalogJson"/>.</summary>
internal sealed record RuleJson(string Id, string Name, string Detector, string DefaultSeverity, string SecuritySeverity, string Summary, string Help);

[JsonSerializable(typeof(RuleCatalogJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
