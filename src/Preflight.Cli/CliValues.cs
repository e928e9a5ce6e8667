using System.Globalization;
using Preflight.Findings;

namespace Preflight.Cli;

/// <summary>Parsing of option values whose syntax the CLI fixes: <c>--as-of</c> and <c>--fail-on</c>.</summary>
internal static class CliValues
{
    /// <summary>The values <c>--fail-on</c> accepts, lowest first.</summary>
    public static readonly string[] FailOnNames = ["info", "low", "medium", "high", "critical", "none"];

    private static readonly string[] DateTimeFormats = BuildDateTimeFormats();

    /// <summary>
    /// Parses an ISO 8601 date (<c>2026-11-27</c>, meaning 00:00 UTC) or date-time (<c>2026-11-27T08:30:00Z</c>,
    /// <c>2026-11-27T08:30+01:00</c>; no offset means UTC). The result is in UTC.
    /// </summary>
    public static bool TryParseAsOf(string text, out DateTimeOffset value)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParseExact(text.Trim(), DateTimeFormats, CultureInfo.InvariantCulture, styles, out var parsed))
        {
            value = parsed.ToUniversalTime();
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>Parses a <c>--fail-on</c> value; <c>none</c> gives null (never fail).</summary>
    public static bool TryParseFailOn(string text, out Severity? value)
    {
        if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            value = null;
            return true;
        }
        if (SeverityNames.TryParse(text, out var severity))
        {
            value = severity;
            return true;
        }
        value = null;
        return false;
    }

    private static string[] BuildDateTimeFormats()
    {
        string[] times = ["", "'T'HH:mm", "'T'HH:mm:ss", "'T'HH:mm:ss.FFFFFFF"];
        var formats = new List<string>();
        foreach (var time in times)
        {
            formats.Add("yyyy-MM-dd" + time);
            if (time.Length == 0) continue;
            formats.Add("yyyy-MM-dd" + time + "'Z'");
            formats.Add("yyyy-MM-dd" + time + "zzz");
        }
        return [.. formats];
    }
}
