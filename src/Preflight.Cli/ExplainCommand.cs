using System.CommandLine;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Cli;

/// <summary><c>preflight explain &lt;rule&gt;</c>: one rule's summary and help, by id or name.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliConsole console, TextWriter output)
    {
        var rule = new Argument<string>("rule") { Description = "A rule id (PF003) or name (path-traversal)." };
        var command = new Command("explain", "Explain a rule: what it finds, why it matters, how to fix it, with a bad and a good example.") { rule };
        command.SetAction(parse =>
        {
            string given = parse.GetValue(rule)!;
            return CliErrors.GuardAsync(console, verbose: false, () =>
            {
                var descriptor = DetectorRegistry.FindRule(given.Trim())
                    ?? throw new UsageException($"unknown rule '{given}'; 'preflight rules' lists them");
                output.WriteLine($"{descriptor.Id} {descriptor.Name}");
                output.WriteLine($"detector: {descriptor.Detector}, default severity: {descriptor.DefaultSeverity.ToName()}");
                output.WriteLine();
                output.WriteLine(descriptor.Summary);
                output.WriteLine();
                output.WriteLine(descriptor.Help);
                if (RuleExamples.For(descriptor.Id) is { } example)
                {
                    output.WriteLine();
                    output.WriteLine("Bad (reported):");
                    WriteIndented(output, example.Bad);
                    output.WriteLine();
                    output.WriteLine("Good:");
                    WriteIndented(output, example.Good);
                }
                output.Flush();
                return Task.FromResult(ExitCodes.Passed);
            });
        });
        return command;
    }

    private static void WriteIndented(TextWriter output, string text)
    {
        foreach (var line in text.Split('\n')) output.WriteLine("    " + line);
    }
}
