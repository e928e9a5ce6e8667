using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>Windows Task Scheduler task definitions (the XML that <c>schtasks /xml</c> and the Tasks folder hold).</summary>
internal static class WindowsTasks
{
    public const string Namespace = "http://schemas.microsoft.com/windows/2004/02/mit/task";

    /// <summary>True when the text looks like a task definition worth parsing.</summary>
    public static bool LooksLikeTask(ReadOnlySpan<char> text) =>
        text.Contains("<Task", StringComparison.Ordinal) && (text.Contains("mit/task", StringComparison.Ordinal) || text.Contains("<Triggers", StringComparison.Ordinal));

    /// <summary>Reads a task with DTDs prohibited and no resolver: entity tricks fail fast as malformed.</summary>
    public static ScheduleFileResult Parse(string path, string text)
    {
        var result = new ScheduleFileResult();
        XDocument doc;
        try
        {
            doc = Content.SafeXml.Load(text, out var refusal)!;
            if (refusal is not null)
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.MalformedTaskFile, new Location(path), $"the task file was not read: {refusal}", "too-deep"));
                return result;
            }
        }
        catch (XmlException ex)
        {
            bool dtd = text.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) || text.Contains("<!ENTITY", StringComparison.OrdinalIgnoreCase);
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.MalformedTaskFile,
                ex.LineNumber > 0 ? new Location(path, ex.LineNumber, ex.LinePosition > 0 ? ex.LinePosition : null) : new Location(path),
                dtd ? "the task file declares a DTD or entities (billion laughs / XXE shape); it was refused unread"
                    : $"the task file is not well-formed XML (line {ex.LineNumber}); Task Scheduler will refuse it",
                dtd ? "dtd" : "malformed"));
            return result;
        }
        var root = doc.Root;
        if (root is null || root.Name.LocalName != "Task") return result;
        XNamespace ns = root.Name.Namespace;
        string? uri = root.Element(ns + "RegistrationInfo")?.Element(ns + "URI")?.Value;
        var principal = root.Element(ns + "Principals")?.Elements(ns + "Principal").FirstOrDefault();
        string? user = principal?.Element(ns + "UserId")?.Value ?? principal?.Element(ns + "GroupId")?.Value;
        string? runLevel = principal?.Element(ns + "RunLevel")?.Value;
        if (user is null && runLevel == "HighestAvailable") user = "HighestAvailable";
        if (user is not null && IsSystemAccount(user)) user = "SYSTEM";
        var exec = root.Element(ns + "Actions")?.Elements(ns + "Exec").FirstOrDefault();
        string? command = exec is null ? null
            : (exec.Element(ns + "Command")?.Value.Trim() + " " + exec.Element(ns + "Arguments")?.Value.Trim()).Trim();
        var triggers = root.Element(ns + "Triggers")?.Elements().ToList() ?? [];
        foreach (var trigger in triggers)
        {
            var line = ((IXmlLineInfo)trigger).LineNumber;
            var location = new Location(path, line > 0 ? line : null, line > 0 ? ((IXmlLineInfo)trigger).LinePosition : null);
            if (string.Equals(trigger.Element(ns + "Enabled")?.Value, "false", StringComparison.OrdinalIgnoreCase)) continue;
            string kind = trigger.Name.LocalName;
            string name = uri is null ? string.Empty : $" ({uri})";
            switch (kind)
            {
                case "BootTrigger" or "LogonTrigger":
                    result.Tasks.Add(new TaskDefinition(location, "windows-task", kind, (kind == "BootTrigger" ? "at system start" : "at user logon") + name, command, user, null, null, Boot: true));
                    break;
                case "CalendarTrigger" or "TimeTrigger":
                    if (!TryBuild(trigger, ns, out var schedule, out var description, out var zone, out var error))
                    {
                        result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                            $"the {kind} cannot be read ({error}): Task Scheduler refuses the task", kind + ":" + error));
                        break;
                    }
                    result.Tasks.Add(new TaskDefinition(location, "windows-task", kind + ": " + description, description + name, command, user, zone, schedule, Boot: false));
                    break;
                default:
                    result.Tasks.Add(new TaskDefinition(location, "windows-task", kind, $"on {kind}{name}", command, user, null, null, Boot: false));
                    break;
            }
        }
        return result;
    }

    private static bool IsSystemAccount(string user) =>
        user is "S-1-5-18" || user.Equals("SYSTEM", StringComparison.OrdinalIgnoreCase) || user.Equals(@"NT AUTHORITY\SYSTEM", StringComparison.OrdinalIgnoreCase);

    private static bool TryBuild(XElement trigger, XNamespace ns, out ISchedule? schedule, out string description, out string? zone, out string? error)
    {
        schedule = null;
        description = string.Empty;
        zone = null;
        error = null;
        var startText = trigger.Element(ns + "StartBoundary")?.Value.Trim();
        if (startText is null || !TryParseBoundary(startText, out var start, out bool hasOffset))
        {
            error = "no valid StartBoundary";
            return false;
        }
        if (hasOffset) zone = "UTC" + start.ToString("zzz", CultureInfo.InvariantCulture);
        DateTimeOffset? end = null;
        var endText = trigger.Element(ns + "EndBoundary")?.Value.Trim();
        if (endText is not null && TryParseBoundary(endText, out var e, out _)) end = e;
        TimeSpan? repeat = null, repeatFor = null;
        var repetition = trigger.Element(ns + "Repetition");
        if (repetition is not null)
        {
            if (!TryDuration(repetition.Element(ns + "Interval")?.Value, out var interval))
            {
                error = "invalid Repetition/Interval";
                return false;
            }
            repeat = interval;
            repeatFor = TryDuration(repetition.Element(ns + "Duration")?.Value, out var d) ? d : null;
        }
        Func<DateOnly, bool> fires;
        string days;
        var byDay = trigger.Element(ns + "ScheduleByDay");
        var byWeek = trigger.Element(ns + "ScheduleByWeek");
        var byMonth = trigger.Element(ns + "ScheduleByMonth");
        var startDate = DateOnly.FromDateTime(start.DateTime);
        if (trigger.Name.LocalName == "TimeTrigger")
        {
            fires = d => d == startDate;
            days = $"once on {startDate:yyyy-MM-dd}";
        }
        else if (byDay is not null)
        {
            int every = IntOr(byDay.Element(ns + "DaysInterval")?.Value, 1);
            fires = d => d >= startDate && (d.DayNumber - startDate.DayNumber) % every == 0;
            days = every == 1 ? "every day" : $"every {every} days";
        }
        else if (byWeek is not null)
        {
            int every = IntOr(byWeek.Element(ns + "WeeksInterval")?.Value, 1);
            var set = (byWeek.Element(ns + "DaysOfWeek")?.Elements() ?? []).Select(x => Enum.TryParse<DayOfWeek>(x.Name.LocalName, out var w) ? (int)w : -1).Where(w => w >= 0).ToHashSet();
            int startWeek = (startDate.DayNumber - (int)startDate.DayOfWeek) / 7;
            fires = d => d >= startDate && set.Contains((int)d.DayOfWeek) && ((d.DayNumber - (int)d.DayOfWeek) / 7 - startWeek) % every == 0;
            days = $"on {string.Join(",", set.Order().Select(w => ((DayOfWeek)w).ToString()[..3]))}" + (every > 1 ? $" every {every} weeks" : string.Empty);
        }
        else if (byMonth is not null)
        {
            var dayValues = (byMonth.Element(ns + "DaysOfMonth")?.Elements(ns + "Day") ?? []).Select(x => x.Value.Trim()).ToList();
            var months = (byMonth.Element(ns + "Months")?.Elements() ?? []).Select(x => DateTime.ParseExact(x.Name.LocalName[..3], "MMM", CultureInfo.InvariantCulture).Month).ToHashSet();
            if (months.Count == 0) months = [.. Enumerable.Range(1, 12)];
            fires = d => d >= startDate && months.Contains(d.Month) && dayValues.Any(v =>
                v.Equals("Last", StringComparison.OrdinalIgnoreCase) ? d.Day == DateTime.DaysInMonth(d.Year, d.Month) : int.TryParse(v, out var n) && n == d.Day);
            days = $"on day {string.Join(",", dayValues)} of month {string.Join(",", months.Order())}";
        }
        else
        {
            error = "a CalendarTrigger without ScheduleByDay, ScheduleByWeek or ScheduleByMonth is not supported";
            return false;
        }
        description = $"{days} at {start:HH:mm}" + (hasOffset ? $" {zone}" : " (local time; UTC assumed)")
            + (repeat is { } r ? $", repeated every {SystemdUnits.Describe(r)}" + (repeatFor is { } f ? $" for {SystemdUnits.Describe(f)}" : " indefinitely") : string.Empty);
        schedule = new DailyCandidates(start, end, fires, repeat, repeatFor);
        return true;
    }

    private static int IntOr(string? text, int fallback) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    private static bool TryDuration(string? text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        return text is not null && Configuration.MaintenanceWindow.TryParseDuration(text, out span) && span > TimeSpan.Zero;
    }

    internal static bool TryParseBoundary(string text, out DateTimeOffset value, out bool hasOffset)
    {
        hasOffset = text.EndsWith('Z') || (text.Length > 19 && (text[^6] is '+' or '-'));
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>Fires on chosen days at the start time of day, optionally repeated within each day's run.</summary>
    private sealed class DailyCandidates(DateTimeOffset start, DateTimeOffset? end, Func<DateOnly, bool> fires, TimeSpan? repeat, TimeSpan? repeatFor) : ISchedule
    {
        public DateTimeOffset? Next(DateTimeOffset after)
        {
            var time = start.TimeOfDay;
            var first = DateOnly.FromDateTime(after.ToOffset(start.Offset).DateTime).AddDays(-((repeatFor ?? TimeSpan.FromDays(1)).Days + 1));
            var startDate = DateOnly.FromDateTime(start.DateTime);
            if (first < startDate) first = startDate;
            for (var d = first; d.DayNumber - first.DayNumber < 3700; d = d.AddDays(1))
            {
                if (!fires(d)) continue;
                var baseRun = new DateTimeOffset(d.ToDateTime(TimeOnly.FromTimeSpan(time)), start.Offset);
                if (end is { } e && baseRun > e) return null;
                if (baseRun > after) return baseRun;
                if (repeat is { } r)
                {
                    var limit = repeatFor is { } f ? baseRun + f : DateTimeOffset.MaxValue.AddDays(-10);
                    long k = (after - baseRun).Ticks / r.Ticks + 1;
                    var candidate = baseRun + TimeSpan.FromTicks(k * r.Ticks);
                    if (candidate < limit && (end is null || candidate <= end)) return candidate;
                }
            }
            return null;
        }
    }
}
