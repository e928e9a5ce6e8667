namespace Preflight.Reporting;

/// <summary>
/// How a report is written. The writers never look at the console or the environment: the caller (the CLI)
/// decides, for instance, whether colour is wanted from the terminal and <c>NO_COLOR</c>.
/// </summary>
public sealed record ReportWriterOptions
{
    /// <summary>The defaults: no colour, the standard row cap.</summary>
    public static ReportWriterOptions Default { get; } = new();

    /// <summary>Text format only: emit ANSI colour escapes. Off by default.</summary>
    public bool UseColor { get; init; }

    /// <summary>
    /// Markdown format only: at most this many rows per table, so a pull-request comment stays within the
    /// service's size limit; the rest is counted in a note. Default 200.
    /// </summary>
    public int MaxTableRows { get; init; } = 200;
}
