using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// The generic-assignment patterns run through their unbounded form and fall back to the bounded one only for a match
/// that is too long; the matches must be exactly the bounded pattern's, whatever the line.
/// </summary>
public class BoundedPatternTests
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private const string Assignment =
        @"(?<k>[A-Za-z_$@][A-Za-z0-9_.\-]{0,80})[""']?\s*(?::=|=>|==|=|:)\s*(?:""(?<s>[^""\r\n]{1,256})""|'(?<s>[^'\r\n]{1,256})'|(?<s>[^\s""',;#}\]\[()<>]{1,256}))";

    private const string XmlElement = @"<(?<k>[A-Za-z_][A-Za-z0-9_.\-]{0,80})>(?<s>[^<\r\n]{1,256})</";

    private const string KeyValue = @"(?:key|name)\s*=\s*""(?<k>[^""]{1,80})""\s+value\s*=\s*""(?<s>[^""]{1,256})""";

    [Test]
    public void Unbounded_form_replaces_only_the_counted_loops_from_zero_or_one()
    {
        GenericAssignments.BoundedPattern.Unbounded(@"a{0,80}b{1,256}c{2,5}d{3}\{0,1}")
            .Should().Be(@"a*b+c{2,5}d{3}\{0,1}".Replace(@"\{0,1}", @"\*", StringComparison.Ordinal),
                "an escaped brace is a literal here and becomes an escaped star, which the patterns never contain");
        GenericAssignments.BoundedPattern.Unbounded(XmlElement)
            .Should().Be(@"<(?<k>[A-Za-z_][A-Za-z0-9_.\-]*)>(?<s>[^<\r\n]+)</");
    }

    private static IEnumerable<TestCaseData> Lines()
    {
        string longKey = "database_" + new string('x', 90) + "_password";
        string longValue = new('Q', 300);
        yield return new TestCaseData("password = \"hunter2!Xy\"").SetName("Bounded_plain");
        yield return new TestCaseData($"{longKey}=Sup3rS3cret!").SetName("Bounded_key_longer_than_81");
        yield return new TestCaseData($"token: \"{longValue}\" api_key: 'Ab3$kk99xx'").SetName("Bounded_quoted_value_longer_than_256");
        yield return new TestCaseData($"secret={longValue}").SetName("Bounded_bare_value_longer_than_256");
        yield return new TestCaseData($"<{longKey}>{longValue}</{longKey}> <password>Zz9!abcdef</password>").SetName("Bounded_xml_long");
        yield return new TestCaseData($"<add key=\"{new string('k', 85)}\" value=\"v1\" /> <add name=\"DbPassword\" value=\"{longValue}\" /> <add key=\"Pwd\" value=\"Qq1!qq1!\" />").SetName("Bounded_key_value_long");
        yield return new TestCaseData($"a='{new string('b', 256)}' c=\"{new string('d', 257)}\" e={new string('f', 256)}g").SetName("Bounded_values_at_the_limit");
    }

    [TestCaseSource(nameof(Lines))]
    public void Matches_are_the_bounded_patterns_matches(string line)
    {
        foreach (var (pattern, options) in new[] { (Assignment, Options), (XmlElement, Options), (KeyValue, Options | RegexOptions.IgnoreCase) })
            Same(pattern, options, line);
    }

    [Test]
    public void Matches_are_the_bounded_patterns_matches_on_random_lines()
    {
        var random = new Random(20261129);
        string[] pieces = ["password", "api_key", "$secret", "@token", "=", ":", ":=", "=>", "==", " ", "\t", "\"", "'", "<", ">", "</",
            "key=\"", "value=\"", "name=\"", "x", "Q1!", ";", "#", "(", "]", "é"];
        for (int n = 0; n < 400; n++)
        {
            var line = new StringBuilder();
            while (line.Length < random.Next(10, 900))
            {
                if (random.Next(8) == 0) line.Append(random.Next(2) == 0 ? 'a' : 'Z', random.Next(70, 300));
                else line.Append(pieces[random.Next(pieces.Length)]);
            }
            string text = line.ToString();
            Same(Assignment, Options, text);
            Same(XmlElement, Options, text);
            Same(KeyValue, Options | RegexOptions.IgnoreCase, text);
        }
    }

    [Test]
    public void Builds_its_regexes_on_the_first_match_only()
    {
        // Building a non-backtracking regex takes tens of milliseconds: a scan whose text never reaches the generic
        // patterns must not pay for them at start-up.
        var subject = new GenericAssignments.BoundedPattern(XmlElement, Options, 81, 256);
        subject.IsBuilt.Should().BeFalse();
        subject.Matches("<password>hunter2-but-longer</password>").Select(m => m.Groups["k"].Value).Should().Equal("password");
        subject.IsBuilt.Should().BeTrue();
    }

    private static void Same(string pattern, RegexOptions options, string line)
    {
        int key = pattern == KeyValue ? 80 : 81;
        var bounded = new Regex(pattern, options);
        var expected = new List<(int, int, string, string)>();
        for (var m = bounded.Match(line); m.Success; m = m.NextMatch())
            expected.Add((m.Index, m.Length, m.Groups["k"].Value, m.Groups["s"].Value));
        var actual = new List<(int, int, string, string)>();
        var subject = new GenericAssignments.BoundedPattern(pattern, options, key, 256);
        foreach (var m in subject.Matches(line))
            actual.Add((m.Index, m.Length, m.Groups["k"].Value, m.Groups["s"].Value));
        actual.Should().Equal(expected, $"pattern {pattern} on a line of {line.Length} characters");
    }
}
