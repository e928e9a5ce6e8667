using System.IO.Compression;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Preflight.Configuration;

namespace Preflight.Tests.Detectors.Migrations;

/// <summary>
/// Compiles C# in the test with Roslyn (against the real Microsoft.EntityFrameworkCore.Relational the test project
/// references, or against stand-ins compiled the same way) and puts the assemblies into a zip built in the test.
/// </summary>
internal static class CompiledPackage
{
    private static readonly Lazy<MetadataReference[]> Platform = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))]);

    /// <summary>The real EF Core assemblies (and the framework) as references.</summary>
    public static IReadOnlyList<MetadataReference> WithEfCore
    {
        get
        {
            // the test project references Microsoft.EntityFrameworkCore.Relational: make sure both assemblies are loaded and listed
            _ = typeof(Microsoft.EntityFrameworkCore.Migrations.Migration).Assembly.Location;
            _ = typeof(Microsoft.EntityFrameworkCore.DbContext).Assembly.Location;
            return Platform.Value;
        }
    }

    /// <summary>Only the framework: for code compiled against stand-ins given as extra references.</summary>
    public static IReadOnlyList<MetadataReference> FrameworkOnly =>
        [.. Platform.Value.Where(r => r.Display is { } d && !Path.GetFileName(d).StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal))];

    /// <summary>Compiles <paramref name="source"/> into a dll image; fails the test on a compile error.</summary>
    public static byte[] Compile(string assemblyName, string source, IEnumerable<MetadataReference> references)
    {
        var compilation = CSharpCompilation.Create(assemblyName,
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
            throw new InvalidOperationException("the test's C# does not compile:\n" + string.Join('\n', result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return stream.ToArray();
    }

    /// <summary>Writes the entries into a zip and scans it with only the migrations detector.</summary>
    public static async Task<Preflight.Reporting.ScanReport> ScanZip(Dictionary<string, byte[]> entries, ScanOptions? options = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pf-mig-{Guid.NewGuid():N}.zip");
        try
        {
            await using (var file = File.Create(path))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                foreach (var (name, bytes) in entries)
                {
                    var entry = zip.CreateEntry(name);
                    entry.LastWriteTime = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
                    await using var s = entry.Open();
                    await s.WriteAsync(bytes);
                }
            }
            return await PreflightScanner.ScanAsync(path, options ?? MigrationScan.Options);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
