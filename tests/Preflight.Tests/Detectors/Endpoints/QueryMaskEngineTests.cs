using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;
using Preflight.Detectors.Endpoints;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// Secret-looking query values are masked by the pattern's backtracking form; the non-backtracking form is the fallback
/// and the reference. Both must mask exactly the same parameters.
/// </summary>
public class QueryMaskEngineTests
{
    private static readonly Regex Reference = new(EndpointExtractor.SecretQueryValuePattern, RegexOptions.NonBacktracking);

    [Test]
    public void Generated_queries_are_masked_alike_by_both_engines()
    {
        string[] pieces =
        [
            "?", "&", "#", "=", "key", "KEY", "\u212Aey", "api_key", "token", "Secret", "sig", "signature", "password", "pwd", "pass", "auth",
            "code", "credential", "x", "-", "_", "9", "page", "id", "v1", "abc%20def", "/", ".", "+", ";", "é",
        ];
        var random = new Random(20261130);
        int masked = 0, untouched = 0;
        for (int n = 0; n < 40_000; n++)
        {
            var sb = new StringBuilder("?");
            for (int i = random.Next(1, 14); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            var query = sb.ToString();
            var expected = Reference.Replace(query, "$1=***");
            EndpointExtractor.MaskSecretQueryValues(query).Should().Be(expected, "for \"{0}\"", query);
            if (expected == query) untouched++;
            else masked++;
        }
        masked.Should().BeGreaterThan(1_000);
        untouched.Should().BeGreaterThan(5_000);
    }

    [Test]
    public void A_query_the_backtracking_engine_gives_up_on_is_masked_by_the_other()
    {
        var query = "?token=abc&" + new string('p', 8 << 20) + "&api_key=def";
        var limited = new Regex(EndpointExtractor.SecretQueryValuePattern, RegexOptions.None, TimeSpan.FromMilliseconds(1));
        var act = () => limited.Replace(query, "$1=***");
        act.Should().Throw<RegexMatchTimeoutException>("the check must reach the fallback");
        var masked = EndpointExtractor.MaskSecretQueryValues(query, new TimedRegex(limited));
        masked.Should().Be(Reference.Replace(query, "$1=***"));
        masked.Should().StartWith("?token=***&").And.EndWith("&api_key=***");
    }
}
