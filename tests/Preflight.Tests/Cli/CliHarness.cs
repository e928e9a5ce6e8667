using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Preflight.Cli;

namespace Preflight.Tests.Cli;

/// <summary>What one run of <c>preflight</c> gave back.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real CLI entry point: in-process through <see cref="PreflightCli.RunAsync"/> with captured output
/// (what <c>Main</c> calls), or as a child process of the built <c>Preflight.Cli.dll</c>.
/// </summary>
internal static class CliHarness
{
    public static async Task<CliResult> RunAsync(string[] args, bool terminal = false, IReadOnlyDictionary<string, string>? environment = null,
        Func<CliConsole, CliConsole>? configure = null)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var console = new CliConsole(stdout, stderr, terminal, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null);
        if (configure is not null) console = configure(console);
        int code = await PreflightCli.RunAsync(args, console);
        return new CliResult(code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, terminal: false);

    /// <summary>Runs <c>dotnet Preflight.Cli.dll args</c> (built beside the tests) and waits for it.</summary>
    public static async Task<CliResult> RunProcessAsync(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Preflight.Cli.dll");
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("NO_COLOR");
        return await RunToEndAsync(start, TimeSpan.FromMinutes(2));
    }

    /// <summary>The dotnet host running the tests.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static async Task<CliResult> RunToEndAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A temporary folder with small packages built for the test; deleted on dispose.</summary>
internal sealed class Workspace : IDisposable
{
    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory("pf-cli-");

    public string PathOf(string name) => System.IO.Path.Combine(Root.FullName, name);

    /// <summary>A zip of harmless text files: no finding at all.</summary>
    public string CleanZip(string name = "clean.zip")
    {
        string path = PathOf(name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, text) in new[] { ("etc/app.ini", "[app]\nname = demo\n"), ("README.txt", "Upgrade notes.\n") })
        {
            using var s = zip.CreateEntry(entry).Open();
            s.Write(Encoding.UTF8.GetBytes(text));
        }
        return path;
    }

    /// <summary>A tar holding a file and a symbolic link to /etc/shadow: a high PF006 finding.</summary>
    public string TarWithShadowLink(string name = "link.tar")
    {
        string path = PathOf(name);
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: false);
        var data = new UstarTarEntry(TarEntryType.RegularFile, "opt/app/app.conf")
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes("port = 8080\n")),
        };
        tar.WriteEntry(data);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "opt/app/shadow") { LinkName = "/etc/shadow" });
        return path;
    }

    /// <summary>A file that is no package at all.</summary>
    public string PlainFile(string name = "notes.txt")
    {
        string path = PathOf(name);
        File.WriteAllText(path, "These are just notes, not a package.\n");
        return path;
    }

    public void Dispose() => Root.Delete(recursive: true);
}
