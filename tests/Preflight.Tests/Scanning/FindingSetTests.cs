using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Tests.Scanning;

/// <summary>Repeated reports of one problem (same fingerprint: rule, path, identity) become one finding with its occurrences.</summary>
public class FindingSetTests
{
    private static Finding At(string path, int line, string identity = "unit-a", Severity severity = Severity.Medium, string message = "m") =>
        new("PF403", "dangling-unit-reference", "service-units", severity, message, new Location(path, line, 3), null,
            Fingerprint.Compute("PF403", path, identity), new Dictionary<string, string> { ["unit"] = identity });

    [Test]
    public void Repeats_in_one_file_become_one_finding_at_the_first_line_with_their_count_and_lines()
    {
        var set = new FindingSet();
        set.Add(At("bin/a.sh", 16));
        set.Add(At("bin/a.sh", 7));
        set.Add(At("bin/a.sh", 25));

        var only = set.Should().ContainSingle().Subject;
        only.Location.Line.Should().Be(7);
        only.Properties.Should().Contain(new Dictionary<string, string> { ["unit"] = "unit-a", ["occurrences"] = "3", ["lines"] = "7, 16, 25" });
    }

    [Test]
    public void The_same_problem_in_another_file_or_another_problem_in_the_file_stays_a_finding_of_its_own()
    {
        var set = new FindingSet();
        set.Add(At("bin/a.sh", 7));
        set.Add(At("bin/b.sh", 7));
        set.Add(At("bin/a.sh", 9, identity: "unit-b"));

        set.Should().HaveCount(3).And.OnlyContain(f => !f.Properties.ContainsKey("occurrences"));
    }

    [Test]
    public void The_most_severe_occurrence_is_the_one_shown()
    {
        var set = new FindingSet();
        set.Add(At("bin/a.sh", 3, severity: Severity.Low, message: "low"));
        set.Add(At("bin/a.sh", 40, severity: Severity.High, message: "high"));

        var only = set.Should().ContainSingle().Subject;
        (only.Severity, only.Message, only.Location.Line).Should().Be((Severity.High, "high", 40));
        only.Properties["lines"].Should().Be("3, 40");
    }

    [Test]
    public void At_most_fifty_lines_are_listed_the_smallest_and_the_count_is_exact()
    {
        var set = new FindingSet();
        foreach (var line in Enumerable.Range(1, 120).Reverse()) set.Add(At("bin/a.sh", line));

        var only = set.Should().ContainSingle().Subject;
        only.Properties["occurrences"].Should().Be("120");
        only.Properties["lines"].Should().Be(string.Join(", ", Enumerable.Range(1, FindingSet.MaxListedLines)));
    }

