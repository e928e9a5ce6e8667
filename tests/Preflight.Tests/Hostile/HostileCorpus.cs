using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.Zip;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Preflight.Detectors.Credentials;
using Preflight.Tests.Fixtures;
using Preflight.Tests.Packages;
using static Preflight.Tests.Packages.ArchiveBytes;
using CompressionLevel = System.IO.Compression.CompressionLevel;

namespace Preflight.Tests.Hostile;

/// <summary>
/// One input of the hostile corpus: a package built to hurt a scanner, and what the scan must still do with it.
/// </summary>
/// <param name="File">File name under <c>fixtures/hostile/</c> (its extension tells the reader the format).</param>
/// <param name="What">What the input is, for the ground-truth table.</param>
/// <param name="Expect">
/// What the report must hold: <c>PF008</c> (anywhere) or <c>PF008@path</c> (at that location). Every package
/// except those whose damage is the point also carries the canary (below), so "the rest was analysed" is checked too.
/// </param>
/// <param name="Build">Writes the input, deterministically unless <paramref name="Committed"/> is false.</param>
/// <param name="Committed">
/// True when the bytes are committed in <c>fixtures/hostile/</c> (deterministic and small); false when the builder
/// makes them at test time (too large to commit, or encrypted with random salts).
/// </param>
/// <param name="Canary">Whether the canary cron job is in the package and must be reported.</param>
/// <param name="Absent">Rules that must NOT be reported (the hostile part must not be mistaken for content).</param>
/// <param name="Trust">PEM of a root to pass with <c>--trust</c>, so chain building really runs.</param>
/// <param name="Window">A <c>--window</c> value, so schedules are really searched for their next runs.</param>
internal sealed record HostileCase(
    string File,
    string What,
    string[] Expect,
    Func<byte[]> Build,
    bool Committed = true,
    bool Canary = true,
    string[]? Absent = null,
    string? Trust = null,
    string? Window = null)
{
    public override string ToString() => File;
}

/// <summary>
/// The hostile corpus of issue 10: every input is built here, by code, so what each one is stays readable. Small
/// deterministic inputs are also committed under <c>fixtures/hostile/</c> (for fuzzing seeds and for people), with
/// <c>EXPECTED.md</c> written from this catalog; <c>PREFLIGHT_UPDATE_FIXTURES=1</c> rewrites both.
/// </summary>
internal static class HostileCorpus
{
    /// <summary>The canary: a cron job that fires every minute. Its PF104 finding proves the rest of the package was analysed.</summary>
    public const string CanaryPath = "etc/cron.d/canary";

    public const string CanaryText = "* * * * * root /opt/canary/tick\n";

    public const string CanaryExpectation = "PF104@" + CanaryPath;

    public static string Folder { get; } = Path.Combine(Support.SharedData.RepositoryRoot, "fixtures", "hostile");

    private static readonly Lazy<string> AwsKey = new(() => SampleSecret("PF301"));

    /// <summary>A generated AWS access key id (the corpus plants it where only a robust reader still finds it).</summary>
    public static string PlantedKey => AwsKey.Value;

    private static readonly Lazy<IReadOnlyList<HostileCase>> Catalog = new(() => Build().ToList());

    public static IReadOnlyList<HostileCase> All => Catalog.Value;

