using FluentAssertions;
using ICSharpCode.SharpZipLib.Zip;
using NUnit.Framework;
using Preflight.Findings;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

public class HostileInputTests
{
    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    // raw name | location the finding is at | rule ids (in order)
    [TestCase("../../etc/cron.d/evil", "../../etc/cron.d/evil", "PF003")]
    [TestCase("a/../../escape.sh", "a/../../escape.sh", "PF003")]
    [TestCase("/etc/passwd", "etc/passwd", "PF003")]
    [TestCase("//server/share/x", "server/share/x", "PF003")]
    [TestCase("C:/Windows/System32/x.dll", "Windows/System32/x.dll", "PF003")]
    [TestCase("C:\\Windows\\x.dll", "Windows/x.dll", "PF004,PF003")]
    [TestCase("..\\..\\evil.dll", "../../evil.dll", "PF004,PF003")]
    [TestCase("dir\\file.txt", "dir/file.txt", "PF004")]
    [TestCase("evil\0.txt", "evil%00.txt", "PF004")]
    [TestCase("bell\u0007name.txt", "bell%07name.txt", "PF004")]
    public async Task Zip_entry_names_that_are_hostile_are_reported_at_their_location_and_the_rest_is_read(string raw, string location, string rules)
    {
        var zip = new RawZip().Add(raw, Utf8("payload\n")).Add("after.txt", Utf8("after\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal(rules.Split(',').Select(r => $"{r}@{location}"));
        sink.Issues.Should().OnlyContain(i => i.Properties!["rawName"] == EntryNamesDisplay(raw));
        sink.Paths.Should().Equal(location, "after.txt");
        sink.Text("after.txt").Should().Be("after\n");
    }

    [TestCase("../../etc/cron.d/evil", "../../etc/cron.d/evil", "PF003")]
    [TestCase("/etc/passwd", "etc/passwd", "PF003")]
    [TestCase("C:\\Windows\\x.dll", "Windows/x.dll", "PF004,PF003")]
    [TestCase("dir\\file.txt", "dir/file.txt", "PF004")]
    [TestCase("tab\tname.txt", "tab%09name.txt", "PF004")]
    [TestCase("./ok/./nested//file.txt", "ok/nested/file.txt", "")]
    public async Task Tar_entry_names_that_are_hostile_are_reported_at_their_location_and_the_rest_is_read(string raw, string location, string rules)
    {
        var tar = new RawTar().File(raw, "payload\n").File("after.txt", "after\n").ToArray();
        var sink = await _scratch.ReadAsync("p.tar", tar);
        sink.Findings.Should().Equal(rules.Length == 0 ? [] : rules.Split(',').Select(r => $"{r}@{location}"));
        sink.Paths.Should().Equal(location, "after.txt");
    }

    [Test]
    public async Task A_name_that_is_not_valid_utf8_is_reported()
    {
        var zip = new RawZip().AddRaw([(byte)'b', 0xFF, 0xFE, (byte)'.', (byte)'t', (byte)'x', (byte)'t'], Utf8("x")).Add("after.txt", Utf8("a")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF004@b\uFFFD\uFFFD.txt");
        sink.Issues[0].Message.Should().Contain("not valid UTF-8");
        sink.Paths.Should().Equal("b\uFFFD\uFFFD.txt", "after.txt");
    }

    [Test]
    public async Task Hostile_names_in_a_nested_archive_are_reported_inside_it()
    {
        var inner = new RawTar().File("../../../root/.ssh/authorized_keys", "ssh-ed25519 AAAA\n").ToArray();
        var zip = new RawZip().Add("lib/x.tar", inner).Add("after.txt", Utf8("a")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF003@lib/x.tar!/../../../root/.ssh/authorized_keys");
        sink.Paths.Should().Equal("lib/x.tar!/../../../root/.ssh/authorized_keys", "after.txt");
    }

    [Test]
    public async Task Duplicate_names_and_case_collisions_are_reported_and_every_copy_is_analysed()
    {
        var zip = new RawZip()
            .Add("etc/app.conf", Utf8("first\n"))
            .Add("etc/app.conf", Utf8("second\n"))
            .Add("bin/Install.sh", Utf8("a\n"))
            .Add("bin/install.sh", Utf8("b\n"))
            .Add("after.txt", Utf8("after\n"))
            .ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF005@etc/app.conf", "PF005@bin/install.sh");
        sink.Issues[1].Message.Should().Contain("bin/Install.sh");
        sink.Entries.Select(e => Text(e.Data)).Should().Equal("first\n", "second\n", "a\n", "b\n", "after\n");
    }

    [Test]
    public async Task Tar_links_are_recorded_never_followed_and_escaping_ones_are_high()
    {
        var tar = new RawTar()
            .File("app/data.txt", "data\n")
            .Symlink("app/shadow", "/etc/shadow")
            .Symlink("app/up", "../../outside")
            .Symlink("app/current", "data.txt")
            .Hardlink("app/hard", "/etc/passwd")
            .File("app/after.txt", "after\n")
            .ToArray();
        var sink = await _scratch.ReadAsync("p.tar.gz", GZip(tar));

        sink.Findings.Should().Equal("PF006@app/shadow", "PF006@app/up", "PF006@app/current", "PF006@app/hard");
        sink.Issues.Select(i => i.Severity).Should().Equal(Severity.High, Severity.High, null, Severity.High);
        sink.Links.Select(l => (l.Location.Path, l.Kind, l.Target, l.EscapesRoot)).Should().Equal(
            ("app/shadow", "symlink", "/etc/shadow", true),
            ("app/up", "symlink", "../../outside", true),
            ("app/current", "symlink", "data.txt", false),
            ("app/hard", "hardlink", "/etc/passwd", true));
        sink.Paths.Should().Equal("app/data.txt", "app/after.txt");
    }

    [Test]
    public async Task A_zip_symlink_is_recorded_not_read_as_a_file()
    {
        var zip = new RawZip().AddSymlink("conf/link", "/etc/shadow").Add("after.txt", Utf8("a\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF006@conf/link");
        sink.Issues[0].Severity.Should().Be(Severity.High);
        sink.Links.Single().Target.Should().Be("/etc/shadow");
        sink.Paths.Should().Equal("after.txt");
    }

    [Test]
    public async Task Folder_symlinks_are_recorded_and_never_followed()
    {
        var outside = Path.Combine(_scratch.Folder, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "must not be read\n");
        var folder = Path.Combine(_scratch.Folder, "pkg");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.txt"), "a\n");
        File.CreateSymbolicLink(Path.Combine(folder, "shadow"), "/etc/shadow");
        Directory.CreateSymbolicLink(Path.Combine(folder, "dirlink"), outside);
        var sink = new RecordingSink();

        await Preflight.Packages.PackageReader.ReadAsync(folder, Preflight.Configuration.PackageLimits.Default, sink, CancellationToken.None);

        sink.Paths.Should().Equal("a.txt");
        sink.Findings.Should().Equal("PF006@dirlink", "PF006@shadow");
        sink.Links.Should().OnlyContain(l => l.EscapesRoot);
    }

    [Test]
    public async Task Gnu_long_names_and_pax_paths_are_honoured_and_checked()
    {
        string longName = "very/" + new string('d', 120) + "/file.txt";
        var tar = new RawTar()
            .GnuLongName(longName, "long\n")
            .PaxPath("../../pax/escape.txt", "harmless.txt", "pax\n")
            .File("after.txt", "after\n")
            .ToArray();
        var sink = await _scratch.ReadAsync("p.tar", tar);
        sink.Paths.Should().Equal(longName, "../../pax/escape.txt", "after.txt");
        sink.Findings.Should().Equal("PF003@../../pax/escape.txt");
    }

    [TestCase(256)]
    [TestCase(128)]
    public async Task Encrypted_zip_entries_are_reported_and_the_rest_is_read(int aesBits)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipOutputStream(ms) { IsStreamOwner = false })
        {
            zip.PutNextEntry(new ZipEntry("plain-before.txt"));
            zip.Write(Utf8("before\n"));
            zip.Password = "secret";
            zip.PutNextEntry(new ZipEntry("zipcrypto.txt"));
            zip.Write(Utf8("hidden\n"));
            zip.PutNextEntry(new ZipEntry("aes.txt") { AESKeySize = aesBits });
            zip.Write(Utf8("hidden too\n"));
            zip.Password = null;
            zip.PutNextEntry(new ZipEntry("plain-after.txt"));
            zip.Write(Utf8("after\n"));
        }
        var sink = await _scratch.ReadAsync("p.zip", ms.ToArray());
        sink.Findings.Should().Equal("PF007@zipcrypto.txt", "PF007@aes.txt");
        sink.Issues.Select(i => i.Properties!["encryption"]).Should().Equal("ZipCrypto", $"AES-{aesBits}");
        sink.Paths.Should().Equal("plain-before.txt", "plain-after.txt");
    }

    [Test]
    public async Task A_crc_mismatch_is_reported_and_the_entry_still_analysed()
    {
        var zip = new RawZip().Add("bad.txt", Utf8("tampered\n"), crc: 0xDEADBEEF).Add("after.txt", Utf8("a\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF001@bad.txt");
        sink.Issues[0].Message.Should().Contain("CRC-32");
        sink.Paths.Should().Equal("bad.txt", "after.txt");
    }

    [Test]
    public async Task Corrupt_deflate_data_is_reported_and_the_rest_is_read()
    {
        var garbage = Enumerable.Range(0, 64).Select(i => (byte)(0xFF - i)).ToArray();
        var zip = new RawZip()
            .AddCompressed(Utf8("broken.bin"), garbage, 1000, 0, method: 8)
            .Add("after.txt", Utf8("a\n"))
            .ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF001@broken.bin");
        sink.Paths.Should().Contain("after.txt");
    }

    [Test]
    public async Task An_unsupported_compression_method_is_unreadable_not_encrypted()
    {
        var zip = new RawZip().AddCompressed(Utf8("lzma.bin"), [1, 2, 3], 3, 0, method: 14).Add("after.txt", Utf8("a\n")).ToArray();
        var sink = await _scratch.ReadAsync("p.zip", zip);
        sink.Findings.Should().Equal("PF001@lzma.bin");
        sink.Paths.Should().Equal("after.txt");
    }

    private static string Text(byte[] data) => System.Text.Encoding.UTF8.GetString(data);

    private static string EntryNamesDisplay(string raw) =>
        string.Concat(raw.Select(c => c < 0x20 || c == 0x7F ? $"\\x{(int)c:X2}" : c.ToString()));
}
