using System.Globalization;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>What a service unit runs, kept so that timers can name the command they trigger.</summary>
internal sealed record ServiceSummary(string? ExecStart, string? User);

/// <summary>Reads systemd <c>.timer</c> units (and the little of <c>.service</c> units that timers need).</summary>
internal static class SystemdUnits
{
    /// <summary>Entries of one unit file: section, key, value, line.</summary>
    private static IEnumerable<(string Section, string Key, string Value, int Line)> Read(LineIndex lines)
    {
        string section = string.Empty;
        for (int n = 1; n <= lines.Count; n++)
        {
            var line = lines[n].Trim();
            if (line.IsEmpty || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                int close = line.IndexOf(']');
                section = close > 0 ? line[1..close].ToString() : string.Empty;
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim().ToString();
            var value = line[(eq + 1)..].Trim().ToString();
            int first = n;
            while (value.EndsWith('\\') && n < lines.Count)
            {
                n++;
                value = value[..^1] + " " + lines[n].Trim().ToString();
            }
            yield return (section, key, value, first);
        }
    }

    public static ServiceSummary ReadService(LineIndex lines)
    {
        string? exec = null, user = null;
        foreach (var (section, key, value, _) in Read(lines))
        {
            if (!section.Equals("Service", StringComparison.Ordinal)) continue;
            if (key == "ExecStart" && value.Length > 0) exec ??= value.TrimStart('@', '-', ':', '+', '!');
            else if (key == "User") user = value;
        }
        return new ServiceSummary(exec, user);
    }

    public static ScheduleFileResult ReadTimer(string path, LineIndex lines)
    {
        var result = new ScheduleFileResult();
        string name = path[(path.LastIndexOf('/') + 1)..];
        string unit = name[..^".timer".Length] + ".service";
        var calendars = new List<(string Expr, int Line, SystemdCalendar Calendar)>();
        var notes = new List<string>();
        int firstLine = 0;
        bool boot = false;
        TimeSpan? period = null;
        string? bootText = null;
        foreach (var (section, key, value, line) in Read(lines))
        {
            if (!section.Equals("Timer", StringComparison.Ordinal)) continue;
            switch (key)
            {
                case "OnCalendar":
                    if (value.Length == 0) { calendars.Clear(); break; }
                    if (SystemdCalendar.TryParse(value, out var cal, out var error)) calendars.Add((value, line, cal!));
                    else result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, new Location(path, line, 1),
                        $"OnCalendar={value} is not a valid calendar expression ({error}): systemd ignores it and the timer never fires on it",
                        "OnCalendar:" + value, $"OnCalendar={value}"));
                    if (firstLine == 0) firstLine = line;
                    break;
                case "OnBootSec" or "OnStartupSec" or "OnActiveSec":
                    if (!TryParseTimeSpan(value, out _))
                    {
                        result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, new Location(path, line, 1),
                            $"{key}={value} is not a valid time span: systemd ignores it", key + ":" + value, $"{key}={value}"));
                        break;
                    }
                    boot = true;
                    bootText = $"{key}={value}";
                    if (firstLine == 0) firstLine = line;
                    break;
                case "OnUnitActiveSec" or "OnUnitInactiveSec":
                    if (!TryParseTimeSpan(value, out var span) || span <= TimeSpan.Zero)
                    {
                        result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, new Location(path, line, 1),
                            $"{key}={value} is not a valid time span: systemd ignores it", key + ":" + value, $"{key}={value}"));
                        break;
                    }
                    period = period is { } p && p < span ? p : span;
                    notes.Add($"{key}={value}");
                    if (firstLine == 0) firstLine = line;
                    break;
                case "Persistent" when IsTrue(value):
                    notes.Add("Persistent=true (missed runs fire at the next boot)");
                    break;
                case "RandomizedDelaySec" when value.Length > 0 && value != "0":
                    notes.Add($"RandomizedDelaySec={value} (each run is delayed by up to that much)");
                    break;
                case "Unit" when value.Length > 0:
                    unit = value;
                    break;
            }
        }
        var location = new Location(path, firstLine == 0 ? null : firstLine, firstLine == 0 ? null : 1);
        string suffix = notes.Count > 0 ? "; " + string.Join("; ", notes) : string.Empty;
        if (calendars.Count > 0)
        {
            ISchedule schedule = calendars.Count == 1 ? calendars[0].Calendar : new UnionSchedule([.. calendars.Select(c => (ISchedule)c.Calendar)]);
            string expr = string.Join("; ", calendars.Select(c => "OnCalendar=" + c.Expr));
            string zones = string.Join(",", calendars.Select(c => c.Calendar.ZoneName).Where(z => z is not null).Distinct());
            string description = string.Join("; ", calendars.Select(c => c.Calendar.Normalized)) + (zones.Length == 0 ? " (system time zone; UTC assumed)" : string.Empty) + suffix;
            result.Tasks.Add(new TaskDefinition(new Location(path, calendars[0].Line, 1), "systemd-timer", expr, description, unit, null, zones.Length == 0 ? null : zones, schedule, Boot: false)
            { ActivatesUnit = unit, Period = period });
        }
        else if (period is not null)
        {
            result.Tasks.Add(new TaskDefinition(location, "systemd-timer", string.Join("; ", notes), $"every {Describe(period.Value)} after the unit last ran{suffix}", unit, null, null, null, Boot: false)
            { ActivatesUnit = unit, Period = period });
        }
        if (boot)
        {
            result.Tasks.Add(new TaskDefinition(location, "systemd-timer", bootText!, $"after boot ({bootText}){suffix}", unit, null, null, null, Boot: true) { ActivatesUnit = unit });
        }
        return result;
    }

    private static bool IsTrue(string v) => v is "true" or "yes" or "1" or "on";

    internal static string Describe(TimeSpan span) => span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? $"{span.TotalDays} d"
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours} h"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes} min"
        : $"{span.TotalSeconds} s";

    /// <summary>systemd time spans (<c>systemd.time(7)</c>): <c>90</c>, <c>5min</c>, <c>1h 30min</c>, <c>2d</c>, <c>1w</c>.</summary>
    internal static bool TryParseTimeSpan(string text, out TimeSpan span)
    {
        span = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0) return false;
        int i = 0;
        bool any = false;
        while (i < s.Length)
        {
            while (i < s.Length && s[i] == ' ') i++;
            if (i >= s.Length) break;
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start) return false;
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
            while (i < s.Length && s[i] == ' ') i++;
            int us = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            var unit = s[us..i];
            double seconds = unit switch
            {
                "" or "s" or "sec" or "second" or "seconds" => 1,
                "us" or "usec" => 1e-6,
                "ms" or "msec" => 1e-3,
                "m" or "min" or "minute" or "minutes" => 60,
                "h" or "hr" or "hour" or "hours" => 3600,
                "d" or "day" or "days" => 86400,
                "w" or "week" or "weeks" => 7 * 86400,
                "M" or "month" or "months" => 2629800,
                "y" or "year" or "years" => 31557600,
                _ => double.NaN,
            };
            if (double.IsNaN(seconds)) return false;
            // A hostile value ("99999999999999y") must not overflow TimeSpan (found by fuzzing): it is no time span.
            double total = span.TotalSeconds + n * seconds;
            if (!double.IsFinite(total) || total >= TimeSpan.MaxValue.TotalSeconds || total <= TimeSpan.MinValue.TotalSeconds) return false;
            span = TimeSpan.FromSeconds(total);
            any = true;
        }
        return any;
    }
}
