using System.Globalization;
using System.Text.RegularExpressions;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>Tasks created by scripts: <c>schtasks /create</c> and PowerShell's <c>New-ScheduledTaskTrigger</c> / <c>Register-ScheduledTask</c>.</summary>
internal static partial class ScriptSchedules
{
    private static readonly Content.AsciiWords RelevantWords = new("schtasks", "ScheduledTaskTrigger");

    public static bool LooksRelevant(ReadOnlySpan<char> text) => RelevantWords.In(text);

    public static ScheduleFileResult Parse(string path, string text, LineIndex lines)
    {
        var result = new ScheduleFileResult();
        string? psCommand = null, psUser = null;
        var psTriggers = new List<(int Line, string Text)>();
        for (int n = 1; n <= lines.Count; n++)
        {
            var span = lines[n].Trim();
            if (span.IsEmpty || span[0] == '#' || span.StartsWith("REM ", StringComparison.OrdinalIgnoreCase) || span.StartsWith("::")) continue;
            if (span.Contains("schtasks", StringComparison.OrdinalIgnoreCase) && span.Contains("/create", StringComparison.OrdinalIgnoreCase))
                Schtasks(path, n, span.ToString(), result);
            else if (span.Contains("New-ScheduledTaskTrigger", StringComparison.OrdinalIgnoreCase))
                psTriggers.Add((n, span.ToString()));
            if (span.Contains("New-ScheduledTaskAction", StringComparison.OrdinalIgnoreCase))
            {
                var line = span.ToString();
                var exe = Option(line, "-Execute");
                var arg = Option(line, "-Argument");
                if (exe is not null) psCommand ??= arg is null ? exe : exe + " " + arg;
            }
            if (span.Contains("-User", StringComparison.OrdinalIgnoreCase) && (span.Contains("Register-ScheduledTask", StringComparison.OrdinalIgnoreCase) || span.Contains("New-ScheduledTaskPrincipal", StringComparison.OrdinalIgnoreCase)))
                psUser ??= Option(span.ToString(), "-UserId") ?? Option(span.ToString(), "-User");
        }
        foreach (var (line, trigger) in psTriggers) PowerShellTrigger(path, line, trigger, psCommand, NormalizeUser(psUser), result);
        return result;
    }

    private static void Schtasks(string path, int line, string text, ScheduleFileResult result)
    {
        var options = ParseSwitches(text);
        var location = new Location(path, line, 1);
        string? sc = options.GetValueOrDefault("sc")?.ToUpperInvariant();
        string? command = options.GetValueOrDefault("tr");
        string? user = NormalizeUser(options.GetValueOrDefault("ru"));
        if (user is null && string.Equals(options.GetValueOrDefault("rl"), "HIGHEST", StringComparison.OrdinalIgnoreCase)) user = "HighestAvailable";
        string name = options.GetValueOrDefault("tn") ?? "(unnamed)";
        if (options.ContainsKey("xml"))
        {
            result.Tasks.Add(new TaskDefinition(location, "schtasks", "/xml " + options["xml"], $"task {name} imported from {options["xml"]}", command, user, null, null, false));
            return;
        }
        int mo = int.TryParse(options.GetValueOrDefault("mo"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 1;
        var (hour, minute) = ParseTime(options.GetValueOrDefault("st")) ?? (0, 0);
        string expression = "/sc " + sc + (options.ContainsKey("mo") ? " /mo " + options["mo"] : string.Empty) + (options.ContainsKey("d") ? " /d " + options["d"] : string.Empty) + (options.ContainsKey("st") ? " /st " + options["st"] : string.Empty);
        string? cron = null;
        TimeSpan? period = null;
        bool boot = false;
        switch (sc)
        {
            case "MINUTE":
                if (mo > 1439) { Invalid(); return; }
                period = TimeSpan.FromMinutes(mo);
                break;
            case "HOURLY":
                if (mo > 23) { Invalid(); return; }
                if (mo == 1) cron = $"{minute} * * * *"; else period = TimeSpan.FromHours(mo);
                break;
            case "DAILY":
                if (mo > 365) { Invalid(); return; }
                if (mo == 1) cron = $"{minute} {hour} * * *"; else period = TimeSpan.FromDays(mo);
                break;
            case "WEEKLY":
                var days = options.GetValueOrDefault("d") ?? "MON";
                if (mo == 1) cron = $"{minute} {hour} * * {(days == "*" ? "*" : days.ToUpperInvariant())}"; else period = TimeSpan.FromDays(7 * mo);
                break;
            case "MONTHLY":
                var d = options.GetValueOrDefault("d");
                if (d is not null && d.Split(',').All(static x => x.All(char.IsAsciiDigit))) cron = $"{minute} {hour} {d} {MonthList(options.GetValueOrDefault("m"))} *";
                break;
            case "ONSTART" or "ONLOGON":
                boot = true;
                break;
            case "ONCE" or "ONIDLE" or "ONEVENT":
                break;
            default:
                Invalid();
                return;
        }
        ISchedule? schedule = null;
        string description = $"task {name}: {sc?.ToLowerInvariant()}";
        if (cron is not null)
        {
            if (!CronSchedule.TryParse(cron, TimeZoneInfo.Utc, out var cs, out _)) { Invalid(); return; }
            schedule = cs;
            description = $"task {name}: " + CronDescription.Describe(cron, cs!.OrsDays) + " (local time; UTC assumed)";
        }
        else if (period is not null) description = $"task {name}: every {SystemdUnits.Describe(period.Value)}";
        result.Tasks.Add(new TaskDefinition(location, "schtasks", expression, description, command, user, null, schedule, boot) { Period = period });

        void Invalid() => result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
            $"schtasks /create with '{expression}' is not a valid schedule: the command fails and no task is created", "schtasks:" + expression, CronFiles.Truncate(text)));
    }

