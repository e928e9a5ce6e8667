using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Detectors.Certificates;
using Preflight.Detectors.Credentials;
using Preflight.Detectors.Endpoints;
using Preflight.Detectors.Migrations;
using Preflight.Detectors.ScheduledTasks;
using Preflight.Tests.Detectors.Credentials;

namespace Preflight.Tests.Detectors;

/// <summary>
/// A copy of an assembly (same bytes, same file name, another folder) is answered from what the detectors made of the
/// first copy, without reading its metadata again. What each copy reports must be exactly what a scan of that copy
/// alone reports: the same findings (at its own location, with its own fingerprints) and the same diagnostics.
/// </summary>
public class CopyMemoTests
{
    // A library with a hard-coded password, a public endpoint, a webhook and a cloud metadata address; no schedule.
    private const string LibrarySource = """
        namespace Acme
        {
            public class Settings
            {
                public const string DatabasePassword = "Zq8#mW2!vR9xLp4t";
                public const string Webhook = "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx";
                public string Password { get; set; } = "";
                public string Mirror = "";
                public void Load(int mode)
                {
                    if (mode == 0) Password = "N0t-a-Placeh0lder!x";
                    else if (mode == 1) Mirror = "http://files.acme-mirror.example.org/pkg";
                    else Mirror = "http://169.254.169.254/latest/meta-data/";
                }
            }
        }
        """;

    // The same, with a Hangfire schedule: the scheduled-tasks detector reads every copy of it.
    private const string ScheduledSource = """
        using System;
        namespace Hangfire { public static class RecurringJob { public static void AddOrUpdate(string id, Action job, string cron) { } } }
        namespace Acme
        {
            public class Jobs
            {
                public const string ApiToken = "tok_9fK2mQ7xZ1pL8vR3";
                public static string Log = "";
                public static void Schedule() => Hangfire.RecurringJob.AddOrUpdate("nightly", () => Log = "https://status.acme-upgrade.example.com/ping", "15 2 * * *");
            }
        }
        """;

    private static readonly Lazy<byte[]> Library = new(() => CredentialCorpus.Compile("Acme.Library", LibrarySource));
    private static readonly Lazy<byte[]> Scheduled = new(() => CredentialCorpus.Compile("Acme.Jobs", ScheduledSource));

    private static IDetector[] Detectors() =>
        [new CredentialsDetector(), new EndpointsDetector(), new ScheduledTasksDetector(), new MigrationsDetector(), new CertificatesDetector()];

    private static ScanState NewState() =>
        new(ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);

