using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>Which cron-related file an entry is, from its path.</summary>
internal enum CronFileKind
{
    None,
    /// <summary><c>/etc/crontab</c> or <c>/etc/cron.d/*</c>: five fields, a user, a command.</summary>
    SystemCrontab,
    /// <summary>A user's crontab (<c>/var/spool/cron/crontabs/USER</c>, <c>*.crontab</c>): five fields and a command.</summary>
    UserCrontab,
    /// <summary>A crontab whose format is decided from its content.</summary>
    UnknownCrontab,
    /// <summary>A script in <c>/etc/cron.{hourly,daily,weekly,monthly}/</c>, run by run-parts.</summary>
    RunParts,
    /// <summary><c>/etc/anacrontab</c>.</summary>
    Anacrontab,
}

/// <summary>Parsers for crontabs, run-parts directories and anacrontab.</summary>
internal static class CronFiles
{
    /// <summary>Debian's /etc/crontab lines that run the run-parts directories (when anacron is not installed).</summary>
    private static readonly Dictionary<string, string> RunPartsTimes = new(StringComparer.Ordinal)
    {
        ["cron.hourly"] = "17 * * * *",
        ["cron.daily"] = "25 6 * * *",
        ["cron.weekly"] = "47 6 * * 7",
        ["cron.monthly"] = "52 6 1 * *",
    };

    public static CronFileKind Classify(string path)
    {
        var segments = path.Split('/');
        if (segments.Length == 0) return CronFileKind.None;
        string name = segments[^1];
        string parent = segments.Length > 1 ? segments[^2] : string.Empty;
        if (name.Length == 0) return CronFileKind.None;
        if (string.Equals(parent, "cron.d", StringComparison.OrdinalIgnoreCase)) return CronFileKind.SystemCrontab;
        if (RunPartsTimes.ContainsKey(parent.ToLowerInvariant())) return CronFileKind.RunParts;
        if (string.Equals(name, "anacrontab", StringComparison.OrdinalIgnoreCase)) return CronFileKind.Anacrontab;
        if (string.Equals(name, "crontab", StringComparison.OrdinalIgnoreCase) && string.Equals(parent, "etc", StringComparison.OrdinalIgnoreCase)) return CronFileKind.SystemCrontab;
        if (string.Equals(parent, "crontabs", StringComparison.OrdinalIgnoreCase)) return CronFileKind.UserCrontab;
        if (segments.Length >= 3 && string.Equals(parent, "cron", StringComparison.OrdinalIgnoreCase) && string.Equals(segments[^3], "spool", StringComparison.OrdinalIgnoreCase)) return CronFileKind.UserCrontab;
        if (string.Equals(parent, "debian", StringComparison.OrdinalIgnoreCase))
        {
            if (name.EndsWith(".cron.d", StringComparison.OrdinalIgnoreCase)) return CronFileKind.SystemCrontab;
            foreach (var dir in RunPartsTimes.Keys)
                if (name.EndsWith("." + dir, StringComparison.OrdinalIgnoreCase)) return CronFileKind.RunParts;
        }
        var lower = name.ToLowerInvariant();
        if (lower is "crontab" or "crontab.txt" || lower.EndsWith(".crontab", StringComparison.Ordinal) || lower.EndsWith(".cron", StringComparison.Ordinal) || lower.StartsWith("crontab.", StringComparison.Ordinal))
            return CronFileKind.UnknownCrontab;
        return CronFileKind.None;
    }

