using FluentAssertions;
using NUnit.Framework;
using Preflight.Findings;
using Preflight.Tests.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class CodeScheduleTests
{
    private const string Startup = """
        using System;
        using System.Threading;
        using Hangfire;
        using Quartz;
        using Microsoft.Azure.Functions.Worker;

        public static class Jobs
        {
            public static void Register(IServiceCollectionQuartzConfigurator q)
            {
                RecurringJob.AddOrUpdate<ReindexJob>("acme-reindex", j => j.Run(), "20 2 * * *");
                RecurringJob.AddOrUpdate("acme-digest", () => Digest.Send(), Cron.Daily(6, 30));
                RecurringJob.AddOrUpdate("acme-bad", () => Digest.Send(), "61 * * * *");
                q.AddTrigger(t => t.ForJob("purge").WithCronSchedule("0 0/15 * * * ?"));
            }
        }

        public class Functions
        {
            [Function("Cleanup")]
            public void Cleanup([TimerTrigger("0 */5 * * * *")] TimerInfo timer) { }

            [Function("Sync")]
            public void Sync([TimerTrigger("%SyncSchedule%")] TimerInfo timer) { }
        }

        public sealed class Poller : IDisposable
        {
            private readonly PeriodicTimer _timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
            private readonly Timer _heartbeat = new Timer(_ => { }, null, 0, 10000);
            public void Dispose() { _timer.Dispose(); _heartbeat.Dispose(); }
        }
        """;

    [Test]
    public async Task Hangfire_quartz_timer_triggers_and_in_process_timers_are_inventoried()
    {
        var report = await ScanHelper.ScanAsync("src/Acme.Jobs/Startup.cs", Startup, ScanHelper.Options("2026-11-28T02:00Z/PT1H"));
        var tasks = report.Inventory.ScheduledTasks;
        tasks.Select(t => t.Format).Should().BeEquivalentTo(["hangfire", "hangfire", "quartz", "azure-functions-timer", "azure-functions-timer", "periodic-timer", "timer"]);
        tasks.Single(t => t.Schedule == "20 2 * * *").Command.Should().Be("Hangfire recurring job 'acme-reindex'");
        tasks.Single(t => t.Schedule == "20 2 * * *").NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 2, 20, 0, TimeSpan.Zero));
        tasks.Single(t => t.Schedule == "30 6 * * *").Location.Line.Should().Be(12);
        tasks.Single(t => t.Format == "quartz").NextRuns.Take(2).Should().Equal(
            new DateTimeOffset(2026, 11, 27, 0, 15, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, 0, 30, 0, TimeSpan.Zero));
        tasks.Single(t => t.Schedule == "%SyncSchedule%").Description.Should().Contain("app setting SyncSchedule");
        report.Findings.Should().ContainSingle(f => f.RuleId == "PF101").Which.Location.Line.Should().Be(13);
        report.Findings.Where(f => f.RuleId == "PF106").Should().HaveCount(3, "the 02:20 Hangfire job, the 15-minute Quartz trigger and the 5-minute timer trigger fire in the window; in-process timers are inventory only");
        report.Findings.Should().NotContain(f => f.Location.Line == 33 || f.Location.Line == 34);
    }

    [Test]
    public async Task Assemblies_reveal_timer_triggers_and_cron_strings_passed_to_scheduling_calls()
    {
        var source = """
            using System;
            namespace Hangfire { public static class RecurringJob { public static void AddOrUpdate(string id, Action a, string cron) { } } }
            namespace Microsoft.Azure.Functions.Worker { public sealed class TimerTriggerAttribute : Attribute { public TimerTriggerAttribute(string s) { } } }
            namespace Acme
            {
                public static class Jobs
                {
                    public static void Register() { Hangfire.RecurringJob.AddOrUpdate("acme-reindex", () => { }, "20 2 * * *"); }
                    public static void Cleanup([Microsoft.Azure.Functions.Worker.TimerTrigger("0 30 3 * * *")] object timer) { }
                }
            }
            """;
        var dir = Directory.CreateTempSubdirectory("pf-asm-sched-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "Acme.Jobs.dll"), EndpointTestSupport.Compile(source, "Acme.Jobs"));
            var report = await Preflight.PreflightScanner.ScanAsync(dir.FullName, ScanHelper.Options(null, "scheduled-tasks"));
            var tasks = report.Inventory.ScheduledTasks;
            tasks.Should().HaveCount(2);
            tasks.Single(t => t.Format == "hangfire").Schedule.Should().Be("20 2 * * *");
            tasks.Single(t => t.Format == "hangfire").Description.Should().Contain("Acme.Jobs::Register");
            tasks.Single(t => t.Format == "azure-functions-timer").NextRuns[0].Should().Be(new DateTimeOffset(2026, 11, 27, 3, 30, 0, TimeSpan.Zero));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