    private static IEnumerable<HostileCase> Build()
    {
        // ---- Archives: bombs ----
        yield return new("zip-nested-bomb-42.zip", "42.zip style: 16 zips of 16 zips of ... 16 × 64 MiB of zeros, five levels, every layer under the per-entry ratio",
            ["PF008"], () => Zip(z => z.AddCompressedBytes("lib/bomb.zip", Packages.DamageAndLimitTests.NestedBomb(levels: 4, fanOut: 16, leafBytes: 64 * 1024 * 1024))));
        yield return new("zip-overlapping-bomb.zip", "Fifield's overlapping-entry bomb: 250 entries that all quote one 2 MiB deflate kernel",
            ["PF009"], () => Zip(z => z.Add("lib/overlap.zip", RawZip.OverlappingBomb(files: 250, payloadBytes: 2 * 1024 * 1024), deflate: false)));
        yield return new("tar-bz2-ratio-10000.tar.bz2", "a 10,000:1 entry: 64 MiB of zeros in a bzip2-compressed tar",
            ["PF008@bomb.bin"], () => BZip2(new RawTar().File(CanaryPath, CanaryText).File("bomb.bin", new byte[64 * 1024 * 1024]).File("after.txt", "after\n").ToArray()));
        yield return new("zip-1gib-one-byte.zip", "one entry of 1 GiB of the byte 'A' (deflate at its 1,000:1 ceiling; about 1 MiB compressed)",
            ["PF008@big/a.bin"], () => ZipStreamed("big/a.bin", (byte)'A', 1L << 30), Committed: false);
        yield return new("zip-depth-12.zip", "a zip nested twelve deep (the limit is eight)",
            ["PF013"], () => Zip(z => z.Add("lib/l1.zip", Nest(11), deflate: false)));
        yield return new("zip-200000-empty-entries.zip", "200,000 empty entries after the canary (the limit is 200,000 entries)",
            ["PF012"], () => ManyEmptyEntries(200_000), Committed: false);

        // ---- Archives: structure lies ----
        yield return new("zip64-size-too-large.zip", "a zip64 directory that claims each entry inflates to 2^60 bytes",
            ["PF001@lib/a.txt"], () => Zip64Lie(claimed: 1L << 60));
        yield return new("zip64-size-too-small.zip", "a zip64 directory that claims 10 bytes for an entry of 1 MiB",
            ["PF001@lib/a.txt"], () => Zip64Lie(claimed: 10));
        foreach (var (name, fraction) in new[] { ("local", 0.02), ("data", 0.5), ("central", 0.98) })
            yield return new($"zip-truncated-{name}.zip", $"a zip cut at {fraction:P0} of its length",
                name == "central" ? ["PF002"] : ["PF002"], () => TruncatedZip(fraction));
        foreach (var (name, fraction) in new[] { ("header", 0.3), ("data", 0.7) })
            yield return new($"tar-truncated-{name}.tar", $"a tar cut at {fraction:P0} of its length",
                ["PF002"], () => Cut(BigTar(), fraction));
        foreach (var (name, fraction) in new[] { ("early", 0.2), ("late", 0.8) })
        {
            yield return new($"tgz-truncated-{name}.tar.gz", $"a tar.gz cut at {fraction:P0} of its length",
                ["PF002"], () => Cut(RawGZip(BigTar(), "payload.tar"u8.ToArray()), fraction));
            // bzip2 checks a whole block (up to 900 kB) before it hands out a byte: a one-block archive cut
            // anywhere yields nothing, so no canary can survive; the damage must still be reported.
            yield return new($"tbz2-truncated-{name}.tar.bz2", $"a one-block tar.bz2 cut at {fraction:P0} of its length (nothing before the cut is recoverable)",
                ["PF002"], () => Cut(BZip2(BigTar()), fraction), Canary: false);
        }
        yield return new("gz-garbage.gz", "a .gz whose deflate data is random bytes after a valid header",
            ["PF002"], () => [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, .. RandomBytes(7, 4096)], Canary: false);
        yield return new("zip-zipcrypto.zip", "an entry encrypted with ZipCrypto",
            ["PF007@secret/zipcrypto.txt"], () => Encrypted(aesBits: 0), Committed: false);
        yield return new("zip-aes256.zip", "an entry encrypted with WinZip AES-256",
            ["PF007@secret/aes.txt"], () => Encrypted(aesBits: 256), Committed: false);
        yield return new("zip-unsupported-method.zip", "an entry with compression method 14 (LZMA), which the reader does not decompress",
            ["PF001@lib/odd.bin"], () => Zip(z => z.AddCompressed(Utf8("lib/odd.bin"), RandomBytes(3, 256), 256, 0, method: 14).Add("after.txt", Utf8("after\n"))));
        yield return new("zip-method-99-without-aes.zip", "an entry marked WinZip AES (method 99) without its AES extra field: SharpZipLib refuses the central directory, so the local headers are walked up to that entry",
            ["PF002"], () => Zip(z => z.AddCompressed(Utf8("lib/odd.bin"), RandomBytes(3, 256), 256, 0, method: 99)));
        yield return new("zip-duplicate-names.zip", "the same name three times with different content",
            ["PF005@etc/app.conf"], () => Zip(z => z.Add("etc/app.conf", Utf8("a=1\n")).Add("etc/app.conf", Utf8("a=2\n")).Add("etc/app.conf", Utf8("a=3\n"))));
        yield return new("zip-case-collision.zip", "names that collide on a case-insensitive file system",
            ["PF005"], () => Zip(z => z.Add("etc/App.conf", Utf8("a=1\n")).Add("etc/app.CONF", Utf8("a=2\n"))));
        yield return new("zip-name-invalid-utf8.zip", "an entry name that is not valid UTF-8 (flagged as UTF-8)",
            ["PF004"], () => Zip(z => z.AddRaw([.. "bin/"u8, 0xC3, 0x28, 0xFF, .. ".sh"u8], Utf8("#!/bin/sh\n"), utf8Flag: true)));
        yield return new("zip-name-nul.zip", "an entry name with a NUL byte inside",
            ["PF004"], () => Zip(z => z.AddRaw([.. "etc/evil"u8, 0, .. ".conf"u8], Utf8("x=1\n"), utf8Flag: true)));
        yield return new("tar-dotdot.tar", "tar entries whose names climb out with ../",
            ["PF003@../../etc/cron.d/backdoor"], () => Tar(t => t.File("../../etc/cron.d/backdoor", "* * * * * root /tmp/x\n")));
        yield return new("tar-absolute.tar", "tar entries with absolute names",
            ["PF003@etc/shadow"], () => Tar(t => t.File("/etc/shadow", "root:*:19000:0:99999:7:::\n")));
        yield return new("tar-symlink-out.tar", "a symlink to /etc/shadow and one that climbs out with ../",
            ["PF006@opt/app/shadow", "PF006@opt/app/up"], () => Tar(t => t.Symlink("opt/app/shadow", "/etc/shadow").Symlink("opt/app/up", "../../../../root")));
        yield return new("tar-hardlink-out.tar", "hard links to files outside the archive",
            ["PF006@opt/app/passwd"], () => Tar(t => t.Hardlink("opt/app/passwd", "/etc/passwd")));
        yield return new("tar-link-loop.tar", "symlinks that point at each other, and one at itself",
            ["PF006@loop/a", "PF006@loop/b", "PF006@loop/self"], () => Tar(t => t.Symlink("loop/a", "b").Symlink("loop/b", "a").Symlink("loop/self", "self")));

        // ---- Text and parsers ----
        yield return new("text-50mib-one-line.zip", "a 50 MiB text file that is one line, an AWS key 40 MiB in; analysed in 1 MiB windows to its end, never held whole",
            ["PF301@data/one-line.txt"], () => Zip(z => z.Add("data/one-line.txt", OneLongLine(50 * 1024 * 1024))), Committed: false);
        yield return new("yaml-billion-laughs.zip", "a Kubernetes CronJob whose YAML aliases expand to 10^9 nodes",
            ["PF104@deploy/laughs.yaml"], () => Zip(z => z.Add("deploy/laughs.yaml", Utf8(YamlLaughs()))));
        yield return new("yaml-deep-nesting.zip", "a YAML file nested 100,000 flow sequences deep",
            ["PF107@deploy/deep.yaml"], () => Zip(z => z.Add("deploy/deep.yaml", Utf8("apiVersion: batch/v1\nkind: CronJob\nspec:\n  x: " + new string('[', 100_000) + new string(']', 100_000) + "\n"))));
        foreach (var (format, path, root) in XmlFormats)
        {
            yield return new($"xml-xxe-{format}.zip", $"{format}: an external entity (XXE) that names /etc/passwd",
                format is "task-scheduler" or "plist" ? [$"PF107@{path}"] : [], () => Zip(z => z.Add(path, Utf8(Xxe(root)))));
            yield return new($"xml-laughs-{format}.zip", $"{format}: the billion-laughs entity expansion",
                format is "task-scheduler" or "plist" ? [$"PF107@{path}"] : [], () => Zip(z => z.Add(path, Utf8(XmlLaughs(root)))));
        }
        yield return new("xml-deep-task.zip", "a Task Scheduler XML nested 100,000 elements deep",
            ["PF107@Windows/System32/Tasks/Deep"], () => Zip(z => z.Add("Windows/System32/Tasks/Deep",
                Utf8("<?xml version=\"1.0\"?><Task xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">" + string.Concat(Enumerable.Repeat("<a>", 100_000)) + string.Concat(Enumerable.Repeat("</a>", 100_000)) + "</Task>"))));
        yield return new("cert-garbage-pem.zip", "a PEM CERTIFICATE block whose base64 is not a certificate",
            ["PF601@etc/tls/garbage.pem"], () => Zip(z => z.Add("etc/tls/garbage.pem", Utf8("-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(RandomBytes(5, 600), Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n"))));
        yield return new("cert-truncated-der.zip", "a DER certificate cut in half",
            ["PF601@etc/tls/half.cer"], () => Zip(z => z.Add("etc/tls/half.cer", Pki.Value.LeafDer[..(Pki.Value.LeafDer.Length / 2)])));
        yield return new("p7b-malformed.zip", "a .p7b whose SignedData certificates set is cut off",
            ["PF601@etc/tls/chain.p7b"], () => Zip(z => z.Add("etc/tls/chain.p7b", Pki.Value.P7b[..(Pki.Value.P7b.Length * 2 / 3)])));
        yield return new("p12-malformed.zip", "a .pfx that is random bytes after a valid outer SEQUENCE header",
            ["PF601@etc/tls/server.pfx"], () => Zip(z => z.Add("etc/tls/server.pfx", [0x30, 0x82, 0x04, 0x00, .. RandomBytes(9, 1024)])));
        yield return new("cms-malformed-signature.zip", "a detached .p7s over a file, with its ASN.1 cut short",
            ["PF601@bin/tool.sh.p7s"], () => Zip(z => z.Add("bin/tool.sh", Utf8("#!/bin/sh\necho tool\n")).Add("bin/tool.sh.p7s", [0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02, 0xA0, 0x80, 0x30, 0x80, 0x02, 0x01])));
        yield return new("cert-100-same-subject.zip", "100 CA certificates with one subject, each signed by the next one's key, and a leaf under that name",
            ["PF613"], () => Zip(z => z.Add("etc/tls/loop.pem", Utf8(Pki.Value.LoopPem))), Trust: Pki.Value.RootPem);
        yield return new("pe-bad-header.zip", "an .exe whose PE header offset points past the end of the file, with a key in its strings",
            [$"PF301@bin/tool.exe"], () => Zip(z => z.Add("bin/tool.exe", BadPe())));
        yield return new("dotnet-bad-metadata.zip", "a compiled .NET assembly whose metadata root is smashed, with a key in its strings",
            [$"PF301@bin/Broken.dll"], () => Zip(z => z.Add("bin/Broken.dll", SmashedAssembly())));
        yield return new("csharp-not-csharp.zip", "a .cs file that is random bytes",
            [], () => Zip(z => z.Add("src/Noise.cs", RandomBytes(13, 64 * 1024))));
        yield return new("csharp-deep-nesting.zip", "a C# file with an expression nested 50,000 parentheses deep and a password literal after it",
            ["PF016@src/Deep.cs", "PF390@src/Deep.cs"], () => Zip(z => z.Add("src/Deep.cs", Utf8(DeepCSharp()))));
        yield return new("sql-unterminated-dollar.zip", "a Flyway migration whose dollar quote never closes",
            ["PF517@db/migration/V1__function.sql"], () => Zip(z => z.Add("db/migration/V1__function.sql",
                Utf8("CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1;\nEND;\n$bod$ LANGUAGE plpgsql;\nCREATE INDEX idx ON orders (id);\n"))));
        yield return new("sql-unterminated-comment.zip", "a Flyway migration whose nested block comment never closes",
            ["PF517@db/migration/V2__comment.sql"], () => Zip(z => z.Add("db/migration/V2__comment.sql",
                Utf8("/* outer /* inner */ still open\nALTER TABLE orders ADD COLUMN note text;\n" + new string('/', 1) + "*" + string.Concat(Enumerable.Repeat("/* ", 20_000))))));
        yield return new("cron-never-fires.zip", "cron lines that can never fire (30 February, 31 April) checked against a window",
            [], () => Zip(z => z.Add("etc/cron.d/never", Utf8("0 0 30 2 * root /opt/x\n0 0 31 4,6,9,11 * root /opt/y\n59 23 31 2 1-5 root /opt/z\n"))),
            Window: "2026-11-28T02:00Z/PT1H");
        yield return new("oncalendar-never-fires.zip", "systemd timers whose OnCalendar can never or only far away fire, checked against a window",
            [], () => Zip(z => z.Add("lib/systemd/system/never.timer", Utf8("[Unit]\nDescription=never\n[Timer]\nOnCalendar=*-02-30 00:00:00\nOnCalendar=2199-12-31 23:59:59\nOnCalendar=Mon *-02-29/100 00:00\n[Install]\nWantedBy=timers.target\n"))
                .Add("lib/systemd/system/never.service", Utf8("[Unit]\nDescription=never\n[Service]\nExecStart=/opt/never\n"))),
            Window: "2026-11-28T02:00Z/PT1H");
        yield return new("unit-file-hostile.zip", "a unit file with 100,000 continuation lines and specifiers everywhere",
            [], () => Zip(z => z.Add("lib/systemd/system/long.service", Utf8("[Service]\nExecStart=/opt/run" + string.Concat(Enumerable.Repeat(" %n%i%%%p \\\n", 100_000)) + "\n"))));
        yield return new("regex-adversarial.zip", "for every credential rule, a 128 KiB line repeating the start of a real sample without ever completing it; long URL-like runs for the endpoint extractor",
            [], () => Zip(z => AdversarialLines(z)));
    }

    // ---------------------------------------------------------------- builders

    private static byte[] Zip(Action<RawZip> body, bool canary = true)
    {
        var zip = new RawZip();
        if (canary) zip.Add(CanaryPath, Utf8(CanaryText));
        body(zip);
        return zip.ToArray();
    }

    private static byte[] Tar(Action<RawTar> body)
    {
        var tar = new RawTar().File(CanaryPath, CanaryText);
        body(tar);
        return tar.File("after.txt", "after\n").ToArray();
    }

    private static RawZip AddCompressedBytes(this RawZip zip, string name, byte[] content) => zip.Add(name, content, deflate: true);

    private static byte[] Nest(int depth)
    {
        byte[] inner = new RawZip().Add("deepest.txt", Utf8("bottom\n")).ToArray();
        for (int i = depth; i >= 2; i--) inner = new RawZip().Add($"l{i}.zip", inner, deflate: false).ToArray();
        return inner;
    }

    private static byte[] ManyEmptyEntries(int count)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var canary = zip.CreateEntry(CanaryPath).Open()) canary.Write(Utf8(CanaryText));
            for (int i = 0; i < count; i++) zip.CreateEntry($"empty/{i:D6}", CompressionLevel.NoCompression).LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }
        return output.ToArray();
    }

    private static byte[] ZipStreamed(string name, byte value, long length)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var canary = zip.CreateEntry(CanaryPath).Open()) canary.Write(Utf8(CanaryText));
            using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            var block = new byte[1 << 20];
            Array.Fill(block, value);
            for (long written = 0; written < length; written += block.Length) stream.Write(block);
        }
        return output.ToArray();
    }

    private static byte[] Zip64Lie(long claimed)
    {
        var content = RandomText(1024 * 1024);
        var deflated = Deflate(content);
        var zip = new RawZip();
        zip.AddCompressed(Utf8(CanaryPath), Deflate(Utf8(CanaryText)), CanaryText.Length, Crc(Utf8(CanaryText)), method: 8);
        zip.AddCompressed(Utf8("lib/a.txt"), deflated, claimed, Crc(content), method: 8);
        zip.AddCompressed(Utf8("after.txt"), Deflate(Utf8("after\n")), 6, Crc(Utf8("after\n")), method: 8);
        return zip.ToArray(zip64: true);
    }

    private static byte[] TruncatedZip(double fraction)
    {
        var bytes = new RawZip()
            .Add(CanaryPath, Utf8(CanaryText))
            .Add("lib/payload.bin", RandomBytes(11, 256 * 1024))
            .Add("share/after.txt", Utf8("after\n"))
            .ToArray();
        // The canary sits in the first 200 bytes; every cut keeps it.
        return bytes[..Math.Max(200, (int)(bytes.Length * fraction))];
    }

    private static byte[] BigTar() => new RawTar()
        .File(CanaryPath, CanaryText)
        .File("lib/payload.bin", RandomText(256 * 1024))
        .File("share/after.txt", "after\n")
        .ToArray();

    private static byte[] Cut(byte[] bytes, double fraction) => bytes[..Math.Max(1100, (int)(bytes.Length * fraction))];

    private static byte[] Encrypted(int aesBits)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipOutputStream(ms) { IsStreamOwner = false })
        {
            zip.PutNextEntry(new ZipEntry(CanaryPath));
            zip.Write(Utf8(CanaryText));
            zip.Password = "hostile";
            zip.PutNextEntry(new ZipEntry(aesBits == 0 ? "secret/zipcrypto.txt" : "secret/aes.txt") { AESKeySize = aesBits });
            zip.Write(Utf8("hidden content\n"));
            zip.Password = null;
            zip.PutNextEntry(new ZipEntry("after.txt"));
            zip.Write(Utf8("after\n"));
        }
        return ms.ToArray();
    }

    private static byte[] OneLongLine(int length)
    {
        var bytes = new byte[length];
        // Base64-looking noise that never forms a key, then the real key at the end.
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789+/=:\"'";
        var random = new Random(17);
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)alphabet[random.Next(alphabet.Length)];
        var key = Utf8(" aws_access_key_id=" + PlantedKey + " ");
        key.CopyTo(bytes, 40 * 1024 * 1024);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private static string YamlLaughs()
    {
        var sb = new StringBuilder("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: laughs\n  annotations:\n");
        sb.Append("    l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i < 9; i++)
            sb.Append("    l").Append(i).Append(": &l").Append(i).Append(" [").AppendJoin(",", Enumerable.Repeat("*l" + (i - 1), 10)).Append("]\n");
        sb.Append("spec:\n  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: lol\n            image: busybox\n            args: *l8\n");
        return sb.ToString();
    }

    private static readonly (string Format, string Path, string Root)[] XmlFormats =
    [
        ("task-scheduler", "Windows/System32/Tasks/Laughs", "Task"),
        ("liquibase", "db/changelog/db.changelog-master.xml", "databaseChangeLog"),
        ("plist", "Library/LaunchDaemons/com.example.laughs.plist", "plist"),
        ("nuget-config", "NuGet.config", "configuration"),
        ("csproj", "src/App/App.csproj", "Project"),
    ];

    private static string XmlBody(string root, string value) => root switch
    {
        "Task" => $"<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\"><Triggers><CalendarTrigger><StartBoundary>2026-01-01T02:00:00</StartBoundary><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger></Triggers><Actions><Exec><Command>{value}</Command></Exec></Actions></Task>",
        "databaseChangeLog" => $"<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"><changeSet id=\"1\" author=\"x\"><sql>{value}</sql></changeSet></databaseChangeLog>",
        "plist" => $"<plist version=\"1.0\"><dict><key>Label</key><string>com.example.laughs</string><key>ProgramArguments</key><array><string>{value}</string></array><key>StartInterval</key><integer>60</integer></dict></plist>",
        "configuration" => $"<configuration><packageSourceCredentials><feed><add key=\"Username\" value=\"ci\" /><add key=\"ClearTextPassword\" value=\"{value}\" /></feed></packageSourceCredentials></configuration>",
        _ => $"<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><Description>{value}</Description></PropertyGroup></Project>",
    };

    private static string Xxe(string root) =>
        $"<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n" + XmlBody(root, "&xxe;");

    private static string XmlLaughs(string root)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE ").Append(root).Append(" [\n <!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i < 10; i++)
            sb.Append(" <!ENTITY lol").Append(i).Append(" \"").Append(string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))).Append("\">\n");
        sb.Append("]>\n").Append(XmlBody(root, "&lol9;"));
        return sb.ToString();
    }

    private static byte[] BadPe()
    {
        var bytes = new byte[8192];
        bytes[0] = (byte)'M';
        bytes[1] = (byte)'Z';
        BitConverter.GetBytes(0x7FFF_FFF0).CopyTo(bytes, 0x3C); // e_lfanew far beyond the end
        RandomBytes(19, 2048).CopyTo(bytes, 0x100);
        Utf8("AWS_ACCESS_KEY_ID=" + PlantedKey + "\0").CopyTo(bytes, 4096);
        return bytes;
    }

    private static byte[] SmashedAssembly()
    {
        var tree = CSharpSyntaxTree.ParseText($$"""
            namespace Hostile;
            public static class Settings
            {
                public const string AccessKey = "{{PlantedKey}}";
                public static string Region() => "eu-west-1";
            }
            """);
        var compilation = CSharpCompilation.Create("Broken", [tree],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, deterministic: true));
        using var ms = new MemoryStream();
        var emit = compilation.Emit(ms);
        if (!emit.Success) throw new InvalidOperationException(string.Join('\n', emit.Diagnostics));
        var bytes = ms.ToArray();
        // Smash the metadata root signature (BSJB) and the stream headers after it.
        int at = bytes.AsSpan().IndexOf("BSJB"u8);
        if (at < 0) throw new InvalidOperationException("no metadata root in the emitted assembly");
        for (int i = at; i < at + 64; i++) bytes[i] ^= 0x5A;
        // The key is a #US heap string (UTF-16); keep an ASCII copy too, as a resource would.
        var ascii = Utf8("aws_access_key_id=" + PlantedKey);
        return [.. bytes, .. ascii];
    }

    private static string DeepCSharp()
    {
        var sb = new StringBuilder("class Deep\n{\n    string password = \"Vq7#rT2!mX9@kL4p\";\n    int x = ");
        sb.Append('(', 50_000).Append('1').Append(')', 50_000).Append(";\n}\n");
        return sb.ToString();
    }

    private static void AdversarialLines(RawZip zip)
    {
        var random = new Random(23);
        foreach (var (rule, positives, _) in RuleSamples.All)
        {
            var sample = positives(random).First();
            var text = sample.Text.ReplaceLineEndings(" ");
            string stem = text[..Math.Min(text.Length, 14)];
            var line = new StringBuilder(300 * 1024);
            while (line.Length < 128 * 1024) line.Append(stem);
            line.Append('\n');
            zip.Add($"adversarial/{rule.Id}.txt", Utf8(line.ToString()));
        }
        var url = new StringBuilder("endpoint=http://");
        while (url.Length < 256 * 1024) url.Append("a.");
        zip.Add("adversarial/url-dots.txt", Utf8(url.Append('\n').ToString()));
        var auth = new StringBuilder();
        while (auth.Length < 256 * 1024) auth.Append("https://u:p@");
        zip.Add("adversarial/url-userinfo.txt", Utf8(auth.Append('\n').ToString()));
        var assignments = new StringBuilder();
        while (assignments.Length < 256 * 1024) assignments.Append("password=password=\"");
        zip.Add("adversarial/assignments.conf", Utf8(assignments.Append('\n').ToString()));
        var pem = new StringBuilder();
        while (pem.Length < 256 * 1024) pem.Append("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n");
        zip.Add("adversarial/pem-openings.pem", Utf8(pem.ToString()));
    }

    private static string SampleSecret(string ruleId)
    {
        var random = new Random(29);
        var rule = RuleSamples.All.Single(r => r.Rule.Id == ruleId);
        return rule.Positives(random).First(s => s.Secret is not null).Secret!;
    }

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] RandomText(int length)
    {
        var random = new Random(31);
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(i % 64 == 63 ? '\n' : 'a' + random.Next(26));
        return bytes;
    }

    // ---------------------------------------------------------------- certificates (seeded, fixed dates)

    private sealed record PkiMaterial(byte[] LeafDer, byte[] P7b, string LoopPem, string RootPem);

    private static readonly Lazy<PkiMaterial> Pki = new(MakePki);

    private static PkiMaterial MakePki()
    {
        var random = new SecureRandom(new DigestRandomGenerator(new Sha256Digest()));
        random.SetSeed("preflight hostile corpus"u8.ToArray());
        var notBefore = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var notAfter = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var rootKey = DemoCertificates.NewKey(random);
        var rootName = new X509Name("CN=Hostile Corpus Root");
        var root = Certificate(rootName, rootName, rootKey.Public, rootKey.Private, ca: true, 1, notBefore, notAfter, random);
        var leafKey = DemoCertificates.NewKey(random);
        var leaf = Certificate(new X509Name("CN=leaf.hostile.test"), rootName, leafKey.Public, rootKey.Private, ca: false, 2, notBefore, notAfter, random);

        // 100 CAs named alike, each signed by the next one's key: every one is a candidate issuer of every other.
        var loopName = new X509Name("CN=Hostile Loop CA");
        var keys = Enumerable.Range(0, 100).Select(_ => DemoCertificates.NewKey(random)).ToArray();
        var pem = new StringBuilder();
        for (int i = 0; i < keys.Length; i++)
        {
            var ca = Certificate(loopName, loopName, keys[i].Public, keys[(i + 1) % keys.Length].Private, ca: true, 100 + i, notBefore, notAfter, random);
            pem.Append(DemoCertificates.ToPem(ca));
        }
        var loopLeaf = Certificate(new X509Name("CN=looped.hostile.test"), loopName, leafKey.Public, keys[0].Private, ca: false, 999, notBefore, notAfter, random);
        pem.Append(DemoCertificates.ToPem(loopLeaf));

        var p7b = new Org.BouncyCastle.Cms.CmsSignedDataGenerator();
        p7b.AddCertificates(Org.BouncyCastle.Utilities.Collections.CollectionUtilities.CreateStore(new[] { root, leaf }));
        var signed = p7b.Generate(new Org.BouncyCastle.Cms.CmsProcessableByteArray([]), encapsulate: false);
        return new PkiMaterial(leaf.GetEncoded(), signed.GetEncoded(), pem.ToString(), DemoCertificates.ToPem(root));
    }

    private static X509Certificate Certificate(X509Name subject, X509Name issuer, AsymmetricKeyParameter publicKey, AsymmetricKeyParameter signer,
        bool ca, long serial, DateTime notBefore, DateTime notAfter, SecureRandom random)
    {
        var gen = new X509V3CertificateGenerator();
        gen.SetSerialNumber(BigInteger.ValueOf(serial));
        gen.SetIssuerDN(issuer);
        gen.SetSubjectDN(subject);
        gen.SetNotBefore(notBefore);
        gen.SetNotAfter(notAfter);
        gen.SetPublicKey(publicKey);
        gen.AddExtension(X509Extensions.BasicConstraints, true, ca ? new BasicConstraints(5) : new BasicConstraints(false));
        gen.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(ca ? KeyUsage.KeyCertSign | KeyUsage.CrlSign : KeyUsage.DigitalSignature));
        if (!ca) gen.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
        return gen.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", signer, random));
    }
}
