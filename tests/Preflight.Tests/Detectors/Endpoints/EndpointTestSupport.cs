using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Preflight.Configuration;

namespace Preflight.Tests.Detectors.Endpoints;

internal static class EndpointTestSupport
{
    public static ScanOptions Options(params string[] allow) => ScanOptions.Default with
    {
        AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
        EnabledDetectors = new HashSet<string>(["endpoints"], StringComparer.Ordinal),
        EndpointAllowlist = allow,
        MaxDegreeOfParallelism = 2,
    };

    /// <summary>A native-looking binary: an ELF header, padding, and the strings as a C compiler would store them.</summary>
    public static byte[] Binary(params string[] strings)
    {
        var ms = new MemoryStream();
        ms.Write([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]);
        ms.Write(new byte[56]);
        foreach (var s in strings)
        {
            ms.Write(Encoding.ASCII.GetBytes(s));
            ms.Write(new byte[] { 0, 0, 1, 2, 0 });
        }
        return ms.ToArray();
    }

    /// <summary>Compiles C# into an assembly's bytes (never loaded; Preflight reads it with Cecil).</summary>
    public static byte[] Compile(string source, string name)
    {
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "System.Net.Http.dll" or "netstandard.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)], refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var ms = new MemoryStream();
        var result = compilation.Emit(ms);
        if (!result.Success) throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return ms.ToArray();
    }

    public const string AgentAssemblySource = """
        using System;
        [assembly: System.Reflection.AssemblyFileVersion("2.0.0.1")]
        namespace Acme.Client
        {
            public class Uploader
            {
                public const string Endpoint = "https://upload.acme-storage.com/v2";
                public string Put() { return "http://ftp-gw.acme-storage.com/put"; }
                public string Events() { return "ws://events.acme-realtime.com/socket"; }
                public string Ip() { return "185.199.108.153"; }
                public string Meta() { return "http://[fd00:ec2::254]/latest/meta-data/"; }
                public string Schema() { return "http://www.w3.org/2001/XMLSchema"; }
            }
            [AttributeUsage(AttributeTargets.All)]
            public sealed class ServiceAttribute : Attribute { public ServiceAttribute(string url) { Url = url; } public string Url { get; } }
            [Service("https://registry.acme-services.com/discover")]
            public class Discovery { }
        }
        """;

    public static readonly string[] AgentBinaryStrings =
    [
        "GLIBC_2.34", "https://telemetry.acme-agent.com/v1/collect", "54.239.28.85", "1.2.3", "2130706433", "fe80::1", "::1",
        "http://www.w3.org/2000/svg", "Usage: acme-agent [--verbose]",
    ];
}
