using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Utilities.Collections;
using Preflight.Detectors.Certificates;
using Preflight.Tests.Detectors.Certificates;
using Preflight.Tests.Fixtures;
using Preflight.Tests.Support;
using static Preflight.Tests.Detectors.Certificates.TestPki;

namespace Preflight.Tests.Hostile;

/// <summary>
/// The seeds of the <c>nuget</c> and <c>authenticode</c> fuzz targets (fuzz/seeds/), committed so that every fuzzing
/// run starts from the same inputs and regenerated with <c>PREFLIGHT_UPDATE_FIXTURES=1</c>. A seed is only useful if
/// it reaches the reader's deepest path, so each must be a sound signed input: the NuGet package's signature reads and
/// its content hash matches, the PE's certificate table holds a signature over its own image digest.
/// </summary>
public class SignatureFuzzSeedTests
{
    private static readonly DateTime SignedAt = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static string Seed(string target, string file) => Path.Combine(SharedData.RepositoryRoot, "fuzz", "seeds", target, file);

    private static byte[] Read(string target, string file, Func<byte[]> build)
    {
        var path = Seed(target, file);
        if (DemoFixture.Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, build());
        }
        File.Exists(path).Should().BeTrue("{0} is committed; regenerate with PREFLIGHT_UPDATE_FIXTURES=1", path);
        return File.ReadAllBytes(path);
    }

    [Test]
    public void The_nuget_seed_is_a_signed_package_whose_content_hash_matches()
    {
        var bytes = Read("nuget", "signed.nupkg", SignedPackage);
        using var stream = new MemoryStream(bytes);

        var signature = NuGetSignatures.TryRead(string.Empty, stream);

        signature.Should().NotBeNull();
        signature!.Problem.Should().BeNull();
        signature.Der.Should().NotBeNullOrEmpty();
        signature.Actual.Should().NotBeNull().And.Equal(signature.Expected);
        bytes.Length.Should().BeLessThan(8 * 1024, "a small seed keeps every fuzzing execution fast");
    }

    [Test]
    public void The_authenticode_seed_is_a_signed_pe_over_its_own_digest()
    {
        var bytes = Read("authenticode", "signed.dll", SignedPe);

        var image = Authenticode.Read(bytes, bytes.Length);

        image.IsPe.Should().BeTrue();
        image.Problem.Should().BeNull();
        image.Signed.Should().BeTrue();
        image.ImageDigest.Should().NotBeNull().And.Equal(image.SignedDigest);
        bytes.Length.Should().BeLessThan(8 * 1024, "a small seed keeps every fuzzing execution fast");
    }

    private static (Issued Root, Issued Signer) Pki()
    {
        var root = Root("CN=Fuzz Seed Root");
        return (root, Leaf("CN=Fuzz Seed Author", root, eku: ["1.3.6.1.5.5.7.3.3"], dns: []));
    }

    private static byte[] SignedPe()
    {
        var (root, signer) = Pki();
        return AuthenticodeTests.Sign(AuthenticodeTests.CompileLibrary("Fuzz.Seed"), signer, root);
    }

    /// <summary>A one-entry package with an author signature over NuGet's "Version:1" content (the SHA-256 of the unsigned package).</summary>
    private static byte[] SignedPackage()
    {
        byte[] unsigned;
        using (var ms = new MemoryStream())
        {
            using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            {
                var entry = zip.CreateEntry("fuzz.seed.nuspec", CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
                using var s = entry.Open();
                s.Write("""<?xml version="1.0"?><package><metadata><id>Fuzz.Seed</id><version>1.0.0</version></metadata></package>"""u8);
            }
            unsigned = ms.ToArray();
        }
        var content = Encoding.UTF8.GetBytes($"Version:1\n\n2.16.840.1.101.3.4.2.1-Hash:{Convert.ToBase64String(SHA256.HashData(unsigned))}\n\n");
        var (root, signer) = Pki();
        var signature = NuGetAuthorSignature(content, SignedAt, signer, root);
        return NuGetSignatureTests.AppendSignatureEntry(unsigned, signature);
    }
}
