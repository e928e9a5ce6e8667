using Cronos;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>Something that fires at computable times.</summary>
internal interface ISchedule
{
    /// <summary>The first firing strictly after <paramref name="after"/>, or null when there is none.</summary>
    DateTimeOffset? Next(DateTimeOffset after);
}

internal static class ScheduleExtensions
{
    /// <summary>The next <paramref name="count"/> firings strictly after <paramref name="after"/>.</summary>
    public static IReadOnlyList<DateTimeOffset> NextRuns(this ISchedule schedule, DateTimeOffset after, int count)
    {
        var runs = new List<DateTimeOffset>(count);
        var t = after;
        while (runs.Count < count && schedule.Next(t) is { } next)
        {
            runs.Add(next.ToUniversalTime());
            t = next;
        }
        return runs;
    }

    /// <summary>Firings in [start, end), at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<DateTimeOffset> RunsBetween(this ISchedule schedule, DateTimeOffset start, DateTimeOffset end, int limit)
    {
        var runs = new List<DateTimeOffset>();
        var t = start - TimeSpan.FromTicks(1);
        while (runs.Count < limit && schedule.Next(t) is { } next && next < end)
        {
            runs.Add(next.ToUniversalTime());
            t = next;
        }
        return runs;
    }

    /// <summary>True when two consecutive firings among the next few are at most a minute apart.</summary>
    public static bool FiresEveryMinuteOrMoreOften(this ISchedule schedule, DateTimeOffset after)
    {
        var runs = schedule.NextRuns(after, 6);
        for (int i = 1; i < runs.Count; i++)
            if (runs[i] - runs[i - 1] <= TimeSpan.FromMinutes(1)) return true;
        return false;
    }
}

/// <summary>Fires at a fixed interval from an anchor (launchd StartInterval, Task Scheduler repetition, timers).</summary>
internal sealed class IntervalSchedule(DateTimeOffset anchor, TimeSpan interval) : ISchedule
{
    public TimeSpan Interval { get; } = interval;

    public DateTimeOffset? Next(DateTimeOffset after)
    {
        if (Interval <= TimeSpan.Zero) return null;
        if (after < anchor) return anchor;
        long n = (after - anchor).Ticks / Interval.Ticks + 1;
        return anchor + TimeSpan.FromTicks(n * Interval.Ticks);
    }
}

/// <summary>The earliest of several schedules (a timer with several OnCalendar= lines, a task with several triggers).</summary>
internal sealed class UnionSchedule(IReadOnlyList<ISchedule> parts) : ISchedule
{
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        DateTimeOffset? best = null;
        foreach (var p in parts)
            if (p.Next(after) is { } n && (best is null || n < best)) best = n;
        return best;
    }
}

/// <summary>
/// A five-field cron expression with the semantics of Vixie/ISC cron (Debian, RHEL): Cronos computes the
/// times, except that when both day-of-month and day-of-week are restricted (neither starts with <c>*</c>)
/// cron fires on days matching EITHER, where Cronos requires both; the wrapper then takes the earlier of
/// two expressions.
/// </summary>
internal sealed class CronSchedule : ISchedule
{
    private readonly CronExpression _main;
    private readonly CronExpression? _alternative;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression main, CronExpression? alternative, TimeZoneInfo zone)
    {
        _main = main;
        _alternative = alternative;
        _zone = zone;
    }

    /// <summary>True when day-of-month and day-of-week are ORed (both restricted).</summary>
    public bool OrsDays => _alternative is not null;

    /// <summary>The <c>@</c> macros of cron, as five-field expressions (<c>@reboot</c> is not a time).</summary>
    public static string? ExpandMacro(string macro) => macro.ToLowerInvariant() switch
    {
        "@yearly" or "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" or "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => null,
    };

    /// <summary>Parses five fields (or a macro). <paramref name="error"/> says what is wrong when it fails.</summary>
    public static bool TryParse(string expression, TimeZoneInfo zone, out CronSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        var text = expression.Trim();
        if (text.StartsWith('@'))
        {
            var expanded = ExpandMacro(text);
            if (expanded is null)
            {
                error = $"unknown macro '{text}'";
                return false;
            }
            text = expanded;
        }
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"expected 5 fields, found {fields.Length}";
            return false;
        }
        string[] names = ["minute", "hour", "day-of-month", "month", "day-of-week"];
        for (int i = 0; i < 5; i++)
        {
            // Vixie cron knows none of Quartz's L, W, # and ? extensions that Cronos accepts.
            if (UsesExtension(fields[i]))
            {
                error = $"the {names[i]} field '{fields[i]}' uses an extension cron does not know";
                return false;
            }
            if (!CronExpression.TryParse(Replace(i, fields[i]), CronFormat.Standard, out _))
            {
                error = $"the {names[i]} field '{fields[i]}' is invalid";
                return false;
            }
        }
        // Cron accepts 7 for Sunday in the day-of-week field; so does Cronos.
        if (!CronExpression.TryParse(string.Join(' ', fields), CronFormat.Standard, out var main))
        {
            error = "the expression is invalid";
            return false;
        }
        CronExpression? alternative = null;
        if (!fields[2].StartsWith('*') && !fields[4].StartsWith('*'))
        {
            // Cron ORs: days matching the day of month, or days matching the day of week.
            main = CronExpression.Parse($"{fields[0]} {fields[1]} {fields[2]} {fields[3]} *", CronFormat.Standard);
            alternative = CronExpression.Parse($"{fields[0]} {fields[1]} * {fields[3]} {fields[4]}", CronFormat.Standard);
        }
        schedule = new CronSchedule(main, alternative, zone);
        return true;

        static bool UsesExtension(string field)
        {
            var upper = field.ToUpperInvariant();
            foreach (var name in NameTokens) upper = upper.Replace(name, "0", StringComparison.Ordinal);
            return upper.IndexOfAny(['L', 'W', '#', '?']) >= 0;
        }
        static string Replace(int index, string field)
        {
            string[] probe = ["*", "*", "*", "*", "*"];
            probe[index] = field;
            return string.Join(' ', probe);
        }
    }

    private static readonly string[] NameTokens =
    [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
    ];

    public DateTimeOffset? Next(DateTimeOffset after)
    {
        var a = _main.GetNextOccurrence(after, _zone, inclusive: false);
        if (_alternative is null) return a;
        var b = _alternative.GetNextOccurrence(after, _zone, inclusive: false);
        if (a is null) return b;
        if (b is null) return a;
        return a <= b ? a : b;
    }
}
