using FluentAssertions;
using NUnit.Framework;
using Preflight.Cli;
using Preflight.Findings;

namespace Preflight.Tests.Cli;

public class CliValuesTests
{
    [TestCase("2026-11-27", "2026-11-27T00:00:00.0000000+00:00")]
    [TestCase("2026-11-27T08:30", "2026-11-27T08:30:00.0000000+00:00")]
    [TestCase("2026-11-27T08:30:15Z", "2026-11-27T08:30:15.0000000+00:00")]
    [TestCase("2026-11-27T08:30:15.25Z", "2026-11-27T08:30:15.2500000+00:00")]
    [TestCase("2026-11-27T08:30:15+02:00", "2026-11-27T06:30:15.0000000+00:00")]
    [TestCase("2026-11-27T00:30-05:00", "2026-11-27T05:30:00.0000000+00:00")]
    public void As_of_accepts_iso_dates_and_date_times_and_gives_utc(string text, string expected)
    {
        CliValues.TryParseAsOf(text, out var value).Should().BeTrue();
        value.ToString("O", System.Globalization.CultureInfo.InvariantCulture).Should().Be(expected);
        value.Offset.Should().Be(TimeSpan.Zero);
    }

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("27/11/2026")]
    [TestCase("11/27/2026")]
    [TestCase("2026-11-31")]
    [TestCase("2026-11-27 08:30")]
    [TestCase("20261127")]
    public void As_of_rejects_what_is_not_iso_8601(string text)
    {
        CliValues.TryParseAsOf(text, out _).Should().BeFalse();
    }

    [TestCase("info", Severity.Info)]
    [TestCase("low", Severity.Low)]
    [TestCase("medium", Severity.Medium)]
    [TestCase("high", Severity.High)]
    [TestCase("Critical", Severity.Critical)]
    public void Fail_on_names_map_to_severities(string text, Severity expected)
    {
        CliValues.TryParseFailOn(text, out var value).Should().BeTrue();
        value.Should().Be(expected);
    }

    [Test]
    public void Fail_on_none_means_never_fail()
    {
        CliValues.TryParseFailOn("none", out var value).Should().BeTrue();
        value.Should().BeNull();
        CliValues.TryParseFailOn("never", out _).Should().BeFalse();
    }
}
