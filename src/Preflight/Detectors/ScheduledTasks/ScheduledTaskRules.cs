using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>The <c>scheduled-tasks</c> detector's rules (PF1xx).</summary>
public static class ScheduledTaskRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "scheduled-tasks";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);

    /// <summary>PF101.</summary>
    public static readonly RuleDescriptor InvalidSchedule = R("PF101", "invalid-schedule", Severity.Medium,
        "A schedule expression cannot be parsed: the job silently never runs.",
        "cron, systemd and the other schedulers skip (or refuse) an entry they cannot parse, usually with nothing more than a log line. Fix the expression; the message says which field is wrong.");

    /// <summary>PF102.</summary>
    public static readonly RuleDescriptor IgnoredFile = R("PF102", "ignored-schedule-file", Severity.Medium,
        "A schedule file or line that the scheduler will ignore (a dot in a cron.d or run-parts name, a last line without newline).",
        "Debian's cron and run-parts skip /etc/cron.d files and /etc/cron.{hourly,daily,weekly,monthly} scripts whose names contain a dot or other characters outside [A-Za-z0-9_-]; cron drops a last line without a terminating newline. Rename the file (`acme.cron` → `acme`) or add the newline.");

    /// <summary>PF103.</summary>
    public static readonly RuleDescriptor PrivilegedWritableCommand = R("PF103", "privileged-writable-command", Severity.Medium,
        "A job runs as root or SYSTEM a program from a world-writable location.",
        "Anyone who can write to /tmp, /var/tmp, /dev/shm, a home directory or C:\\Users\\Public, C:\\Windows\\Temp can replace the program and gain the job's privileges. Install the program into a root-owned directory.");

    /// <summary>PF104.</summary>
    public static readonly RuleDescriptor HighFrequency = R("PF104", "high-frequency-schedule", Severity.Low,
        "A job fires every minute or more often.",
        "Such jobs overlap with themselves when slow and keep hitting services during an upgrade. Check it is intended, and that the job takes a lock (flock, Concurrency policy Forbid).");

    /// <summary>PF105.</summary>
    public static readonly RuleDescriptor BootTrigger = R("PF105", "boot-trigger", Severity.Low,
        "A job fires at boot or load (@reboot, OnBootSec=, BootTrigger, RunAtLoad).",
        "It will also fire during the restarts of the upgrade itself, possibly against a half-migrated system. Make sure it tolerates that, or disable it for the upgrade.");

    /// <summary>PF106.</summary>
    public static readonly RuleDescriptor WindowCollision = R("PF106", "maintenance-window-collision", Severity.High,
        "A job fires inside the maintenance window (high when it touches a database or services, else medium).",
        "The job will run while the upgrade runs. Suspend it for the window (comment out the cron line, `systemctl stop x.timer`, disable the task, `suspend: true`), or move the window.");

    /// <summary>PF107.</summary>
    public static readonly RuleDescriptor MalformedTaskFile = R("PF107", "malformed-task-file", Severity.Medium,
        "A task definition file (Task Scheduler XML, plist, manifest) cannot be read; DTDs and external entities are refused.",
        "The scheduler will reject it too, or, worse, a file with a DTD is an XML entity attack (billion laughs, XXE). Ask the vendor for a plain, well-formed file.");

    /// <summary>All PF1xx rules, in id order.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } =
    [
        InvalidSchedule, IgnoredFile, PrivilegedWritableCommand, HighFrequency, BootTrigger, WindowCollision, MalformedTaskFile,
    ];
}
