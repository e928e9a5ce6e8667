using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Packages;
using Preflight.Reporting;
using Preflight.Tests.Packages;

namespace Preflight.Tests.Scanning;

/// <summary>
/// Large text and data entries are analysed in windows (PackageLimits.AnalysisWindowBytes) instead of whole. The
/// ground truth is the same scan with windows off: findings, their lines, columns and offsets, and the inventory must
/// not change, and an entry larger than MaxAnalyzedEntryBytes is analysed to its end.
/// </summary>
public class EntryWindowTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    // ---- where windows are cut ----

    [Test]
    public void Text_is_cut_after_the_last_line_end_and_a_trailing_carriage_return_waits_for_its_line_feed()
    {
        WindowCuts.Cut("one\ntwo\nthr"u8, EntryWindowing.Text).Should().Be(8);
        WindowCuts.Cut("one\r\ntwo\r"u8, EntryWindowing.Text).Should().Be(5, "the final CR may be the first half of CR LF");
        WindowCuts.Cut("one\rtwo"u8, EntryWindowing.Text).Should().Be(4, "a lone CR ends a line");
        WindowCuts.Cut("one\ntwo\n"u8, EntryWindowing.Text).Should().Be(8);
    }

    [Test]
    public void A_line_longer_than_the_window_is_cut_but_never_inside_a_utf8_sequence()
    {
        WindowCuts.Cut("abcdef"u8, EntryWindowing.Text).Should().Be(6);
        var euro = Encoding.UTF8.GetBytes("abc€"); // € is three bytes
        WindowCuts.Cut(euro.AsSpan(0, 5), EntryWindowing.Text).Should().Be(3);
        WindowCuts.Cut(euro, EntryWindowing.Text).Should().Be(6);
        var emoji = Encoding.UTF8.GetBytes("ab😀"); // four bytes
        WindowCuts.Cut(emoji.AsSpan(0, 5), EntryWindowing.Text).Should().Be(2);
    }

    [Test]
    public void A_cut_that_would_split_a_pem_block_moves_to_the_block_s_first_line()
    {
        var text = "log line\n-----BEGIN CERTIFICATE-----\nMIIB\nMIIC\n"u8;
        WindowCuts.Cut(text, EntryWindowing.Text).Should().Be(9);
        var closed = "log line\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nnext\n"u8;
        WindowCuts.Cut(closed, EntryWindowing.Text).Should().Be(closed.Length);
        var alone = "-----BEGIN CERTIFICATE-----\nMIIB\n"u8;
        WindowCuts.Cut(alone, EntryWindowing.Text).Should().Be(alone.Length, "a block larger than the window is cut where it stands");
    }

    [Test]
    public void Binary_is_cut_between_two_bytes_no_printable_string_can_hold()
    {
        byte[] data = [0x01, 0x02, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'f', (byte)'x', 0, (byte)'y', 0, (byte)'z', 0];
        // The UTF-16LE run "xyz" ends the window: no pair of non-printable bytes after 0x01 0x02.
        WindowCuts.Cut(data, EntryWindowing.Binary).Should().Be(1);
        byte[] tail = [(byte)'a', (byte)'b', 0, 0, (byte)'c'];
        WindowCuts.Cut(tail, EntryWindowing.Binary).Should().Be(3);
    }

    [Test]
    public void Line_ends_are_counted_as_the_line_index_counts_them()
    {
        var random = new Random(11);
        string[] pieces = ["a", "bc", "ü", "€", "😀", "\n", "\r\n", "\r", " "];
        for (int round = 0; round < 200; round++)
        {
            var sb = new StringBuilder();
            int n = random.Next(0, 40);
            for (int i = 0; i < n; i++) sb.Append(pieces[random.Next(pieces.Length)]);
            var text = sb.ToString();
            if (text.EndsWith('\r')) text += "x"; // a window never ends in a CR that a LF may follow
            var bytes = Encoding.UTF8.GetBytes(text);
            var (ends, tail) = WindowCuts.Measure(bytes, Encoding.UTF8);
            var index = new LineIndex(text);
            ends.Should().Be(index.Count - 1, text);
            tail.Should().Be(index.Bounds(index.Count).Length, text);
        }
    }

    [Test]
    public void A_pem_block_s_line_counts_lone_carriage_returns_as_the_line_index_does()
    {
        var text = "one\rtwo\r\nthree\n" + Certificate();
        var block = Preflight.Detectors.Certificates.PemBlocks.Find(text).Should().ContainSingle().Subject;
        block.Line.Should().Be(4, "CR, CR LF and LF each end a line");
        new LineIndex(text)[4].ToString().Should().Be("-----BEGIN CERTIFICATE-----");
    }

    // ---- whole scans: windows on against windows off ----

    [Test]
    public async Task A_windowed_scan_reports_what_a_whole_scan_reports_and_reads_past_the_analysed_prefix()
    {
        using var folder = new PackageFolder();
        folder.Write("logs/app.log", BigLog());
        folder.Write("data/blob.bin", BigBinary());

        var whole = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 0 });
        var windowed = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 64 * 1024 });
        var small = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 16 * 1024, MaxAnalyzedEntryBytes = 128 * 1024 });
        var prefixOnly = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 0, MaxAnalyzedEntryBytes = 128 * 1024 });

        var rules = whole.Findings.Select(f => f.RuleId).ToHashSet();
        rules.Should().Contain(["PF301", "PF202", "PF201"], "the payload must exercise credentials and endpoints in text and binary");
        whole.Findings.Should().Contain(f => f.Location.Path == "data/blob.bin" && f.Properties.ContainsKey("offset"));
        whole.Inventory.Certificates.Should().NotBeEmpty("a PEM certificate sits in the log");
        whole.Findings.Should().Contain(f => f.Location.Path == "logs/app.log" && f.Location.Column > 64 * 1024,
            "the end of the 70 KiB line is in a later window than its start, so its columns are shifted");

        Normalize(windowed).Should().Be(Normalize(whole));
        Normalize(small).Should().Be(Normalize(whole), "16 KiB windows read the whole 600 KiB log although only 128 KiB may be held");
        prefixOnly.Findings.Should().Contain(f => f.RuleId == "PF015", "without windows the same limits analyse only a prefix");
        prefixOnly.Findings.Count(f => f.RuleId.StartsWith("PF3", StringComparison.Ordinal))
            .Should().BeLessThan(whole.Findings.Count(f => f.RuleId.StartsWith("PF3", StringComparison.Ordinal)));
    }

    [Test]
    public async Task A_checksum_manifest_is_checked_against_the_hash_of_a_windowed_entry()
    {
        using var folder = new PackageFolder();
        var log = BigLog();
        folder.Write("logs/app.log", log);
        folder.Write("logs/other.log", BigLog(seed: 2));
        var good = Convert.ToHexStringLower(SHA256.HashData(log));
        var wrong = new string('0', 64);
        folder.Write("SHA256SUMS", Encoding.UTF8.GetBytes($"{good}  logs/app.log\n{wrong}  logs/other.log\n"));

        var whole = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 0 });
        var windowed = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 32 * 1024 });

        windowed.Findings.Where(f => f.RuleId == "PF619").Select(f => f.Message).Should().ContainSingle().Which.Should().Contain("logs/other.log");
        windowed.Findings.Should().NotContain(f => f.RuleId == "PF620");
        Normalize(windowed).Should().Be(Normalize(whole));
    }

    [Test]
    public async Task Entries_a_detector_needs_whole_are_not_windowed()
    {
        // A SQL migration larger than the window: the migrations detector parses statements, so it is held whole and
        // a lock-taking statement after the first window is still found the same way.
        var sql = new StringBuilder();
        for (int i = 0; i < 3000; i++) sql.Append("INSERT INTO audit_log (id, note) VALUES (").Append(i).Append(", 'filler row number ").Append(i).Append("');\n");
        sql.Append("ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';\nCREATE INDEX idx_orders_region ON orders (region);\n");
        using var folder = new PackageFolder();
        folder.Write("db/migrations/V7__orders.sql", Encoding.UTF8.GetBytes(sql.ToString()));

        var whole = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 0 });
        var windowed = await ScanAsync(folder.Path, PackageLimits.Default with { AnalysisWindowBytes = 16 * 1024 });

        whole.Findings.Should().Contain(f => f.RuleId.StartsWith("PF5", StringComparison.Ordinal), "the index without CONCURRENTLY is a migration finding");
        Normalize(windowed).Should().Be(Normalize(whole));
    }

    [TestCase(32 * 1024, 32 * 1024, false, TestName = "Windows of 32 KiB (buffers of the shared pool)")]
    [TestCase(128 * 1024, 128 * 1024, true, TestName = "Windows of 128 KiB while the large-buffer pool holds a 4 MiB buffer")]
    [TestCase(100, ContentSniffer.PrefixLength, false, TestName = "A window below the sniffed prefix counts as the prefix")]
    public async Task The_reader_hands_a_large_text_over_in_windows_no_larger_than_the_limit(int configured, int effective, bool seedLargePool)
    {
        // A pooled buffer may be longer than asked for: the window is the limit, not the buffer.
        if (seedLargePool) EntryBuffers.Large.Return(new byte[4 << 20]);
        var log = BigLog();
        // The manifest makes the reader hash the windows (an entry nothing can name is not hashed: see below).
        var zip = new RawZip().Add("logs/app.log", log).Add("after.txt", "after\n"u8.ToArray()).Add("SHA256SUMS", "\n"u8.ToArray()).ToArray();
        var sink = new WindowingSink(new WindowPlan(EntryWindowing.Text, ContentKind.Text, Encoding.UTF8));
        using var stream = new MemoryStream(zip);

        await PackageReader.ReadAsync(stream, "p.zip", PackageLimits.Default with { AnalysisWindowBytes = configured }, sink, CancellationToken.None);

        var windows = sink.Parts.Where(p => p.Path == "logs/app.log").ToList();
        windows.Should().HaveCountGreaterThan(log.Length / effective);
        windows.Should().OnlyContain(p => p.Bytes.Length <= effective);
        windows.Select(p => p.Window!.Index).Should().Equal(Enumerable.Range(0, windows.Count));
        windows.Take(windows.Count - 1).Should().OnlyContain(p => !p.Window!.IsLast && p.Window.Sha256 == null);
        windows[^1].Window!.IsLast.Should().BeTrue();
        windows[^1].Window!.Sha256.Should().Equal(SHA256.HashData(log));
        windows.SelectMany(p => p.Bytes).Should().Equal(log, "windows cover the entry exactly once, in order");
        foreach (var p in windows)
        {
            // Each window starts at the line and column its first byte has in the whole text.
            var before = Encoding.UTF8.GetString(log, 0, (int)p.Window!.ByteOffset);
            var index = new LineIndex(before);
            p.Window.FirstLine.Should().Be(index.Count);
            p.Window.FirstColumn.Should().Be(index.Bounds(index.Count).Length + 1);
        }
        sink.Parts.Single(p => p.Path == "after.txt").Window.Should().BeNull();
    }

    [Test]
    public async Task Windows_of_an_entry_no_manifest_or_signature_can_name_carry_no_digest()
    {
        var log = BigLog();
        var zip = new RawZip().Add("logs/app.log", log).Add("after.txt", "after\n"u8.ToArray()).ToArray();
        var sink = new WindowingSink(new WindowPlan(EntryWindowing.Text, ContentKind.Text, Encoding.UTF8));
        using var stream = new MemoryStream(zip);

        await PackageReader.ReadAsync(stream, "p.zip", PackageLimits.Default with { AnalysisWindowBytes = 64 * 1024 }, sink, CancellationToken.None);

        var windows = sink.Parts.Where(p => p.Path == "logs/app.log").ToList();
        windows.Should().HaveCountGreaterThan(1);
        windows[^1].Window!.IsLast.Should().BeTrue();
        windows.Should().OnlyContain(p => p.Window!.Sha256 == null, "the zip lists no manifest or signature");
        windows.SelectMany(p => p.Bytes).Should().Equal(log);
    }

    // ---- inputs ----

    /// <summary>
    /// About 600 KiB of log: filler with multi-byte characters, CR LF and lone CR lines, a 70 KiB line, and payload lines
    /// (typed tokens, an assignment, URLs, a bare public address, a PEM certificate and a private key) spread over it.
    /// </summary>
    private static byte[] BigLog(int seed = 1)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        string[] payloads =
        [
            "deploy_token: ghp_Q7rK2mZp9Lw4Xv8TbN3cY6dF1gH5jS0aE2uW",
            "😀€ü db_password = \"q7Rk2mZp9Lw4Xv8T\"",
            "webhook_url = http://hooks.partner-payments.com/notify/abc",
            "aws_access_key_id = AKIAQ7RK2MZP4LW6XV3T",
            "ünïcödé GET https://api.partner-payments.com/v2/orders from 81.2.69.160",
            "npm_token = npm_Zk3mQ8rT5vX2wY7pL4nB9cD6fG1hJ0sA3eR5",
            "callback http://203.0.113.77:8080/hook and http://status.vendor-metrics.net/ping",
        ];
        int payload = 0;
        for (int i = 0; i < 6000; i++)
        {
            if (i % 500 == 250) sb.Append(payloads[payload++ % payloads.Length]).Append(' ').Append(seed).Append('\n');
            if (i == 1800) sb.Append(new string('a', 70 * 1024)).Append(" see http://long.vendor-metrics.net/x key AKIAQ7RK2MZP4LW6XV5Z\n");
            if (i == 2600) sb.Append(Certificate()).Append(PrivateKey());
            string end = i % 97 == 0 ? "\r\n" : i % 211 == 0 ? "\r" : "\n";
            sb.Append($"2026-11-06T16:{i / 60 % 60:00}:{i % 60:00}.388Z INFO  [worker-{i % 16}] processed order {100000 + random.Next(900000)} ü in {i % 997} ms").Append(end);
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Certificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=vendor-updates.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return cert.ExportCertificatePem() + "\n";
    }

    private static string PrivateKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>400 KiB of random bytes with ASCII and UTF-16LE strings in it.</summary>
    private static byte[] BigBinary()
    {
        var data = new byte[400 * 1024];
        new Random(5).NextBytes(data);
        void Put(int at, byte[] bytes) => bytes.CopyTo(data, at);
        Put(10_000, Encoding.ASCII.GetBytes("\0aws_secret AKIAQ7RK2MZP4LW6XV3T\0"));
        Put(70_000, Encoding.Unicode.GetBytes("\0https://api.partner-payments.com/v3/upload\0"));
        Put(140_000, Encoding.ASCII.GetBytes("\0ghp_Q7rK2mZp9Lw4Xv8TbN3cY6dF1gH5jS0aE2uW\0"));
        Put(300_000, Encoding.ASCII.GetBytes("\0http://81.2.69.160/feed\0"));
        return data;
    }

    // ---- helpers ----

    private static async Task<ScanReport> ScanAsync(string path, PackageLimits limits) =>
        await PreflightScanner.ScanAsync(path, ScanOptions.Default with { AsOf = AsOf, Limits = limits, MaxDegreeOfParallelism = 2 });

    /// <summary>The report without what differs between any two runs (tool, time, statistics).</summary>
    private static string Normalize(ScanReport report)
    {
        var json = JsonNode.Parse(ScanReportJson.Write(report))!.AsObject();
        json.Remove("tool");
        json.Remove("statistics");
        json["summary"]?.AsObject().Remove("durationMs");
        return json.ToJsonString();
    }

    private sealed class PackageFolder : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pf-window-");

        public string Path => _dir.FullName;

        public void Write(string relative, byte[] bytes)
        {
            var file = System.IO.Path.Combine(_dir.FullName, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, bytes);
        }

        public void Dispose() => _dir.Delete(recursive: true);
    }

    private sealed class WindowingSink(WindowPlan plan) : IPackageSink
    {
        public List<(string Path, byte[] Bytes, EntryWindow? Window)> Parts { get; } = [];

        public ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
        {
            using (entry) Parts.Add((entry.Path, entry.Data.ToArray(), entry.Window));
            return ValueTask.CompletedTask;
        }

        public void OnIssue(PackageIssue issue) { }

        public void OnLink(Preflight.Findings.LinkItem link) { }

        public void OnDiagnostic(Preflight.Findings.ScanDiagnostic diagnostic) { }

        WindowPlan IPackageSink.PlanWindows(string path, int depth, long declaredSize, ReadOnlySpan<byte> head) =>
            path.EndsWith(".log", StringComparison.Ordinal) ? plan : WindowPlan.Whole;
    }
}
