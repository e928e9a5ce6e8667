using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;
using Preflight.Content;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// The generic-assignment patterns run on the backtracking engine (source-generated), with the non-backtracking bounded
/// patterns as the fallback and the reference: both must give the same matches, places and groups on every line.
/// </summary>
public class GenericAssignmentEngineTests
{
    private static readonly (string Name, Func<Regex> Backtracking, GenericAssignments.BoundedPattern Reference)[] Patterns =
    [
        ("assignment", GenericAssignments.AssignmentBacktracking, GenericAssignments.Assignment),
        ("xml element", GenericAssignments.XmlElementBacktracking, GenericAssignments.XmlElement),
        ("key/value attributes", GenericAssignments.KeyValueAttributesBacktracking, GenericAssignments.KeyValueAttributes),
    ];

    private static List<string> ByBacktracking(Regex pattern, string line)
    {
        var found = new List<Match>();
        for (var m = pattern.Match(line); m.Success; m = m.NextMatch()) found.Add(m);
        return RegexEngines.Describe(found);
    }

    private static int Compare(string line)
    {
        int matches = 0;
        foreach (var (name, backtracking, reference) in Patterns)
        {
            var expected = RegexEngines.Describe(reference.Matches(line));
            RegexEngines.Retrying(() => ByBacktracking(backtracking(), line)).Should().Equal(expected, "{0} on \"{1}\"", name, line);
            matches += expected.Count;
        }
        return matches;
    }

    [Test]
    public void Generated_lines_get_the_same_matches_and_groups_from_both_engines()
    {
        string[] pieces =
        [
            "password", "Password", "api_key", "$secret", "@token", "db.pass", "x-auth-token", "=", ":", ":=", "=>", "==", " ", "\t", "\"", "'",
            "<", ">", "</", "<password>", "</password>", "key=\"", "KEY = \"", "value=\"", "Value=\"", "name=\"", "x", "Q1!", "Zz9$abc", ";", "#",
            "(", ")", "[", "]", "{", "}", ",", "é", "\r", "\n", "hunter2-but-longer", new string('a', 90), new string('V', 300),
        ];
        var random = new Random(20261130);
        int matches = 0, empty = 0;
        for (int n = 0; n < 30_000; n++)
        {
            var sb = new StringBuilder();
            for (int i = random.Next(1, 16); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            int found = Compare(sb.ToString());
            if (found == 0) empty++;
            matches += found;
        }
        matches.Should().BeGreaterThan(8_000, "the generated lines hold many assignments");
        empty.Should().BeGreaterThan(1_000, "and some lines hold none");
    }

    [Test]
    public void Every_line_with_a_credential_word_in_the_repository_gets_the_same_matches_from_both_engines()
    {
        int lines = 0, matches = 0;
        foreach (var (_, line) in RegexEngines.RepositoryLines())
        {
            if (!GenericAssignments.LineKeywords.Any(k => line.Contains(k, StringComparison.OrdinalIgnoreCase))) continue;
            matches += Compare(line);
            lines++;
        }
        lines.Should().BeGreaterThan(500);
        matches.Should().BeGreaterThan(500);
    }

    [Test]
    public void A_line_the_backtracking_engine_gives_up_on_gets_the_other_engines_matches()
    {
        // With a limit of one millisecond, 8 Mi characters of text after three assignments make the backtracking form
        // give up; the result is then the bounded form's, with none of the first form's matches kept twice.
        var line = "password=Aa1!aaaa token: 'Bb2@bbbb' secret=\"Cc3#cccc\" " + new string('-', 8 << 20) + " api_key=Dd4$dddd";
        var limited = new Regex(GenericAssignments.AssignmentBacktracking().ToString(), RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
            TimeSpan.FromMilliseconds(1));
        var act = () => ByBacktracking(limited, line);
        act.Should().Throw<RegexMatchTimeoutException>("the check must reach the fallback");
        var found = new TimedRegex(limited, GenericAssignments.Assignment.Matches).Matches(line);
        found.Select(m => m.Groups["s"].Value).Should().Equal("Aa1!aaaa", "Bb2@bbbb", "Cc3#cccc", "Dd4$dddd");
        RegexEngines.Describe(found).Should().Equal(RegexEngines.Describe(GenericAssignments.Assignment.Matches(line)));
    }
}
