using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Tests.Support;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// The endpoint corpus under fixtures/endpoints/corpus: real-world-shaped files across formats, plus a native
/// binary and a compiled assembly generated here. expected.tsv lists every true endpoint and every look-alike.
/// </summary>
public class EndpointCorpusTests
{
    private sealed record Expectation(bool IsEndpoint, string Path, string Host);

    private static readonly string Corpus = Path.Combine(SharedData.RepositoryRoot, "fixtures", "endpoints", "corpus");

    private static List<Expectation> Load() =>
    [
        .. File.ReadLines(Path.Combine(Corpus, "expected.tsv"))
            .Where(static l => l.Length > 0 && !l.StartsWith('#'))
            .Select(static l => l.Split('\t'))
            .Select(static p => new Expectation(p[0] == "endpoint", p[1], p[2])),
    ];

    private static async Task<(Preflight.Reporting.ScanReport Report, string Root)> ScanCorpusAsync(DirectoryInfo dir)
    {
        foreach (var file in Directory.EnumerateFiles(Corpus, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Corpus, file);
            if (rel == "expected.tsv") continue;
            var target = Path.Combine(dir.FullName, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Directory.CreateDirectory(Path.Combine(dir.FullName, "bin"));
        Directory.CreateDirectory(Path.Combine(dir.FullName, "lib"));
        await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "bin", "acme-agent"), EndpointTestSupport.Binary(EndpointTestSupport.AgentBinaryStrings));
        await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "lib", "Acme.Client.dll"), EndpointTestSupport.Compile(EndpointTestSupport.AgentAssemblySource, "Acme.Client"));
        var report = await Preflight.PreflightScanner.ScanAsync(dir.FullName, EndpointTestSupport.Options());
        return (report, dir.FullName);
    }

    [Test]
    public async Task Recall_and_precision_on_the_corpus_are_at_least_95_percent()
    {
        var expectations = Load();
        expectations.Count(static e => e.IsEndpoint).Should().BeGreaterThanOrEqualTo(60);
        expectations.Count(static e => !e.IsEndpoint).Should().BeGreaterThanOrEqualTo(60);

        var dir = Directory.CreateTempSubdirectory("pf-endpoints-");
        try
        {
            var (report, root) = await ScanCorpusAsync(dir);
            // Every expectation must be present in its file (as UTF-8 text, or UTF-16 in an assembly), or the corpus lies.
            foreach (var e in expectations)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(root, e.Path));
                bool present = Encoding.UTF8.GetString(bytes).Contains(e.Host, StringComparison.OrdinalIgnoreCase)
                    || Encoding.Unicode.GetString(bytes).Contains(e.Host, StringComparison.OrdinalIgnoreCase)
                    || Encoding.Unicode.GetString(bytes, 1, bytes.Length - 1).Contains(e.Host, StringComparison.OrdinalIgnoreCase);
                present.Should().BeTrue($"{e.Host} should appear in {e.Path}");
            }

            var reported = report.Findings.Where(static f => f.Detector == "endpoints")
                .Select(static f => (f.Location.Path, f.Properties["host"])).ToHashSet();
            var truth = expectations.Where(static e => e.IsEndpoint).Select(static e => (e.Path, e.Host)).ToHashSet();
            var lookalikes = expectations.Where(static e => !e.IsEndpoint).Select(static e => (e.Path, e.Host)).ToHashSet();

            var truePositives = reported.Intersect(truth).ToList();
            var missed = truth.Except(reported).ToList();
            var falsePositives = reported.Except(truth).ToList();
            double recall = (double)truePositives.Count / truth.Count;
            double precision = reported.Count == 0 ? 0 : (double)truePositives.Count / reported.Count;
            TestContext.Out.WriteLine($"recall {recall:P1} ({truePositives.Count}/{truth.Count}); precision {precision:P1} ({truePositives.Count}/{reported.Count})");
            TestContext.Out.WriteLine("missed: " + string.Join(", ", missed));
            TestContext.Out.WriteLine("false positives: " + string.Join(", ", falsePositives));

            recall.Should().BeGreaterThanOrEqualTo(0.95, "missed: {0}", string.Join(", ", missed));
            precision.Should().BeGreaterThanOrEqualTo(0.95, "false positives: {0}", string.Join(", ", falsePositives));
            reported.Intersect(lookalikes).Should().BeEmpty("look-alikes must never be reported");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
