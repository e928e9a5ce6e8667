using System.IO.Compression;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Findings;

namespace Preflight.Tests.Scanning;

public class PipelineTests
{
    [Test]
    public async Task Every_entry_of_a_zip_reaches_the_detectors_once_with_its_kind()
    {
        var dir = Directory.CreateTempSubdirectory("pf-test-");
        try
        {
            var zipPath = Path.Combine(dir.FullName, "p.zip");
            using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
            {
                for (int i = 0; i < 50; i++)
                {
                    var e = zip.CreateEntry($"etc/conf{i:D2}.ini");
                    using var s = e.Open();
                    s.Write(Encoding.UTF8.GetBytes($"key{i}=value\n"));
                }
            }
            var report = await PreflightScanner.ScanAsync(zipPath, ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) });
            report.Package.Entries.Should().Be(50);
            report.Findings.Should().BeEmpty();
            report.Package.Sha256.Should().HaveLength(64);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void Sniffer_tells_text_from_binary_and_archives()
    {
        ContentSniffer.Classify("hello\nworld\n"u8, "a.txt").Should().Be(ContentKind.Text);
        ContentSniffer.Classify([0x50, 0x4b, 3, 4, 0, 0], "x.bin").Should().Be(ContentKind.Archive);
        ContentSniffer.Classify([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], "lib.so").Should().Be(ContentKind.NativeBinary);
        ContentSniffer.Classify("-----BEGIN CERTIFICATE-----\nMIIB\n"u8, "a.pem").Should().Be(ContentKind.CertificateContainer);
        ContentSniffer.Classify([1, 2, 0, 0, 5, 0, 7], "blob").Should().Be(ContentKind.OtherBinary);
    }

    [Test]
    public void Fingerprints_are_stable_and_separate_their_parts()
    {
        Fingerprint.Compute("PF301", "a/b", "x").Should().Be(Fingerprint.Compute("PF301", "a/b", "x"));
        Fingerprint.Compute("PF301", "a/b", "x").Should().NotBe(Fingerprint.Compute("PF301", "a/bx", ""));
        Fingerprint.Compute("PF301", "a/b", "x").Should().StartWith("sha256:").And.HaveLength(7 + 64);
    }

    [Test]
    public void Redaction_never_shows_more_than_a_short_prefix()
    {
        Redaction.Secret("AKIAABCDEFGHIJKLMNOP").Should().Be("AKIA…(20 chars)");
        Redaction.Masked("AKIAABCDEFGHIJKLMNOP").Should().Be("AKIA****************");
        Redaction.Secret("hunter").Should().Be("h…(6 chars)");
    }

    [Test]
    public void The_catalog_has_unique_ids_and_names()
    {
        DetectorRegistry.Rules.Select(r => r.Id).Should().OnlyHaveUniqueItems();
        DetectorRegistry.Rules.Select(r => r.Name).Should().OnlyHaveUniqueItems();
        DetectorRegistry.Rules.Should().OnlyContain(r => System.Text.RegularExpressions.Regex.IsMatch(r.Name, "^[a-z0-9]+(-[a-z0-9]+)*$"));
    }
}
