using System.Text.Json;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NUnit.Framework;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors;
using Preflight.Detectors.Credentials;
using Preflight.Detectors.Endpoints;
using Preflight.Detectors.ScheduledTasks;
using Preflight.Tests.Detectors.Credentials;

namespace Preflight.Tests.Hostile;

/// <summary>
/// The module index lets the assembly walks of the credentials, endpoints and scheduled-tasks detectors skip what
/// cannot hold anything. It may only ever skip what Cecil would have found empty: these tests hold its every answer
/// against Cecil's on real assemblies (the runtime's, the test dependencies', ones compiled here), and the detectors'
/// reports with the index against their reports without it, on those and on thousands of damaged assemblies.
/// </summary>
public class ModuleIndexTests
{
    /// <summary>Assemblies of the runtime and of the test's dependencies, of several compilers and styles.</summary>
    private static readonly string[] RealAssemblies =
    [
        "System.Private.CoreLib.dll", "System.Net.Http.dll", "System.Text.Json.dll", "System.Private.Xml.dll", "System.Linq.Expressions.dll",
        "System.Collections.Concurrent.dll", "Microsoft.CSharp.dll", "System.Runtime.dll", "System.Security.Cryptography.dll",
        "Mono.Cecil.dll", "nunit.framework.dll", "FluentAssertions.dll", "BouncyCastle.Cryptography.dll",
    ];

