using System.Globalization;
using System.Text;

namespace Preflight.Reporting;

/// <summary>Small formatting helpers shared by the writers.</summary>
internal static class ReportText
{
    /// <summary>UTF-8 without a byte order mark.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>ISO 8601 in UTC with a <c>Z</c>, fractional seconds only when present: <c>2026-11-27T00:00:00Z</c>.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a time written by <see cref="Iso"/> (or any ISO 8601 time with an offset).</summary>
    public static DateTimeOffset ParseIso(string text, string field)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        throw new InvalidDataException($"report field '{field}' is not an ISO 8601 time: '{Truncate(text, 40)}'");
    }

    /// <summary>An integer in the invariant culture.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Replaces control characters (C0, DEL, C1, and the bidirectional overrides) by visible <c>\u....</c>
    /// escapes, and line breaks by <c>⏎</c> when <paramref name="keepNewlines"/> is false. Package-provided
    /// strings pass through here before they reach a terminal or a Markdown document.
    /// </summary>
    public static string Visible(string? text, bool keepNewlines = false)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        int i = 0;
        while (i < text.Length && !NeedsEscape(text[i], keepNewlines)) i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsEscape(c, keepNewlines)) sb.Append(c);
            else if (c is '\n' or '\r') sb.Append(c == '\n' ? "⏎" : string.Empty);
            else if (c == '\t') sb.Append(' ');
            else sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c, bool keepNewlines) =>
        c < ' ' ? !(keepNewlines && c == '\n')
        : c == '\u007f' || (c >= '\u0080' && c <= '\u009f')
          || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');

    /// <summary>At most <paramref name="max"/> characters, with <c>…</c> when cut.</summary>
    public static string Truncate(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, Math.Max(0, max - 1)), "…");

    /// <summary>Bytes for people: <c>512 B</c>, <c>12.3 KiB</c>, <c>4.0 MiB</c>.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>The first <paramref name="length"/> hex digits of a SHA-256, or the whole when shorter.</summary>
    public static string ShortHash(string sha256, int length = 12) =>
        sha256.Length <= length ? sha256 : sha256[..length];

    /// <summary>A heading for an inventory section's JSON name.</summary>
    public static string SectionTitle(string section) => section switch
    {
        "serviceUnits" => "Service units",
        "scheduledTasks" => "Scheduled tasks",
        "endpoints" => "Endpoints",
        "credentials" => "Credentials",
        "certificates" => "Certificates",
        "migrations" => "Migrations",
        _ => section,
    };

    /// <summary>The fail-on level as reports write it: a severity name, or <c>none</c>.</summary>
    public static string FailOnName(Findings.Severity? failOn) => failOn is { } level ? Findings.SeverityNames.ToName(level) : "none";

    /// <summary>Singular or plural noun with its count: <c>1 entry</c>, <c>3 entries</c>.</summary>
    public static string Count(int count, string singular, string plural) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural);
}
