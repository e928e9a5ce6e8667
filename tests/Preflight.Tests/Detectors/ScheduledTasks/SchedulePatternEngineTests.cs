using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using Preflight.Content;
using Preflight.Detectors.ScheduledTasks;

namespace Preflight.Tests.Detectors.ScheduledTasks;

/// <summary>
/// The scheduled-task patterns run on the backtracking engine first (see TimedRegex); on generated settings, commands
/// and paths each must give the same matches and groups as the non-backtracking engine, which answers past the limit.
/// </summary>
public class SchedulePatternEngineTests
{
    [Test]
    public void Generated_schedule_settings_get_the_same_matches_from_both_engines()
    {
        string[][] parts =
        [
            ["", "\n", "  ", "{", ",", "x", "\"", "'"],
            ["cleanup", "nightly_", "Report.", "", "a-b"],
            ["schedule", "Schedule", "CRON", "cron", "sched", "crontab"],
            ["", "_expr", ".value", "Job"],
            ["", "\"", "'"],
            ["", " ", "\t"],
            [":", "=", "", ": "],
            [" ", "", "\t"],
            ["\"0 3 * * *\"", "'*/5 * * * *'", "0 3 * * *", "\"\"", "never # comment", "x;y", "\"unterminated"],
            ["", "\n", "\r\n", ",", " # note"],
        ];
        var random = new Random(20261130);
        int matches = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var text = RegexEngines.Build(random, parts) + RegexEngines.Build(random, parts);
            matches += RegexEngines.AssertSameAsLinear(ConfigSchedules.Setting, text);
        }
        matches.Should().BeGreaterThan(5_000);
    }

    [Test]
    public void Generated_commands_and_paths_get_the_same_matches_from_both_engines()
    {
        string[][] command =
        [
            ["", "sudo ", "PGPASSWORD=s3cr3t ", "MYSQL_PWD=x ", "env A=1 ", "/tmp/", "~/", "$HOME/", "c:\\temp\\", "C:\\Users\\bob\\AppData\\", "%TEMP%"],
            ["psql", "pg_dump", "mysql", "mysqldump", "backup.sh", "systemctl", "service nginx restart", "net stop w3svc", "Restart-Service x", "kubectl", "curl", "dbtool", "sc.exe stop x"],
            [" ", "\t", ""],
            ["-pS3cret", "-p S3cret", "--password=abc", "--password abc", "password=xyz", "Password=xyz", "/p:pw", "/password:pw", "-U app", ""],
            [" ", ""],
            ["https://user:pa55@host/db", "ftp://a:b@c", "postgres://u@h", "x", "", "start", "restart"],
        ];
        TimedRegex[] patterns = [CommandText.UrlCredentials, CommandText.PasswordOption, CommandText.DatabaseOrService, CommandText.WritablePath];
        var random = new Random(20261131);
        int matches = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var text = RegexEngines.Build(random, command);
            foreach (var pattern in patterns) matches += RegexEngines.AssertSameAsLinear(pattern, text);
        }
        matches.Should().BeGreaterThan(10_000);
    }

    [Test]
    public void Generated_task_commands_and_manifests_get_the_same_matches_from_both_engines()
    {
        string[][] schtasks = [["schtasks /create", "SCHTASKS /Create", "x"], [" /sc daily", " /SC WEEKLY", " /tn \"Nightly \\\"job\\\"\"", " /tr C:\\app\\run.exe", " /st 02:00", " /ru SYSTEM", " /", ""],
            [" /mo 2", " /d MON", " /f", "", " /tn"], ["", " \"unterminated", " //x"]];
        string[][] ps = [["New-ScheduledTaskTrigger", "Register-ScheduledTask", "x"], [" -Daily", " -At 3am", " -At '03:00'", " -At \"3:00 AM\"", " -TaskName Backup", " -DaysInterval 2", " -", ""],
            [" -User 'NT AUTHORITY\\SYSTEM'", " -Execute (Get-Item x)", " -Argument \"-File c:\\x.ps1\"", ""]];
        string[][] yaml = [["", "CRON_TZ=Europe/Paris ", "TZ=UTC ", "TZ= ", "CRON_TZ=a\tb "], ["0 3 * * *", "{{ .Values.schedule }}", "*/5 * * * *", "{{ x }} {{y}}", "{{ unterminated"], ["", " {{ z }}", "\n"]];
        var random = new Random(20261132);
        int matches = 0;
        for (int n = 0; n < 10_000; n++)
        {
            var a = RegexEngines.Build(random, schtasks) + RegexEngines.Build(random, schtasks);
            var b = RegexEngines.Build(random, ps) + RegexEngines.Build(random, ps);
            var c = RegexEngines.Build(random, yaml);
            matches += RegexEngines.AssertSameAsLinear(ScriptSchedules.SchtasksOption, a) + RegexEngines.AssertSameAsLinear(ScriptSchedules.PsOption, b) + RegexEngines.AssertSameAsLinear(YamlSchedules.TemplateAction, c) + RegexEngines.AssertSameAsLinear(YamlSchedules.ZonePrefix, c);
        }
        matches.Should().BeGreaterThan(20_000);
    }
}
