using Microsoft.Extensions.FileSystemGlobbing;

namespace Preflight.Configuration;

/// <summary>
/// Matches location paths (<c>etc/app.yaml</c>, <c>lib/plugins.zip!/conf/x.ini</c>) against globs in
/// Microsoft.Extensions.FileSystemGlobbing syntax: <c>*</c> within a folder, <c>**</c> across folders.
/// </summary>
public sealed class PathGlob
{
    private readonly Matcher _matcher = new(StringComparison.Ordinal);

    /// <summary>Creates a matcher for any of <paramref name="globs"/>.</summary>
    public PathGlob(IEnumerable<string> globs)
    {
        ArgumentNullException.ThrowIfNull(globs);
        foreach (var glob in globs)
        {
            _matcher.AddInclude(glob);
            Count++;
        }
    }

    /// <summary>How many globs.</summary>
    public int Count { get; }

    /// <summary>True when <paramref name="path"/> matches any glob.</summary>
    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Count > 0 && _matcher.Match(path).HasMatches;
    }
}
