using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Endpoints;
using Preflight.Findings;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// An endpoint's summary keeps the first <see cref="EndpointsDetector.MaxLocationsPerEndpoint"/> distinct locations in
/// report order (path, then line, then column; no line first), whatever order they are added in and however often
/// each comes: checked here against that rule computed directly, on generated locations.
/// </summary>
public class EndpointSummaryTests
{
    private const int Max = EndpointsDetector.MaxLocationsPerEndpoint;

    private static readonly string[] Paths = ["a/x.conf", "a/y.conf", "b/x.log", "b/x.log!/inner.sh", "etc/app-001.conf", "etc/app-002.conf"];

    [TestCase(1, 0)]
    [TestCase(150, 1)]
    [TestCase(Max, 2)]
    [TestCase(Max + 1, 3)]
    [TestCase(2 * Max, 4)]
    [TestCase(2 * Max + 1, 5)]
    [TestCase(5000, 6)]
    [TestCase(20000, 7)]
    public void Keeps_the_first_distinct_locations_in_report_order(int adds, int seed)
    {
        var random = new Random(seed);
        // Few enough lines that repeats are common, so distinct locations run out at small counts.
        var locations = Enumerable.Range(0, adds).Select(_ => Generate(random, lines: Math.Max(3, adds / 40))).ToList();
        foreach (var order in Orders(locations, random))
        {
            var summary = new EndpointsDetector.Summary("public");
            foreach (var location in order) summary.Add(url: null, location);
            summary.Snapshot().Locations.Should().Equal(Expected(locations), "added in one order of {0}", adds);
        }
    }

    [Test]
    public void Lines_of_one_entry_added_together_count_as_added_one_by_one()
    {
        var random = new Random(42);
        var summary = new EndpointsDetector.Summary("public");
        var all = new List<Location>();
        for (int round = 0; round < 60; round++)
        {
            if (random.Next(3) == 0)
            {
                var one = Generate(random, lines: 400);
                summary.Add(url: null, one);
                all.Add(one);
                continue;
            }
            string path = Paths[random.Next(Paths.Length)] + "-" + random.Next(20);
            var positions = Enumerable.Range(0, random.Next(1, 120)).Select(_ => (Line: random.Next(1, 400), Column: random.Next(1, 30))).ToList();
            all.AddRange(positions.Select(p => new Location(path, p.Line, p.Column)));
            summary.AddLines(path, positions);
        }
        all.Distinct().Count().Should().BeGreaterThan(2 * Max, "the case must go past the buffer");
        summary.Snapshot().Locations.Should().Equal(Expected(all));
    }

    [Test]
    public void The_snapshot_can_be_read_twice_and_lists_no_more_than_it_counts()
    {
        var summary = new EndpointsDetector.Summary("public");
        for (int i = 0; i < 3 * Max; i++) summary.Add(url: null, new Location($"f/{i % 7}.conf", i, 1));
        var (_, first) = summary.Snapshot();
        var (_, second) = summary.Snapshot();
        first.Should().HaveCount(Max);
        first.ToList().Should().Equal(second.ToList());
        first.Should().Equal(Enumerable.Range(0, first.Count).Select(i => first[i]));
    }

    private static Location Generate(Random random, int lines) =>
        random.Next(10) == 0
            ? new Location(Paths[random.Next(Paths.Length)])
            : new Location(Paths[random.Next(Paths.Length)], random.Next(1, lines), random.Next(1, 4));

    private static IEnumerable<List<Location>> Orders(List<Location> locations, Random random)
    {
        yield return locations;
        var sorted = locations.Order(Comparer).ToList();
        yield return sorted;
        yield return Enumerable.Reverse(sorted).ToList();
        yield return [.. locations.OrderBy(_ => random.Next())];
    }

    private static List<Location> Expected(IEnumerable<Location> locations) => [.. locations.Distinct().Order(Comparer).Take(Max)];

    private static readonly Comparer<Location> Comparer = Comparer<Location>.Create((a, b) =>
    {
        int c = string.CompareOrdinal(a.Path, b.Path);
        if (c != 0) return c;
        c = (a.Line ?? int.MinValue).CompareTo(b.Line ?? int.MinValue);
        return c != 0 ? c : (a.Column ?? int.MinValue).CompareTo(b.Column ?? int.MinValue);
    });
}
