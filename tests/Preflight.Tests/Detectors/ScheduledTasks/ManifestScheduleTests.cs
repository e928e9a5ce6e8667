using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class ManifestScheduleTests
{
    [Test]
    public async Task Kubernetes_cronjobs_in_a_multi_document_helm_template_are_read()
    {
        var manifest = """
            {{- if .Values.backup.enabled }}
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ include "acme.fullname" . }}-config
            data:
              schedule: "not a cronjob"
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: acme-db-backup
            spec:
              schedule: "15 2 * * *"
              timeZone: "Etc/UTC"
              concurrencyPolicy: Forbid
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                        - name: backup
                          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
                          command: ["/bin/sh", "-c"]
                          args: ["pg_dump -h $DB_HOST acme | gzip > /backup/acme.sql.gz"]
                      restartPolicy: OnFailure
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: acme-report
            spec:
              schedule: {{ .Values.report.schedule | quote }}
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers:
                        - name: report
                          image: acme/report:5.0
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: acme-cleanup
            spec:
              schedule: "*/30 * * * *"
              suspend: true
              jobTemplate: {}
            {{- end }}
            """;
        var report = await ScanHelper.ScanAsync("charts/acme/templates/cronjobs.yaml", manifest, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(3).And.OnlyContain(t => t.Format == "kubernetes-cronjob");
        var backup = tasks.Single(t => t.Schedule == "15 2 * * *");
        backup.Location.Line.Should().Be(14);
        backup.TimeZone.Should().Be("Etc/UTC");
        backup.Command.Should().Contain("pg_dump");
        backup.Description.Should().Contain("acme-db-backup").And.Contain("Forbid");
        tasks.Single(t => t.Description.Contains("acme-report")).NextRuns.Should().BeEmpty("the schedule is a Helm value");
        tasks.Single(t => t.Description.Contains("acme-cleanup")).NextRuns.Should().BeEmpty("the CronJob is suspended");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF106").Which.Severity.Should().Be(Severity.High);
        report.Findings.Should().NotContain(f => f.RuleId == "PF101" || f.RuleId == "PF107");
    }

    [Test]
    public async Task Invalid_cronjob_schedules_are_reported()
    {
        var manifest = """
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: broken
            spec:
              schedule: "0 2 * *"
            """;
        var report = await ScanHelper.ScanAsync("deploy/broken.yaml", manifest, ScanHelper.Options());
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF101").Which.Location.Line.Should().Be(6);
    }

    [Test]
    public async Task GitHub_Actions_schedules_are_read_in_UTC()
    {
        var workflow = """
            name: nightly-e2e
            on:
              schedule:
                - cron: '30 1 * * 1-5'
                - cron: '0 12 1 * *'
              workflow_dispatch:
            jobs:
              e2e:
                runs-on: ubuntu-latest
                steps:
                  - run: ./e2e.sh
            """;
        var report = await ScanHelper.ScanAsync(".github/workflows/nightly.yml", workflow, ScanHelper.Options());
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(2).And.OnlyContain(t => t.Format == "github-actions" && t.Command == "workflow 'nightly-e2e'");
        tasks.Single(t => t.Schedule == "30 1 * * 1-5").NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero));
    }

    private const string Plist = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        <dict>
            <key>Label</key>
            <string>com.acme.sync</string>
            <key>ProgramArguments</key>
            <array>
                <string>/usr/local/acme/bin/sync</string>
                <string>--full</string>
            </array>
            <key>StartCalendarInterval</key>
            <array>
                <dict>
                    <key>Hour</key>
                    <integer>2</integer>
                    <key>Minute</key>
                    <integer>45</integer>
                </dict>
                <dict>
                    <key>Weekday</key>
                    <integer>0</integer>
                    <key>Hour</key>
                    <integer>6</integer>
                    <key>Minute</key>
                    <integer>0</integer>
                </dict>
            </array>
            <key>StartInterval</key>
            <integer>45</integer>
            <key>RunAtLoad</key>
            <true/>
        </dict>
        </plist>
        """;

    [Test]
    public async Task Launchd_calendar_intervals_interval_and_run_at_load_are_read()
    {
        var report = await ScanHelper.ScanAsync("Library/LaunchDaemons/com.acme.sync.plist", Plist, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(4).And.OnlyContain(t => t.Format == "launchd" && t.User == "root" && t.Command == "/usr/local/acme/bin/sync --full");
        tasks.Single(t => t.Schedule == "StartCalendarInterval 45 2 * * *").NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 2, 45, 0, TimeSpan.Zero));
        tasks.Single(t => t.Schedule == "StartCalendarInterval 0 6 * * 0").NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF105");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF104", "StartInterval 45 fires more often than every minute");
        report.Findings.Where(f => f.RuleId == "PF106").Should().HaveCount(2, "02:45 and the 45-second interval fall in the window");
    }

    [Test]
    public async Task A_plist_with_its_own_entities_is_refused()
    {
        var evil = Plist.Replace("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">",
            "<!DOCTYPE plist [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>", StringComparison.Ordinal)
            .Replace("<string>com.acme.sync</string>", "<string>&x;</string>", StringComparison.Ordinal);
        var report = await ScanHelper.ScanAsync("Library/LaunchAgents/com.acme.evil.plist", evil, ScanHelper.Options());
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF107");
        report.Inventory.ScheduledTasks.Should().BeEmpty();
    }

    [Test]
    public async Task Cron_expressions_in_application_settings_are_inventoried()
    {
        var ini = """
            ; order-sync: mirrors completed orders to the ERP system
            [plugin]
            name = order-sync
            version = 2.1.4

            [erp]
            endpoint = https://erp-bridge.acme-cloud.io/api/orders
            schedule = */10 * * * *
            cron_note = 1 2 3 4 5
            """;
        var json = """{ "Jobs": { "Purge": { "CronSchedule": "0 30 2 * * *" }, "ScheduleMode": "manual" } }""";
        var files = new Dictionary<string, string> { ["plugins/order-sync/plugin.ini"] = ini, ["etc/app.json"] = json };
        var report = await ScanHelper.ScanAsync(files, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Should().HaveCount(2).And.OnlyContain(t => t.Format == "application-setting");
        var sync = tasks.Single(t => t.Schedule == "*/10 * * * *");
        sync.Location.Should().Be(new Location("plugins/order-sync/plugin.ini", 8, 12));
        sync.Command.Should().Be("setting 'schedule' in plugin.ini");
        tasks.Single(t => t.Schedule == "0 30 2 * * *").NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 2, 30, 0, TimeSpan.Zero));
        report.Findings.Where(f => f.RuleId == "PF106").Should().HaveCount(2);
    }
}
