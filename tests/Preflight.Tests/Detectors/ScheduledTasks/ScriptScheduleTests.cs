using FluentAssertions;
using NUnit.Framework;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class ScriptScheduleTests
{
    [Test]
    public async Task Schtasks_create_lines_become_tasks()
    {
        var script = """
            @echo off
            REM schtasks /create /tn Ignored /sc daily /st 01:00 /tr c:\x.exe
            schtasks /create /tn "Acme\Nightly Vacuum" /tr "\"C:\Program Files\Acme\acmectl.exe\" vacuum --database" /sc daily /st 02:10 /ru SYSTEM /f
            schtasks /Create /TN AcmePoll /TR C:\Users\Public\acme\poll.exe /SC MINUTE /MO 1 /RU SYSTEM
            schtasks /create /tn AcmeBoot /tr C:\Acme\warmup.cmd /sc onstart /ru "NT AUTHORITY\SYSTEM"
            schtasks /create /tn AcmeWeekly /tr C:\Acme\report.exe /sc weekly /d MON,THU /st 23:30
            schtasks /create /tn Broken /tr C:\Acme\x.exe /sc fortnightly
            """;
        var report = await ScanHelper.ScanAsync("install/register-tasks.cmd", script, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(4).And.OnlyContain(t => t.Format == "schtasks");
        var nightly = tasks.Single(t => t.Location.Line == 3);
        nightly.Command.Should().Be("\"C:\\Program Files\\Acme\\acmectl.exe\" vacuum --database");
        nightly.User.Should().Be("SYSTEM");
        nightly.NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 2, 10, 0, TimeSpan.Zero));
        tasks.Single(t => t.Location.Line == 6).NextRuns.Take(2).Should().Equal(
            new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 23, 30, 0, TimeSpan.Zero));
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF101").Which.Location.Line.Should().Be(7);
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF103").Which.Location.Line.Should().Be(4);
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF104").Which.Location.Line.Should().Be(4);
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF105").Which.Location.Line.Should().Be(5);
        report.Findings.Where(f => f.RuleId == "PF106").Select(f => f.Location.Line).Should().BeEquivalentTo([3, 4]);
    }

    [Test]
    public async Task PowerShell_scheduled_task_registration_is_read()
    {
        var script = """
            $action  = New-ScheduledTaskAction -Execute "C:\Acme\bin\sync.exe" -Argument "--all"
            $daily   = New-ScheduledTaskTrigger -Daily -At 2:30am
            $weekly  = New-ScheduledTaskTrigger -Weekly -DaysOfWeek Monday,Friday -At "18:00"
            $boot    = New-ScheduledTaskTrigger -AtStartup
            Register-ScheduledTask -TaskName "AcmeSync" -Action $action -Trigger $daily,$weekly,$boot -User "SYSTEM"
            """;
        var report = await ScanHelper.ScanAsync("scripts/install.ps1", script, ScanHelper.Options());
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(3).And.OnlyContain(t => t.Command == "C:\\Acme\\bin\\sync.exe --all" && t.User == "SYSTEM");
        tasks.Single(t => t.Location.Line == 2).NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 2, 30, 0, TimeSpan.Zero));
        tasks.Single(t => t.Location.Line == 3).NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero));
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF105");
    }
}
