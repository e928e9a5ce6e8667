using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class CronDetectorTests
{
    private const string Window = "2026-11-28T02:00Z/PT1H";

    private const string CronD = """
        # /etc/cron.d/acme: installed by acme-server
        SHELL=/bin/sh
        PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
        MAILTO=ops@acme.test

        15 2 * * *   acme  /opt/acme/bin/acme-maintenance --vacuum --db postgres://acme:s3cretpw@db.acme.test/acme
        * * * * *    root  /opt/acme/bin/healthcheck >/dev/null 2>&1
        @reboot      root  /opt/acme/bin/acme-warmup
        0 4 * * 0    root  /tmp/acme-cleanup.sh
        30 3 * * *   acme  /usr/bin/printf 'report\n' | mail -s "nightly%report" ops%line two

        """;

    [Test]
    public async Task Scan_inventories_cron_d_jobs_with_users_commands_and_next_runs()
    {
        var report = await ScanHelper.ScanAsync("etc/cron.d/acme", CronD, ScanHelper.Options());
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(5);
        tasks.Should().OnlyContain(t => t.Format == "cron.d");
        var nightly = tasks.Single(t => t.Schedule == "15 2 * * *");
        nightly.User.Should().Be("acme");
        nightly.Location.Line.Should().Be(6);
        nightly.NextRuns.Should().Equal(
            Enumerable.Range(0, 5).Select(d => new DateTimeOffset(2026, 11, 27, 2, 15, 0, TimeSpan.Zero).AddDays(d)));
        nightly.Command.Should().NotContain("s3cretpw", "credentials in commands are redacted").And.Contain("db.acme.test");
        tasks.Single(t => t.Schedule == "@reboot").NextRuns.Should().BeEmpty();
        var mail = tasks.Single(t => t.Schedule == "30 3 * * *");
        mail.Command.Should().Be("/usr/bin/printf 'report\\n' | mail -s \"nightly", "cron cuts the command at the first unescaped %");
        mail.Description.Should().Contain("standard input");
    }

    [Test]
    public async Task Scan_reports_boot_frequent_and_writable_root_jobs()
    {
        var report = await ScanHelper.ScanAsync("etc/cron.d/acme", CronD, ScanHelper.Options());
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF105").Which.Location.Line.Should().Be(8);
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF104").Which.Location.Line.Should().Be(7);
        var writable = report.Findings.Should().ContainSingle(f => f.RuleId == "PF103").Subject;
        writable.Location.Line.Should().Be(9);
        writable.Severity.Should().Be(Severity.Medium);
        report.Findings.Should().NotContain(f => f.RuleId == "PF106", "no window was given");
    }

    [Test]
    public async Task Scan_reports_a_database_job_inside_the_maintenance_window_as_high_with_its_firing_time()
    {
        var report = await ScanHelper.ScanAsync("etc/cron.d/acme", CronD, ScanHelper.Options(Window));
        var collisions = report.Findings.Where(f => f.RuleId == "PF106").ToList();
        var nightly = collisions.Should().ContainSingle(f => f.Location.Line == 6).Subject;
        nightly.Severity.Should().Be(Severity.High);
        nightly.Message.Should().Contain("2026-11-28T02:15:00Z").And.NotContain("s3cretpw");
        nightly.Properties["firings"].Should().Be("2026-11-28T02:15:00Z");
        var health = collisions.Should().ContainSingle(f => f.Location.Line == 7).Subject;
        health.Severity.Should().Be(Severity.Medium);
        health.Properties["count"].Should().Be("60");
        collisions.Should().HaveCount(2, "the 03:30 and Sunday 04:00 jobs fire outside 02:00-03:00");
    }

    [Test]
    public async Task Scan_reports_cron_d_files_cron_ignores_because_of_a_dot_in_the_name()
    {
        var report = await ScanHelper.ScanAsync("etc/cron.d/acme.cron", "0 1 * * * root /opt/acme/bin/rotate\n", ScanHelper.Options());
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF102").Which.Message.Should().Contain("acme.cron");
    }

    [Test]
    public async Task Scan_reports_a_last_line_without_newline()
    {
        var report = await ScanHelper.ScanAsync("etc/cron.d/acme", "0 1 * * * root /opt/acme/bin/rotate\n0 2 * * * root /opt/acme/bin/backup", ScanHelper.Options());
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF102").Which.Location.Line.Should().Be(2);
    }

    [Test]
    public async Task Scan_reports_invalid_expressions_with_the_line()
    {
        var text = """
            0 25 * * * root /opt/acme/bin/a
            0 2 * * MON-FRI root /opt/acme/bin/b
            0 0 L * * root /opt/acme/bin/c
            @every_minute root /opt/acme/bin/d

            """;
        var report = await ScanHelper.ScanAsync("etc/cron.d/acme", text, ScanHelper.Options());
        report.Findings.Where(f => f.RuleId == "PF101").Select(f => f.Location.Line).Should().Equal(1, 3, 4);
        report.Inventory.ScheduledTasks.Should().ContainSingle().Which.Schedule.Should().Be("0 2 * * MON-FRI");
    }

    [Test]
    public async Task User_crontabs_have_no_user_field_and_take_the_user_from_the_file_name()
    {
        var report = await ScanHelper.ScanAsync("var/spool/cron/crontabs/deploy", "CRON_TZ=Europe/Berlin\n0 2 * * * /home/deploy/bin/sync --all\n", ScanHelper.Options());
        var task = report.Inventory.ScheduledTasks.Should().ContainSingle().Subject;
        task.User.Should().Be("deploy");
        task.Format.Should().Be("crontab");
        task.Command.Should().Be("/home/deploy/bin/sync --all");
        task.TimeZone.Should().Be("Europe/Berlin");
        task.NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero));
        report.Findings.Should().NotContain(f => f.RuleId == "PF103", "the job does not run as root");
    }

    [Test]
    public async Task The_system_crontab_and_a_loose_crontab_file_are_read_in_their_formats()
    {
        var files = new Dictionary<string, string>
        {
            ["etc/crontab"] = "17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n",
            ["deploy/acme.crontab"] = "45 23 * * 1-5 /opt/acme/bin/export --daily\n",
        };
        var report = await ScanHelper.ScanAsync(files, ScanHelper.Options());
        report.Inventory.ScheduledTasks.Should().HaveCount(2);
        report.Inventory.ScheduledTasks.Single(t => t.Format == "system-crontab").User.Should().Be("root");
        report.Inventory.ScheduledTasks.Single(t => t.Format == "crontab").Command.Should().Be("/opt/acme/bin/export --daily");
    }

    [Test]
    public async Task Run_parts_scripts_are_inventoried_and_dotted_names_reported_as_ignored()
    {
        var files = new Dictionary<string, string>
        {
            ["etc/cron.daily/acme-backup"] = "#!/bin/sh\npg_dump acme > /var/backups/acme.sql\n",
            ["etc/cron.hourly/acme-sync.sh"] = "#!/bin/sh\n/opt/acme/bin/sync\n",
        };
        var report = await ScanHelper.ScanAsync(files, ScanHelper.Options("2026-11-28T06:00Z/PT1H"));
        report.Inventory.ScheduledTasks.Select(t => t.Format).Should().BeEquivalentTo(["cron.daily", "cron.hourly"]);
        report.Inventory.ScheduledTasks.Single(t => t.Format == "cron.daily").Command.Should().Be("/etc/cron.daily/acme-backup");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF102").Which.Location.Path.Should().EndWith("acme-sync.sh");
        report.Findings.Should().Contain(f => f.RuleId == "PF106" && f.Location.Path.EndsWith("acme-backup") && f.Severity == Severity.High,
            "cron.daily runs at 06:25 on Debian and the script runs pg_dump");
    }

    [Test]
    public async Task Anacrontab_jobs_are_inventoried_without_exact_times()
    {
        var text = """
            SHELL=/bin/sh
            START_HOURS_RANGE=3-22
            1        5   cron.daily    run-parts --report /etc/cron.daily
            @weekly  10  acme.weekly   /opt/acme/bin/compact
            x        5   broken        /bin/true

            """;
        var report = await ScanHelper.ScanAsync("etc/anacrontab", text, ScanHelper.Options());
        report.Inventory.ScheduledTasks.Should().HaveCount(2).And.OnlyContain(t => t.Format == "anacron" && t.NextRuns.Count == 0);
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF101").Which.Location.Line.Should().Be(5);
    }
}
