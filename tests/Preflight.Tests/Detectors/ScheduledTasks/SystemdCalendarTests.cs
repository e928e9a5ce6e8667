using System.Globalization;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.ScheduledTasks;

namespace Preflight.Tests.Detectors.ScheduledTasks;

/// <summary>
/// OnCalendar= parsing and next runs against systemd's own answers, recorded in Data/systemd-calendar.txt by
/// Data/record-systemd-calendar.sh (systemd-analyze calendar --iterations=5 --base-time='2026-11-27 00:00:00 UTC').
/// </summary>
public class SystemdCalendarTests
{
    private static readonly DateTimeOffset Base = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public sealed record Recorded(string Expression, string? Normalized, IReadOnlyList<DateTimeOffset> Runs, bool Rejected)
    {
        public override string ToString() => Expression;
    }

    private static IEnumerable<Recorded> Load()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Detectors", "ScheduledTasks", "Data", "systemd-calendar.txt");
        string? expr = null, normalized = null;
        var runs = new List<DateTimeOffset>();
        bool rejected = false;
        foreach (var line in File.ReadLines(path).Append("=== "))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                if (expr is not null) yield return new Recorded(expr, normalized, [.. runs], rejected);
                expr = line[4..];
                normalized = null;
                runs.Clear();
                rejected = false;
                continue;
            }
            var t = line.Trim();
            if (t.StartsWith("Failed to parse", StringComparison.Ordinal)) rejected = true;
            else if (t.StartsWith("Normalized form:", StringComparison.Ordinal)) normalized = t["Normalized form:".Length..].Trim();
            else if (t.StartsWith("Next elapse:", StringComparison.Ordinal) || t.StartsWith("Iter. #", StringComparison.Ordinal))
            {
                // "Iter. #2: Sat 2026-11-28 02:00:00 UTC"
                var value = t[(t.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                var stamp = value[4..^4];
                runs.Add(DateTimeOffset.ParseExact(stamp, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
            }
        }
    }

    private static IEnumerable<Recorded> Accepted() => Load().Where(static r => !r.Rejected);
    private static IEnumerable<Recorded> Rejected() => Load().Where(static r => r.Rejected);

    [Test]
    public void The_recorded_ground_truth_covers_at_least_thirty_expressions() =>
        Accepted().Should().HaveCountGreaterThanOrEqualTo(30).And.OnlyContain(static r => r.Runs.Count > 0);

    [TestCaseSource(nameof(Accepted))]
    public void Next_runs_match_systemd_analyze(Recorded recorded)
    {
        SystemdCalendar.TryParse(recorded.Expression, out var calendar, out var error).Should().BeTrue(error);
        calendar!.NextRuns(Base, 5).Should().Equal(recorded.Runs);
    }

    [TestCaseSource(nameof(Accepted))]
    public void Normalized_form_matches_systemd_analyze(Recorded recorded)
    {
        SystemdCalendar.TryParse(recorded.Expression, out var calendar, out _).Should().BeTrue();
        calendar!.Normalized.Should().Be(recorded.Normalized);
    }

    [TestCaseSource(nameof(Rejected))]
    public void Expressions_systemd_rejects_are_rejected(Recorded recorded) =>
        SystemdCalendar.TryParse(recorded.Expression, out _, out _).Should().BeFalse();
}