    /// <summary>Analyses one entry with the given detectors and state; returns its content (for what it read).</summary>
    private static EntryContent Analyze(IDetector[] detectors, ScanState state, string path, byte[] bytes)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var info = new EntryInfo(path, name, bytes.Length, ContentKind.DotNetAssembly, 0);
        var content = new EntryContent(path, bytes, ContentKind.DotNetAssembly);
        foreach (var detector in detectors)
            if (detector.Wants(info)) detector.Analyze(new EntryContext(state, info, content));
        return content;
    }

    /// <summary>The findings and diagnostics at one path, as JSON, in a stable order.</summary>
    private static List<string> At(ScanState state, string path) =>
    [
        .. state.Findings.Where(f => f.Location.Path == path).Select(f => JsonSerializer.Serialize(f)).Order(StringComparer.Ordinal),
        .. state.Diagnostics.Where(d => d.Path == path).Select(d => $"diagnostic: {d.Message}").Order(StringComparer.Ordinal),
    ];

    private static List<string> Alone(string path, byte[] bytes)
    {
        var state = NewState();
        Analyze(Detectors(), state, path, bytes);
        return At(state, path);
    }

    [Test]
    public void A_copy_is_reported_as_if_alone_and_its_metadata_is_not_read_again()
    {
        var detectors = Detectors();
        var state = NewState();
        var first = Analyze(detectors, state, "svc-a/lib/Acme.Library.dll", Library.Value);
        first.ModuleImage.Should().NotBeNull("the first copy is read");
        var copy = Analyze(detectors, state, "svc-b/lib/Acme.Library.dll", Library.Value);
        copy.ModuleImage.Should().BeNull("a copy of an assembly that holds no schedule and no migration is answered from the first copy");

        var alone = Alone("svc-b/lib/Acme.Library.dll", Library.Value);
        alone.Should().Contain(f => f.Contains("PF3", StringComparison.Ordinal), "the library holds credentials")
            .And.Contain(f => f.Contains("169.254.169.254", StringComparison.Ordinal), "and the metadata endpoint");
        At(state, "svc-b/lib/Acme.Library.dll").Should().Equal(alone);
        At(state, "svc-a/lib/Acme.Library.dll").Should().Equal(Alone("svc-a/lib/Acme.Library.dll", Library.Value));
    }

    [Test]
    public void The_same_bytes_under_another_file_name_are_read_again()
    {
        var detectors = Detectors();
        var state = NewState();
        Analyze(detectors, state, "svc-a/lib/Acme.Library.dll", Library.Value);
        var renamed = Analyze(detectors, state, "svc-a/lib/Acme.Renamed.dll", Library.Value);
        renamed.ModuleImage.Should().NotBeNull("rules may look at a file name, so only a copy of the same name is answered from memory");
        At(state, "svc-a/lib/Acme.Renamed.dll").Should().Equal(Alone("svc-a/lib/Acme.Renamed.dll", Library.Value));
    }

    [Test]
    public void Copies_of_an_assembly_with_a_schedule_each_report_it()
    {
        var detectors = Detectors();
        var state = NewState();
        foreach (var folder in new[] { "svc-a", "svc-b", "svc-c" })
            Analyze(detectors, state, $"{folder}/bin/Acme.Jobs.dll", Scheduled.Value);
        foreach (var detector in detectors) detector.Complete(new DetectorContext(state));
        var tasks = state.Inventory.Build().ScheduledTasks;
        tasks.Select(t => t.Location.Path).Should().BeEquivalentTo(["svc-a/bin/Acme.Jobs.dll", "svc-b/bin/Acme.Jobs.dll", "svc-c/bin/Acme.Jobs.dll"],
            "each copy installs the schedule");
        foreach (var folder in new[] { "svc-a", "svc-b", "svc-c" })
            At(state, $"{folder}/bin/Acme.Jobs.dll").Where(f => !f.Contains("PF1", StringComparison.Ordinal))
                .Should().Equal(Alone($"{folder}/bin/Acme.Jobs.dll", Scheduled.Value).Where(f => !f.Contains("PF1", StringComparison.Ordinal)));
    }

    [Test]
    public void A_window_of_an_entry_has_no_key_and_is_never_remembered()
    {
        var state = NewState();
        var info = new EntryInfo("a/Acme.Library.dll", "Acme.Library.dll", Library.Value.Length, ContentKind.DotNetAssembly, 0);
        using var content = new EntryContent(info.Path, Library.Value, ContentKind.DotNetAssembly);
        var whole = new EntryContext(state, info, content);
        var window = new EntryContext(state, info, content) { Window = new Preflight.Packages.EntryWindow(1, 4096, 10, 1, ContentKind.DotNetAssembly, null, IsLast: false, Sha256: null) };
        CopyKey.Of(whole).Should().NotBeNull();
        CopyKey.Of(window).Should().BeNull("a window's bytes are not the entry's");
        var memo = new CopyMemo<string>();
        memo.Remember(CopyKey.Of(window), "x");
        memo.TryGet(CopyKey.Of(window), out _).Should().BeFalse();
        memo.TryGet(CopyKey.Of(whole), out _).Should().BeFalse("nothing was remembered for the window");
    }

    [Test]
    public void The_memo_keeps_at_most_its_capacity()
    {
        var memo = new CopyMemo<string>(capacity: 2);
        var keys = Enumerable.Range(0, 4).Select(i => new CopyKey(new string((char)('a' + i), 64), "x.dll")).ToArray();
        foreach (var key in keys) memo.Remember(key, key.Sha256);
        keys.Count(k => memo.TryGet(k, out _)).Should().Be(2);
        memo.TryGet(keys[0], out var first).Should().BeTrue();
        first.Should().Be(keys[0].Sha256);
        memo.TryGet(keys[3], out _).Should().BeFalse("the memo was full when it came");
    }
}
