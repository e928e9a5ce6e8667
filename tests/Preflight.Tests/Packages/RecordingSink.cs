using Preflight.Configuration;
using Preflight.Findings;
using Preflight.Packages;

namespace Preflight.Tests.Packages;

/// <summary>Records everything the reader hands over, in order.</summary>
internal sealed class RecordingSink : IPackageSink
{
    public List<(string Path, long Size, byte[] Data, int Depth)> Entries { get; } = [];
    public List<PackageIssue> Issues { get; } = [];
    public List<LinkItem> Links { get; } = [];
    public List<ScanDiagnostic> Diagnostics { get; } = [];
    public Func<PackageEntry, ValueTask>? OnEntry { get; init; }

    public IEnumerable<string> Paths => Entries.Select(e => e.Path);

    /// <summary>"PFnnn@path" for every issue, the form the tests compare.</summary>
    public IEnumerable<string> Findings => Issues.Select(i => $"{i.Rule.Id}@{i.Location.Path}");

    /// <summary>Every issue with its message, for failure output.</summary>
    public string Describe() => string.Join("\n", Issues.Select(i => $"{i.Rule.Id}@{i.Location.Path}: {i.Message}").Concat(Diagnostics.Select(d => $"diag {d.Path}: {d.Message}")));

    public string Text(string path) => System.Text.Encoding.UTF8.GetString(Entries.Single(e => e.Path == path).Data);

    public async ValueTask OnEntryAsync(PackageEntry entry, CancellationToken cancellationToken)
    {
        using (entry)
        {
            Entries.Add((entry.Path, entry.Size, entry.Data.ToArray(), entry.Depth));
            if (OnEntry is not null) await OnEntry(entry);
        }
    }

    public void OnIssue(PackageIssue issue) => Issues.Add(issue);

    public void OnLink(LinkItem link) => Links.Add(link);

    public void OnDiagnostic(ScanDiagnostic diagnostic) => Diagnostics.Add(diagnostic);
}

/// <summary>A folder per test for the package files, deleted afterwards.</summary>
internal sealed class Scratch : IDisposable
{
    public Scratch() => Folder = Directory.CreateTempSubdirectory("pf-pkgtest-").FullName;

    public string Folder { get; }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public async Task<RecordingSink> ReadAsync(string name, byte[] bytes, PackageLimits? limits = null, RecordingSink? sink = null, CancellationToken cancellationToken = default)
    {
        sink ??= new RecordingSink();
        await PackageReader.ReadAsync(Write(name, bytes), limits ?? PackageLimits.Default, sink, cancellationToken);
        return sink;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
