using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Tests.Scanning;

/// <summary>
/// A text larger than <see cref="EntryContent.PooledTextThreshold"/> characters is decoded into a pooled buffer and
/// read as a span; a small one is a string. Both must give the same characters, lines and findings.
/// </summary>
public class LargeTextTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    // Lines a typed credential rule, generic assignments, a plaintext webhook URL, an https URL and a bare address
    // each report from.
    private const string Payload = """
        deploy_token: ghp_Q7rK2mZp9Lw4Xv8TbN3cY6dF1gH5jS0aE2uW
        db_password = "q7Rk2mZp9Lw4Xv8T"
        webhook_url = http://hooks.partner-payments.com/notify/abc
        aws_access_key_id = AKIAQ7RK2MZP4LW6XV3T
        GET https://api.partner-payments.com/v2/orders from 81.2.69.160
        """;

    /// <summary>Log filler with timestamps, numbers and a mention of "host": nothing in it is a finding.</summary>
    private static string Filler(int lines)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < lines; i++)
            sb.Append(CultureInfo(i)).Append(" INFO  [worker-").Append(i % 16).Append("] processed order ").Append(100000 + i).Append(" on this host in ").Append(i % 997).Append(" ms ü\n");
        return sb.ToString();
    }

    private static string CultureInfo(int i) => $"2026-11-06T16:{i / 60 % 60:00}:{i % 60:00}.388Z";

    [Test]
    public void A_large_text_decodes_to_the_same_characters_and_lines_as_the_string()
    {
        var text = Filler(2000) + Payload;
        text.Length.Should().BeGreaterThan(EntryContent.PooledTextThreshold);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();
        using var content = new EntryContent("logs/app.log", bytes, ContentKind.Text);

        content.TextSpan.SequenceEqual(text).Should().BeTrue();
        content.Text.Should().Be(text);
        content.Lines.Count.Should().Be(new LineIndex(text).Count);
        content.Lines[2001].ToString().Should().Be("deploy_token: ghp_Q7rK2mZp9Lw4Xv8TbN3cY6dF1gH5jS0aE2uW");

        // Asked for the string first, the content decodes into it and the span reads the same characters.
        using var stringFirst = new EntryContent("logs/app.log", bytes, ContentKind.Text);
        stringFirst.Text.Should().Be(text);
        stringFirst.TextSpan.SequenceEqual(text).Should().BeTrue();
    }

    [Test]
    public void A_pooled_line_index_answers_as_an_unpooled_one_and_is_refused_once_released()
    {
        var random = new Random(3);
        string[] pieces = ["abc", "ü", "\n", "\r\n", "\r", "  ", "x"];
        for (int round = 0; round < 100; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 60)).Select(_ => pieces[random.Next(pieces.Length)]));
            var plain = new LineIndex(text);
            var pooled = new LineIndex(text.AsMemory(), pooled: true);
            pooled.Count.Should().Be(plain.Count, text);
            for (int line = 1; line <= plain.Count; line++) pooled.Bounds(line).Should().Be(plain.Bounds(line));
            for (int offset = 0; offset <= text.Length; offset++) pooled.Position(offset).Should().Be(plain.Position(offset));
            pooled.Release();
            pooled.Invoking(p => p.Bounds(1)).Should().Throw<Exception>("a released table is not read");
        }
    }

    [Test]
    public void The_views_of_a_disposed_content_are_refused_rather_than_read_from_a_returned_buffer()
    {
        var content = new EntryContent("logs/app.log", Encoding.UTF8.GetBytes(Filler(2000)), ContentKind.Text);
        content.TextSpan.Length.Should().BeGreaterThan(EntryContent.PooledTextThreshold);
        content.Dispose();
        content.Invoking(c => c.TextSpan.Length).Should().Throw<ObjectDisposedException>();
    }

    [Test]
    public async Task Findings_in_a_large_text_are_those_of_a_small_one_at_lines_moved_by_the_filler()
    {
        const int fillerLines = 3000;
        var small = await FindingsAsync(Payload);
        var large = await FindingsAsync(Filler(fillerLines) + Payload);

        small.Select(f => f.RuleId).Should().Contain(["PF301", "PF390", "PF201", "PF204", "PF205", "PF202"], "the payload must exercise both detectors' text paths");
        large.Should().HaveCount(small.Count);
        large.Select(f => (f.RuleId, f.Location.Line - fillerLines, f.Location.Column, f.Message))
            .Should().Equal(small.Select(f => (f.RuleId, f.Location.Line, f.Location.Column, f.Message)));
    }

    private static async Task<List<Finding>> FindingsAsync(string text)
    {
        var dir = Directory.CreateTempSubdirectory("pf-large-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "app.log"), text);
            var report = await PreflightScanner.ScanAsync(dir.FullName, ScanOptions.Default with { AsOf = AsOf, MaxDegreeOfParallelism = 1 });
            return [.. report.Findings.Where(f => f.Location.Path == "app.log").OrderBy(f => f.Location.Line).ThenBy(f => f.Location.Column).ThenBy(f => f.RuleId)];
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public class BoundedArrayPoolTests
{
    [Test]
    public void The_pool_keeps_the_largest_buffers_within_its_budget()
    {
        var pool = new BoundedArrayPool<char>(maxPooledLength: 1 << 20, budgetBytes: 4 * 128 * 1024);
        var returned = Enumerable.Range(1, 6).Select(i => new char[i * 16 * 1024]).ToList(); // 32 KiB … 192 KiB each
        foreach (var b in returned) pool.Return(b);

        pool.PooledBytes.Should().BeLessThanOrEqualTo(pool.BudgetBytes);
        var rented = Enumerable.Range(0, 6).Select(_ => pool.Rent(1024)).ToList();
        rented.Where(r => returned.Contains(r)).Select(r => r.Length).Should().BeEquivalentTo([6 * 16 * 1024, 5 * 16 * 1024, 4 * 16 * 1024], "the three largest (192, 160 and 128 KiB) fit the 512 KiB budget together");
        rented.Should().OnlyHaveUniqueItems().And.OnlyContain(r => r.Length >= 1024);
        pool.PooledBytes.Should().Be(0);
    }

    [Test]
    public void A_buffer_is_reused_once_returned_and_the_smallest_that_fits_is_chosen()
    {
        var pool = new BoundedArrayPool<byte>(maxPooledLength: 1 << 20, budgetBytes: 8 << 20);
        var small = pool.Rent(100_000);
        var large = pool.Rent(600_000);
        pool.Return(large);
        pool.Return(small);
        pool.Return(small); // twice: kept once
        pool.PooledBytes.Should().Be(small.Length + large.Length);

        pool.Rent(90_000).Should().BeSameAs(small);
        pool.Rent(90_000).Should().BeSameAs(large);
        pool.Rent(90_000).Should().NotBeSameAs(small).And.NotBeSameAs(large);
    }

    [Test]
    public void A_buffer_above_the_pooled_length_is_not_kept()
    {
        var pool = new BoundedArrayPool<char>(maxPooledLength: 1 << 16, budgetBytes: 1 << 30);
        var huge = pool.Rent((1 << 16) + 1);
        pool.Return(huge);
        pool.PooledBytes.Should().Be(0);
        pool.Rent((1 << 16) + 1).Should().NotBeSameAs(huge);
    }
}
