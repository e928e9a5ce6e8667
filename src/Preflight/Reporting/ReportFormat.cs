namespace Preflight.Reporting;

/// <summary>The output formats of a <see cref="ScanReport"/>.</summary>
public enum ReportFormat
{
    /// <summary>Human-readable text for a terminal, grouped by severity; ANSI colour on request.</summary>
    Text = 0,

    /// <summary>The JSON report: the contract other tools parse (see <see cref="ScanReportJson"/>).</summary>
    Json = 1,

    /// <summary>SARIF 2.1.0 for code-scanning services.</summary>
    Sarif = 2,

    /// <summary>GitHub-flavoured Markdown for a pull-request comment.</summary>
    Markdown = 3,
}

/// <summary>Names of <see cref="ReportFormat"/> values as the command line writes them.</summary>
public static class ReportFormats
{
    /// <summary>Every format's name, in declaration order: <c>text</c>, <c>json</c>, <c>sarif</c>, <c>markdown</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["text", "json", "sarif", "markdown"];

    /// <summary>The lower-case name of <paramref name="format"/>.</summary>
    public static string ToName(this ReportFormat format) => format switch
    {
        ReportFormat.Text => "text",
        ReportFormat.Json => "json",
        ReportFormat.Sarif => "sarif",
        ReportFormat.Markdown => "markdown",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown report format"),
    };

    /// <summary>Parses a format name (case-insensitive; <c>md</c> is accepted for Markdown).</summary>
    public static bool TryParse(string? text, out ReportFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "text": format = ReportFormat.Text; return true;
            case "json": format = ReportFormat.Json; return true;
            case "sarif": format = ReportFormat.Sarif; return true;
            case "markdown" or "md": format = ReportFormat.Markdown; return true;
            default: format = default; return false;
        }
    }

    /// <summary>The usual file extension of a format, with the dot.</summary>
    public static string FileExtension(this ReportFormat format) => format switch
    {
        ReportFormat.Text => ".txt",
        ReportFormat.Json => ".json",
        ReportFormat.Sarif => ".sarif",
        ReportFormat.Markdown => ".md",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown report format"),
    };
}
