using System.Globalization;
using System.Text;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>
/// systemd's calendar event syntax (<c>systemd.time(7)</c>): <c>[WEEKDAYS] [[YEAR-]MONTH-DAY] [HOUR:MINUTE[:SECOND]] [TIMEZONE]</c>,
/// with lists (<c>,</c>), ranges (<c>..</c>), repetitions (<c>/</c>), last days of a month (<c>~</c>) and the
/// shorthands <c>minutely</c> … <c>yearly</c>. Matches systemd 252 on everything its tests cover; a calendar
/// without a zone is evaluated in UTC (the host's zone is unknown).
/// </summary>
internal sealed class SystemdCalendar : ISchedule
{
    private readonly Component _year, _month, _day, _hour, _minute, _second;
    private readonly int _weekdays; // bit 0 = Monday … bit 6 = Sunday
    private readonly TimeZoneInfo _zone;
    private readonly bool[] _hours, _minutes, _seconds;

    private SystemdCalendar(int weekdays, Component year, Component month, Component day, Component hour, Component minute, Component second, TimeZoneInfo zone, string? zoneName)
    {
        _weekdays = weekdays;
        _year = year;
        _month = month;
        _day = day;
        _hour = hour;
        _minute = minute;
        _second = second;
        _zone = zone;
        ZoneName = zoneName;
        _hours = Expand(hour, 0, 23);
        _minutes = Expand(minute, 0, 59);
        _seconds = Expand(second, 0, 59);
        Normalized = Format();
    }

    /// <summary>The zone written in the expression, or null.</summary>
    public string? ZoneName { get; }

    /// <summary>The normalised form, as <c>systemd-analyze calendar</c> prints it.</summary>
    public string Normalized { get; }

