using System.IO.Compression;
using System.Text;
using FluentAssertions;
using ICSharpCode.SharpZipLib.Zip;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Packages;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

public class FormatReadingTests
{
    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    [Test]
    public async Task Zip_entries_reach_the_sink_in_order_with_their_bytes()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in new[] { ("etc/app.conf", "port=8080\n"), ("bin/run.sh", "#!/bin/sh\necho hi\n") })
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(Utf8(text));
            }
            zip.CreateEntry("empty-dir/");
        }
        var sink = await _scratch.ReadAsync("p.zip", ms.ToArray());
        sink.Paths.Should().Equal("etc/app.conf", "bin/run.sh");
        sink.Text("bin/run.sh").Should().Be("#!/bin/sh\necho hi\n");
        sink.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task Zip64_entries_are_read()
    {
        var zip = new RawZip();
        for (int i = 0; i < 3; i++) zip.Add($"data/{i}.txt", Utf8($"zip64 entry {i}\n"));
        var bytes = zip.ToArray(zip64: true);
        bytes.AsSpan().IndexOf((byte[])[0x50, 0x4b, 0x06, 0x06]).Should().BePositive("the archive carries a zip64 end of central directory record");
        var sink = await _scratch.ReadAsync("p.zip", bytes);
        sink.Paths.Should().Equal("data/0.txt", "data/1.txt", "data/2.txt");
        sink.Text("data/2.txt").Should().Be("zip64 entry 2\n");
        sink.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task Stored_and_deflated_entries_with_data_descriptors_are_read()
    {
        var zip = new RawZip()
            .Add("stored.txt", Utf8("stored with a descriptor\n"), deflate: false, descriptor: true)
            .Add("deflated.txt", Utf8("deflated with a descriptor\n"), deflate: true, descriptor: true)
            .Add("after.txt", Utf8("after\n"));
        var sink = await _scratch.ReadAsync("p.zip", zip.ToArray());
        sink.Paths.Should().Equal("stored.txt", "deflated.txt", "after.txt");
        sink.Text("stored.txt").Should().Be("stored with a descriptor\n");
        sink.Text("deflated.txt").Should().Be("deflated with a descriptor\n");
        sink.Findings.Should().BeEmpty();
    }

    [TestCase("p.tar.gz")]
    [TestCase("p.tar.bz2")]
    [TestCase("p.tar")]
    public async Task Tar_in_every_wrapping_is_read(string name)
    {
        var tar = new RawTar().Directory("etc/").File("etc/app.conf", "port=8080\n").File("bin/run.sh", "#!/bin/sh\n").ToArray();
        var bytes = name.EndsWith(".gz", StringComparison.Ordinal) ? GZip(tar) : name.EndsWith(".bz2", StringComparison.Ordinal) ? BZip2(tar) : tar;
        var sink = await _scratch.ReadAsync(name, bytes);
        sink.Paths.Should().Equal("etc/app.conf", "bin/run.sh");
        sink.Text("etc/app.conf").Should().Be("port=8080\n");
        sink.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task Type_is_decided_by_magic_bytes_not_by_extension()
    {
        var tar = GZip(new RawTar().File("a.txt", "a\n").ToArray());
        var sink = await _scratch.ReadAsync("looks-like.zip", tar);
        sink.Paths.Should().Equal("a.txt");
    }

    [Test]
    public async Task A_single_gzip_file_is_named_by_its_header()
    {
        var sink = await _scratch.ReadAsync("whatever.gz", GZip(Utf8("hello\n"), fileName: "app.conf"));
        sink.Paths.Should().Equal("app.conf");
        sink.Text("app.conf").Should().Be("hello\n");
    }

    [TestCase("settings.json.gz", "settings.json")]
    [TestCase("blob.gz", "blob")]
    public async Task A_single_gzip_file_without_a_name_is_named_by_stripping_the_suffix(string file, string expected)
    {
        var sink = await _scratch.ReadAsync(file, GZip(Utf8("{}\n")));
        sink.Paths.Should().Equal(expected);
    }

    [Test]
    public async Task A_gzip_header_name_that_climbs_out_is_reported()
    {
        var sink = await _scratch.ReadAsync("x.gz", RawGZip(Utf8("root::0:0\n"), Utf8("../../etc/passwd")));
        sink.Findings.Should().Equal("PF003@../../etc/passwd");
        sink.Paths.Should().Equal("../../etc/passwd");
    }

    [Test]
    public async Task Nested_archives_three_deep_are_read_in_place_with_bang_paths()
    {
        var innermost = new RawZip().Add("conf/deep.ini", Utf8("depth=3\n")).ToArray();
        var middle = GZip(new RawTar().File("inner.zip", innermost).File("mid.txt", "m\n").ToArray());
        var outer = new RawZip().Add("lib/plugins.tar.gz", middle, deflate: false).Add("top.txt", Utf8("t\n")).ToArray();
        var top = GZip(new RawTar().File("pkg/outer.zip", outer).File("z.txt", "z\n").ToArray());

        var sink = await _scratch.ReadAsync("p.tgz", top);

        sink.Entries.Select(e => (e.Path, e.Depth)).Should().Equal(
            ("pkg/outer.zip!/lib/plugins.tar.gz!/inner.zip!/conf/deep.ini", 3),
            ("pkg/outer.zip!/lib/plugins.tar.gz!/mid.txt", 2),
            ("pkg/outer.zip!/top.txt", 1),
            ("z.txt", 0));
        sink.Text("pkg/outer.zip!/lib/plugins.tar.gz!/inner.zip!/conf/deep.ini").Should().Be("depth=3\n");
        sink.Findings.Should().BeEmpty();
    }

    [Test]
    public async Task A_nested_tar_gz_larger_than_the_analysis_window_is_streamed_not_buffered()
    {
        var big = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(big);
        var nested = GZip(new RawTar().File("big.bin", big).File("small.txt", "small\n").ToArray());
        var outer = new RawZip().Add("lib/bundle.tar.gz", nested, deflate: false).Add("after.txt", Utf8("after\n")).ToArray();
        var limits = PackageLimits.Default with { MaxAnalyzedEntryBytes = 64 * 1024 };

        var sink = await _scratch.ReadAsync("p.zip", outer, limits);

        sink.Paths.Should().Equal("lib/bundle.tar.gz!/big.bin", "lib/bundle.tar.gz!/small.txt", "after.txt");
        sink.Entries[0].Size.Should().Be(big.Length);
        sink.Findings.Should().Equal("PF015@lib/bundle.tar.gz!/big.bin");
    }

    [Test]
    public async Task A_folder_is_read_in_path_order_with_its_names_checked()
    {
        var folder = Path.Combine(_scratch.Folder, "pkg");
        Directory.CreateDirectory(Path.Combine(folder, "etc"));
        File.WriteAllText(Path.Combine(folder, "etc", "b.conf"), "b\n");
        File.WriteAllText(Path.Combine(folder, "etc", "a.conf"), "a\n");
        File.WriteAllText(Path.Combine(folder, "back\\slash.txt"), "x\n");
        File.WriteAllText(Path.Combine(folder, "README"), "r\n");
        File.WriteAllText(Path.Combine(folder, "readme"), "r\n");
        var sink = new RecordingSink();

        var summary = await PackageReader.ReadAsync(folder, PackageLimits.Default, sink, CancellationToken.None);

        sink.Paths.Should().Equal("README", "back/slash.txt", "etc/a.conf", "etc/b.conf", "readme");
        sink.Findings.Should().Equal("PF004@back/slash.txt", "PF005@readme");
        sink.Issues[0].Message.Should().Contain("back\\slash.txt");
        summary.Entries.Should().Be(5);
        summary.Sha256.Should().HaveLength(64);
    }

    [Test]
    public void A_missing_path_is_unreadable_and_marked_not_found()
    {
        var act = () => PackageReader.ReadAsync(Path.Combine(_scratch.Folder, "nope.zip"), PackageLimits.Default, new RecordingSink(), CancellationToken.None);
        act.Should().ThrowAsync<PackageUnreadableException>().Result.Which.NotFound.Should().BeTrue();
    }

    [Test]
    public void A_file_that_is_no_archive_is_unreadable()
    {
        var path = _scratch.Write("notes.txt", Encoding.UTF8.GetBytes("just text, not a package\n"));
        var act = () => PackageReader.ReadAsync(path, PackageLimits.Default, new RecordingSink(), CancellationToken.None);
        act.Should().ThrowAsync<PackageUnreadableException>().Result.Which.NotFound.Should().BeFalse();
    }

    [Test]
    public async Task Fifty_thousand_tiny_entries_all_reach_the_sink()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (int i = 0; i < 50_000; i++)
            {
                using var s = zip.CreateEntry($"d{i / 1000:D2}/f{i:D5}.txt", CompressionLevel.NoCompression).Open();
                s.Write(Utf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var sink = await _scratch.ReadAsync("many.zip", ms.ToArray());
        watch.Stop();

        sink.Entries.Should().HaveCount(50_000);
        sink.Text("d49/f49999.txt").Should().Be("49999");
        sink.Findings.Should().BeEmpty();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
    }
}
