using FluentAssertions;
using NUnit.Framework;
using Preflight.Cli;

namespace Preflight.Tests.Cli;

/// <summary>The report file is written all or nothing, and running out of memory says so.</summary>
public class ReportFileTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("pf-report-file-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    [Test]
    public async Task A_complete_report_replaces_the_previous_file_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir.FullName, "report.json");
        await File.WriteAllTextAsync(path, "previous");

        await ReportOutput.WriteFileAsync(path, "report.json", async s => await s.WriteAsync("{\"new\":true}\n"u8.ToArray()));

        (await File.ReadAllTextAsync(path)).Should().Be("{\"new\":true}\n");
        _dir.GetFiles().Select(f => f.Name).Should().Equal("report.json");
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task A_report_to_a_device_is_written_in_place_and_leaves_the_device_and_links_to_it_as_they_were()
    {
        ReportOutput.IsDevice("/dev/null").Should().BeTrue();
        ReportOutput.IsDevice("/dev/stdout").Should().BeTrue();
        ReportOutput.IsDevice("/proc/self/fd/1").Should().BeTrue();
        ReportOutput.IsDevice(Path.Combine(_dir.FullName, "report.json")).Should().BeFalse();

        // A link to /dev/null: the old way (a temporary file moved over the target) replaced the link with a file,
        // as it replaced /dev/null itself when given /dev/null.
        var link = Path.Combine(_dir.FullName, "discard.json");
        File.CreateSymbolicLink(link, "/dev/null");
        ReportOutput.IsDevice(link).Should().BeTrue();

        await ReportOutput.WriteFileAsync(link, "discard.json", async s => await s.WriteAsync("{\"new\":true}\n"u8.ToArray()));

        new FileInfo(link).LinkTarget.Should().Be("/dev/null");
        _dir.GetFileSystemInfos().Select(f => f.Name).Should().Equal("discard.json");
        new FileInfo("/dev/null").Length.Should().Be(0);
    }

    [Test]
    public async Task A_write_that_breaks_off_keeps_the_previous_report_and_removes_the_partial_one()
    {
        var path = Path.Combine(_dir.FullName, "report.json");
        await File.WriteAllTextAsync(path, "previous");

        var act = () => ReportOutput.WriteFileAsync(path, "report.json", async s =>
        {
            await s.WriteAsync("{\"findings\": [ {\"ruleId\":"u8.ToArray());
            throw new OutOfMemoryException();
        });

        await act.Should().ThrowAsync<OutOfMemoryException>();
        (await File.ReadAllTextAsync(path)).Should().Be("previous");
        _dir.GetFiles().Select(f => f.Name).Should().Equal("report.json");
    }

    [Test]
    public async Task A_write_that_breaks_off_before_any_report_existed_leaves_nothing()
    {
        var path = Path.Combine(_dir.FullName, "report.json");

        var act = () => ReportOutput.WriteFileAsync(path, "report.json", _ => throw new IOException("No space left on device"));

        await act.Should().ThrowAsync<IOException>();
        _dir.GetFiles().Should().BeEmpty();
    }

    [Test]
    public async Task Running_out_of_memory_exits_3_with_one_line_that_says_what_to_change()
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, OutIsTerminal: false, _ => null);

        int code = await CliErrors.GuardAsync(console, verbose: false, () => throw new OutOfMemoryException());

        code.Should().Be(ExitCodes.Unreadable);
        var line = stderr.ToString().TrimEnd('\n');
        line.Should().StartWith("preflight: error: the scan ran out of memory").And.NotContain("\n");
        line.Should().Contain("DOTNET_GCHeapHardLimit").And.Contain("limits.maxAnalyzedEntryBytes").And.Contain("MiB)");
    }
}
