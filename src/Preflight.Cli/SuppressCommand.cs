using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Preflight.Findings;
using Preflight.Reporting;

namespace Preflight.Cli;

/// <summary>
/// <c>preflight suppress &lt;report.json&gt; --reason "…"</c>: accepts the current findings on purpose by writing one
/// suppression per unsuppressed finding (by fingerprint) into a suppressions file, merging with the entries
/// already there and never writing a fingerprint twice.
/// </summary>
internal static class SuppressCommand
{
    public static Command Create(CliConsole console, TextWriter output)
    {
        var report = new Argument<string>("report") { Description = "A JSON report written by 'preflight scan --format json'." };
        var reason = new Option<string?>("--reason")
        {
            Description = "Why these findings are accepted (mandatory; stored with every entry and shown in reports).",
            HelpName = "text",
        };
        var expires = new Option<string?>("--expires")
        {
            Description = "The entries stop suppressing after this day (yyyy-mm-dd, UTC); the report then says so.",
            HelpName = "date",
        };
        var file = new Option<string?>("--output")
        {
            Description = $"The suppressions file to write or merge into (default: {SuppressionSet.DefaultFileName} in the current folder).",
            HelpName = "file",
        };
        var command = new Command("suppress", "Write suppressions for the unsuppressed findings of a JSON report.") { report, reason, expires, file };
        command.SetAction(parse => CliErrors.GuardAsync(console, verbose: false, () =>
            Task.FromResult(Run(parse.GetValue(report)!, parse.GetValue(reason), parse.GetValue(expires), parse.GetValue(file), output))));
        return command;
    }

    private static int Run(string reportPath, string? reason, string? expires, string? outputPath, TextWriter output)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new UsageException("--reason is required: say why these findings are accepted (preflight suppress report.json --reason \"...\")");
        if (expires is not null && !DateOnly.TryParseExact(expires, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new UsageException($"--expires must be a date like 2027-01-31, not '{expires}'");
        if (!File.Exists(reportPath)) throw new UsageException($"{reportPath}: the report does not exist");

        ScanReport scan;
        using (var stream = File.OpenRead(reportPath))
        {
            try
            {
                scan = ScanReportJson.Read(stream);
            }
            catch (InvalidDataException ex)
            {
                throw new UsageException($"{reportPath}: {ex.Message}");
            }
        }

        string target = outputPath ?? SuppressionSet.DefaultFileName;
        JsonObject root;
        var known = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(target))
        {
            // Validate first: a broken file is reported with the offending key, not overwritten.
            var existing = SuppressionSet.Load(target);
            foreach (var entry in existing.Entries)
                if (entry.Fingerprint is not null) known.Add(entry.Fingerprint);
            root = JsonNode.Parse(File.ReadAllText(target), documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            })!.AsObject();
        }
        else
        {
            root = new JsonObject();
        }
        if (root["suppressions"] is not JsonArray list)
        {
            list = [];
            root["suppressions"] = list;
        }

        int added = 0, skipped = 0;
        foreach (var finding in scan.Findings)
        {
            if (finding.Suppressed) continue;
            if (!known.Add(finding.Fingerprint)) { skipped++; continue; }
            var entry = new JsonObject
            {
                ["fingerprint"] = finding.Fingerprint,
                ["reason"] = reason.Trim(),
            };
            if (expires is not null) entry["expires"] = expires;
            list.Add((JsonNode)entry); // the node overload: the generic one needs run-time code generation (a native build has none)
            added++;
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(target));
        if (folder is not null && !Directory.Exists(folder)) throw new UsageException($"--output {target}: the folder does not exist");
        string json = root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        File.WriteAllText(target, json.ReplaceLineEndings("\n"));
        output.WriteLine($"preflight: {target}: {added} {(added == 1 ? "suppression" : "suppressions")} added, {skipped} already there, {list.Count} in all");
        output.Flush();
        return ExitCodes.Passed;
    }
}