    private static string PathOf(string fileName) =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).First(p => Path.GetFileName(p) == fileName);

    public static IEnumerable<string> Real() => RealAssemblies;

    /// <summary>A plugin holding everything the three detectors look for in an assembly, in bodies of every shape.</summary>
    private const string PluginSource = """
        using System;
        namespace Hangfire { public static class RecurringJob { public static void AddOrUpdate(string id, Action job, string cron) { } } }
        namespace Microsoft.Azure.WebJobs { [AttributeUsage(AttributeTargets.Parameter)] public sealed class TimerTriggerAttribute(string schedule) : Attribute { public string Schedule { get; } = schedule; } }
        namespace Acme
        {
            [AttributeUsage(AttributeTargets.All)]
            public sealed class EndpointAttribute(string url) : Attribute { public string Url { get; } = url; public string ApiToken { get; set; } = ""; }
            [Endpoint("https://api.acme-upgrade.example.com/v2")]
            public class Settings
            {
                public const string DatabasePassword = "Zq8#mW2!vR9xLp4t";
                public const string Webhook = "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx";
                public static string Log = "";
                public string Password { get; set; } = "";
                [Endpoint("http://203.0.113.77:8080/", ApiToken = "tok_9fK2mQ7xZ1pL8vR3")]
                public string Mirror = "";
                public void Load(int mode)
                {
                    try
                    {
                        switch (mode)
                        {
                            case 0: Password = "N0t-a-Placeh0lder!x"; break;
                            case 1: Mirror = "http://files.acme-mirror.example.org/pkg"; break;
                            case 2: Mirror = "postgres://admin:S3cr3tPassw0rd@db.internal:5432/app"; break;
                        }
                    }
                    catch (InvalidOperationException ex) when (ex.Message.Length > 3) { Mirror = "http://169.254.169.254/latest/meta-data/"; }
                    finally { Log = "done"; }
                }
                public static int Sum(int[] values) { int s = 0; foreach (var v in values) s += v; return s; }
                public static void Schedule() => Hangfire.RecurringJob.AddOrUpdate("nightly", () => Log = "x", "15 2 * * *");
                public static void Run([Microsoft.Azure.WebJobs.TimerTrigger("0 */5 * * * *")] object timer) { }
            }
        }
        """;

    private static readonly Lazy<byte[]> Plugin = new(() => CredentialCorpus.Compile("Acme.Upgrade", PluginSource));

    private static ModuleDefinition Read(byte[] bytes) => new EntryContent("lib/x.dll", bytes, ContentKind.DotNetAssembly).Module
        ?? throw new InvalidOperationException("Cecil could not read the assembly");

    [TestCaseSource(nameof(Real))]
    public void Every_answer_of_the_index_agrees_with_Cecil(string fileName)
    {
        var bytes = File.ReadAllBytes(PathOf(fileName));
        Agree(bytes);
    }

    [Test]
    public void The_module_is_read_from_the_entry_s_own_buffer_and_not_past_its_length()
    {
        // An entry's bytes sit at the start of a larger pooled buffer whose rest is stale: the precheck, the index and
        // Cecil must read the image in place (no copy) and never look past its length.
        var image = File.ReadAllBytes(PathOf("Mono.Cecil.dll"));
        var pooled = new byte[image.Length + 1_000_000];
        image.CopyTo(pooled, 0);
        pooled.AsSpan(image.Length).Fill(0xCD);
        using var inPlace = new EntryContent("lib/Mono.Cecil.dll", pooled.AsMemory(0, image.Length), ContentKind.DotNetAssembly);
        using var copied = new EntryContent("lib/Mono.Cecil.dll", image, ContentKind.DotNetAssembly);

        inPlace.Module.Should().NotBeNull(inPlace.ModuleError);
        inPlace.ModuleImage!.Value.Array.Should().BeSameAs(pooled);
        inPlace.ModuleImage.Value.Length.Should().Be(image.Length);
        inPlace.Module!.GetTypes().Select(t => t.FullName).Should().Equal(copied.Module!.GetTypes().Select(t => t.FullName));
        ModuleIndex.For(inPlace).Should().NotBeNull();

        // Cut short, the same buffer is refused by the precheck: it measures the image, not the array.
        using var cut = new EntryContent("lib/Mono.Cecil.dll", pooled.AsMemory(0, image.Length / 2), ContentKind.DotNetAssembly);
        cut.Module.Should().BeNull();
        cut.ModuleError.Should().Contain("malformed");
    }

    [Test]
    public void Every_answer_of_the_index_agrees_with_Cecil_on_a_plugin_compiled_here() => Agree(Plugin.Value);

    private static void Agree(byte[] bytes)
    {
        var content = new EntryContent("lib/x.dll", bytes, ContentKind.DotNetAssembly);
        var module = content.Module!;
        module.Should().NotBeNull();
        var index = ModuleIndex.For(content)!;
        index.Should().NotBeNull();
        int bodies = 0, skipped = 0;
        if (module.Assembly is { } assembly) Attributes(assembly);
        foreach (var type in module.GetTypes())
        {
            Attributes(type);
            foreach (var field in type.Fields)
            {
                Attributes(field);
                if (!index.MayHaveConstant(field)) field.HasConstant.Should().BeFalse($"{field} has a constant");
            }
            foreach (var property in type.Properties) Attributes(property);
            foreach (var method in type.Methods)
            {
                Attributes(method);
                foreach (var parameter in method.Parameters) Attributes(parameter);
                if (!method.HasBody) continue;
                bodies++;
                bool regular = index.ReadsRegularly(method), mayHold = index.MayHoldString(method);
                MethodBody body;
                try
                {
                    body = method.Body;
                }
                catch (Exception ex) when (CecilFailures.IsMalformedMetadata(ex))
                {
                    regular.Should().BeFalse($"Cecil throws {ex.GetType().Name} on the body of {method}");
                    continue;
                }
                var loads = body.Instructions.Where(static i => i.OpCode.Code == Code.Ldstr).Select(static i => (string)i.Operand).ToList();
                bool holds = loads.Count > 0;
                if (!mayHold) { holds.Should().BeFalse($"{method} loads a string"); skipped++; }
                if (!regular) continue;
                mayHold.Should().Be(holds, $"{method} {(holds ? "loads" : "loads no")} string");
                // The strings the index reads for a body are Cecil's, in order.
                var read = new List<string>();
                index.MayYield(method, s => { read.Add(s); return false; }).Should().BeFalse();
                read.Should().Equal(loads, $"the index reads the strings {method} loads");
            }
        }
        if (bodies > 100) skipped.Should().BeGreaterThan(bodies / 3, "most method bodies load no string, and the index must say so");
        if (module.GetTypes().Count(t => t.HasCustomAttributes) > 100)
            module.GetTypes().Count(t => t.HasCustomAttributes && !index.MayHaveStringAttributes(t)).Should().BeGreaterThan(0,
                "nullable and compiler-generated markers hold no string, and the index must say so");

        void Attributes(ICustomAttributeProvider provider)
        {
            if (!index.MayHaveAttributes(provider)) provider.HasCustomAttributes.Should().BeFalse($"{provider} has attributes");
            if (index.MayHaveStringAttributes(provider)) return;
            foreach (var attribute in provider.CustomAttributes)
            {
                var values = attribute.ConstructorArguments.Concat(attribute.Properties.Select(static p => p.Argument))
                    .Concat(attribute.Fields.Select(static f => f.Argument));
                values.Should().NotContain(static a => a.Value is string, $"an attribute of {provider} holds a string");
            }
        }
    }

    [TestCaseSource(nameof(Real))]
    public void The_credential_walk_reads_the_same_strings_with_the_index_as_without(string fileName)
    {
        var bytes = File.ReadAllBytes(PathOf(fileName));
        var content = new EntryContent("lib/x.dll", bytes, ContentKind.DotNetAssembly);
        var with = AssemblyStrings.Read(content.Module!, ModuleIndex.For(content)!).ToList();
        var without = AssemblyStrings.Read(Read(bytes)).ToList();
        with.Should().Equal(without);
    }

    [Test]
    public void The_three_detectors_report_the_same_on_the_plugin_with_the_index_as_without()
    {
        var with = Scan(Plugin.Value, useIndex: true);
        // The plugin really exercises every detector: a credential, a public endpoint, a schedule.
        with.Should().Contain("PF390").And.Contain("PF318").And.Contain("acme-upgrade.example.com").And.Contain("15 2 * * *").And.Contain("0 */5 * * * *");
        with.Should().Be(Scan(Plugin.Value, useIndex: false));
    }

    [TestCase("System.Net.Http.dll")]
    [TestCase("System.Private.Xml.dll")]
    [TestCase("Mono.Cecil.dll")]
    public void The_three_detectors_report_the_same_on_a_real_assembly_with_the_index_as_without(string fileName)
    {
        var bytes = File.ReadAllBytes(PathOf(fileName));
        Scan(bytes, useIndex: true).Should().Be(Scan(bytes, useIndex: false));
    }

    /// <summary>
    /// Damaged assemblies: one to three bytes of the plugin overwritten, thousands of times over (seeded). Whatever Cecil makes
    /// of each (a finding, a partial read, a fall back to printable strings, nothing), the reports with and without the
    /// index must be the same, diagnostics included: the index only skips what Cecil reads without failing.
    /// </summary>
    [Test]
    public void The_three_detectors_report_the_same_with_the_index_as_without_on_damaged_assemblies()
    {
        var pristine = Plugin.Value;
        // Seed 21 reaches (at mutant 7964) a damaged parameter row that Cecil throws on when a body names its method
        // (a failure the index must not move); other seeds, run locally, reached the other kinds of damage it guards.
        var random = new Random(21);
        int read = 0;
        for (int i = 0; i < 8000; i++)
        {
            var bytes = (byte[])pristine.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            if (MetadataPrecheck.Check(bytes) is not null) continue;
            read++;
            Scan(bytes, useIndex: true).Should().Be(Scan(bytes, useIndex: false), $"mutant {i} must be reported the same");
        }
        read.Should().BeGreaterThan(3000, "most mutants still pass the precheck, so that the comparison means something");
    }

    /// <summary>Runs credentials, endpoints and scheduled-tasks on one entry, as the pipeline does; the report as JSON.</summary>
    private static string Scan(byte[] bytes, bool useIndex)
    {
        const string Path = "lib/Acme.Upgrade.dll";
        var state = new ScanState(ScanOptions.Default with { AsOf = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero) }, CancellationToken.None);
        var info = new EntryInfo(Path, "Acme.Upgrade.dll", bytes.Length, ContentKind.DotNetAssembly, 0);
        var content = new EntryContent(Path, bytes, ContentKind.DotNetAssembly);
        if (!useIndex) ModuleIndex.Suppress(content);
        IDetector[] detectors = [new CredentialsDetector(), new EndpointsDetector(), new ScheduledTasksDetector()];
        foreach (var detector in detectors)
            if (detector.Wants(info)) detector.Analyze(new EntryContext(state, info, content));
        foreach (var detector in detectors) detector.Complete(new DetectorContext(state));
        var report = new
        {
            Findings = state.Findings.Select(f => JsonSerializer.Serialize(f)).Order(StringComparer.Ordinal).ToList(),
            Diagnostics = state.Diagnostics.Select(d => $"{d.Path}: {d.Message}").Order(StringComparer.Ordinal).ToList(),
            Inventory = JsonSerializer.Serialize(state.Inventory.Build()),
        };
        return JsonSerializer.Serialize(report);
    }
}
