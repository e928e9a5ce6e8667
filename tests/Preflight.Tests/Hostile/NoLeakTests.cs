using System.Text;
using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;
using Preflight.Tests.Packages;
using Preflight.Tests.Support;

namespace Preflight.Tests.Hostile;

/// <summary>
/// Issue 10, the no-leak guarantee: every kind of secret the credentials detector knows is generated and planted
/// in one package — in its own sample file, and again where other detectors quote what they read (a cron command,
/// a systemd ExecStart, a migration, a URL in a script, a CronJob's arguments, a malformed task file, a broken
/// configuration file). The real CLI then writes every report format and its verbose log, and fails on a broken
/// configuration with an error message. No output may hold any full secret.
/// </summary>
[NonParallelizable]
public class NoLeakTests
{
    private static readonly string[] Formats = ["json", "sarif", "text", "markdown"];

    [Test]
    public void No_output_of_any_format_log_or_error_holds_a_full_secret() => NoOutputHoldsASecret(native: null);

    /// <summary>
    /// The same in the native build, where the last step — masking secrets in the inventory's records — reads their
    /// properties by reflection, which trimming can break.
    /// </summary>
    [Test]
    [Category(NativeCli.Category)]
    public void No_output_of_the_native_build_holds_a_full_secret() => NoOutputHoldsASecret(NativeCli.Require());

    private static void NoOutputHoldsASecret(string? native)
    {
        var random = new Random(4242);
        var zip = new RawZip();
        var secrets = new List<string>();
        int n = 0;
        foreach (var (rule, positives, _) in RuleSamples.All)
        {
            foreach (var sample in positives(random))
            {
                n++;
                string folder = $"samples/{rule.Id}/{n}";
                string name = sample.Path[(sample.Path.LastIndexOf('/') + 1)..];
                zip.Add($"{folder}/{name}", sample.Bytes ?? Encoding.UTF8.GetBytes(sample.Text));
                if (sample.Secret is not { Length: >= 8 } secret) continue;
                secrets.Add(secret);
                if (secret.Contains('\n', StringComparison.Ordinal) || secret.Contains('\'', StringComparison.Ordinal) || secret.Contains('"', StringComparison.Ordinal)) continue;
                // The same secret where other detectors quote what they read.
                zip.Add($"etc/cron.d/leak-{n}", Utf8($"*/5 * * * * root /usr/bin/curl -H 'Authorization: Bearer {secret}' https://api.example.com/sync\n"));
                zip.Add($"lib/systemd/system/leak-{n}.service", Utf8($"[Unit]\nDescription=leak {n}\nRequires=leak-missing-{n}.service\n[Service]\nExecStart=/opt/app/bin/agent --password={secret}\n"));
                zip.Add($"db/migration/V{n}__leak.sql", Utf8($"ALTER ROLE app_{n} PASSWORD '{secret}';\nCREATE INDEX idx_{n} ON orders (id);\n"));
                zip.Add($"opt/app/bin/fetch-{n}.sh", Utf8($"#!/bin/sh\ncurl -fsS http://deploy:{Uri.EscapeDataString(secret)}@203.0.113.{n % 250}/artifact\n"));
                zip.Add($"deploy/cronjob-{n}.yaml", Utf8($"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: leak-{n}\nspec:\n  schedule: \"61 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n            image: busybox\n            args: [\"--token\", \"{secret}\"]\n"));
                zip.Add($"Windows/System32/Tasks/Leak{n}", Utf8($"<?xml version=\"1.0\"?>\n<Task xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\"><Actions><Exec><Command>agent.exe --key {secret}</Command></Exec></Actions>"));
            }
        }
        secrets = [.. secrets.Distinct()];
        secrets.Should().HaveCountGreaterThanOrEqualTo(RuleSamples.All.Count, "every rule contributes at least one secret");

        using var scratch = new Scratch();
        var package = scratch.Write("leaky.zip", zip.ToArray());
        var temp = Directory.CreateDirectory(Path.Combine(scratch.Folder, "tmp")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(scratch.Folder, "work")).FullName;
        var outputs = new Dictionary<string, string>();
        foreach (var format in Formats)
        {
            var report = Path.Combine(scratch.Folder, $"report.{format}");
            var run = CliProcess.Run(["scan", package, "--format", format, "--output", report, "--verbose", "--as-of", "2026-11-27", "--window", "2026-11-28T02:00Z/PT1H"], temp, work, TimeSpan.FromMinutes(3), native: native);
            run.ExitCode.Should().Be(1, "the package has high findings; stderr: {0}", run.Stderr);
            outputs[$"{format} report"] = File.ReadAllText(report);
            outputs[$"{format} stdout"] = run.Stdout;
            outputs[$"{format} verbose log"] = run.Stderr;
        }
        // The same report on standard output, where colour may be used.
        var toStdout = CliProcess.Run(["scan", package, "--format", "text", "--verbose", "--as-of", "2026-11-27"], temp, work, TimeSpan.FromMinutes(3), native: native);
        outputs["text on stdout"] = toStdout.Stdout + toStdout.Stderr;

        // Errors: a configuration and a suppressions file that hold secrets where they do not belong.
        string first = secrets.First(s => !s.Contains('\n', StringComparison.Ordinal));
        var config = Path.Combine(scratch.Folder, "preflight.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object> { ["password"] = first, ["failOn"] = first }));
        var bad = CliProcess.Run(["scan", package, "--config", config, "--verbose"], temp, work, native: native);
        bad.ExitCode.Should().Be(2, "a bad configuration is a usage error");
        outputs["configuration error"] = bad.Stdout + bad.Stderr;
        var suppressions = Path.Combine(scratch.Folder, "preflight-suppressions.json");
        File.WriteAllText(suppressions, "{ \"suppressions\": [ { \"rule\": \"" + first + "\", \"reason\": " + JsonSerializer.Serialize(first) + " ");
        var broken = CliProcess.Run(["scan", package, "--suppressions", suppressions, "--verbose"], temp, work, native: native);
        broken.ExitCode.Should().Be(2, "a broken suppressions file is a usage error");
        outputs["suppressions error"] = broken.Stdout + broken.Stderr;

        outputs["json report"] = outputs["json report"];
        outputs["json report"].Should().Contain("PF3", "the scan must have reported credentials at all");
        var leaks = new List<string>();
        foreach (var secret in secrets)
        {
            foreach (var (name, text) in outputs)
            {
                int at = text.IndexOf(secret, StringComparison.Ordinal);
                if (at < 0) at = text.IndexOf(JsonEscaped(secret), StringComparison.Ordinal);
                if (at >= 0)
                    leaks.Add($"{name}: a {secret.Length}-character secret starting {secret[..4]}, after \"{Around(text, at)}\"");
                foreach (var line in secret.Split('\n').Where(l => l.Length >= 24))
                    if (text.Contains(line, StringComparison.Ordinal)) leaks.Add($"{name}: a line of a multi-line secret starting {line[..4]}");
            }
        }
        Directory.EnumerateFileSystemEntries(temp).Should().BeEmpty();
        leaks.Distinct().Should().BeEmpty("no output may hold a full secret");
    }

    /// <summary>Up to 80 characters before a leak, to say which field held it.</summary>
    private static string Around(string text, int at) => text[Math.Max(0, at - 80)..at].ReplaceLineEndings(" ");

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string JsonEscaped(string s) => JsonSerializer.Serialize(s)[1..^1];
}
