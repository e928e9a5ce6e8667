using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// Lines longer than <see cref="TextScanner.LongLine"/> (minified JSON, one-line dumps) are scanned in windows around
/// keyword occurrences. A real secret of each typed rule, planted in the middle of such a line among keyword noise,
/// must be found at the offset where it was planted, as it is on a line of its own; and a line dense with keywords
/// must not make the window walk quadratic.
/// </summary>
public class LongLineTests
{
    private static List<SecretHit> Scan(string text)
    {
        var hits = new List<SecretHit>();
        TextScanner.Default.Scan(text, "config/app.json", generic: true, binary: false, hits);
        return hits;
    }

    [Test]
    public void Secrets_in_the_middle_of_a_long_line_are_found_where_they_are()
    {
        var random = new Random(7);
        // Noise full of keywords (URLs, "token", "key") that matches no rule.
        const string noise = "{\"url\":\"https://cdn.example.com/a.js\",\"token_name\":\"none\",\"keyName\":\"k\"},";
        int checkedRules = 0;
        foreach (var rule in TextScanner.Default.Rules)
        {
            if (rule.PathFilter is not null) continue;
            var sample = rule.Positives(random).FirstOrDefault(s => s.Secret is not null && s.Bytes is null && !s.Text.TrimEnd('\n').Contains('\n'));
            if (sample is null) continue;
            var line = sample.Text.TrimEnd('\n');
            var alone = Scan(line).Where(h => h.Rule == rule.Descriptor).Select(h => (h.Offset, h.Secret)).ToList();
            if (alone.Count == 0) continue; // a sample that needs its file's context (a path, other lines)
            var before = string.Concat(Enumerable.Repeat(noise, 80));
            var text = before + " " + line + " " + string.Concat(Enumerable.Repeat(noise, 80));
            text.Length.Should().BeGreaterThan(TextScanner.LongLine);
            var found = Scan(text).Where(h => h.Rule == rule.Descriptor).Select(h => (h.Offset - before.Length - 1, h.Secret)).ToList();
            found.Should().BeEquivalentTo(alone, "rule {0} on a long line", rule.Descriptor.Id);
            checkedRules++;
        }
        checkedRules.Should().BeGreaterThan(30);
    }

    [Test]
    [CancelAfter(60_000)]
    public void A_long_line_dense_with_keywords_is_scanned_in_linear_time()
    {
        // 2 MiB on one line, a keyword every few characters: the walk must not search the rest of the line per hit.
        var text = string.Concat(Enumerable.Repeat("://a ", 420_000));
        var small = text[..(text.Length / 8)];
        Scan(small); // warm up
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Scan(small);
        var eighth = watch.Elapsed;
        watch.Restart();
        Scan(text);
        var whole = watch.Elapsed;
        // Linear: about 8× the eighth; quadratic would be about 64×. Generous for a noisy machine.
        whole.Should().BeLessThan(eighth * 24 + TimeSpan.FromMilliseconds(200));
    }
}
