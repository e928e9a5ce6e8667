using System.Formats.Tar;
using System.Text;
using FilterFindings;
using FluentAssertions;
using NUnit.Framework;

namespace Preflight.Tests.Api;

/// <summary>The sample in samples/FilterFindings does what docs/library.md says it does.</summary>
public class FilterFindingsSampleTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void Create_folder() => _dir = Directory.CreateTempSubdirectory("pf-sample-");

    [TearDown]
    public void Remove_folder() => _dir.Delete(recursive: true);

    /// <summary>A tar with an AWS key (high, credentials) and a link to /etc/shadow (high, package).</summary>
    private string Package(bool withKey)
    {
        string path = Path.Combine(_dir.FullName, "app.tar");
        using var tar = new TarWriter(File.Create(path), TarEntryFormat.Ustar, leaveOpen: false);
        string text = withKey ? "[default]\naws_access_key_id = AKIAQ3EGRZJ7VXK5TW2N\n" : "[default]\nregion = eu-west-1\n";
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "etc/aws.ini") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "opt/app/shadow") { LinkName = "/etc/shadow" });
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await FindingFilter.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Test]
    public async Task Sample_prints_only_the_high_credentials_findings_redacted()
    {
        var (code, output, _) = await RunAsync(Package(withKey: true));

        code.Should().Be(1);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        lines[0].Should().StartWith("high     PF301 etc/aws.ini:2:21 ").And.NotContain("AKIAQ3EGRZJ7VXK5TW2N");
        lines[1].Should().MatchRegex(@"^1 of \d+ finding\(s\) shown \(credentials, high and above\)\.$");
        output.Should().NotContain("PF006", "the shadow link is high but no credential");
    }

    [Test]
    public async Task Sample_filters_another_detector_when_asked()
    {
        var (code, output, _) = await RunAsync(Package(withKey: true), "package", "high");

        code.Should().Be(1);
        output.Should().Contain("PF006").And.NotContain("PF301");
    }

    [Test]
    public async Task Sample_exits_0_when_nothing_matches_and_2_on_bad_arguments()
    {
        (await RunAsync(Package(withKey: false))).Code.Should().Be(0);
        (await RunAsync()).Code.Should().Be(2);
        (await RunAsync(Package(withKey: false), "credentials", "severe")).Error.Should().Contain("unknown severity 'severe'");
        (await RunAsync(Path.Combine(_dir.FullName, "absent.zip"))).Code.Should().Be(2);
    }
}