    /// <summary>Reads a crontab.</summary>
    /// <param name="path">The entry's location path.</param>
    /// <param name="text">Its text.</param>
    /// <param name="lines">Its lines.</param>
    /// <param name="kind">System, user or unknown format.</param>
    public static ScheduleFileResult ParseCrontab(string path, string text, LineIndex lines, CronFileKind kind)
    {
        var result = new ScheduleFileResult();
        string name = path[(path.LastIndexOf('/') + 1)..];
        string parent = ParentName(path);
        bool system = kind == CronFileKind.SystemCrontab || (kind == CronFileKind.UnknownCrontab && LooksLikeSystemFormat(lines));
        string format = kind switch
        {
            CronFileKind.SystemCrontab when string.Equals(parent, "cron.d", StringComparison.OrdinalIgnoreCase) => "cron.d",
            CronFileKind.SystemCrontab when string.Equals(parent, "debian", StringComparison.OrdinalIgnoreCase) => "cron.d",
            CronFileKind.SystemCrontab => "system-crontab",
            _ => "crontab",
        };
        string? fileUser = kind == CronFileKind.UserCrontab ? name : null;

        if (string.Equals(parent, "cron.d", StringComparison.OrdinalIgnoreCase) && !IsRunPartsName(name))
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.IgnoredFile, new Location(path),
                $"cron ignores /etc/cron.d/{name}: Debian's cron skips cron.d files whose names contain a dot or characters outside [A-Za-z0-9_-], so none of its jobs will run",
                "cron.d-name:" + name));
        }

        TimeZoneInfo zone = TimeZoneInfo.Utc;
        string? zoneId = null;
        int lastJobLine = 0;
        for (int n = 1; n <= lines.Count; n++)
        {
            var line = lines[n].Trim();
            if (line.IsEmpty || line[0] == '#') continue;
            if (TryEnvironment(line, out var envName, out var envValue))
            {
                if (envName is "CRON_TZ")
                {
                    if (TryFindZone(envValue, out var z)) { zone = z; zoneId = envValue; }
                    else result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, new Location(path, n, 1),
                        $"CRON_TZ names an unknown time zone '{envValue}'; cron falls back to the system zone", "tz:" + envValue, line.ToString()));
                }
                continue;
            }
            lastJobLine = n;
            var lineText = line.ToString();
            ParseJobLine(path, n, lineText, system, format, fileUser, zone, zoneId, result);
        }

        if (lastJobLine == lines.Count && lastJobLine > 0 && text.Length > 0 && text[^1] is not '\n')
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.IgnoredFile, new Location(path, lastJobLine, 1),
                "the last line has no terminating newline: cron treats the crontab as broken and drops that line",
                "no-final-newline", lines[lastJobLine].Trim().ToString()));
        }
        return result;
    }

    private static void ParseJobLine(string path, int n, string line, bool system, string format, string? fileUser, TimeZoneInfo zone, string? zoneId, ScheduleFileResult result)
    {
        var location = new Location(path, n, 1);
        string expression;
        string rest;
        if (line.StartsWith('@'))
        {
            int sp = IndexOfWhitespace(line, 0);
            expression = sp < 0 ? line : line[..sp];
            rest = sp < 0 ? string.Empty : line[sp..].TrimStart();
        }
        else
        {
            int pos = 0;
            for (int i = 0; i < 5 && pos >= 0; i++)
            {
                pos = SkipWhitespace(line, pos);
                pos = pos >= line.Length ? -1 : IndexOfWhitespace(line, pos);
            }
            if (pos < 0)
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                    "a cron line has fewer than five time fields and a command: cron will reject the crontab line", "line:" + line, Truncate(line)));
                return;
            }
            expression = line[..pos];
            rest = line[pos..].TrimStart();
        }

        string? user = fileUser;
        if (system)
        {
            int sp = IndexOfWhitespace(rest, 0);
            user = sp < 0 ? (rest.Length > 0 ? rest : null) : rest[..sp];
            rest = sp < 0 ? string.Empty : rest[sp..].TrimStart();
        }
        var (command, hasStdin) = SplitPercent(rest);
        if (command.Length == 0)
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                system ? "a system crontab line has no user or no command: cron will reject it" : "a cron line has no command: cron will reject it",
                "line:" + line, Truncate(line)));
            return;
        }
        string normalizedExpression = string.Join(' ', expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (string.Equals(normalizedExpression, "@reboot", StringComparison.OrdinalIgnoreCase))
        {
            result.Tasks.Add(new TaskDefinition(location, format, normalizedExpression, "at boot (@reboot)", command, user, zoneId, null, Boot: true));
            return;
        }
        if (!CronSchedule.TryParse(normalizedExpression, zone, out var schedule, out var error))
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                $"the cron expression '{normalizedExpression}' is invalid ({error}): the job never runs", "expr:" + normalizedExpression, Truncate(line)));
            return;
        }
        string description = CronDescription.Describe(normalizedExpression, schedule!.OrsDays) + (zoneId is null ? " (system time zone; UTC assumed)" : $" ({zoneId})");
        if (hasStdin) description += "; text after % is fed to the command's standard input";
        result.Tasks.Add(new TaskDefinition(location, format, normalizedExpression, description, command, user, zoneId, schedule, Boot: false));
    }

    /// <summary>A run-parts script in /etc/cron.daily and friends.</summary>
    public static ScheduleFileResult ParseRunPartsScript(string path, string text)
    {
        var result = new ScheduleFileResult();
        string name = path[(path.LastIndexOf('/') + 1)..];
        string parent = ParentName(path).ToLowerInvariant();
        string dir;
        string installedName = name;
        if (parent == "debian")
        {
            dir = RunPartsTimes.Keys.First(k => name.EndsWith("." + k, StringComparison.OrdinalIgnoreCase));
            installedName = name[..^(dir.Length + 1)];
        }
        else dir = parent;
        if (!IsRunPartsName(installedName))
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.IgnoredFile, new Location(path),
                $"run-parts skips /etc/{dir}/{installedName}: names with a dot or characters outside [A-Za-z0-9_-] are never run on Debian",
                "run-parts-name:" + installedName));
        }
        var expression = RunPartsTimes[dir];
        var period = dir["cron.".Length..];
        var schedule = CronSchedule.TryParse(expression, TimeZoneInfo.Utc, out var s, out _) ? s : null;
        result.Tasks.Add(new TaskDefinition(new Location(path), "cron." + period, "@" + period + " (run-parts)",
            $"{period}, by run-parts from /etc/crontab ('{expression}' on Debian without anacron; UTC assumed)",
            $"/etc/{dir}/{installedName}", "root", null, schedule, Boot: false)
        { Body = text.Length > 64 * 1024 ? text[..(64 * 1024)] : text });
        return result;
    }

    /// <summary>An anacrontab: <c>period delay job-id command</c> lines.</summary>
    public static ScheduleFileResult ParseAnacrontab(string path, LineIndex lines)
    {
        var result = new ScheduleFileResult();
        for (int n = 1; n <= lines.Count; n++)
        {
            var line = lines[n].Trim();
            if (line.IsEmpty || line[0] == '#') continue;
            if (TryEnvironment(line, out _, out _)) continue;
            var text = line.ToString();
            var parts = text.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
            var location = new Location(path, n, 1);
            if (parts.Length < 4)
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                    "an anacrontab line needs a period, a delay, a job identifier and a command", "line:" + text, Truncate(text)));
                continue;
            }
            string? periodText = parts[0].ToLowerInvariant() switch
            {
                "@daily" => "every day",
                "@weekly" => "every week",
                "@monthly" => "every month",
                "@yearly" or "@annually" => "every year",
                var p when int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days > 0 => days == 1 ? "every day" : $"every {days} days",
                _ => null,
            };
            bool delayOk = int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var delay);
            if (periodText is null || !delayOk)
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                    $"the anacron period '{parts[0]}' or delay '{parts[1]}' is invalid: the job never runs", "anacron:" + parts[2], Truncate(text)));
                continue;
            }
            result.Tasks.Add(new TaskDefinition(location, "anacron", $"{parts[0]} {parts[1]}",
                $"{periodText}, {delay} minutes after anacron starts (at boot and daily); exact times depend on the host",
                parts[3], "root", null, null, Boot: false));
        }
        return result;
    }

    /// <summary>Debian's run-parts and cron accept names made of letters, digits, underscores and hyphens only.</summary>
    internal static bool IsRunPartsName(string name) =>
        name.Length > 0 && name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static bool LooksLikeSystemFormat(LineIndex lines)
    {
        int system = 0, user = 0;
        for (int n = 1; n <= lines.Count && system + user < 20; n++)
        {
            var line = lines[n].Trim();
            if (line.IsEmpty || line[0] == '#' || TryEnvironment(line, out _, out _)) continue;
            var parts = line.ToString().Split((char[]?)null, 8, StringSplitOptions.RemoveEmptyEntries);
            int userIndex = parts.Length > 0 && parts[0].StartsWith('@') ? 1 : 5;
            if (parts.Length > userIndex + 1 && parts[userIndex] is "root" or "www-data" or "nobody" or "postgres" or "daemon") system++;
            else user++;
        }
        return system > 0 && system >= user;
    }

    private static bool TryEnvironment(ReadOnlySpan<char> line, out string name, out string value)
    {
        name = value = string.Empty;
        int i = 0;
        if (line.IsEmpty || !(char.IsAsciiLetter(line[0]) || line[0] == '_')) return false;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
        int nameEnd = i;
        while (i < line.Length && line[i] is ' ' or '\t') i++;
        if (i >= line.Length || line[i] != '=') return false;
        name = line[..nameEnd].ToString();
        value = line[(i + 1)..].Trim().Trim('"').Trim('\'').ToString();
        return true;
    }

    /// <summary>
    /// The zone of an IANA id the package names. The id is checked first — letters, digits, <c>_ + -</c> and single
    /// slashes between segments, as in <c>America/Argentina/Buenos_Aires</c> — because the runtime maps it to a file
    /// under the zoneinfo folder: an id such as <c>../../etc/passwd</c> or <c>Europe/</c> must never be opened.
    /// </summary>
    internal static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (!IsZoneId(id)) return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException
            or System.Security.SecurityException or IOException or UnauthorizedAccessException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    private static bool IsZoneId(string id)
    {
        if (id.Length is 0 or > 64 || id[0] == '/' || id[^1] == '/' || id.Contains("//", StringComparison.Ordinal)) return false;
        foreach (var segment in id.Split('/'))
        {
            if (segment is "." or "..") return false;
            foreach (char c in segment)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-')) return false;
        }
        return true;
    }

    /// <summary>Cron turns an unescaped <c>%</c> into a newline; everything after the first one is standard input.</summary>
    private static (string Command, bool HasStdin) SplitPercent(string rest)
    {
        var sb = new System.Text.StringBuilder(rest.Length);
        for (int i = 0; i < rest.Length; i++)
        {
            char c = rest[i];
            if (c == '\\' && i + 1 < rest.Length && rest[i + 1] == '%') { sb.Append('%'); i++; continue; }
            if (c == '%') return (sb.ToString().TrimEnd(), true);
            sb.Append(c);
        }
        return (sb.ToString().TrimEnd(), false);
    }

    private static string ParentName(string path)
    {
        int last = path.LastIndexOf('/');
        if (last <= 0) return string.Empty;
        int prev = path.LastIndexOf('/', last - 1);
        return path[(prev + 1)..last];
    }

    private static int SkipWhitespace(string s, int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
        return i;
    }

    private static int IndexOfWhitespace(string s, int i)
    {
        while (i < s.Length && s[i] is not (' ' or '\t')) i++;
        return i >= s.Length ? -1 : i;
    }

    internal static string Truncate(string s) => s.Length <= 160 ? s : s[..157] + "...";
}
