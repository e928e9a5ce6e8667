using System.Security.Cryptography;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Packages;

namespace Preflight.Tests.Packages;

/// <summary>The package digest read through a second handle beside the scan: the file's SHA-256, or nothing when it cannot be.</summary>
public class FileDigestTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("preflight-digest-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(_dir, $"f{length}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // Around the read buffer's size (256 KiB), and a file of several buffers that does not end on one.
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(256 * 1024 - 1)]
    [TestCase(256 * 1024)]
    [TestCase(256 * 1024 + 1)]
    [TestCase(3 * 1024 * 1024 + 7)]
    public async Task The_digest_is_the_files_sha256(int length)
    {
        var path = Write(length, length);
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        FileDigest.Compute(path, CancellationToken.None).Should().Be(expected);
        (await FileDigest.Start(path, CancellationToken.None)).Should().Be(expected);
    }

    [Test]
    public async Task A_cancelled_digest_ends_cancelled_and_settles_quietly()
    {
        var path = Write(4 * 1024 * 1024, 1);
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var digest = FileDigest.Start(path, stop.Token);
        await FluentActions.Awaiting(() => digest).Should().ThrowAsync<OperationCanceledException>();
        await FileDigest.SettleAsync(digest);
    }

    [Test]
    public async Task A_file_the_second_handle_cannot_read_gives_no_digest()
    {
        var digest = FileDigest.Start(Path.Combine(_dir, "missing.zip"), CancellationToken.None);
        (await FileDigest.ResultOrNullAsync(digest)).Should().BeNull("the reader then hashes the bytes it read itself");
        await FileDigest.SettleAsync(digest);
    }
}
