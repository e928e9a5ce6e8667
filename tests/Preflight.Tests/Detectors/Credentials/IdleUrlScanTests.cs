using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.Credentials;

namespace Preflight.Tests.Detectors.Credentials;

/// <summary>
/// The keyword walk passes over a line whose only keyword occurrences are URL separators that cannot start a password
/// in a URL (no '@' before the first slash, '?', '#', quote or blank after "://"). Reading every such line must give the
/// same hits: held to a scanner that reads them all, on every rule's samples, the repository's text files and
/// generated lines mixing URLs, user-info, keywords and stop characters.
/// </summary>
public class IdleUrlScanTests
{
    private static readonly TextScanner ReadsAll = new(TypedRules.All, passIdleUrls: false);

    private static List<SecretHit> Scan(TextScanner scanner, string text, string path, bool binary)
    {
        var hits = new List<SecretHit>();
        scanner.Scan(text, path, generic: !binary, binary, hits);
        return hits;
    }

    private static void Same(string text, string path, string because)
    {
        foreach (bool binary in new[] { false, true })
            Scan(TextScanner.Default, text, path, binary).Should().Equal(Scan(ReadsAll, text, path, binary), because);
    }

    [Test]
    public void The_default_scanner_passes_over_idle_urls() =>
        TextScanner.Default.PassesIdleUrls.Should().BeTrue("the password-in-a-URL rule is the only one of \"://\"");

    [Test]
    public void A_scanner_whose_other_rule_also_names_the_url_separator_reads_every_url_line()
    {
        var basic = TypedRules.All.Single(r => r.Descriptor == CredentialRules.BasicAuthUrl);
        var other = TypedRules.All.First(r => r.Descriptor != CredentialRules.BasicAuthUrl);
        var widened = new SecretRule
        {
            Descriptor = other.Descriptor, What = other.What, Keywords = [.. other.Keywords, "://"], LazyPattern = other.LazyPattern,
            Positives = other.Positives, Negatives = other.Negatives,
        };
        new TextScanner([basic, widened]).PassesIdleUrls.Should().BeFalse();
        new TextScanner([basic]).PassesIdleUrls.Should().BeTrue();
    }

    [Test]
    public void Every_rule_sample_behind_logged_urls_gives_the_same_hits()
    {
        // Enough lines to take the grouped search, each with a URL the walk passes over.
        var padding = string.Concat(Enumerable.Range(0, 12).Select(i => $"2026-11-15T07:54:{i:D2}.945Z INFO POST https://partner-{i}.example.net/hooks/status -> 202\n"));
        int withHits = 0;
        foreach (var (rule, positives, negatives) in RuleSamples.All)
        {
            var random = new Random(rule.Id.Aggregate(29, static (h, c) => unchecked((h * 31) + c)));
            foreach (var sample in positives(random).Concat(negatives(random)))
            {
                if (sample.Bytes is not null) continue;
                var text = padding + sample.Text + "\n" + padding;
                Same(text, sample.Path, $"{rule.Id}: \"{sample.Text}\"");
                if (Scan(TextScanner.Default, text, sample.Path, false).Count > 0) withHits++;
            }
        }
        withHits.Should().BeGreaterThan(150);
    }

    [Test]
    public void The_repository_text_files_give_the_same_hits()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Preflight.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new InvalidOperationException("the repository root was not found");
        string[] extensions = [".cs", ".md", ".json", ".yaml", ".yml", ".xml", ".config", ".sh", ".ini", ".conf", ".env", ".properties", ".sql", ".txt", ".ps1", ".py"];
        int files = 0, urlLines = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (!extensions.Contains(Path.GetExtension(file)) || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            var text = File.ReadAllText(file);
            Same(text, Path.GetRelativePath(root, file), file);
            urlLines += text.Split('\n').Count(l => l.Contains("://", StringComparison.Ordinal));
            files++;
        }
        files.Should().BeGreaterThan(300);
        urlLines.Should().BeGreaterThan(200);
    }

    [Test]
    public void Generated_lines_give_the_same_hits()
    {
        string[] pieces =
        [
            "https://", "ftp://", "://", "x://", "user", "deploy", ":", "s3cr3tPassw0rd", "hunter2!", "@", "@host.example.com", "/", "?", "#", "\"", "'", "<",
            ">", " ", "\t", "\u00a0", "password=", "token: ", "api_key=", "AKIA", "ghp_", "xoxb-", "=", ";", "\n", "\r\n", "example.com", "abc123XYZ789",
            "https://ops:Tr0ub4dor%263@artifacts.acme.internal/repo", "postgres://app:Zq8!pL2#x@db:5432/app",
        ];
        var random = new Random(20261129);
        var filler = string.Concat(Enumerable.Repeat("plain words on a line of their own\n", 10));
        int withHits = 0;
        for (int n = 0; n < 6_000; n++)
        {
            var sb = new StringBuilder(filler);
            for (int i = random.Next(1, 24); i > 0; i--) sb.Append(pieces[random.Next(pieces.Length)]);
            var text = sb.ToString();
            Same(text, "etc/app/app.conf", $"\"{text}\"");
            if (Scan(ReadsAll, text, "etc/app/app.conf", false).Count > 0) withHits++;
        }
        withHits.Should().BeGreaterThan(1_000);
    }
}
