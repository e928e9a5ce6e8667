using FluentAssertions;
using NUnit.Framework;

namespace Preflight.Tests.Detectors.Endpoints;

/// <summary>
/// Attribute arguments are read from metadata; an attribute whose constructor takes an enum declared in another
/// assembly is skipped before Cecil is asked (it would need that assembly to decode the blob, and throws).
/// </summary>
public class AttributeArgumentTests
{
    private const string Source = """
        namespace Acme
        {
            public enum Mode { Pull, Push }
            [System.AttributeUsage(System.AttributeTargets.All)]
            public sealed class FeedAttribute : System.Attribute { public FeedAttribute(Mode mode, string url) { } }
            [System.AttributeUsage(System.AttributeTargets.All)]
            public sealed class TargetedAttribute : System.Attribute { public TargetedAttribute(System.AttributeTargets on, string url) { } }

            [Feed(Mode.Push, "https://feed.acme-partner.io/in")]
            [Targeted(System.AttributeTargets.Class, "https://other.acme-partner.io/in")]
            public class Client { }
        }
        """;

    [Test]
    public async Task An_attribute_with_an_enum_of_its_own_module_is_read_and_one_with_an_outside_enum_is_skipped()
    {
        var dir = Directory.CreateTempSubdirectory("pf-attr-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "Acme.Feeds.dll"), EndpointTestSupport.Compile(Source, "Acme.Feeds"));
            var report = await PreflightScanner.ScanAsync(dir.FullName, EndpointTestSupport.Options());
            var hosts = report.Inventory.Endpoints.Select(e => e.Host).ToList();
            hosts.Should().Contain("feed.acme-partner.io");
            // Decoding System.AttributeTargets would need System.Runtime; nothing is resolved from outside the package.
            hosts.Should().NotContain("other.acme-partner.io");
            report.Diagnostics.Should().BeEmpty();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
