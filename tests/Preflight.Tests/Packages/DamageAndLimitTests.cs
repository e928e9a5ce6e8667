using System.Diagnostics;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Packages;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

public class DamageAndLimitTests
{
    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Test]
    public async Task A_truncated_zip_is_salvaged_up_to_the_damage()
    {
        var zip = new RawZip()
            .Add("one.txt", Utf8("first entry\n"))
            .Add("two.txt", Utf8("second entry\n"))
            .Add("three.bin", Noise(20_000, 1), deflate: false)
            .Add("four.txt", Utf8("never reached\n"))
            .ToArray();
        int cut = zip.AsSpan().IndexOf(Utf8("three.bin")) + 9 + 5_000;

        var sink = await _scratch.ReadAsync("p.zip", Cut(zip, cut));

        sink.Findings.Should().Equal("PF001@three.bin", "PF002@");
        sink.Paths.Should().Equal("one.txt", "two.txt", "three.bin");
        sink.Text("two.txt").Should().Be("second entry\n");
        sink.Entries[2].Size.Should().BeLessThan(20_000);
        sink.Issues[1].Properties!["salvagedEntries"].Should().Be("3");
        sink.Diagnostics.Should().Contain(d => d.Path == "" && d.Message.Contains("stopped near byte", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_zip_cut_inside_its_central_directory_keeps_every_entry()
    {
        var zip = new RawZip().Add("one.txt", Utf8("1\n")).Add("two.txt", Utf8("2\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", Cut(zip, zip.Length - 30));
        sink.Findings.Should().Equal("PF002@");
        sink.Paths.Should().Equal("one.txt", "two.txt");
    }

    [Test]
    public async Task A_truncated_tar_is_analysed_up_to_the_damage()
    {
        var tar = new RawTar().File("one.txt", "first\n").File("big.bin", Noise(4096, 2)).File("never.txt", "x\n").ToArray();
        int cut = 512 + 512 + 512 + 1000; // inside big.bin's data
        var sink = await _scratch.ReadAsync("p.tar", Cut(tar, cut));
        sink.Findings.Should().Equal("PF002@");
        sink.Paths.Should().Equal("one.txt", "big.bin");
        sink.Issues[0].Properties!["entry"].Should().Be("big.bin");
        sink.Diagnostics.Should().ContainSingle(d => d.Path == "" && d.Message.Contains("inside big.bin", StringComparison.Ordinal));
    }

    [TestCase("p.tar.gz")]
    [TestCase("p.tar.bz2")]
    public async Task A_truncated_compressed_tar_is_analysed_up_to_the_damage(string name)
    {
        var tar = new RawTar().File("one.txt", "first\n").File("big.bin", Noise(3_000_000, 3)).File("never.txt", "x\n").ToArray();
        var packed = name.EndsWith(".gz", StringComparison.Ordinal) ? GZip(tar) : BZip2(tar);
        // bzip2 decodes whole 900 kB blocks: cut after the second block so the first ones survive.
        var sink = await _scratch.ReadAsync(name, Cut(packed, packed.Length * 3 / 4));
        sink.Findings.Should().Equal("PF002@");
        sink.Paths.Should().StartWith("one.txt");
        sink.Paths.Should().NotContain("never.txt");
        sink.Text("one.txt").Should().Be("first\n");
        sink.Diagnostics.Should().NotBeEmpty();
    }

    [Test]
    public async Task A_truncated_single_gzip_file_is_reported_and_its_beginning_analysed()
    {
        var packed = GZip(Noise(500_000, 4), fileName: "data.bin");
        var sink = await _scratch.ReadAsync("data.bin.gz", Cut(packed, packed.Length / 2));
        sink.Findings.Should().Equal("PF002@");
        sink.Paths.Should().Equal("data.bin");
        sink.Entries[0].Size.Should().BeGreaterThan(0).And.BeLessThan(500_000);
    }

    [Test]
    public async Task A_truncated_nested_zip_is_salvaged_inside_its_parent()
    {
        var inner = new RawZip().Add("a.txt", Utf8("a\n")).Add("b.bin", Noise(10_000, 5), deflate: false).ToArray();
        var outer = new RawZip().Add("lib/inner.zip", Cut(inner, 200)).Add("after.txt", Utf8("after\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", outer);
        sink.Findings.Should().Equal("PF001@lib/inner.zip!/b.bin", "PF002@lib/inner.zip");
        sink.Paths.Should().Equal("lib/inner.zip!/a.txt", "lib/inner.zip!/b.bin", "after.txt");
    }

    [Test]
    public async Task A_ten_thousand_to_one_entry_is_stopped_at_the_ratio_and_not_analysed()
    {
        var zeros = new byte[40 * 1024 * 1024];
        var zip = new RawZip().Add("bomb.bin", zeros).Add("after.txt", Utf8("after\n")).ToArray();
        (zeros.Length / (double)zip.Length).Should().BeGreaterThan(1000, "the fixture must really be a bomb");

        var sink = await _scratch.ReadAsync("p.zip", zip);

        sink.Findings.Should().Equal("PF008@bomb.bin");
        long read = long.Parse(sink.Issues[0].Properties!["bytesRead"], System.Globalization.CultureInfo.InvariantCulture);
        read.Should().BeLessThan(16 * 1024 * 1024, "reading stops soon after the 1 MiB threshold, not at the entry's end");
        sink.Paths.Should().Equal("after.txt");
    }

    [Test]
    public async Task A_ten_thousand_to_one_bzip2_entry_is_stopped_at_the_ratio()
    {
        var packed = BZip2(new RawTar().File("bomb.bin", new byte[16 * 1024 * 1024]).File("after.txt", "after\n").ToArray());
        (16.0 * 1024 * 1024 / packed.Length).Should().BeGreaterThan(10_000, "the fixture must be a 10,000:1 bomb");
        var sink = await _scratch.ReadAsync("p.tar.bz2", packed);
        sink.Findings.Should().Equal(new[] { "PF008@bomb.bin" }, sink.Describe());
        sink.Paths.Should().Equal("after.txt");
    }

    [Test]
    public async Task A_ratio_bomb_inside_a_tar_gz_is_measured_on_the_compressed_bytes_actually_read()
    {
        var tar = new RawTar().File("bomb.bin", new byte[30 * 1024 * 1024]).File("after.txt", "after\n").ToArray();
        var sink = await _scratch.ReadAsync("p.tar.gz", GZip(tar));
        sink.Findings.Should().Equal(new[] { "PF008@bomb.bin" }, sink.Describe());
        sink.Paths.Should().Equal("after.txt");
    }

    [Test]
    public async Task Overlapping_entries_are_reported_and_never_inflated()
    {
        var bomb = RawZip.OverlappingBomb(files: 200, payloadBytes: 4 * 1024 * 1024);
        var watch = Stopwatch.StartNew();

        var sink = await _scratch.ReadAsync("overlap.zip", bomb);

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        sink.Findings.Should().Equal("PF009@");
        sink.Issues[0].Properties!["overlappingEntries"].Should().Be("200");
        sink.Paths.Should().Equal("readme.txt");
    }

    [Test]
    public async Task Entries_sharing_one_local_header_are_overlapping()
    {
        var zip = new RawZip().Add("a.txt", Utf8("shared\n"));
        var shared = zip.ToArray();
        var crc = Crc(Utf8("shared\n"));
        var compressed = Deflate(Utf8("shared\n"));
        zip.AddCentral(Utf8("b.txt"), 8, crc, compressed.Length, 7, 0).Add("after.txt", Utf8("after\n"));
        var sink = await _scratch.ReadAsync("p.zip", zip.ToArray());
        sink.Findings.Should().Equal("PF009@");
        sink.Paths.Should().Equal("after.txt");
        shared.Should().NotBeEmpty();
    }

    [Test]
    public async Task A_recursive_nested_bomb_ends_quickly_on_the_limits()
    {
        var bomb = NestedBomb(levels: 4, fanOut: 16, leafBytes: 64 * 1024 * 1024);
        var watch = Stopwatch.StartNew();

        var sink = await _scratch.ReadAsync("42.zip", bomb);

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        sink.Issues.Select(i => i.Rule.Id).Should().OnlyContain(id => id == "PF008");
        sink.Issues.Last().Properties!["limit"].Should().Be("maxPackageCompressionRatio");
        sink.Issues.Last().Location.Path.Should().StartWith("lib0.zip!/lib0.zip!/");
        sink.Issues.Should().HaveCountGreaterThan(1);
        sink.Entries.Should().BeEmpty();
    }

    [Test]
    public async Task The_nesting_depth_limit_stops_descending_and_the_rest_is_read()
    {
        byte[] level = new RawZip().Add("deep.txt", Utf8("deep\n")).ToArray();
        for (int i = 0; i < 4; i++) level = new RawZip().Add($"l{i}.zip", level).ToArray();
        var outer = new RawZip().Add("nest.zip", level).Add("after.txt", Utf8("after\n")).ToArray();

        var sink = await _scratch.ReadAsync("p.zip", outer, PackageLimits.Default with { MaxDepth = 3 });

        sink.Findings.Should().Equal("PF013@nest.zip!/l3.zip!/l2.zip!/l1.zip");
        sink.Paths.Should().Equal("nest.zip!/l3.zip!/l2.zip!/l1.zip", "after.txt");
    }

    [Test]
    public async Task The_entry_count_limit_stops_reading_after_the_limit()
    {
        var zip = new RawZip();
        for (int i = 0; i < 50; i++) zip.Add($"f{i:D2}.txt", Utf8($"{i}\n"));
        var sink = await _scratch.ReadAsync("p.zip", zip.ToArray(), PackageLimits.Default with { MaxEntries = 20 });
        sink.Findings.Should().Equal("PF012@f20.txt");
        sink.Entries.Should().HaveCount(20);
        sink.Paths.Last().Should().Be("f19.txt");
        sink.Diagnostics.Should().ContainSingle(d => d.Path == "f20.txt");
    }

    [Test]
    public async Task The_per_entry_limit_skips_the_rest_of_that_entry_only()
    {
        var zip = new RawZip().Add("big.bin", Noise(300_000, 6)).Add("after.txt", Utf8("after\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip, PackageLimits.Default with { MaxEntryBytes = 100_000 });
        sink.Findings.Should().Equal("PF010@big.bin");
        sink.Paths.Should().Equal("big.bin", "after.txt");
        sink.Entries[0].Size.Should().BeInRange(100_001, 300_000);
    }

    [Test]
    public async Task The_total_limit_stops_the_package()
    {
        var zip = new RawZip();
        for (int i = 0; i < 10; i++) zip.Add($"f{i}.bin", Noise(50_000, i), deflate: false);
        var sink = await _scratch.ReadAsync("p.zip", zip.ToArray(), PackageLimits.Default with { MaxTotalBytes = 120_000 });
        sink.Findings.Should().Equal("PF011@f2.bin");
        sink.Paths.Should().Equal("f0.bin", "f1.bin", "f2.bin");
    }

    [Test]
    public async Task The_time_budget_stops_the_package()
    {
        var zip = new RawZip().Add("a.txt", Utf8("a")).Add("b.txt", Utf8("b")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip, PackageLimits.Default with { MaxDuration = TimeSpan.Zero });
        sink.Findings.Should().Equal("PF014@a.txt");
        sink.Entries.Should().BeEmpty();
    }

    [Test]
    public async Task A_large_nested_zip_is_spooled_to_a_temp_folder_that_is_removed_afterwards()
    {
        var inner = new RawZip().Add("a.txt", Utf8("a\n")).Add("noise.bin", Noise(200_000, 7), deflate: false).ToArray();
        var outer = new RawZip().Add("lib/inner.zip", inner, deflate: false).Add("after.txt", Utf8("after\n")).ToArray();
        var before = PreflightTempFolders();
        var seen = new HashSet<string>();
        var sink = new RecordingSink { OnEntry = _ => { seen.UnionWith(PreflightTempFolders().Except(before)); return ValueTask.CompletedTask; } };

        await _scratch.ReadAsync("p.zip", outer, PackageLimits.Default with { MaxInMemoryNestedArchiveBytes = 1024 }, sink);

        sink.Paths.Should().Equal("lib/inner.zip!/a.txt", "lib/inner.zip!/noise.bin", "after.txt");
        seen.Should().ContainSingle("the nested zip went to one temp folder of this scan");
        Directory.Exists(seen.Single()).Should().BeFalse();
    }

    [Test]
    public async Task The_temp_folder_is_removed_when_the_scan_is_cancelled()
    {
        var inner = new RawZip().Add("a.txt", Utf8("a\n")).Add("b.txt", Utf8("b\n")).ToArray();
        var outer = new RawZip().Add("inner.zip", inner, deflate: false).ToArray();
        var before = PreflightTempFolders();
        var seen = new HashSet<string>();
        using var cts = new CancellationTokenSource();
        var sink = new RecordingSink { OnEntry = _ => { seen.UnionWith(PreflightTempFolders().Except(before)); cts.Cancel(); return ValueTask.CompletedTask; } };

        var act = () => _scratch.ReadAsync("p.zip", outer, PackageLimits.Default with { MaxInMemoryNestedArchiveBytes = 16 }, sink, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        seen.Should().ContainSingle();
        Directory.Exists(seen.Single()).Should().BeFalse();
    }

    private static HashSet<string> PreflightTempFolders() =>
        Directory.GetDirectories(Path.GetTempPath(), "preflight-*").ToHashSet();

    /// <summary>
    /// A 42.zip-style recursive bomb: <paramref name="levels"/> levels of zips each holding
    /// <paramref name="fanOut"/> copies of the level below; the leaves hold zero-filled entries.
    /// </summary>
    internal static byte[] NestedBomb(int levels, int fanOut, int leafBytes)
    {
        var zeros = new byte[leafBytes];
        var kernel = Deflate(zeros);
        uint crc = Crc(zeros);
        var leaf = new RawZip();
        for (int i = 0; i < fanOut; i++) leaf.AddCompressed(Utf8($"{i}.bin"), kernel, leafBytes, crc, method: 8);
        byte[] level = leaf.ToArray();
        for (int l = 0; l < levels; l++)
        {
            var compressed = Deflate(level);
            uint levelCrc = Crc(level);
            var zip = new RawZip();
            for (int i = 0; i < fanOut; i++) zip.AddCompressed(Utf8($"lib{i}.zip"), compressed, level.Length, levelCrc, method: 8);
            level = zip.ToArray();
        }
        return level;
    }
}
