namespace Preflight.Findings;

/// <summary>
/// Where a finding sits: a path relative to the package root with <c>/</c> separators. An entry inside a
/// nested archive is written with <c>!/</c> (<c>lib/plugins.zip!/conf/plugin.ini</c>). Lines and columns
/// are 1-based; whole-file and binary findings have none.
/// </summary>
/// <param name="Path">Path relative to the package root; the empty string means the package itself.</param>
/// <param name="Line">1-based line, or null for whole-file and binary findings.</param>
/// <param name="Column">1-based column, or null.</param>
public sealed record Location(string Path, int? Line = null, int? Column = null)
{
    /// <summary>The separator written between an archive's path and the path of an entry inside it.</summary>
    public const string NestedSeparator = "!/";

    /// <summary>The location of the package as a whole.</summary>
    public static Location Package { get; } = new(string.Empty);

    /// <inheritdoc />
    public override string ToString() =>
        Line is null ? Path : Column is null ? $"{Path}:{Line}" : $"{Path}:{Line}:{Column}";
}