    private static void PowerShellTrigger(string path, int line, string text, string? command, string? user, ScheduleFileResult result)
    {
        var location = new Location(path, line, 1);
        string expression = text[text.IndexOf("New-ScheduledTaskTrigger", StringComparison.OrdinalIgnoreCase)..].TrimEnd(')', ';', ' ');
        if (Has(text, "-AtStartup") || Has(text, "-AtLogOn"))
        {
            result.Tasks.Add(new TaskDefinition(location, "powershell-scheduledtask", expression, Has(text, "-AtStartup") ? "at system start" : "at user logon", command, user, null, null, Boot: true));
            return;
        }
        var at = ParseTime(Option(text, "-At"));
        if (at is null)
        {
            result.Tasks.Add(new TaskDefinition(location, "powershell-scheduledtask", expression, "time not given as a literal", command, user, null, null, false));
            return;
        }
        var (hour, minute) = at.Value;
        string? cron = null;
        if (Has(text, "-Daily") && (Option(text, "-DaysInterval") is null or "1")) cron = $"{minute} {hour} * * *";
        else if (Has(text, "-Weekly") && (Option(text, "-WeeksInterval") is null or "1"))
        {
            var days = Option(text, "-DaysOfWeek");
            cron = $"{minute} {hour} * * {(days is null ? "*" : string.Join(',', days.Split(',').Select(static d => d.Trim().Trim('"', '\'')[..Math.Min(3, d.Trim().Trim('"', '\'').Length)].ToUpperInvariant())))}";
        }
        if (cron is not null && CronSchedule.TryParse(cron, TimeZoneInfo.Utc, out var schedule, out _))
            result.Tasks.Add(new TaskDefinition(location, "powershell-scheduledtask", expression, CronDescription.Describe(cron, schedule!.OrsDays) + " (local time; UTC assumed)", command, user, null, schedule, false));
        else
            result.Tasks.Add(new TaskDefinition(location, "powershell-scheduledtask", expression, "schedule not computed", command, user, null, null, false));
    }

    private static bool Has(string text, string flag) =>
        Flags.GetOrAdd(flag, static f => new Content.TimedRegex(new Regex(Regex.Escape(f) + @"\b", RegexOptions.IgnoreCase,
            TimeSpan.FromMilliseconds(PatternLimitMilliseconds)))).IsMatch(text);

    // A PowerShell flag followed by a word boundary, one pattern per flag asked about (a handful).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Content.TimedRegex> Flags = new(StringComparer.Ordinal);

    /// <summary>The value after a PowerShell parameter, quoted or bare.</summary>
    private static string? Option(string text, string name)
    {
        var m = PsOption.Match(text);
        while (m.Success)
        {
            if (m.Groups["n"].Value.Equals(name, StringComparison.OrdinalIgnoreCase))
                return m.Groups["q"].Success ? m.Groups["q"].Value : m.Groups["b"].Value;
            m = m.NextMatch();
        }
        return null;
    }

    /// <summary>schtasks switches: <c>/sc daily /tr "C:\x.exe --a" /ru SYSTEM</c>.</summary>
    private static Dictionary<string, string> ParseSwitches(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in SchtasksOption.Matches(text))
        {
            var value = m.Groups["q"].Success ? m.Groups["q"].Value : m.Groups["b"].Value;
            map.TryAdd(m.Groups["n"].Value, value.Replace("\\\"", "\"", StringComparison.Ordinal));
        }
        return map;
    }

    private static string? NormalizeUser(string? user)
    {
        if (user is null) return null;
        var u = user.Trim('"', '\'');
        return u.Equals("SYSTEM", StringComparison.OrdinalIgnoreCase) || u.Equals(@"NT AUTHORITY\SYSTEM", StringComparison.OrdinalIgnoreCase) || u == "S-1-5-18" ? "SYSTEM" : u;
    }

    private static string MonthList(string? months) => months is null or "*" ? "*" : months.ToUpperInvariant();

    /// <summary>"02:30", "2:30 PM", "3am", "03:00:00".</summary>
    internal static (int Hour, int Minute)? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().Trim('"', '\'').ToUpperInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        bool pm = t.EndsWith("PM", StringComparison.Ordinal), am = t.EndsWith("AM", StringComparison.Ordinal);
        if (pm || am) t = t[..^2];
        var parts = t.Split(':');
        if (parts.Length > 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)) return null;
        int min = 0;
        if (parts.Length > 1 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out min)) return null;
        if (pm && h < 12) h += 12;
        if (am && h == 12) h = 0;
        if (h > 23 || min > 59) return null;
        return (h, min);
    }

    // Run on the backtracking engine first, the non-backtracking one past this limit (see Content.TimedRegex): a
    // non-backtracking regex costs tens of milliseconds to build, and the first one brings its engine to the JIT.
    private const int PatternLimitMilliseconds = 100;

    [GeneratedRegex(@"(?i)(?:^|\s)/(?<n>[a-z]+)(?:\s+(?:""(?<q>(?:[^""\\]|\\.)*)""|(?<b>[^\s/""][^\s]*)))?", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex SchtasksOptionPattern();

    internal static readonly Content.TimedRegex SchtasksOption = new(SchtasksOptionPattern());

    [GeneratedRegex(@"(?i)(?<n>-[a-z]+)\s+(?:""(?<q>[^""]*)""|'(?<q>[^']*)'|(?<b>[^\s\-(][^\s)]*))", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex PsOptionPattern();

    internal static readonly Content.TimedRegex PsOption = new(PsOptionPattern());
}
