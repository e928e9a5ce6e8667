using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>
/// The side-by-side corpus (fixtures/migrations/squawk-corpus): every case carries its ground-truth label, which
/// Preflight must match; squawk 2.66.0's output on the same files is committed next to it (run-squawk.sh), and the
/// agreement per shared rule is computed from it. The real-PostgreSQL suite replays the same cases.
/// </summary>
public class SquawkComparisonTests
{
    internal static string CorpusFolder => Path.Combine(SharedData.RepositoryRoot, "fixtures", "migrations", "squawk-corpus");

    /// <summary>squawk rules that claim what a Preflight rule claims.</summary>
    private static readonly Dictionary<string, string[]> SquawkRules = new()
    {
        ["PF501"] = ["require-concurrent-index-creation"],
        ["PF502"] = ["ban-concurrent-index-creation-in-transaction"],
        ["PF503"] = ["require-lock-timeout", "require-timeout-settings"],
        ["PF504"] = ["constraint-missing-not-valid", "adding-foreign-key-constraint"],
        ["PF506"] = ["adding-not-nullable-field"],
        ["PF507"] = ["changing-column-type"],
        ["PF508"] = ["adding-field-with-default", "adding-serial-primary-key-field"],
        ["PF509"] = ["disallowed-unique-constraint", "adding-serial-primary-key-field"],
        ["PF510"] = ["require-concurrent-index-deletion"],
        ["PF511"] = ["require-concurrent-reindex"],
        ["PF512"] = ["renaming-column", "renaming-table", "ban-drop-column", "ban-drop-table"],
        ["PF516"] = ["adding-required-field"],
    };

    internal static IEnumerable<PgRuleSample> Corpus()
    {
        foreach (var file in Directory.GetFiles(CorpusFolder, "case*.sql").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var label = text[..text.IndexOf('\n', StringComparison.Ordinal)].Split(' ');
            // "-- expect PF507 fires"
            yield return new PgRuleSample(label[2], text, label[3] == "fires") { Name = Path.GetFileName(file) };
        }
    }

    [Test]
    public void The_corpus_has_at_least_150_labelled_cases_covering_every_shared_rule()
    {
        var corpus = Corpus().ToList();
        corpus.Should().HaveCountGreaterThanOrEqualTo(150);
        foreach (var rule in SquawkRules.Keys.Where(r => r != "PF502" && r != "PF516"))
        {
            corpus.Should().Contain(c => c.RuleId == rule && c.Fires, $"{rule} needs a positive case");
            corpus.Should().Contain(c => c.RuleId == rule && !c.Fires, $"{rule} needs a negative case");
        }
    }

    [Test]
    public void Preflight_matches_the_label_of_every_corpus_case()
    {
        var wrong = new List<string>();
        foreach (var c in Corpus())
        {
            bool fires = PgRuleSamples.Analyze(c.Sql).Issues.Any(i => i.Rule.Id == c.RuleId && i.SuppressedBecause is null);
            if (fires != c.Fires) wrong.Add($"{c.Name}: {c.RuleId} expected {(c.Fires ? "fires" : "silent")}");
        }
        wrong.Should().BeEmpty();
    }

    [Test]
    public void Agreement_with_squawk_per_shared_rule_and_every_disagreement_is_squawk_against_the_label()
    {
        var squawkFile = Directory.GetFiles(CorpusFolder, "squawk-*.tsv").Single();
        var squawk = File.ReadAllLines(squawkFile).Select(l => l.Split('\t')).GroupBy(f => f[0])
            .ToDictionary(g => g.Key, g => g.Select(f => f[1]).ToHashSet(StringComparer.Ordinal));
        var table = new StringBuilder("| Preflight rule | squawk rule(s) | cases | agree | squawk false positive | squawk false negative |\n|---|---|---|---|---|---|\n");
        var disagreements = new StringBuilder();
        foreach (var group in Corpus().GroupBy(c => c.RuleId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var rules = SquawkRules.GetValueOrDefault(group.Key) ?? [];
            int agree = 0, falsePositive = 0, falseNegative = 0;
            foreach (var c in group)
            {
                bool preflight = PgRuleSamples.Analyze(c.Sql).Issues.Any(i => i.Rule.Id == c.RuleId);
                preflight.Should().Be(c.Fires, c.Name);
                bool squawkFires = squawk.TryGetValue(c.Name!, out var hits) && rules.Any(hits.Contains);
                if (squawkFires == c.Fires) agree++;
                else
                {
                    if (squawkFires) falsePositive++; else falseNegative++;
                    disagreements.Append($"- {c.Name} ({c.RuleId} {(c.Fires ? "fires" : "silent")}): squawk {(squawkFires ? "reports" : "misses")} — {c.Sql.Split('\n')[^2]}\n");
                }
            }
            table.Append($"| {group.Key} | {(rules.Length == 0 ? "(none)" : string.Join(", ", rules))} | {group.Count()} | {agree} | {falsePositive} | {falseNegative} |\n");
        }
        TestContext.Out.WriteLine(table.ToString());
        TestContext.Out.WriteLine(disagreements.ToString());
        var report = Environment.GetEnvironmentVariable("PREFLIGHT_SQUAWK_TABLE");
        if (!string.IsNullOrEmpty(report)) File.WriteAllText(report, table + "\n" + disagreements);
        table.ToString().Should().Contain("| PF507 |");
    }
}
