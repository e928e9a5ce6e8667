using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// The typed rules whose pattern is non-backtracking run the same pattern on the backtracking interpreter first (with
/// the non-backtracking form past a time limit): on the rules' own samples, on lines built from their keywords and
/// pieces, and on long adversarial lines, the first form must find exactly the matches and groups of the second.
/// </summary>
public class LinearRuleEngineTests
{
    private static IEnumerable<SecretRule> LinearRules() => TypedRules.All.Where(r => r.LazyTimed is not null);

    [Test]
    public void Exactly_the_non_backtracking_rules_run_backtracking_first()
    {
        LinearRules().Select(r => r.Descriptor.Id).Should().BeEquivalentTo(
            TypedRules.All.Where(r => (r.Pattern.Options & RegexOptions.NonBacktracking) != 0).Select(r => r.Descriptor.Id));
        LinearRules().Should().HaveCount(4);
        LinearRules().Should().OnlyContain(r => (r.Timed!.Backtracking.Options & RegexOptions.NonBacktracking) == 0
            && r.Timed.Backtracking.MatchTimeout == TypedRules.LinearFirstLimit && r.Timed.Backtracking.ToString() == r.Pattern.ToString());
    }

    [Test]
    public void Both_forms_find_the_same_matches_on_samples_and_generated_lines()
    {
        string[] pieces = [" ", "\t", "-u", "--user", "=", ":", "'", "\"", "-p", "-e", "pass", "word", "s3cr3t!", "$PASS", "?", ";", "&", "password=",
            "user=app", "eyJ", "abcdefghijk", ".", "_", "-", "0123456789abcdef", "https://h/", "ssh", "x"];
        var random = new Random(20261130);
        int matches = 0;
        foreach (var rule in LinearRules())
        {
            var lines = new List<string>();
            foreach (var sample in rule.Positives(new Random(1)).Concat(rule.Negatives(new Random(2))))
                lines.AddRange(sample.Text.Split('\n'));
            // Mutants of the samples (a piece inserted, a character dropped, a stretch repeated), and lines of keywords
            // and pieces.
            var seeds = lines.Where(l => l.Length > 0).ToList();
            for (int n = 0; n < 4_000; n++)
            {
                var sb = new StringBuilder(seeds[random.Next(seeds.Count)]);
                for (int e = random.Next(1, 4); e > 0 && sb.Length > 0; e--)
                {
                    int at = random.Next(sb.Length);
                    switch (random.Next(3))
                    {
                        case 0: sb.Insert(at, pieces[random.Next(pieces.Length)]); break;
                        case 1: sb.Remove(at, 1); break;
                        default: sb.Insert(at, sb.ToString(at, Math.Min(sb.Length - at, random.Next(1, 12)))); break;
                    }
                }
                lines.Add(sb.ToString());
            }
            for (int n = 0; n < 2_000; n++)
            {
                var sb = new StringBuilder(rule.Keywords[random.Next(rule.Keywords.Count)]);
                for (int i = random.Next(1, 12); i > 0; i--)
                    sb.Append(random.Next(4) == 0 ? rule.Keywords[random.Next(rule.Keywords.Count)] : pieces[random.Next(pieces.Length)]);
                lines.Add(sb.ToString());
            }
            foreach (var line in lines)
            {
                var expected = RegexEngines.Describe(rule.Pattern, line);
                RegexEngines.Retrying(() => RegexEngines.Describe(rule.Timed!.Backtracking, line)).Should().Equal(expected, "{0} on \"{1}\"", rule.Descriptor.Id, line);
                matches += expected.Count;
            }
        }
        matches.Should().BeGreaterThan(3_000);
    }

    [Test]
    public void A_long_adversarial_line_gets_the_non_backtracking_answer()
    {
        // The keyword repeated with the rest of the line to scan after each: the interpreter is quadratic here.
        var rule = LinearRules().Single(r => r.Keywords.Contains("curl"));
        var line = string.Concat(Enumerable.Repeat("curl x ", 40_000)) + "curl -u deploy:Sup3rS3cret!";
        var limited = new Preflight.Content.TimedRegex(new Regex(rule.Timed!.Backtracking.ToString(), rule.Timed.Backtracking.Options, TimeSpan.FromMilliseconds(1)));
        var act = () => RegexEngines.Describe(limited.Backtracking, line);
        act.Should().Throw<RegexMatchTimeoutException>("the case must reach the fallback");
        limited.Matches(line).Select(m => m.Groups["s"].Value).Should().Equal("Sup3rS3cret!");
    }
}
