using System.Collections.Concurrent;
using System.Globalization;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>
/// Finds every schedule the package installs (cron, run-parts, anacron, systemd timers, Windows tasks, launchd,
/// Kubernetes CronJobs, GitHub Actions, .NET scheduling code), lists them in the inventory with their next runs,
/// and reports invalid or ignored schedules, privileged jobs run from writable paths, very frequent jobs, boot
/// triggers and jobs that fire inside the maintenance window.
/// </summary>
public sealed class ScheduledTasksDetector : IDetector
{
    private const int NextRunCount = 5;
    private const long MaxTextBytes = 4 * 1024 * 1024;

    /// <summary>Assemblies examined so far that hold no schedule, by content and file name.</summary>
    private readonly CopyMemo<string> _withoutSchedules = new();

    private readonly ConcurrentBag<TaskDefinition> _tasks = [];
    private readonly ConcurrentDictionary<string, ServiceSummary> _services = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Id => ScheduledTaskRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => ScheduledTaskRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind == ContentKind.DotNetAssembly) return entry.Size <= 64 * MaxTextBytes;
        if (entry.Kind is not (ContentKind.Text or ContentKind.Empty)) return false;
        if (entry.Size > MaxTextBytes) return false;
        if (entry.Extension is ".cs" or ".csx") return true;
        if (ConfigSchedules.IsConfigExtension(entry.Extension)) return true;
        if (entry.Extension is ".timer" or ".service" or ".xml" or ".yaml" or ".yml" or ".plist" or ".bat" or ".cmd" or ".ps1" or ".psm1") return true;
        if (entry.Path.Contains("/Tasks/", StringComparison.OrdinalIgnoreCase) && entry.Extension.Length == 0) return true;
        return CronFiles.Classify(entry.Path) != CronFileKind.None;
    }

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Info.Path;
        ScheduleFileResult? result = null;
        // The text gates below read the decoded characters; a string of the whole text is made only for a file that
        // passes one (config files and YAML were a sixth of a package scan's whole-text strings, nearly none a schedule).
        if (context.Info.Extension == ".service")
        {
            _services[context.Info.FileName] = SystemdUnits.ReadService(context.Content.Lines);
            return;
        }
        if (context.Info.Kind == ContentKind.DotNetAssembly)
        {
            // A copy of an assembly that held no schedule holds none either (the result depends on the bytes alone).
            var key = CopyKey.Of(context);
            if (_withoutSchedules.TryGet(key, out _)) return;
            if (context.Content.Module is { } module)
            {
                try
                {
                    result = CodeSchedules.FromAssembly(path, module, Content.ModuleIndex.For(context.Content));
                }
                catch (Exception ex) when (Content.CecilFailures.IsMalformedMetadata(ex))
                {
                    context.Diagnostic(path, $"the assembly's metadata could only be read in part for schedules ({ex.GetType().Name})");
                    return;
                }
            }
            if (result is null || (result.Tasks.Count == 0 && result.Issues.Count == 0))
            {
                _withoutSchedules.Remember(key, string.Empty);
                return;
            }
        }
        else if (context.Info.Extension is ".cs" or ".csx")
        {
            if (CodeSchedules.LooksRelevant(context.Content.TextSpan)) result = CodeSchedules.FromCSharp(path, context.Content.CSharpSyntaxTree);
        }
        else if (context.Info.Extension == ".xml" || (context.Info.Extension.Length == 0 && path.Contains("/Tasks/", StringComparison.OrdinalIgnoreCase)))
        {
            if (WindowsTasks.LooksLikeTask(context.Content.TextSpan)) result = WindowsTasks.Parse(path, context.Content.Text);
        }
        else if (context.Info.Extension is ".bat" or ".cmd" or ".ps1" or ".psm1")
        {
            if (ScriptSchedules.LooksRelevant(context.Content.TextSpan)) result = ScriptSchedules.Parse(path, context.Content.Text, context.Content.Lines);
        }
        else if (context.Info.Extension == ".plist")
        {
            if (LaunchdPlists.LooksLikeJob(context.Content.TextSpan)) result = LaunchdPlists.Parse(path, context.Content.Text);
        }
        else if (context.Info.Extension is ".yaml" or ".yml")
        {
            var text = context.Content.TextSpan;
            if (YamlSchedules.LooksRelevant(path, text)) result = YamlSchedules.Parse(path, context.Content.Text);
            else if (ConfigSchedules.LooksRelevant(text)) result = ConfigSchedules.Parse(path, context.Content.Text, context.Content.Lines);
        }
        else if (context.Info.Extension == ".timer")
        {
            result = SystemdUnits.ReadTimer(path, context.Content.Lines);
        }
        else
        {
            var kind = CronFiles.Classify(path);
            result = kind switch
            {
                CronFileKind.SystemCrontab or CronFileKind.UserCrontab or CronFileKind.UnknownCrontab =>
                    CronFiles.ParseCrontab(path, context.Content.Text, context.Content.Lines, kind),
                CronFileKind.RunParts => CronFiles.ParseRunPartsScript(path, context.Content.Text),
                CronFileKind.Anacrontab => CronFiles.ParseAnacrontab(path, context.Content.Lines),
                _ => null,
            };
        }
        if (result is null && ConfigSchedules.IsConfigExtension(context.Info.Extension) && CronFiles.Classify(path) == CronFileKind.None
            && ConfigSchedules.LooksRelevant(context.Content.TextSpan))
            result = ConfigSchedules.Parse(path, context.Content.Text, context.Content.Lines);
        if (result is not null) Accept(context, result);
    }

    private void Accept(DetectorContext context, ScheduleFileResult result)
    {
        foreach (var issue in result.Issues)
            context.Report(issue.Rule, issue.Location, issue.Message, issue.Identity, issue.Evidence is null ? null : CommandText.Redact(issue.Evidence));
        foreach (var task in result.Tasks) _tasks.Add(task);
    }

    /// <inheritdoc />
    public void Complete(DetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.EvaluationTime;
        var window = context.Options.MaintenanceWindow;
        foreach (var raw in _tasks)
        {
            var task = Resolve(raw);
            var command = CommandText.Redact(task.Command);
            var nextRuns = task.Schedule?.NextRuns(now, NextRunCount) ?? [];
            context.Inventory.Add(new ScheduledTaskItem(task.Location, task.Format, task.Expression, task.Description, command, task.User, task.TimeZone, nextRuns));
            string identity = $"{task.Format}|{task.Expression}|{task.Command}";
            string what = Name(task, command);
            if (task.InProcess) continue;

            if (task.Boot)
            {
                context.Report(ScheduledTaskRules.BootTrigger, task.Location,
                    $"{what} runs at boot ({task.Expression}): it will also fire during the upgrade's restarts", identity);
            }
            if ((task.Schedule is not null && task.Schedule.FiresEveryMinuteOrMoreOften(now)) || task.Period is { TotalSeconds: <= 60 })
            {
                context.Report(ScheduledTaskRules.HighFrequency, task.Location,
                    $"{what} fires every minute or more often ({task.Expression})", identity);
            }
            if (CommandText.IsPrivileged(task.User) && CommandText.RunsFromWritablePath(task.Command))
            {
                context.Report(ScheduledTaskRules.PrivilegedWritableCommand, task.Location,
                    $"{what} runs as {task.User} a program from a world-writable location ({CommandText.Redact(CommandText.ProgramOf(task.Command))})", identity);
            }
            if (window is not null) ReportCollision(context, task, what, identity, window);
        }
    }

    private static void ReportCollision(DetectorContext context, TaskDefinition task, string what, string identity, Configuration.MaintenanceWindow window)
    {
        bool touches = CommandText.TouchesDatabaseOrServices(task.Command) || CommandText.TouchesDatabaseOrServices(task.Body) || CommandText.TouchesDatabaseOrServices(task.ActivatesUnit);
        // The installed version's jobs keep firing until the upgrade replaces them: reported too, as medium.
        bool baseline = context.ScanningBaseline;
        var severity = touches && !baseline ? Severity.High : Severity.Medium;
        if (baseline) what = "In the installed version, " + char.ToLowerInvariant(what[0]) + what[1..];
        string windowText = window.ToString();
        string touchText = touches ? " — and it touches a database or services" : string.Empty;

        void Emit(string message, Dictionary<string, string> properties)
        {
            properties["window"] = windowText;
            properties["touchesDatabaseOrServices"] = touches ? "true" : "false";
            if (baseline)
                context.ReportFromBaseline(ScheduledTaskRules.WindowCollision, task.Location, message + touchText, identity, evidence: task.Expression, severity: severity, properties: properties);
            else
                context.Report(ScheduledTaskRules.WindowCollision, task.Location, message + touchText, identity, evidence: task.Expression, severity: severity, properties: properties);
        }

        if (task.Schedule is not null)
        {
            var runs = task.Schedule.RunsBetween(window.Start, window.End, 1000);
            if (runs.Count == 0) return;
            var shown = string.Join(", ", runs.Take(10).Select(static r => r.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
            string more = runs.Count > 10 ? $" and {runs.Count - 10} more" : string.Empty;
            Emit($"{what} fires {runs.Count} time(s) inside the maintenance window {windowText}: {shown}{more}", new Dictionary<string, string>
            {
                ["firings"] = string.Join(",", runs.Select(static r => r.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))),
                ["count"] = runs.Count.ToString(CultureInfo.InvariantCulture),
            });
        }
        else if (task.Period is { } period && period <= window.Duration)
        {
            Emit($"{what} fires every {SystemdUnits.Describe(period)}, so at least once inside the maintenance window {windowText} (exact times depend on when it last ran)",
                new Dictionary<string, string> { ["period"] = SystemdUnits.Describe(period) });
        }
    }

    private TaskDefinition Resolve(TaskDefinition task)
    {
        if (task.ActivatesUnit is null) return task;
        if (_services.TryGetValue(task.ActivatesUnit, out var service))
            return task with { Command = service.ExecStart ?? task.Command, User = service.User ?? "root", Body = task.ActivatesUnit };
        return task;
    }

    private static string Name(TaskDefinition task, string? command)
    {
        var shown = command is null ? "(no command)" : CronFiles.Truncate(command);
        return $"The {task.Format} job '{shown}'";
    }
}
