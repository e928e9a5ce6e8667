using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FluentAssertions;
using ICSharpCode.SharpZipLib.Zip;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Packages;

namespace Preflight.Tests.Fixtures;

/// <summary>The committed demo package is exactly what its sources and builder produce, and reads as intended.</summary>
public class DemoPackageTests
{
    [OneTimeSetUp]
    public void Regenerate_when_asked() => DemoFixture.EnsureRegeneratedWhenUpdating();

    [Test]
    public void Committed_zip_is_rebuilt_byte_for_byte_from_its_sources()
    {
        var rebuilt = DemoPackageBuilder.Build(DemoFixture.SourceRoot);

        File.Exists(DemoFixture.ZipPath).Should().BeTrue("the demo zip is committed; regenerate it with PREFLIGHT_UPDATE_FIXTURES=1");
        var committed = File.ReadAllBytes(DemoFixture.ZipPath);
        committed.SequenceEqual(rebuilt).Should().BeTrue(
            "fixtures/dten/{0} must match its sources; after changing fixtures/dten/src run the Fixtures tests with PREFLIGHT_UPDATE_FIXTURES=1 and commit the zip",
            DemoPackageBuilder.PackageFileName);
    }

    [Test]
    public void Builder_gives_the_same_bytes_twice()
    {
        DemoPackageBuilder.Build(DemoFixture.SourceRoot).Should().Equal(DemoPackageBuilder.Build(DemoFixture.SourceRoot));
    }

    [Test]
    public void Demo_zip_stays_under_200_KB()
    {
        new FileInfo(DemoFixture.ZipPath).Length.Should().BeLessThan(200 * 1024);
    }

    [Test]
    public void Zip_entries_are_sorted_with_one_timestamp_and_unix_hosts()
    {
        using var zip = new ZipFile(DemoFixture.ZipPath);
        var entries = zip.Cast<ZipEntry>().ToList();

        entries.Select(e => e.Name).Should().BeInAscendingOrder(StringComparer.Ordinal);
        entries.Should().OnlyContain(e => e.IsFile && e.DateTime == DemoPackageBuilder.Timestamp);
        entries.Should().OnlyContain(e => e.HostSystem == (int)HostSystemID.Unix && e.CompressionMethod == CompressionMethod.Deflated);
    }

    [TestCase("install.sh", "755")]
    [TestCase("upgrade.sh", "755")]
    [TestCase("DEBIAN/postinst", "755")]
    [TestCase("opt/dten/bin/dten-cleanup", "755")]
    [TestCase("DEBIAN/control", "644")]
    [TestCase("etc/dten/dten.yaml", "644")]
    [TestCase("etc/systemd/system/dten-worker.service", "644")]
    [TestCase("lib/plugins.tar.gz", "644")]
    public void Zip_entries_carry_unix_permissions(string path, string octalMode)
    {
        using var zip = new ZipFile(DemoFixture.ZipPath);
        var entry = zip.GetEntry(path);

        entry.Should().NotBeNull();
        int mode = (entry!.ExternalFileAttributes >> 16) & 0xFFFF;
        (mode & 0xF000).Should().Be(0x8000, "a regular file");
        Convert.ToString(mode & 0x1FF, 8).Should().Be(octalMode);
    }

    [Test]
    public async Task Reader_sees_every_source_file_and_the_nested_tar_gz_entries_with_bang_slash_paths()
    {
        var expected = SourceFiles(DemoFixture.SourceRoot);
        var sink = new CollectingSink();

        var summary = await PackageReader.ReadAsync(DemoFixture.ZipPath, PackageLimits.Default, sink, CancellationToken.None);

        sink.Issues.Should().BeEmpty();
        sink.Entries.Keys.Should().BeEquivalentTo(expected.Keys);
        sink.Entries.Keys.Should().Contain("lib/plugins.tar.gz!/plugins/metrics-exporter/plugin.yaml");
        foreach (var (path, bytes) in expected)
            sink.Entries[path].Should().Equal(bytes, "entry {0} must hold its source file's bytes", path);
        summary.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(DemoFixture.ZipPath))));
    }

    [Test]
    public void Committed_certificates_are_what_the_generator_produces()
    {
        foreach (var (relative, pem) in DemoCertificates.Generate())
            File.ReadAllText(Path.Combine(DemoFixture.SourceRoot, relative)).Should().Be(pem,
                "{0} is generated; regenerate with PREFLIGHT_UPDATE_FIXTURES=1", relative);
    }

    [Test]
    public void Certificates_match_their_ground_truth_in_EXPECTED_md()
    {
        var truth = ExpectedCertificates();
        truth.Keys.Should().BeEquivalentTo([DemoCertificates.RootPath, DemoCertificates.WorkerPath, DemoSigning.NewRootSourcePath, "../" + DemoSigning.OldRootTrustPath]);

        foreach (var (relative, row) in truth)
        {
            // Parsed with the BCL, not with the BouncyCastle that wrote it.
            using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(DemoFixture.SourceRoot, relative)));
            cert.Subject.Should().Be(row["subject"], relative);
            cert.Issuer.Should().Be(row["issuer"], relative);
            cert.NotBefore.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture).Should().Be(row["notBefore"], relative);
            cert.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture).Should().Be(row["notAfter"], relative);
            cert.SerialNumber.Should().Be(row["serial"], relative);
            Convert.ToHexString(SHA256.HashData(cert.RawData)).Should().Be(row["sha256"], relative);
        }
    }

    /// <summary>The files of a source tree as the reader should report them: folders named *.tar.gz / *.zip become <c>!/</c>.</summary>
    private static Dictionary<string, byte[]> SourceFiles(string root)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            var parts = relative.Split('/');
            for (int i = 0; i < parts.Length - 1; i++)
                if (parts[i].EndsWith(".tar.gz", StringComparison.Ordinal) || parts[i].EndsWith(".zip", StringComparison.Ordinal))
                    parts[i] += "!";
            result.Add(string.Join('/', parts), File.ReadAllBytes(file));
        }
        return result;
    }

    /// <summary>Reads the certificate table of EXPECTED.md: one row per file, columns named by the header row.</summary>
    private static Dictionary<string, Dictionary<string, string>> ExpectedCertificates()
    {
        var lines = File.ReadAllLines(Path.Combine(DemoFixture.Folder, "EXPECTED.md"));
        int header = Array.FindIndex(lines, l => l.StartsWith("| file |", StringComparison.Ordinal));
        header.Should().BeGreaterThanOrEqualTo(0, "EXPECTED.md has a certificate table starting with '| file |'");
        var columns = Cells(lines[header]);
        var rows = new Dictionary<string, Dictionary<string, string>>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = Cells(line);
            var row = columns.Zip(cells).ToDictionary(p => p.First, p => p.Second.Trim('`'));
            rows.Add(row["file"], row);
        }
        return rows;
    }

    private static string[] Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private sealed class CollectingSink : IPackageSink
    {
        public Dictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);
        public List<PackageIssue> Issues { get; } = [];

        public ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
        {
            using (entry)
            {
                entry.Truncated.Should().BeFalse();
                Entries.Add(entry.Path, entry.Data.ToArray());
            }
            return ValueTask.CompletedTask;
        }

        public void OnIssue(PackageIssue issue) => Issues.Add(issue);

        public void OnLink(LinkItem link) => throw new AssertionException($"unexpected link {link}");

        public void OnDiagnostic(ScanDiagnostic diagnostic) => throw new AssertionException($"unexpected diagnostic {diagnostic}");
    }
}
