using System.Text.RegularExpressions;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>What the findings need to know about a job's command: redacted for output, and what it touches.</summary>
internal static partial class CommandText
{
    /// <summary>Masks passwords given on command lines (<c>-pSECRET</c>, <c>--password=…</c>, <c>PGPASSWORD=…</c>, <c>user:pass@</c> in URLs).</summary>
    public static string? Redact(string? command)
    {
        if (command is null) return null;
        var s = UrlCredentials.Replace(command, "$1***@");
        s = PasswordOption.Replace(s, "$1***");
        return s;
    }

    /// <summary>True when a command (or the script it runs) touches a database or system services.</summary>
    public static bool TouchesDatabaseOrServices(string? text) => text is not null && DatabaseOrService.IsMatch(text);

    /// <summary>True when the program a root job runs lives where unprivileged users can write.</summary>
    public static bool RunsFromWritablePath(string? command) => ProgramOf(command) is { } program && WritablePath.IsMatch(program);

    /// <summary>
    /// The program a command line runs: the first word after environment assignments, <c>sudo</c>/<c>nice</c>-like
    /// wrappers, and interpreters (<c>sh /tmp/x.sh</c> runs <c>/tmp/x.sh</c>).
    /// </summary>
    public static string? ProgramOf(string? command)
    {
        if (string.IsNullOrWhiteSpace(command)) return null;
        var tokens = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        bool afterInterpreter = false;
        int skip = 0;
        foreach (var raw in tokens)
        {
            var t = raw.Trim('"', '\'');
            if (t.Length == 0) continue;
            if (skip > 0 && !t.StartsWith('-'))
            {
                skip--;
                continue;
            }
            if (!afterInterpreter && t.Contains('=', StringComparison.Ordinal) && !t.StartsWith('/') && !t.StartsWith('-')) continue;
            if (t.StartsWith('-') || (afterInterpreter && t.StartsWith('/') && t.Length == 2)) continue;
            var baseName = t[(Math.Max(t.LastIndexOf('/'), t.LastIndexOf('\\')) + 1)..].ToLowerInvariant();
            if (baseName is "timeout" or "flock")
            {
                skip = 1;
                continue;
            }
            if (baseName is "sudo" or "nice" or "ionice" or "nohup" or "env" or "exec" or "chronic" or "run-one") continue;
            if (baseName is "sh" or "bash" or "dash" or "zsh" or "ksh" or "python" or "python3" or "perl" or "php" or "ruby" or "node" or "pwsh" or "powershell" or "powershell.exe" or "pwsh.exe" or "cmd" or "cmd.exe" or "cscript" or "wscript" or "cscript.exe" or "wscript.exe")
            {
                afterInterpreter = true;
                continue;
            }
            if (afterInterpreter && (t.Equals("-c", StringComparison.Ordinal) || t.Equals("/c", StringComparison.OrdinalIgnoreCase))) continue;
            return t;
        }
        return null;
    }

    public static bool IsPrivileged(string? user) =>
        user is not null && (user.Equals("root", StringComparison.Ordinal) || user.Equals("0", StringComparison.Ordinal)
            || user.Contains("SYSTEM", StringComparison.OrdinalIgnoreCase) || user.Equals("S-1-5-18", StringComparison.Ordinal)
            || user.Contains("HighestAvailable", StringComparison.OrdinalIgnoreCase) || user.Contains("LocalService", StringComparison.OrdinalIgnoreCase));

    // Run on the backtracking engine first, the non-backtracking one past this limit (see Content.TimedRegex): built as
    // non-backtracking regexes, these took tens of milliseconds each to build in a scan with one cron job.
    private const int PatternLimitMilliseconds = 50;

    [GeneratedRegex(@"(://[^/\s:@]+:)[^@\s/]+@", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex UrlCredentialsPattern();

    internal static readonly Content.TimedRegex UrlCredentials = new(UrlCredentialsPattern());

    [GeneratedRegex(@"((?:^|\s)-p|--password[= ]|PGPASSWORD=|MYSQL_PWD=|(?i:password)=|/p(?:assword)?[: ])[^\s'""]+", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex PasswordOptionPattern();

    internal static readonly Content.TimedRegex PasswordOption = new(PasswordOptionPattern());

    [GeneratedRegex(@"(?i)\b(psql|postgres|vacuum|db|pg_dump|pg_dumpall|pg_restore|vacuumdb|reindexdb|mysql|mysqldump|mysqlcheck|mariadb|sqlcmd|sqlplus|mongo|mongosh|mongodump|redis-cli|cqlsh|database|db_|migrat|flyway|liquibase|sqlite3|systemctl|service\s+\S+\s+(re)?start|invoke-rc\.d|sc(\.exe)?\s+(stop|start)|(start|stop|restart)-service|net\s+(stop|start)|iisreset|kubectl|docker|supervisorctl)", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex DatabaseOrServicePattern();

    internal static readonly Content.TimedRegex DatabaseOrService = new(DatabaseOrServicePattern());

    [GeneratedRegex(@"(?i)^(/tmp/|/var/tmp/|/dev/shm/|/home/|/run/user/|~/|\$HOME/|c:\\users\\public\\|c:\\windows\\temp\\|c:\\temp\\|%temp%|%tmp%|\$env:temp|c:\\users\\[^\\]+\\appdata\\)", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex WritablePathPattern();

    internal static readonly Content.TimedRegex WritablePath = new(WritablePathPattern());
}
