using System.Diagnostics;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class WindowsTaskTests
{
    private const string NightlyTask = """
        <?xml version="1.0" encoding="UTF-16"?>
        <Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
          <RegistrationInfo>
            <Author>ACME\build</Author>
            <URI>\Acme\NightlyCompact</URI>
          </RegistrationInfo>
          <Triggers>
            <CalendarTrigger>
              <StartBoundary>2026-01-01T02:20:00Z</StartBoundary>
              <Enabled>true</Enabled>
              <ScheduleByDay>
                <DaysInterval>1</DaysInterval>
              </ScheduleByDay>
            </CalendarTrigger>
            <CalendarTrigger>
              <StartBoundary>2026-01-05T23:00:00</StartBoundary>
              <ScheduleByWeek>
                <DaysOfWeek><Monday /><Thursday /></DaysOfWeek>
                <WeeksInterval>1</WeeksInterval>
              </ScheduleByWeek>
            </CalendarTrigger>
            <BootTrigger>
              <Enabled>true</Enabled>
            </BootTrigger>
          </Triggers>
          <Principals>
            <Principal id="Author">
              <UserId>S-1-5-18</UserId>
              <RunLevel>HighestAvailable</RunLevel>
            </Principal>
          </Principals>
          <Actions Context="Author">
            <Exec>
              <Command>C:\Windows\Temp\acme\compact.exe</Command>
              <Arguments>--database AcmeDb</Arguments>
            </Exec>
          </Actions>
        </Task>
        """;

    [Test]
    public async Task Scan_reads_calendar_and_boot_triggers_principal_and_action()
    {
        var report = await ScanHelper.ScanAsync("install/tasks/AcmeNightly.xml", NightlyTask, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(3).And.OnlyContain(t => t.Format == "windows-task" && t.User == "SYSTEM");
        tasks.Should().OnlyContain(t => t.Command == @"C:\Windows\Temp\acme\compact.exe --database AcmeDb");
        var daily = tasks.Single(t => t.Location.Line == 8);
        daily.NextRuns.Should().HaveCount(5).And.StartWith(new DateTimeOffset(2026, 11, 27, 2, 20, 0, TimeSpan.Zero));
        var weekly = tasks.Single(t => t.Location.Line == 15);
        weekly.NextRuns.Take(3).Should().Equal(
            new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 12, 3, 23, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 12, 7, 23, 0, 0, TimeSpan.Zero));
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF105");
        report.Findings.Where(f => f.RuleId == "PF103").Should().HaveCount(3, "every trigger runs a SYSTEM program from C:\\Windows\\Temp");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF106").Which.Severity.Should().Be(Severity.High);
    }

    [Test]
    public async Task Repetition_inside_a_day_is_expanded()
    {
        var xml = """
            <Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
              <Triggers>
                <TimeTrigger>
                  <StartBoundary>2026-11-28T01:30:00Z</StartBoundary>
                  <Repetition><Interval>PT20M</Interval><Duration>PT2H</Duration></Repetition>
                </TimeTrigger>
              </Triggers>
              <Actions><Exec><Command>C:\Program Files\Acme\poll.exe</Command></Exec></Actions>
            </Task>
            """;
        var report = await ScanHelper.ScanAsync("tasks/poll.xml", xml, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        report.Inventory.ScheduledTasks.Should().ContainSingle().Which.NextRuns.Should().Equal(
            new DateTimeOffset(2026, 11, 28, 1, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 1, 50, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 2, 10, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 2, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 2, 50, 0, TimeSpan.Zero));
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF106").Which.Properties["count"].Should().Be("3");
    }

    private const string BillionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE Task [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
          <RegistrationInfo><Description>&lol9;</Description></RegistrationInfo>
          <Triggers><BootTrigger /></Triggers>
        </Task>
        """;

    private const string Xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE Task [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
          <Actions><Exec><Command>&xxe;</Command></Exec></Actions>
          <Triggers><BootTrigger /></Triggers>
        </Task>
        """;

    [TestCase("billion-laughs")]
    [TestCase("xxe")]
    public async Task Entity_attacks_are_reported_as_malformed_within_a_second(string which)
    {
        var text = which == "xxe" ? Xxe : BillionLaughs;
        var watch = Stopwatch.StartNew();
        var report = await ScanHelper.ScanAsync($"tasks/{which}.xml", text, ScanHelper.Options(null, "scheduled-tasks"));
        watch.Stop();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF107").Which.Message.Should().Contain("DTD");
        report.Inventory.ScheduledTasks.Should().BeEmpty("nothing of an entity-laden file is trusted");
        report.Findings.Should().NotContain(f => f.Message.Contains("root:", StringComparison.Ordinal));
    }

    [Test]
    public async Task Xml_that_is_not_a_task_is_left_alone()
    {
        var report = await ScanHelper.ScanAsync("conf/app.xml", "<configuration><appSettings /></configuration>", ScanHelper.Options());
        report.Findings.Should().BeEmpty();
        report.Inventory.ScheduledTasks.Should().BeEmpty();
    }
}
