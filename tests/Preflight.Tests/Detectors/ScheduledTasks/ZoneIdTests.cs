using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.ScheduledTasks;

namespace Preflight.Tests.Detectors.ScheduledTasks;

/// <summary>Time-zone ids come from the package; the runtime maps them to files, so only well-formed IANA ids are looked up.</summary>
public class ZoneIdTests
{
    [TestCase("Europe/Berlin", true)]
    [TestCase("America/Argentina/Buenos_Aires", true)]
    [TestCase("Etc/GMT+5", true)]
    [TestCase("UTC", true)]
    [TestCase("Europe/", false)]
    [TestCase("/etc/passwd", false)]
    [TestCase("../../etc/passwd", false)]
    [TestCase("Europe/../../../etc/shadow", false)]
    [TestCase("Europe//Berlin", false)]
    [TestCase("Europe/Ber lin", false)]
    [TestCase("", false)]
    public void Only_well_formed_zone_ids_are_looked_up(string id, bool found)
    {
        CronFiles.TryFindZone(id, out var zone).Should().Be(found);
        if (!found) zone.Should().Be(TimeZoneInfo.Utc);
    }
}
