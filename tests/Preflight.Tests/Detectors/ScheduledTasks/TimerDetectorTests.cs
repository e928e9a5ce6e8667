using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class TimerDetectorTests
{
    [Test]
    public async Task Scan_inventories_a_timer_with_the_command_of_its_service()
    {
        var files = new Dictionary<string, string>
        {
            ["lib/systemd/system/acme-reindex.timer"] = """
                [Unit]
                Description=Nightly reindex of the acme database
                Documentation=https://docs.acme.test/reindex

                [Timer]
                OnCalendar=*-*-* 02:30:00
                OnCalendar=Sat 05:00
                Persistent=true
                RandomizedDelaySec=10min

                [Install]
                WantedBy=timers.target
                """,
            ["lib/systemd/system/acme-reindex.service"] = """
                [Unit]
                Description=Reindex

                [Service]
                Type=oneshot
                User=acme
                ExecStart=/usr/bin/reindexdb --all
                """,
        };
        var report = await ScanHelper.ScanAsync(files, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var task = report.Inventory.ScheduledTasks.Should().ContainSingle().Subject;
        task.Format.Should().Be("systemd-timer");
        task.Command.Should().Be("/usr/bin/reindexdb --all");
        task.User.Should().Be("acme");
        task.Location.Line.Should().Be(6);
        task.Description.Should().Contain("*-*-* 02:30:00").And.Contain("Persistent").And.Contain("RandomizedDelaySec=10min");
        task.NextRuns.Should().Equal(
            new DateTimeOffset(2026, 11, 27, 2, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 2, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 29, 2, 30, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 30, 2, 30, 0, TimeSpan.Zero));
        var collision = report.Findings.Should().ContainSingle(f => f.RuleId == "PF106").Subject;
        collision.Severity.Should().Be(Severity.High);
        collision.Message.Should().Contain("2026-11-28T02:30:00Z");
    }

    [Test]
    public async Task Boot_and_unit_relative_timers_are_boot_triggers_and_periodic()
    {
        var timer = """
            [Timer]
            OnBootSec=15min
            OnUnitActiveSec=30s
            Unit=acme-poll.service
            """;
        var report = await ScanHelper.ScanAsync("etc/systemd/system/acme-poller.timer", timer, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        report.Inventory.ScheduledTasks.Should().HaveCount(2).And.OnlyContain(t => t.Command == "acme-poll.service");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF105");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF104");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF106").Which.Message.Should().Contain("at least once");
    }

    [Test]
    public async Task Invalid_calendar_expressions_are_reported_with_their_line()
    {
        var timer = """
            [Timer]
            OnCalendar=*:*/15
            OnCalendar=Mon..Fri 08:00
            """;
        var report = await ScanHelper.ScanAsync("etc/systemd/system/acme.timer", timer, ScanHelper.Options());
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF101").Which.Location.Line.Should().Be(2);
        report.Inventory.ScheduledTasks.Should().ContainSingle().Which.Schedule.Should().Be("OnCalendar=Mon..Fri 08:00");
    }

    [TestCase("90", 90)]
    [TestCase("5min", 300)]
    [TestCase("1h 30min", 5400)]
    [TestCase("2d", 172800)]
    [TestCase("1w", 604800)]
    public void Time_spans_parse_like_systemd(string text, int seconds)
    {
        Preflight.Detectors.ScheduledTasks.SystemdUnits.TryParseTimeSpan(text, out var span).Should().BeTrue();
        span.Should().Be(TimeSpan.FromSeconds(seconds));
    }
}

public class MaintenanceWindowTests
{
    [TestCase("2026-11-28T02:00Z/PT1H", "2026-11-28T02:00:00+00:00", 60)]
    [TestCase("2026-11-28T02:00:00+01:00/PT90M", "2026-11-28T01:00:00+00:00", 90)]
    [TestCase("2026-11-28T02:00Z/2026-11-28T04:30Z", "2026-11-28T02:00:00+00:00", 150)]
    [TestCase("2026-11-28T22:00Z/P1DT2H", "2026-11-28T22:00:00+00:00", 1560)]
    [TestCase("2026-11-28T02:00/PT1H", "2026-11-28T02:00:00+00:00", 60)]
    public void Iso_8601_intervals_parse(string text, string start, int minutes)
    {
        MaintenanceWindow.TryParse(text, out var window).Should().BeTrue();
        window!.Start.Should().Be(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));
        window.Duration.Should().Be(TimeSpan.FromMinutes(minutes));
    }

    [TestCase("")]
    [TestCase("2026-11-28T02:00Z")]
    [TestCase("2026-11-28T02:00Z/P1M")]
    [TestCase("2026-11-28T02:00Z/PT0S")]
    [TestCase("2026-11-28T02:00Z/2026-11-28T01:00Z")]
    [TestCase("tomorrow/PT1H")]
    public void Bad_intervals_are_refused(string text) =>
        MaintenanceWindow.TryParse(text, out _).Should().BeFalse();

    [Test]
    public void The_window_is_half_open()
    {
        var window = MaintenanceWindow.Parse("2026-11-28T02:00Z/PT1H");
        window.Contains(new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero)).Should().BeTrue();
        window.Contains(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero)).Should().BeFalse();
    }
}
