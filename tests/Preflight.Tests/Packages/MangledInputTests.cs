using FluentAssertions;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Packages;
using static Preflight.Tests.Packages.ArchiveBytes;

namespace Preflight.Tests.Packages;

public class MangledInputTests
{
    private static byte[] SampleZip() => new RawZip()
        .Add("etc/app.conf", Utf8("port=8080\nhost=example.org\n"))
        .Add("bin/run.sh", Utf8("#!/bin/sh\nexec /opt/app/bin/app\n"), deflate: false)
        .Add("lib/inner.tar", new RawTar().File("a.txt", "a\n").Symlink("l", "/etc/shadow").ToArray())
        .ToArray();

    private static byte[] SampleTarGz() => GZip(new RawTar()
        .File("etc/app.conf", "port=8080\n")
        .File("lib/inner.zip", new RawZip().Add("x.txt", Utf8("x\n")).ToArray())
        .ToArray());

    private static byte[] SampleTarBz2() => BZip2(new RawTar().File("etc/app.conf", "port=8080\n").File("b.txt", "b\n").ToArray());

    [TestCase("zip")]
    [TestCase("tar.gz")]
    [TestCase("tar.bz2")]
    public async Task Randomly_damaged_archives_never_escape_as_exceptions(string kind)
    {
        var original = kind switch { "zip" => SampleZip(), "tar.gz" => SampleTarGz(), _ => SampleTarBz2() };
        var random = new Random(20261127);
        using var scratch = new Scratch();
        var limits = PackageLimits.Default with { MaxDuration = TimeSpan.FromSeconds(20) };
        int problems = 0;
        for (int round = 0; round < 150; round++)
        {
            var mangled = (byte[])original.Clone();
            int flips = 1 + random.Next(8);
            for (int i = 0; i < flips; i++)
            {
                int at = 4 + random.Next(mangled.Length - 4); // keep the magic bytes: the input stays an archive
                mangled[at] = (byte)random.Next(256);
            }
            if (random.Next(4) == 0) mangled = Cut(mangled, 4 + random.Next(mangled.Length - 4));

            var sink = new RecordingSink();
            var act = () => PackageReader.ReadAsync(scratch.Write($"m{round}.{kind}", mangled), limits, sink, CancellationToken.None);

            await act.Should().NotThrowAsync($"round {round} must end in findings, not an exception");
            problems += sink.Issues.Count;
        }
        problems.Should().BePositive("damage must show up as findings");
    }
}
