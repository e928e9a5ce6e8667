using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;

namespace Preflight.Tests.Scanning;

/// <summary>
/// A pattern on the backtracking engine with a time limit, and the non-backtracking engine past it: every answer is one
/// engine's whole answer, the fallback is built only when needed, and a pattern that keeps giving up stops trying.
/// </summary>
public class TimedRegexTests
{
    // Nested quantifiers over the same characters: on a run of a's not followed by 'b' the backtracking engine tries
    // every split (exponential), the non-backtracking one reads the run once.
    private const string Catastrophic = "(a+)+b";

    private static Regex Limited(string pattern) => new(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(1));

    [Test]
    public void Ordinary_input_is_answered_without_building_the_fallback()
    {
        // A generous limit: this is about ordinary input, which a descheduled thread must not turn into a give-up.
        var subject = new TimedRegex(new Regex(@"(?<k>\w+)=(?<v>\d+)", RegexOptions.None, TimeSpan.FromSeconds(10)));
        subject.Matches("a=1 b=2 c=x").Select(m => m.Groups["v"].Value).Should().Equal("1", "2");
        subject.IsMatch("zz=9").Should().BeTrue();
        subject.Match("q=7").Groups["k"].Value.Should().Be("q");
        subject.Replace("a=1 b=2", "${k}=*").Should().Be("a=* b=*");
        subject.LinearBuilt.Should().BeFalse();
    }

    [Test]
    public void Input_the_backtracking_engine_gives_up_on_is_answered_by_the_other_engine()
    {
        var subject = new TimedRegex(Limited(Catastrophic));
        var input = new string('a', 40) + "c aab";
        var act = () => subject.Backtracking.IsMatch(input);
        act.Should().Throw<RegexMatchTimeoutException>("the case must reach the fallback");
        subject.IsMatch(input).Should().BeTrue();
        subject.Match(input).Value.Should().Be("aab");
        subject.Matches(input).Select(m => m.Index).Should().Equal(input.Length - 3);
        subject.Replace(input, "X").Should().Be(new string('a', 40) + "c X");
        subject.LinearBuilt.Should().BeTrue();
    }

    [Test]
    public void After_a_few_inputs_it_gave_up_on_the_pattern_goes_straight_to_the_other_engine()
    {
        var subject = new TimedRegex(Limited(Catastrophic));
        var input = new string('a', 40) + "c";
        for (int i = 0; i < TimedRegex.TimeoutsBeforeLinearOnly; i++)
        {
            subject.LinearOnly.Should().BeFalse();
            subject.IsMatch(input).Should().BeFalse();
        }
        subject.LinearOnly.Should().BeTrue();
        // Now answered at once, however long the input: the backtracking form would take longer than the universe.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        subject.IsMatch(new string('a', 100_000) + "c").Should().BeFalse();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Test]
    public void A_given_fallback_replaces_the_other_engine_for_matches()
    {
        var calls = 0;
        var subject = new TimedRegex(Limited(Catastrophic), s => { calls++; return new Regex("b").Matches(s); });
        subject.Matches(new string('a', 40) + "c b").Select(m => m.Value).Should().Equal("b");
        calls.Should().Be(1);
    }

    [Test]
    public void Only_a_backtracking_pattern_with_a_time_limit_is_accepted()
    {
        FluentActions.Invoking(() => new TimedRegex(new Regex("a"))).Should().Throw<ArgumentException>().WithMessage("*time limit*");
        FluentActions.Invoking(() => new TimedRegex(new Regex("a", RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1))))
            .Should().Throw<ArgumentException>().WithMessage("*backtracking form*");
    }
}
