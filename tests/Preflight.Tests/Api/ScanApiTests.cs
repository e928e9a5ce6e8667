using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Detectors;
using Preflight.Packages;

namespace Preflight.Tests.Api;

/// <summary>The library surface other tools use: scanning a stream, progress reports, cancellation, options.</summary>
public class ScanApiTests
{
    private static readonly ScanOptions Options = ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) };

    private DirectoryInfo _dir = null!;
    private string _zip = null!;

    [SetUp]
    public void Build_a_package_with_a_key_among_harmless_files()
    {
        _dir = Directory.CreateTempSubdirectory("pf-api-");
        _zip = Path.Combine(_dir.FullName, "app-2.0.zip");
        using var zip = ZipFile.Open(_zip, ZipArchiveMode.Create);
        for (int i = 0; i < 20; i++) Write(zip, $"etc/conf{i:D2}.ini", $"[section]\nname = value{i}\n");
        Write(zip, "etc/aws.ini", "[default]\naws_access_key_id = AKIAQ3EGRZJ7VXK5TW2N\n");
    }

    [TearDown]
    public void Remove_the_package() => _dir.Delete(recursive: true);

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var s = zip.CreateEntry(name).Open();
        s.Write(Encoding.UTF8.GetBytes(text));
    }

    [Test]
    public async Task Scan_of_a_seekable_stream_reports_what_the_path_scan_reports_under_the_given_name()
    {
        var byPath = await PreflightScanner.ScanAsync(_zip, Options);
        await using var stream = new MemoryStream(await File.ReadAllBytesAsync(_zip));
        stream.Position = stream.Length; // read from the beginning whatever the position

        var byStream = await PreflightScanner.ScanAsync(stream, "uploads/app-2.0.zip", Options);

        byStream.Package.Path.Should().Be("uploads/app-2.0.zip");
        byStream.Package.Sha256.Should().Be(byPath.Package.Sha256);
        byStream.Package.Entries.Should().Be(21);
        byStream.Findings.Select(f => f.Fingerprint).Should().Equal(byPath.Findings.Select(f => f.Fingerprint));
        byStream.Findings.Should().ContainSingle(f => f.RuleId == "PF301");
        stream.CanRead.Should().BeTrue("the caller's stream is left open");
    }

    [Test]
    public async Task Scan_of_a_stream_that_cannot_seek_reports_the_same_findings()
    {
        var byPath = await PreflightScanner.ScanAsync(_zip, Options);
        await using var stream = new ForwardOnlyStream(await File.ReadAllBytesAsync(_zip));

        var byStream = await PreflightScanner.ScanAsync(stream, "app-2.0.zip", Options);

        byStream.Package.Sha256.Should().Be(byPath.Package.Sha256);
        byStream.Findings.Select(f => f.Fingerprint).Should().Equal(byPath.Findings.Select(f => f.Fingerprint));
    }

    [Test]
    public async Task Scan_of_a_stream_that_is_no_archive_throws_package_unreadable()
    {
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes("just some notes, not a package\n"));

        var act = () => PreflightScanner.ScanAsync(stream, "notes.txt", Options);

        await act.Should().ThrowAsync<PackageUnreadableException>().WithMessage("*notes.txt is not a package*");
    }

    [Test]
    public async Task Progress_counts_every_entry_and_byte_and_names_the_detectors_at_work()
    {
        var reports = new Recorder();

        var report = await PreflightScanner.ScanAsync(_zip, Options with { Progress = reports, ProgressInterval = TimeSpan.Zero, MaxDegreeOfParallelism = 1 });

        var all = reports.Items.ToList();
        long bytes;
        using (var zip = ZipFile.OpenRead(_zip)) bytes = zip.Entries.Sum(e => e.Length);
        all[^1].Should().BeEquivalentTo(new ScanProgress(_zip, 21, bytes, all[^1].CurrentEntry, all[^1].CurrentDetector, IsBaseline: false, Completed: true));
        all.Should().ContainSingle(p => p.Completed);
        all.Select(p => p.EntriesRead).Should().BeInAscendingOrder();
        all.Select(p => p.BytesRead).Should().BeInAscendingOrder();
        all.Select(p => p.CurrentDetector).OfType<string>().Distinct().Should()
            .Contain("credentials").And.BeSubsetOf(DetectorRegistry.CreateAll().Select(d => d.Id));
        all.Select(p => p.CurrentEntry).Should().Contain("etc/aws.ini");
        report.Package.Entries.Should().Be(21);
    }

    [Test]
    [NonParallelizable] // reads the process-wide buffer pools
    public async Task Entries_analysed_is_called_once_after_the_last_entry_and_before_the_cross_entry_steps_with_the_pools_empty()
    {
        var events = new List<string>();
        long pooledBytes = -1;
        long pooledChars = -1;
        var reports = new Recorder(p => { lock (events) events.Add(p.Completed ? "completed" : $"read {p.EntriesRead}"); });
        void Analysed()
        {
            lock (events) events.Add("analysed");
            pooledBytes = EntryBuffers.Large.PooledBytes;
            pooledChars = Preflight.Content.BoundedArrayPool<char>.Text.PooledBytes;
        }

        // Entries large enough for the pooled buffers (the small ones come from the shared pool).
        var zipPath = Path.Combine(_dir.FullName, "large.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
            for (int i = 0; i < 3; i++) Write(zip, $"var/log/app{i}.log", string.Concat(Enumerable.Repeat($"2026-11-27 INFO worker {i} started\n", 12_000)));

        await PreflightScanner.ScanAsync(zipPath, Options with { Progress = reports, ProgressInterval = TimeSpan.Zero, EntriesAnalysed = Analysed });

        events.Should().ContainSingle(e => e == "analysed");
        int at = events.IndexOf("analysed");
        events.Take(at).Should().Contain("read 3", "every entry was read before");
        events.Skip(at + 1).Should().Equal(["completed"], "the last report comes after the detectors' cross-entry steps");
        pooledBytes.Should().Be(0, "the entry buffers kept for the next entry are let go once there is none");
        pooledChars.Should().Be(0);
    }

    [Test]
    public async Task Progress_counts_never_go_back_with_several_threads_reporting()
    {
        // The reader and two workers all report; a handler that takes a varying moment before it records widens the
        // window in which a later report could overtake an earlier one.
        for (int round = 0; round < 30; round++)
        {
            var reports = new SlowRecorder();
            await PreflightScanner.ScanAsync(_zip, Options with { Progress = reports, ProgressInterval = TimeSpan.Zero, MaxDegreeOfParallelism = 2 });
            var all = reports.Items.ToList();
            all.Select(p => p.EntriesRead).Should().BeInAscendingOrder("round {0}", round);
            all.Select(p => p.BytesRead).Should().BeInAscendingOrder("round {0}", round);
            all[^1].Completed.Should().BeTrue();
        }
    }

    [Test]
    public async Task Progress_is_throttled_by_default()
    {
        var reports = new Recorder();

        await PreflightScanner.ScanAsync(_zip, Options with { Progress = reports });

        // 21 entries, each read and analysed by several detectors, within far less than the 100 ms interval
        // times the number of steps: only a few reports, the last one complete.
        reports.Items.Count.Should().BeLessThan(21);
        reports.Items.Last().Completed.Should().BeTrue();
    }

    [Test]
    public async Task Cancellation_during_the_scan_stops_it_with_operation_canceled()
    {
        using var cancel = new CancellationTokenSource();
        var reports = new Recorder(p => { if (p.EntriesRead >= 3) cancel.Cancel(); });

        var act = () => PreflightScanner.ScanAsync(_zip, Options with { Progress = reports, ProgressInterval = TimeSpan.Zero }, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        reports.Items.Should().NotContain(p => p.Completed);
    }

    [Test]
    public async Task Cancellation_of_a_stream_scan_before_it_starts_throws_operation_canceled()
    {
        await using var stream = File.OpenRead(_zip);

        var act = () => PreflightScanner.ScanAsync(stream, "app-2.0.zip", Options, new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public void Options_are_immutable_and_with_expressions_derive_variants()
    {
        var strict = ScanOptions.Default with { FailOn = Findings.Severity.Medium, Exclude = ["docs/**"] };

        strict.FailOn.Should().Be(Findings.Severity.Medium);
        ScanOptions.Default.FailOn.Should().Be(Findings.Severity.High);
        ScanOptions.Default.Exclude.Should().BeEmpty();
        typeof(ScanOptions).GetProperties().Where(p => p.SetMethod is { IsPublic: true })
            .Should().OnlyContain(p => p.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit"),
                "every public property is init-only");
    }

    /// <summary>Collects progress reports synchronously, on the thread that reports them.</summary>
    private sealed class Recorder(Action<ScanProgress>? onReport = null) : IProgress<ScanProgress>
    {
        public ConcurrentQueue<ScanProgress> Items { get; } = new();

        public void Report(ScanProgress value)
        {
            Items.Enqueue(value);
            onReport?.Invoke(value);
        }
    }

    /// <summary>Takes a varying moment before it records a report, as a handler that draws on a console might.</summary>
    private sealed class SlowRecorder : IProgress<ScanProgress>
    {
        private int _calls;

        public ConcurrentQueue<ScanProgress> Items { get; } = new();

        public void Report(ScanProgress value)
        {
            Thread.SpinWait(Interlocked.Increment(ref _calls) % 7 * 3_000);
            Items.Enqueue(value);
        }
    }
}
