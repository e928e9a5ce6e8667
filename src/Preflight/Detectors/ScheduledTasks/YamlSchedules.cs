using System.Text;
using System.Text.RegularExpressions;
using Preflight.Findings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>Kubernetes <c>CronJob</c> manifests (multi-document, Helm templates tolerated) and GitHub Actions <c>schedule:</c> triggers.</summary>
internal static partial class YamlSchedules
{
    public const string HelmPlaceholder = "HELM-TEMPLATE";

    public static bool LooksRelevant(string path, ReadOnlySpan<char> text) =>
        text.Contains("CronJob", StringComparison.Ordinal) || (IsWorkflow(path) && text.Contains("schedule", StringComparison.Ordinal));

    private static bool IsWorkflow(string path) => path.Contains(".github/workflows/", StringComparison.Ordinal);

    public static ScheduleFileResult Parse(string path, string text)
    {
        var result = new ScheduleFileResult();
        if (Content.NestingGuard.Refusal(text, indentation: true) is { } why)
        {
            // YamlDotNet recurses once per level; this deep it would overflow the stack.
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.MalformedTaskFile, new Location(path),
                $"the manifest was not parsed: {why}", "yaml-depth"));
            return result;
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(Detemplate(text)));
        }
        catch (Exception ex) when (ex is YamlException or ArgumentException or InvalidOperationException)
        {
            // YamlDotNet also throws ArgumentException and InvalidOperationException on some malformed input (found by fuzzing).
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.MalformedTaskFile, new Location(path, ex is YamlException y && y.Start.Line > 0 ? (int)y.Start.Line : null),
                "the manifest is not valid YAML; kubectl and GitHub will refuse it", "yaml"));
            return result;
        }
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is not YamlMappingNode root) continue;
            if (Scalar(root, "kind") == "CronJob") CronJob(path, root, result);
            else if (IsWorkflow(path)) Workflow(path, root, result);
        }
        return result;
    }

    private static void CronJob(string path, YamlMappingNode root, ScheduleFileResult result)
    {
        var spec = Child(root, "spec") as YamlMappingNode;
        var scheduleNode = spec is null ? null : Child(spec, "schedule") as YamlScalarNode;
        if (scheduleNode?.Value is null) return;
        string name = (Child(root, "metadata") is YamlMappingNode meta ? Scalar(meta, "name") : null) ?? "(unnamed)";
        var location = new Location(path, (int)scheduleNode.Start.Line, (int)scheduleNode.Start.Column);
        string expression = scheduleNode.Value.Trim();
        string? zoneId = Scalar(spec!, "timeZone");
        bool suspended = Scalar(spec!, "suspend") is "true" or "True";
        string? concurrency = Scalar(spec!, "concurrencyPolicy");
        string? command = ContainerCommand(spec!);
        var notes = new List<string> { $"CronJob {name}" };
        if (suspended) notes.Add("suspended");
        notes.Add("concurrencyPolicy " + (concurrency ?? "Allow"));
        var cronExpr = expression;
        var prefix = ZonePrefix.Match(cronExpr);
        if (prefix.Success)
        {
            zoneId = prefix.Groups[1].Value;
            cronExpr = cronExpr[prefix.Length..].Trim();
        }
        if (expression.Contains(HelmPlaceholder, StringComparison.Ordinal) || (zoneId?.Contains(HelmPlaceholder, StringComparison.Ordinal) ?? false))
        {
            result.Tasks.Add(new TaskDefinition(location, "kubernetes-cronjob", expression, "set by a Helm value; " + string.Join("; ", notes), command, null, null, null, false));
            return;
        }
        var zone = TimeZoneInfo.Utc;
        if (zoneId is not null && !CronFiles.TryFindZone(zoneId, out zone))
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location, $"the CronJob {name} names an unknown timeZone '{zoneId}': the API server rejects it", "tz:" + zoneId));
            return;
        }
        if (!CronSchedule.TryParse(cronExpr, zone, out var schedule, out var error))
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location, $"the CronJob {name} has an invalid schedule '{expression}' ({error}): it never runs", "expr:" + expression, expression));
            return;
        }
        string description = CronDescription.Describe(cronExpr, schedule!.OrsDays) + (zoneId is null ? " (kube-controller-manager's zone; UTC assumed)" : $" ({zoneId})") + "; " + string.Join("; ", notes);
        result.Tasks.Add(new TaskDefinition(location, "kubernetes-cronjob", expression, description, command, null, zoneId, suspended ? null : schedule, false));
    }

    private static string? ContainerCommand(YamlMappingNode spec)
    {
        var podSpec = Path(spec, "jobTemplate", "spec", "template", "spec") as YamlMappingNode;
        if (podSpec is null || Child(podSpec, "containers") is not YamlSequenceNode containers || containers.Children.Count == 0) return null;
        if (containers.Children[0] is not YamlMappingNode container) return null;
        var parts = new List<string>();
        foreach (var key in new[] { "command", "args" })
            if (Child(container, key) is YamlSequenceNode seq)
                parts.AddRange(seq.Children.OfType<YamlScalarNode>().Select(static s => s.Value ?? string.Empty));
        if (parts.Count == 0) return Scalar(container, "image") is { } image ? $"(image {image})" : null;
        return string.Join(' ', parts);
    }

    private static void Workflow(string path, YamlMappingNode root, ScheduleFileResult result)
    {
        var on = Child(root, "on") ?? Child(root, "true");
        if (on is not YamlMappingNode triggers || Child(triggers, "schedule") is not YamlSequenceNode schedules) return;
        string name = Scalar(root, "name") ?? path[(path.LastIndexOf('/') + 1)..];
        foreach (var entry in schedules.Children.OfType<YamlMappingNode>())
        {
            if (Child(entry, "cron") is not YamlScalarNode cron || cron.Value is null) continue;
            var location = new Location(path, (int)cron.Start.Line, (int)cron.Start.Column);
            var expression = cron.Value.Trim();
            if (!CronSchedule.TryParse(expression, TimeZoneInfo.Utc, out var schedule, out var error))
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location, $"the workflow '{name}' has an invalid cron '{expression}' ({error}): it never runs", "expr:" + expression, expression));
                continue;
            }
            result.Tasks.Add(new TaskDefinition(location, "github-actions", expression, CronDescription.Describe(expression, schedule!.OrsDays) + " (UTC; GitHub may delay scheduled runs)",
                $"workflow '{name}'", null, "UTC", schedule, false));
        }
    }

    /// <summary>Replaces Helm/Go template actions so the YAML parses; line numbers are kept.</summary>
    internal static string Detemplate(string text)
    {
        if (!text.Contains("{{", StringComparison.Ordinal)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.StartsWith("{{", StringComparison.Ordinal) && trimmed.EndsWith("}}", StringComparison.Ordinal) && TemplateAction.Replace(trimmed, string.Empty).Length == 0)
                sb.Append('\n');
            else
                sb.Append(TemplateAction.Replace(line, HelmPlaceholder)).Append('\n');
        }
        return sb.ToString();
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static YamlNode? Path(YamlMappingNode map, params string[] keys)
    {
        YamlNode? node = map;
        foreach (var key in keys) node = node is YamlMappingNode m ? Child(m, key) : null;
        return node;
    }

    private static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    // Run on the backtracking engine first, the non-backtracking one past this limit (see Content.TimedRegex): a
    // non-backtracking regex costs tens of milliseconds to build, and the first one brings its engine to the JIT.
    private const int PatternLimitMilliseconds = 100;

    [GeneratedRegex(@"\{\{[^}]*\}\}", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex TemplateActionPattern();

    internal static readonly Content.TimedRegex TemplateAction = new(TemplateActionPattern());

    [GeneratedRegex(@"^(?:CRON_TZ|TZ)=(\S+)\s+", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex ZonePrefixPattern();

    internal static readonly Content.TimedRegex ZonePrefix = new(ZonePrefixPattern());
}
