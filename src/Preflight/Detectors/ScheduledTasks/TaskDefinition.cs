using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>A task found in one file, before it becomes an inventory item and findings.</summary>
/// <param name="Location">Where it is defined.</param>
/// <param name="Format">Inventory format name (<c>cron.d</c>, <c>systemd-timer</c>, …).</param>
/// <param name="Expression">The schedule as written.</param>
/// <param name="Description">Normalised description for people.</param>
/// <param name="Command">What it runs, when known.</param>
/// <param name="User">Who it runs as, when known.</param>
/// <param name="TimeZone">The schedule's zone id, when one is given.</param>
/// <param name="Schedule">Computable firing times; null for boot-only or unknowable schedules.</param>
/// <param name="Boot">True when it fires at boot or load.</param>
internal sealed record TaskDefinition(
    Location Location,
    string Format,
    string Expression,
    string Description,
    string? Command,
    string? User,
    string? TimeZone,
    ISchedule? Schedule,
    bool Boot)
{
    /// <summary>More text to look at when deciding whether the job touches a database or services (a script's body); never output.</summary>
    public string? Body { get; init; }

    /// <summary>The unit a systemd timer activates, resolved to its service at the end of the scan.</summary>
    public string? ActivatesUnit { get; init; }

    /// <summary>A period without a known anchor (OnUnitActiveSec=): the job fires this often, at times that depend on the host.</summary>
    public TimeSpan? Period { get; init; }

    /// <summary>An in-process timer (PeriodicTimer, Timer): inventory only, it fires whenever the application runs.</summary>
    public bool InProcess { get; init; }
}

/// <summary>A problem found while reading a schedule file.</summary>
internal sealed record ScheduleIssue(RuleDescriptor Rule, Location Location, string Message, string Identity, string? Evidence = null);

/// <summary>What a parser found in one file.</summary>
internal sealed class ScheduleFileResult
{
    public List<TaskDefinition> Tasks { get; } = [];
    public List<ScheduleIssue> Issues { get; } = [];
}
