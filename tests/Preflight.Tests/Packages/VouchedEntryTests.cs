using System.Security.Cryptography;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

/// <summary>
/// An entry's bytes are hashed for checksum manifests and detached signatures only where one may name it: the reader
/// knows none can when every archive around the entry is a zip whose central directory lists no such file. These
/// tests pin which entries the reader marks, and that manifests still find every file they name.
/// </summary>
[TestFixture]
public class VouchedEntryTests
{
    private Scratch _scratch = null!;

    [SetUp]
    public void SetUp() => _scratch = new Scratch();

    [TearDown]
    public void TearDown() => _scratch.Dispose();

    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private async Task<Dictionary<string, bool>> MarksAsync(string name, byte[] package)
    {
        var marks = new Dictionary<string, bool>(StringComparer.Ordinal);
        var sink = new RecordingSink { OnEntry = e => { marks[e.Path] = e.MayBeVouchedFor; return ValueTask.CompletedTask; } };
        await _scratch.ReadAsync(name, package, sink: sink);
        return marks;
    }

    [Test]
    public async Task A_zip_listing_no_manifest_or_signature_marks_its_entries_unnamed()
    {
        var zip = new RawZip().Add("etc/app.conf", Utf8("a=1\n")).Add("bin/tool", Noise(3000, 1)).ToArray();
        var marks = await MarksAsync("p.zip", zip);
        marks.Should().Equal(new Dictionary<string, bool> { ["etc/app.conf"] = false, ["bin/tool"] = false });
    }

    [TestCase("SHA256SUMS")]
    [TestCase("deep/folder/sha256sum.txt")]
    [TestCase("dist/app.tar.gz.sha256")]
    [TestCase("dist/app.tar.gz.sig")]
    [TestCase("dist/app.p7s")]
    [TestCase("dist\\SHA256SUMS")]
    public async Task A_manifest_or_signature_anywhere_in_a_zip_marks_all_its_entries(string vouching)
    {
        var zip = new RawZip().Add("etc/app.conf", Utf8("a=1\n")).Add(vouching, Utf8("x\n")).Add("bin/tool", Noise(3000, 2)).ToArray();
        var marks = await MarksAsync("p.zip", zip);
        marks.Values.Should().OnlyContain(m => m, $"the listing holds {vouching}");
        marks.Should().HaveCount(3);
    }

    [Test]
    public async Task A_nested_zip_inherits_its_parent_and_hands_back_its_own_answer()
    {
        var clean = new RawZip().Add("c.txt", Utf8("c\n")).ToArray();
        var listed = new RawZip().Add("SHA256SUMS", Utf8("x\n")).Add("d.txt", Utf8("d\n")).ToArray();
        var outer = new RawZip().Add("a.txt", Utf8("a\n")).Add("lib/clean.zip", clean).Add("lib/listed.zip", listed).Add("z.txt", Utf8("z\n")).ToArray();
        var marks = await MarksAsync("p.zip", outer);
        marks.Should().Equal(new Dictionary<string, bool>
        {
            ["a.txt"] = false,
            ["lib/clean.zip!/c.txt"] = false,
            ["lib/listed.zip!/SHA256SUMS"] = true,
            ["lib/listed.zip!/d.txt"] = true,
            ["z.txt"] = false,
        });

        var vouchedOuter = new RawZip().Add("SHA256SUMS", Utf8("x\n")).Add("lib/clean.zip", clean).ToArray();
        (await MarksAsync("q.zip", vouchedOuter))["lib/clean.zip!/c.txt"].Should().BeTrue("a manifest of the outer zip may name lib/clean.zip!/c.txt");
    }

    [Test]
    public async Task Archives_without_a_listing_and_salvaged_zips_mark_everything()
    {
        var tar = new RawTar().File("a.txt", "a\n").ToArray();
        (await MarksAsync("p.tar", tar)).Values.Should().OnlyContain(m => m);
        (await MarksAsync("p.tar.gz", GZip(tar))).Values.Should().OnlyContain(m => m);
        var outer = new RawZip().Add("lib/bundle.tar.gz", GZip(tar)).Add("b.txt", Utf8("b\n")).ToArray();
        (await MarksAsync("p.zip", outer)).Should().Equal(new Dictionary<string, bool> { ["lib/bundle.tar.gz!/a.txt"] = true, ["b.txt"] = false });

        var damaged = new RawZip().Add("a.txt", Utf8("a\n")).Add("b.txt", Utf8("b\n")).ToArray();
        var salvaged = await MarksAsync("d.zip", Cut(damaged, damaged.Length - 10));
        salvaged.Should().NotBeEmpty();
        salvaged.Values.Should().OnlyContain(m => m, "entries read from local headers come without a listing");
    }

    [Test]
    public async Task Manifests_in_a_zip_its_nested_zip_and_above_a_nested_zip_check_every_file_they_name()
    {
        byte[] a = Utf8("alpha\n"), c = Utf8("gamma\n");
        string Good(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
        string wrong = new('0', 64);
        var inner = new RawZip()
            .Add("c.txt", c)
            .Add("d.txt", Utf8("delta\n"))
            .Add("SHA256SUMS", Utf8($"{Good(c)}  c.txt\n{wrong}  d.txt\n"))
            .ToArray();
        var outer = new RawZip()
            .Add("a.txt", a)
            .Add("b.txt", Utf8("beta\n"))
            .Add("lib/inner.zip", inner)
            .Add("SHA256SUMS", Utf8($"{Good(a)}  a.txt\n{wrong}  b.txt\n{wrong}  lib/inner.zip!/c.txt\n"))
            .ToArray();
        var path = _scratch.Write("p.zip", outer);

        var report = await PreflightScanner.ScanAsync(path, ScanOptions.Default with { AsOf = AsOf, MaxDegreeOfParallelism = 2 });

        report.Findings.Where(f => f.RuleId == "PF619").Select(f => f.Message).Should().HaveCount(3)
            .And.Contain(m => m.Contains("lib/inner.zip!/d.txt", StringComparison.Ordinal))
            .And.Contain(m => m.Contains("lib/inner.zip!/c.txt", StringComparison.Ordinal))
            .And.Contain(m => m.Contains("b.txt", StringComparison.Ordinal) && !m.Contains("inner", StringComparison.Ordinal));
        report.Findings.Should().NotContain(f => f.RuleId == "PF620", "every file the manifests name was hashed");
    }

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
