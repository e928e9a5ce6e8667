using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using NUnit.Framework;
using Preflight.Content;
using Preflight.Reporting;
using Preflight.Tests.Packages;
using Preflight.Tests.Support;

namespace Preflight.Tests.Hostile;

/// <summary>
/// Issue 10, the Cecil memory bombs: a .NET assembly whose metadata claims more than its bytes hold (a stream size, a
/// row count, a generic parameter number, a custom attribute's array count, a switch's target count, a resource's
/// length) must be refused before Mono.Cecil allocates by that claim, and every real assembly must still be read.
/// Each corruption below is made by patching one number of a small assembly compiled here; the offsets are found
/// with System.Reflection.Metadata, independently of the code under test.
/// </summary>
public class MetadataPrecheckTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        [assembly: Probe.Tags(new[] { "alpha", "beta" })]
        namespace Probe;
        [AttributeUsage(AttributeTargets.All)]
        public sealed class TagsAttribute(string[] tags) : Attribute { public string[] Tags { get; } = tags; }
        public enum Level : byte { Low, High }
        [AttributeUsage(AttributeTargets.All)]
        public sealed class LevelAttribute(Level level, object boxed) : Attribute { public Level Value { get; } = level; public object Boxed { get; } = boxed; }
        [AttributeUsage(AttributeTargets.All)]
        public sealed class TypeHolderAttribute(Type type) : Attribute { public Type Type { get; } = type; }
        [TypeHolder(typeof(Dictionary<List<Dictionary<string, int>>, List<Dictionary<string, long>>>))]
        public static class Outer { public static class Inner { } }
        [Level(Level.High, Level.Low)]
        public static class Code
        {
            public static int Pick(int x) { switch (x) { case 0: return 10; case 1: return 20; case 2: return 30; case 3: return 44; } return 0; }
            public static bool Lookup(Dictionary<string, int> map, string key) => map.TryGetValue(key, out _);
            public static int FirstOf(List<int> items) => First<int>(items);
            public static T First<T>(List<T> items) => items[0];
            public static string Greeting() => "hello";
        }
        """;

    private static readonly Lazy<byte[]> Pristine = new(Compile);

    private static byte[] Compile()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = tpa.Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "System.Collections.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Probe", [CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(LanguageVersion.Latest))],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, deterministic: true));
        using var pe = new MemoryStream();
        var resource = new ResourceDescription("Probe.data.txt", () => new MemoryStream("hello resource"u8.ToArray()), isPublic: true);
        var result = compilation.Emit(pe, manifestResources: [resource], options: new EmitOptions(debugInformationFormat: DebugInformationFormat.Embedded));
        result.Success.Should().BeTrue(string.Join("; ", result.Diagnostics));
        return pe.ToArray();
    }

    [Test]
    public void The_compiled_probe_assembly_passes_and_Cecil_reads_it()
    {
        MetadataPrecheck.Check(Pristine.Value).Should().BeNull();
        var content = new EntryContent("bin/Probe.dll", Pristine.Value, ContentKind.DotNetAssembly);
        content.Module.Should().NotBeNull(content.ModuleError);
        content.Module!.GetTypes().Select(t => t.Name).Should().Contain(["TagsAttribute", "Code"]);
    }

    public static IEnumerable<TestCaseData> Corruptions()
    {
        yield return Case("a metadata stream size beyond the metadata", "stream #Blob claims 2147483632 bytes",
            b => WriteU32(b, StreamHeader(b, "#Blob") + 4, 0x7FFF_FFF0));
        yield return Case("a table row count beyond the tables stream", "table TypeDef claims 16776960 rows",
            b => WriteU32(b, RowCount(b, TableIndex.TypeDef), 0x00FF_FF00));
        yield return Case("an unknown table marked present", "unknown table 0x2E",
            b => b[TablesStream(b) + 8 + 5] |= 0x40);
        yield return Case("a metadata version string of 2 GB", "version string claims 2147483647 bytes",
            b => WriteU32(b, MetadataStart(b) + 12, 0x7FFF_FFFF));
        yield return Case("a generic parameter number of 536 million in a member reference", "refers to generic parameter 536870911",
            b => MemberRefSignature(b, "TryGetValue", [0x20, 0x00, 0x13, 0xDF, 0xFF, 0xFF, 0xFF, 0x00]));
        yield return Case("a generic argument count beyond a method instantiation's bytes", "claims 127 generic arguments",
            b => b[MethodSpecBlob(b) + 1] = 0x7F);
        yield return Case("a custom attribute array count of 2 billion", "claims an array of 2147483647 elements",
            b => WriteU32(b, AttributeValue(b, "TagsAttribute") + 2, 0x7FFF_FFFF));
        yield return Case("a switch of a billion targets", "has a switch of 1073741824 targets",
            b => WriteU32(b, Find(b, [0x45, 0x04, 0, 0, 0]) + 1, 0x4000_0000));
        yield return Case("a string literal whose #US length prefix claims 512 MB", "loads a string of 536870911 bytes",
            b =>
            {
                Find(b, [0x72, 0x01, 0x00, 0x00, 0x70]); // ldstr "hello", the first user string
                WriteU32(b, MetadataStart(b) + BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(StreamHeader(b, "#US"))) + 1, 0xFFFF_FFDF);
            });
        yield return Case("a type's field list starting past the Field table", "TypeDef row 2 starts its Field list at row 65535",
            b => WriteU16(b, TypeDefFieldList(b, row: 2), 0xFFFF));
        yield return Case("a type nested in itself", "is nested more than 100 deep or in a cycle",
            b =>
            {
                int row = NestedClassRow(b);
                b.AsSpan(row, 2).CopyTo(b.AsSpan(row + 2)); // EnclosingClass := NestedClass
            });
        yield return Case("a type name in a custom attribute nested 110 brackets deep", "names a type nested more than 100 brackets deep",
            b =>
            {
                int at = AttributeValue(b, "TypeHolderAttribute") + 2;
                int length = (b[at] & 0x80) == 0 ? b[at] : (b[at] & 0x3F) << 8 | b[at + 1];
                int header = (b[at] & 0x80) == 0 ? 1 : 2;
                length.Should().BeGreaterThan(110, "the type name must be long enough to hold the brackets");
                b.AsSpan(at + header, 110).Fill((byte)'[');
            });
        yield return Case("two type references nested in each other", "is nested more than 100 deep or in a cycle of type references",
            b =>
            {
                WriteU16(b, TypeRefRow(b, 1), (2 << 2) | 3); // TypeRef 1's scope := TypeRef 2
                WriteU16(b, TypeRefRow(b, 2), (1 << 2) | 3); // TypeRef 2's scope := TypeRef 1
            });
        yield return Case("a type specification that instantiates itself", "refers to itself through other type specifications",
            b =>
            {
                int at = GenericTypeSpec(b, out int row);
                b[at + 2] = (byte)((row << 2) | 2); // the generic type := this TypeSpec
            });
        yield return Case("an embedded resource of 2 GB", "embedded resource 1 claims 2147483632 bytes",
            b => WriteU32(b, ResourceData(b), 0x7FFF_FFF0));
        yield return Case("an embedded resource of 2 GB whose Implementation has the unused tag 3 (Cecil reads it as embedded)",
            "embedded resource 1 claims 2147483632 bytes",
            b =>
            {
                WriteU32(b, ResourceData(b), 0x7FFF_FFF0);
                WriteU16(b, ManifestResourceImplementation(b), (5 << 2) | 3);
            });
        yield return Case("a debug directory entry of 2 GB", "a debug directory entry claims 2147483632 bytes",
            b => WriteU32(b, DebugEntryWithData(b) + 16, 0x7FFF_FFF0));
    }

    private static TestCaseData Case(string what, string expected, Action<byte[]> patch) =>
        new TestCaseData(patch, expected).SetName($"Precheck refuses {what}");

    [TestCaseSource(nameof(Corruptions))]
    public void Precheck_refuses_a_corrupted_count(Action<byte[]> patch, string expected)
    {
        var bytes = Pristine.Value.ToArray();
        patch(bytes);
        bytes.AsSpan().SequenceEqual(Pristine.Value).Should().BeFalse("the patch must change the assembly");

        var why = MetadataPrecheck.Check(bytes);

        why.Should().NotBeNull().And.StartWith("malformed .NET metadata: ").And.Contain(expected);
        var content = new EntryContent("bin/Probe.dll", bytes, ContentKind.DotNetAssembly);
        content.Module.Should().BeNull("Cecil is never handed a module that failed the precheck");
        content.ModuleError.Should().Be(why);
    }

    [Test]
    public void Every_assembly_of_the_runtime_and_of_the_test_output_passes()
    {
        var folders = new[] { Path.GetDirectoryName(typeof(object).Assembly.Location)!, AppContext.BaseDirectory };
        var checkedCount = 0;
        var refused = new List<string>();
        foreach (var file in folders.SelectMany(f => Directory.EnumerateFiles(f, "*.dll")).Distinct())
        {
            var bytes = File.ReadAllBytes(file);
            using (var pe = new PEReader(new MemoryStream(bytes)))
                if (!pe.HasMetadata) continue;
            checkedCount++;
            if (MetadataPrecheck.Check(bytes) is { } why) refused.Add($"{file}: {why}");
        }
        TestContext.Out.WriteLine($"{checkedCount} assemblies checked");
        checkedCount.Should().BeGreaterThan(150, "the runtime folder alone holds well over 150 assemblies");
        refused.Should().BeEmpty("a real assembly must never be refused");
    }

    private static string CecilRegressions => Path.Combine(SharedData.RepositoryRoot, "fuzz", "regressions", "cecil");

    private static IEnumerable<string> MemoryBombFiles() => Directory.EnumerateFiles(CecilRegressions, "memory-*.dll");

    public static IEnumerable<TestCaseData> MemoryBombs() =>
        MemoryBombFiles().Order(StringComparer.Ordinal)
            .Select(f => new TestCaseData(Path.GetFileName(f)).SetName($"Precheck refuses the fuzzed memory bomb {Path.GetFileName(f)}"));

    [TestCaseSource(nameof(MemoryBombs))]
    public void Precheck_refuses_the_fuzzed_memory_bombs(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(CecilRegressions, file));
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var why = MetadataPrecheck.Check(bytes);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        TestContext.Out.WriteLine($"{file}: {why} ({allocated} bytes allocated)");
        why.Should().StartWith("malformed .NET metadata: ");
        allocated.Should().BeLessThan(1024 * 1024, "the precheck allocates nothing proportional to a claimed count");
    }

    /// <summary>
    /// The twelve fuzzed inputs scanned by the real CLI in a child process (its GC heap capped at 768 MB, so that a
    /// regression fails this test instead of exhausting the machine): the scan ends within the hostile corpus's bounds,
    /// reports each as malformed metadata, and still analyses the rest of the package.
    /// </summary>
    [Test]
    [NonParallelizable]
    public void The_fuzzed_memory_bombs_are_scanned_within_bounds_by_the_CLI()
    {
        using var scratch = new Scratch();
        var package = Directory.CreateDirectory(Path.Combine(scratch.Folder, "package")).FullName;
        var temp = Directory.CreateDirectory(Path.Combine(scratch.Folder, "tmp")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(scratch.Folder, "work")).FullName;
        var bombs = MemoryBombFiles().ToList();
        bombs.Should().HaveCount(12);
        Directory.CreateDirectory(Path.Combine(package, "bin"));
        foreach (var bomb in bombs) File.Copy(bomb, Path.Combine(package, "bin", Path.GetFileName(bomb)));
        Directory.CreateDirectory(Path.Combine(package, "etc", "cron.d"));
        File.WriteAllText(Path.Combine(package, HostileCorpus.CanaryPath), HostileCorpus.CanaryText);

        var run = CliProcess.Run(["scan", package, "--format", "json", "--as-of", "2026-11-27T12:00:00Z", "--fail-on", "none"], temp, work,
            environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x30000000" });
        TestContext.Out.WriteLine($"exit {run.ExitCode}, {run.Elapsed.TotalSeconds:0.00} s, peak {run.PeakKb / 1024} MB");

        run.TimedOut.Should().BeFalse();
        run.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), run.Stderr);
        run.PeakKb.Should().BePositive().And.BeLessThan(300 * 1024, run.Stderr);
        run.ExitCode.Should().Be(0, run.Stderr);
        var report = ScanReportJson.Read(run.Stdout);
        foreach (var bomb in bombs)
            report.Diagnostics.Should().Contain(d => d.Path == "bin/" + Path.GetFileName(bomb) && d.Message.StartsWith("malformed .NET metadata: ", StringComparison.Ordinal),
                "{0} must be reported as malformed metadata", Path.GetFileName(bomb));
        report.Findings.Should().Contain(f => f.RuleId == "PF104" && f.Location.Path == HostileCorpus.CanaryPath, "the rest of the package is still analysed");
    }

    // ---- locating the numbers to corrupt, with System.Reflection.Metadata

    private static void WriteU16(byte[] b, int offset, ushort value)
    {
        offset.Should().BePositive();
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(offset), value);
    }

    /// <summary>The file offset of a TypeDef row's FieldList column (Flags 4, Name 2, Namespace 2, Extends 2 in a small assembly).</summary>
    private static int TypeDefFieldList(byte[] b, int row)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        md.GetHeapSize(HeapIndex.String).Should().BeLessThan(0x10000, "two-byte string indexes");
        md.GetTableRowSize(TableIndex.TypeDef).Should().Be(14, "every index of the probe's TypeDef table takes two bytes");
        return MetadataStart(b) + md.GetTableMetadataOffset(TableIndex.TypeDef) + (row - 1) * 14 + 10;
    }

    private static void WriteU32(byte[] b, int offset, uint value)
    {
        offset.Should().BePositive();
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(offset), value);
    }

    /// <summary>The only occurrence of a byte pattern (the IL of <c>Pick</c>'s switch over four cases).</summary>
    private static int Find(byte[] b, byte[] pattern)
    {
        int at = b.AsSpan().IndexOf(pattern);
        at.Should().BeGreaterThanOrEqualTo(0);
        b.AsSpan(at + 1).IndexOf(pattern).Should().Be(-1, "the pattern must be unique");
        return at;
    }

    private static int MetadataStart(byte[] b)
    {
        using var pe = new PEReader(new MemoryStream(b));
        return pe.PEHeaders.MetadataStartOffset;
    }

    /// <summary>The file offset of a stream header (its offset field; the size follows).</summary>
    private static int StreamHeader(byte[] b, string name)
    {
        int root = MetadataStart(b);
        int versionLength = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(root + 12));
        int at = root + 16 + versionLength;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at + 2));
        at += 4;
        for (int i = 0; i < count; i++)
        {
            int nameStart = at + 8;
            int nameEnd = Array.IndexOf(b, (byte)0, nameStart);
            if (System.Text.Encoding.ASCII.GetString(b, nameStart, nameEnd - nameStart) == name) return at;
            at = nameStart + ((nameEnd - nameStart + 4) & ~3);
        }
        throw new InvalidOperationException($"no {name} stream");
    }

    private static int TablesStream(byte[] b) => MetadataStart(b) + BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(StreamHeader(b, "#~")));

    private static int RowCount(byte[] b, TableIndex table)
    {
        int tables = TablesStream(b);
        ulong valid = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(tables + 8));
        int before = System.Numerics.BitOperations.PopCount(valid & ((1UL << (int)table) - 1));
        return tables + 24 + 4 * before;
    }

    private static int BlobOffset(byte[] b, BlobHandle handle) =>
        MetadataStart(b) + BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(StreamHeader(b, "#Blob"))) + MetadataTokens.GetHeapOffset(handle);

    /// <summary>Overwrites a member reference's signature bytes (same length) and returns nothing.</summary>
    private static void MemberRefSignature(byte[] b, string member, byte[] signature)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        var reference = md.MemberReferences.Select(md.GetMemberReference).First(r => md.GetString(r.Name) == member);
        var at = BlobOffset(b, reference.Signature);
        b[at].Should().Be((byte)signature.Length, "the replacement keeps the blob's length");
        signature.CopyTo(b, at + 1);
    }

    /// <summary>The file offset of the first method instantiation's signature (after its length byte).</summary>
    private static int MethodSpecBlob(byte[] b)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        var spec = md.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(1));
        return BlobOffset(b, spec.Signature) + 1;
    }

    /// <summary>The file offset of a custom attribute's value (after its length byte), by the attribute's type name.</summary>
    private static int AttributeValue(byte[] b, string attributeType)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        foreach (var handle in md.CustomAttributes)
        {
            var attribute = md.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MethodDefinition) continue;
            var type = md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
            if (md.GetString(type.Name) != attributeType) continue;
            int at = BlobOffset(b, attribute.Value);
            return at + ((b[at] & 0x80) == 0 ? 1 : (b[at] & 0x40) == 0 ? 2 : 4); // past the compressed length
        }
        throw new InvalidOperationException($"no {attributeType} attribute");
    }

    /// <summary>The file offset of a TypeRef row (ResolutionScope 2 bytes first, in a small assembly).</summary>
    private static int TypeRefRow(byte[] b, int row)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        md.GetTableRowCount(TableIndex.TypeRef).Should().BeGreaterThanOrEqualTo(2);
        md.GetTableRowSize(TableIndex.TypeRef).Should().Be(6);
        return MetadataStart(b) + md.GetTableMetadataOffset(TableIndex.TypeRef) + (row - 1) * 6;
    }

    /// <summary>The file offset (after the length byte) of a TypeSpec signature <c>GENERICINST CLASS token …</c> with a one-byte token.</summary>
    private static int GenericTypeSpec(byte[] b, out int row)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        for (row = 1; row <= md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            var spec = md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row));
            int at = BlobOffset(b, spec.Signature) + 1;
            if (b[at] == 0x15 && b[at + 1] == 0x12 && b[at + 2] < 0x80) return at;
        }
        throw new InvalidOperationException("no generic instance type specification");
    }

    /// <summary>The file offset of the only NestedClass row (NestedClass 2 bytes, EnclosingClass 2 bytes).</summary>
    private static int NestedClassRow(byte[] b)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        md.GetTableRowCount(TableIndex.NestedClass).Should().Be(1);
        md.GetTableRowSize(TableIndex.NestedClass).Should().Be(4);
        return MetadataStart(b) + md.GetTableMetadataOffset(TableIndex.NestedClass);
    }

    /// <summary>The file offset of the first ManifestResource row's Implementation (Offset 4, Flags 4, Name 2).</summary>
    private static int ManifestResourceImplementation(byte[] b)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        md.GetTableRowSize(TableIndex.ManifestResource).Should().Be(12);
        return MetadataStart(b) + md.GetTableMetadataOffset(TableIndex.ManifestResource) + 10;
    }

    /// <summary>The file offset of the first embedded resource's length prefix.</summary>
    private static int ResourceData(byte[] b)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var md = pe.GetMetadataReader();
        var resource = md.GetManifestResource(md.ManifestResources.First());
        pe.PEHeaders.TryGetDirectoryOffset(pe.PEHeaders.CorHeader!.ResourcesDirectory, out int directory).Should().BeTrue();
        return directory + (int)resource.Offset;
    }

    /// <summary>The file offset of the first debug directory entry that points at data.</summary>
    private static int DebugEntryWithData(byte[] b)
    {
        using var pe = new PEReader(new MemoryStream(b.ToArray()));
        var table = pe.PEHeaders.PEHeader!.DebugTableDirectory;
        pe.PEHeaders.TryGetDirectoryOffset(table, out int directory).Should().BeTrue();
        for (int at = directory; at + 28 <= directory + table.Size; at += 28)
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 24)) != 0) return at;
        throw new InvalidOperationException("no debug entry with data");
    }
}