    private static readonly string[] DayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] LongDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private static readonly Dictionary<string, string> Shorthands = new(StringComparer.Ordinal)
    {
        ["minutely"] = "*-*-* *:*:00",
        ["hourly"] = "*-*-* *:00:00",
        ["daily"] = "*-*-* 00:00:00",
        ["weekly"] = "Mon *-*-* 00:00:00",
        ["monthly"] = "*-*-01 00:00:00",
        ["yearly"] = "*-01-01 00:00:00",
        ["annually"] = "*-01-01 00:00:00",
        ["quarterly"] = "*-01,04,07,10-01 00:00:00",
        ["semiannually"] = "*-01,07-01 00:00:00",
    };

    /// <summary>Parses a calendar expression; <paramref name="error"/> says why when it cannot.</summary>
    public static bool TryParse(string text, out SystemdCalendar? calendar, out string? error)
    {
        calendar = null;
        error = null;
        var tokens = text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (tokens.Count == 0)
        {
            error = "the expression is empty";
            return false;
        }
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        string? zoneName = null;
        var last = tokens[^1];
        if (tokens.Count > 1 || !Shorthands.ContainsKey(last))
        {
            if (last is "UTC" || last.Equals("utc", StringComparison.Ordinal))
            {
                zoneName = "UTC";
                tokens.RemoveAt(tokens.Count - 1);
            }
            else if (char.IsAsciiLetter(last[0]) && !IsWeekdayList(last) && !Shorthands.ContainsKey(last) && CronFiles.TryFindZone(last, out var z))
            {
                zone = z;
                zoneName = last;
                tokens.RemoveAt(tokens.Count - 1);
            }
        }
        if (tokens.Count == 1 && Shorthands.TryGetValue(tokens[0], out var expanded))
            tokens = [.. expanded.Split(' ')];
        if (tokens.Count == 0)
        {
            error = "nothing but a time zone";
            return false;
        }

        int weekdays = 0x7F;
        int i = 0;
        if (char.IsAsciiLetter(tokens[0][0]))
        {
            if (!TryParseWeekdays(tokens[0], out weekdays))
            {
                error = $"'{tokens[0]}' is not a weekday list";
                return false;
            }
            i++;
        }
        Component year = Component.Any, month = Component.Any, day = Component.Any;
        Component hour = Component.Zero, minute = Component.Zero, second = Component.Zero;
        bool haveDate = false, haveTime = false;
        for (; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (!haveDate && !haveTime && !t.Contains(':', StringComparison.Ordinal) && (t.Contains('-', StringComparison.Ordinal) || t.Contains('~', StringComparison.Ordinal)))
            {
                if (!TryParseDate(t, out year, out month, out day, out error)) return false;
                haveDate = true;
            }
            else if (!haveTime && t.Contains(':', StringComparison.Ordinal))
            {
                if (!TryParseTime(t, out hour, out minute, out second, out error)) return false;
                haveTime = true;
            }
            else
            {
                error = $"unexpected '{t}'";
                return false;
            }
        }
        calendar = new SystemdCalendar(weekdays, year, month, day, hour, minute, second, zone, zoneName);
        return true;
    }

    private static bool IsWeekdayList(string token) => TryParseWeekdays(token, out _);

    private static bool TryParseWeekdays(string token, out int mask)
    {
        mask = 0;
        foreach (var item in token.Split(','))
        {
            if (item.Length == 0) return false;
            string[] range = item.Contains("..", StringComparison.Ordinal) ? item.Split("..") : item.Split('-');
            if (range.Length is < 1 or > 2) return false;
            int a = DayIndex(range[0]);
            int b = range.Length == 2 ? DayIndex(range[1]) : a;
            if (a < 0 || b < 0 || b < a) return false;
            for (int d = a; d <= b; d++) mask |= 1 << d;
        }
        return mask != 0;

        static int DayIndex(string name)
        {
            for (int d = 0; d < 7; d++)
                if (name.Equals(DayNames[d], StringComparison.OrdinalIgnoreCase) || name.Equals(LongDayNames[d], StringComparison.OrdinalIgnoreCase)) return d;
            return -1;
        }
    }

    private static bool TryParseDate(string token, out Component year, out Component month, out Component day, out string? error)
    {
        year = month = day = Component.Any;
        error = null;
        // The separator before the day is '-' or '~' (counted from the month's end).
        bool endOfMonth = false;
        string[] parts;
        int tilde = token.IndexOf('~', StringComparison.Ordinal);
        if (tilde >= 0)
        {
            endOfMonth = true;
            var head = token[..tilde].Split('-');
            parts = [.. head, token[(tilde + 1)..]];
        }
        else parts = token.Split('-');
        if (parts.Length is < 2 or > 3)
        {
            error = $"the date '{token}' is not [YEAR-]MONTH-DAY";
            return false;
        }
        int k = 0;
        if (parts.Length == 3)
        {
            if (!Component.TryParse(parts[k++], 1970, 2199, allowFraction: false, out year)) { error = $"invalid year in '{token}'"; return false; }
            // Two-digit years as systemd reads them.
            if (year.Items is { } ys && parts[0].Length == 2)
                year = new Component([.. ys.Select(static y => y with { Start = y.Start + (y.Start < 70 ? 2000 : 1900), Stop = y.Stop is { } s ? s + (s < 70 ? 2000 : 1900) : null })], false);
        }
        if (!Component.TryParse(parts[k++], 1, 12, allowFraction: false, out month)) { error = $"invalid month in '{token}'"; return false; }
        if (!Component.TryParse(parts[k], 1, 31, allowFraction: false, out day)) { error = $"invalid day in '{token}'"; return false; }
        if (endOfMonth) day = day with { EndOfMonth = true };
        return true;
    }

    private static bool TryParseTime(string token, out Component hour, out Component minute, out Component second, out string? error)
    {
        hour = minute = second = Component.Zero;
        error = null;
        var parts = token.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            error = $"the time '{token}' is not HOUR:MINUTE[:SECOND]";
            return false;
        }
        if (!Component.TryParse(parts[0], 0, 23, false, out hour)) { error = $"invalid hour in '{token}'"; return false; }
        if (!Component.TryParse(parts[1], 0, 59, false, out minute)) { error = $"invalid minute in '{token}'"; return false; }
        if (parts.Length == 3 && !Component.TryParse(parts[2], 0, 59, true, out second)) { error = $"invalid second in '{token}'"; return false; }
        return true;
    }

    private static bool[] Expand(Component c, int min, int max)
    {
        var set = new bool[max + 1];
        for (int v = min; v <= max; v++) set[v] = c.Matches(v, max);
        return set;
    }

    public DateTimeOffset? Next(DateTimeOffset after)
    {
        var local = TimeZoneInfo.ConvertTime(after, _zone).DateTime.AddDays(-1);
        var startDate = local.Date;
        for (int y = Math.Max(startDate.Year, 1970); y <= 2199; y++)
        {
            if (!_year.Matches(y, 2199)) continue;
            for (int m = y == startDate.Year ? startDate.Month : 1; m <= 12; m++)
            {
                if (!_month.Matches(m, 12)) continue;
                int dim = DateTime.DaysInMonth(y, m);
                int firstDay = y == startDate.Year && m == startDate.Month ? startDate.Day : 1;
                for (int d = firstDay; d <= dim; d++)
                {
                    if (!_day.MatchesDay(d, dim)) continue;
                    var date = new DateTime(y, m, d, 0, 0, 0, DateTimeKind.Unspecified);
                    int dow = ((int)date.DayOfWeek + 6) % 7;
                    if ((_weekdays & (1 << dow)) == 0) continue;
                    if (FirstOnDay(date, after) is { } hit) return hit;
                }
            }
        }
        return null;
    }

    private DateTimeOffset? FirstOnDay(DateTime date, DateTimeOffset after)
    {
        for (int h = 0; h < 24; h++)
        {
            if (!_hours[h]) continue;
            for (int mi = 0; mi < 60; mi++)
            {
                if (!_minutes[mi]) continue;
                for (int s = 0; s < 60; s++)
                {
                    if (!_seconds[s]) continue;
                    var candidate = date.AddHours(h).AddMinutes(mi).AddSeconds(s);
                    if (_zone.IsInvalidTime(candidate)) continue;
                    var offset = _zone.IsAmbiguousTime(candidate) ? _zone.GetAmbiguousTimeOffsets(candidate).Max() : _zone.GetUtcOffset(candidate);
                    var utc = new DateTimeOffset(candidate, offset).ToUniversalTime();
                    if (utc > after) return utc;
                }
            }
        }
        return null;
    }

    private string Format()
    {
        var sb = new StringBuilder();
        if (_weekdays != 0x7F)
        {
            var items = new List<string>();
            for (int d = 0; d < 7;)
            {
                if ((_weekdays & (1 << d)) == 0) { d++; continue; }
                int e = d;
                while (e + 1 < 7 && (_weekdays & (1 << (e + 1))) != 0) e++;
                if (e - d >= 2) items.Add(DayNames[d] + ".." + DayNames[e]);
                else for (int x = d; x <= e; x++) items.Add(DayNames[x]);
                d = e + 1;
            }
            sb.Append(string.Join(',', items)).Append(' ');
        }
        sb.Append(_year.Format(4)).Append('-').Append(_month.Format(2)).Append(_day.EndOfMonth ? '~' : '-').Append(_day.Format(2));
        sb.Append(' ').Append(_hour.Format(2)).Append(':').Append(_minute.Format(2)).Append(':').Append(_second.Format(2));
        if (ZoneName is not null) sb.Append(' ').Append(ZoneName);
        return sb.ToString();
    }

    /// <summary>One value of one field: a start, an optional stop (<c>..</c>) and an optional repetition (<c>/</c>).</summary>
    internal readonly record struct Item(int Start, int? Stop, int Repeat);

    /// <summary>A field: null items means <c>*</c>.</summary>
    internal sealed record Component(IReadOnlyList<Item>? Items, bool EndOfMonth)
    {
        public static Component Any { get; } = new(null, false);
        public static Component Zero { get; } = new([new Item(0, null, 0)], false);

        public static bool TryParse(string text, int min, int max, bool allowFraction, out Component component)
        {
            component = Any;
            if (text == "*") return true;
            var items = new List<Item>();
            foreach (var raw in text.Split(','))
            {
                var part = raw;
                int repeat = 0;
                int slash = part.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    if (!TryNumber(part[(slash + 1)..], allowFraction, out repeat) || repeat <= 0) return false;
                    part = part[..slash];
                }
                int? stop = null;
                int dots = part.IndexOf("..", StringComparison.Ordinal);
                if (dots >= 0)
                {
                    if (!TryNumber(part[(dots + 2)..], allowFraction, out var s)) return false;
                    stop = s;
                    part = part[..dots];
                }
                if (!TryNumber(part, allowFraction, out var start)) return false;
                if (start < min || start > max || (stop is { } st && (st < start || st > max))) return false;
                items.Add(new Item(start, stop, repeat));
            }
            items.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : Nullable.Compare(a.Stop, b.Stop) != 0 ? Nullable.Compare(a.Stop, b.Stop) : a.Repeat.CompareTo(b.Repeat));
            component = new Component(items, false);
            return true;
        }

        private static bool TryNumber(string s, bool allowFraction, out int value)
        {
            value = 0;
            if (allowFraction)
            {
                int dot = s.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && s[(dot + 1)..].All(char.IsAsciiDigit)) s = s[..dot];
            }
            return s.Length is > 0 and <= 4 && s.All(char.IsAsciiDigit) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        public bool Matches(int v, int max)
        {
            if (Items is null) return true;
            foreach (var it in Items)
            {
                int stop = it.Stop ?? (it.Repeat > 0 ? max : it.Start);
                if (v < it.Start || v > stop) continue;
                if (it.Repeat == 0 || (v - it.Start) % it.Repeat == 0) return true;
            }
            return false;
        }

        public bool MatchesDay(int day, int daysInMonth)
        {
            if (!EndOfMonth) return Matches(day, 31);
            if (Items is null) return true;
            foreach (var it in Items)
            {
                int start = daysInMonth - it.Start + 1;
                int stop = it.Stop is { } s ? daysInMonth - s + 1 : (it.Repeat > 0 ? daysInMonth : start);
                if (day < start || day > stop) continue;
                if (it.Repeat == 0 || (day - start) % it.Repeat == 0) return true;
            }
            return false;
        }

        public string Format(int width)
        {
            if (Items is null) return "*";
            string fmt = "D" + width.ToString(CultureInfo.InvariantCulture);
            return string.Join(',', Items.Select(it =>
                it.Start.ToString(fmt, CultureInfo.InvariantCulture)
                + (it.Stop is { } s ? ".." + s.ToString(fmt, CultureInfo.InvariantCulture) : string.Empty)
                + (it.Repeat > 0 ? "/" + it.Repeat.ToString(CultureInfo.InvariantCulture) : string.Empty)));
        }
    }
}
