using System.Globalization;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.ScheduledTasks;

namespace Preflight.Tests.Detectors.ScheduledTasks;

public class CronScheduleTests
{
    private static readonly DateTimeOffset Base = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero); // a Friday

    private static string[] Next(string expression, int count = 5, string zone = "UTC")
    {
        CronSchedule.TryParse(expression, TimeZoneInfo.FindSystemTimeZoneById(zone), out var schedule, out var error).Should().BeTrue(error);
        return [.. schedule!.NextRuns(Base, count).Select(static t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))];
    }

    [TestCase("15 2 * * *", "2026-11-27 02:15", "2026-11-28 02:15", "2026-11-29 02:15")]
    [TestCase("*/20 * * * *", "2026-11-27 00:20", "2026-11-27 00:40", "2026-11-27 01:00")]
    [TestCase("0 9-17/4 * * 1-5", "2026-11-27 09:00", "2026-11-27 13:00", "2026-11-27 17:00")]
    [TestCase("30 4 1 * *", "2026-12-01 04:30", "2027-01-01 04:30", "2027-02-01 04:30")]
    [TestCase("0 0 * * SUN", "2026-11-29 00:00", "2026-12-06 00:00", "2026-12-13 00:00")]
    [TestCase("0 0 * * 7", "2026-11-29 00:00", "2026-12-06 00:00", "2026-12-13 00:00")]
    [TestCase("0 3 * JAN,jul *", "2027-01-01 03:00", "2027-01-02 03:00", "2027-01-03 03:00")]
    [TestCase("@daily", "2026-11-28 00:00", "2026-11-29 00:00", "2026-11-30 00:00")]
    [TestCase("@weekly", "2026-11-29 00:00", "2026-12-06 00:00", "2026-12-13 00:00")]
    [TestCase("@monthly", "2026-12-01 00:00", "2027-01-01 00:00", "2027-02-01 00:00")]
    [TestCase("@hourly", "2026-11-27 01:00", "2026-11-27 02:00", "2026-11-27 03:00")]
    public void Next_runs_follow_cron(string expression, string first, string second, string third) =>
        Next(expression, 3).Should().Equal(first, second, third);

    [Test]
    public void Day_of_month_and_day_of_week_are_ORed_when_both_are_restricted()
    {
        // "On the 1st and 15th, and on every Monday": Vixie cron fires on either; Cronos alone would need both.
        Next("0 12 1,15 * 1", 6).Should().Equal(
            "2026-11-30 12:00", // Monday
            "2026-12-01 12:00", // the 1st
            "2026-12-07 12:00", // Monday
            "2026-12-14 12:00", // Monday
            "2026-12-15 12:00", // the 15th
            "2026-12-21 12:00");
    }

    [Test]
    public void Friday_the_13th_is_every_13th_and_every_Friday_in_cron()
    {
        Next("0 0 13 * 5", 3).Should().Equal("2026-12-04 00:00", "2026-12-11 00:00", "2026-12-13 00:00");
    }

    [Test]
    public void A_star_in_either_day_field_makes_the_other_decide_alone()
    {
        Next("0 0 */10 * 1", 3).Should().Equal("2026-12-21 00:00", "2027-01-11 00:00", "2027-02-01 00:00");
    }

    [Test]
    public void A_time_zone_moves_the_runs()
    {
        Next("0 2 * * *", 2, "Europe/Berlin").Should().Equal("2026-11-27 01:00", "2026-11-28 01:00");
    }

    [TestCase("60 * * * *", "minute")]
    [TestCase("0 24 * * *", "hour")]
    [TestCase("0 0 32 * *", "day-of-month")]
    [TestCase("0 0 * 13 *", "month")]
    [TestCase("0 0 * * 8", "day-of-week")]
    [TestCase("0 0 L * *", "extension")]
    [TestCase("0 0 * * 5#3", "extension")]
    [TestCase("0 0 * *", "expected 5 fields")]
    [TestCase("@fortnightly", "unknown macro")]
    public void Invalid_expressions_are_refused_with_the_field_named(string expression, string expected)
    {
        CronSchedule.TryParse(expression, TimeZoneInfo.Utc, out _, out var error).Should().BeFalse();
        error.Should().Contain(expected);
    }
}