    [Test]
    public async Task A_script_restarting_a_missing_unit_on_three_lines_reports_it_once()
    {
        var dir = Directory.CreateTempSubdirectory("pf-repeat-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "bin"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "bin", "upgrade.sh"),
                "#!/bin/sh\nsystemctl restart acme-gone.service\necho step\nsystemctl restart acme-gone.service\nsystemctl restart acme-gone.service\n");
            var report = await PreflightScanner.ScanAsync(dir.FullName, ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) });

            var dangling = report.Findings.Where(f => f.RuleId == "PF403").Should().ContainSingle().Subject;
            dangling.Location.Should().Be(new Location("bin/upgrade.sh", 2, 19));
            dangling.Properties.Should().Contain("occurrences", "3").And.Contain("lines", "2, 4, 5");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void Counting_an_occurrence_without_building_it_gives_the_same_findings_as_adding_it()
    {
        var random = new Random(20261129);
        var occurrences = Enumerable.Range(0, 2000).Select(_ => At(
            random.Next(3) == 0 ? "bin/b.sh" : "bin/a.sh", random.Next(1, 400), "unit-" + random.Next(4),
            (Severity)random.Next((int)Severity.Low, (int)Severity.Critical + 1), "m" + random.Next(1000))).ToList();

        var added = new FindingSet();
        foreach (var f in occurrences) added.Add(f);
        var counted = new FindingSet();
        int skipped = 0;
        foreach (var f in occurrences)
        {
            if (counted.TryCountOccurrence(f.Fingerprint, f.Severity, f.Location)) skipped++;
            else counted.Add(f);
        }

        skipped.Should().BeGreaterThan(1000, "most occurrences repeat a finding and would not be the one shown");
        static string Shown(Finding f) => $"{f.Fingerprint} {f.Severity} {f.Message} {f.Location.Line} {string.Join(";", f.Properties.OrderBy(p => p.Key).Select(p => p.Key + "=" + p.Value))}";
        counted.Select(Shown).Order(StringComparer.Ordinal).Should().Equal(added.Select(Shown).Order(StringComparer.Ordinal));
    }

    [Test]
    public void An_occurrence_that_would_be_shown_is_not_counted_without_its_finding()
    {
        var set = new FindingSet();
        var first = At("bin/a.sh", 10);
        set.TryCountOccurrence(first.Fingerprint, first.Severity, first.Location).Should().BeFalse("nothing is reported yet");
        set.Add(first);
        set.TryCountOccurrence(first.Fingerprint, Severity.Medium, new Location("bin/a.sh", 4, 3)).Should().BeFalse("an earlier line is shown instead");
        set.TryCountOccurrence(first.Fingerprint, Severity.High, new Location("bin/a.sh", 20, 3)).Should().BeFalse("a more severe occurrence is shown instead");
        set.TryCountOccurrence(first.Fingerprint, Severity.Medium, new Location("bin/a.sh", 20, 3)).Should().BeTrue();
        set.Should().ContainSingle().Which.Properties.Should().Contain("occurrences", "2").And.Contain("lines", "10, 20");
    }
}

public class CompactPropertiesTests
{
    [Test]
    public void Of_sorted_takes_pairs_in_key_order_and_refuses_others()
    {
        var compact = CompactProperties.OfSorted(["reference", "systemctl restart", "unit", "acme.service"]);
        compact.Should().BeEquivalentTo(new Dictionary<string, string> { ["reference"] = "systemctl restart", ["unit"] = "acme.service" });
        compact["unit"].Should().Be("acme.service");
        CompactProperties.OfSorted([]).Should().BeSameAs(CompactProperties.Empty);
        FluentActions.Invoking(() => CompactProperties.OfSorted(["unit", "a", "reference", "b"])).Should().Throw<ArgumentException>().WithMessage("*out of order*");
        FluentActions.Invoking(() => CompactProperties.OfSorted(["unit", "a", "unit", "b"])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => CompactProperties.OfSorted(["unit"])).Should().Throw<ArgumentException>();
    }

    [Test]
    public void Compact_properties_answer_as_the_dictionary_they_were_made_from_and_do_not_follow_it()
    {
        var random = new Random(9);
        for (int round = 0; round < 200; round++)
        {
            var source = new Dictionary<string, string>();
            int n = random.Next(0, 12);
            for (int i = 0; i < n; i++) source[$"k{random.Next(0, 30)}"] = $"v{i}";
            var compact = CompactProperties.From(source);

            compact.Count.Should().Be(source.Count);
            compact.Should().BeEquivalentTo(source);
            compact.Keys.Should().BeInAscendingOrder(StringComparer.Ordinal);
            foreach (var (key, value) in source)
            {
                compact.ContainsKey(key).Should().BeTrue();
                compact[key].Should().Be(value);
            }
            for (int probe = 0; probe < 30; probe++)
            {
                var key = $"k{probe}";
                compact.TryGetValue(key, out var found).Should().Be(source.TryGetValue(key, out var expected));
                found.Should().Be(expected);
            }
            source["k-added-later"] = "x";
            compact.ContainsKey("k-added-later").Should().BeFalse("the pairs are copied");
        }
        CompactProperties.From(new Dictionary<string, string>()).Should().BeSameAs(CompactProperties.Empty);
        CompactProperties.Empty.Invoking(e => e["missing"]).Should().Throw<KeyNotFoundException>();
    }
}
