using System.Globalization;

namespace Preflight.Configuration;

/// <summary>
/// The time span in which the upgrade runs. Scheduled tasks that fire inside it collide with the upgrade.
/// </summary>
/// <param name="Start">When the window opens.</param>
/// <param name="Duration">How long it stays open; positive.</param>
public sealed record MaintenanceWindow(DateTimeOffset Start, TimeSpan Duration)
{
    /// <summary>When the window closes (exclusive).</summary>
    public DateTimeOffset End => Start + Duration;

    /// <summary>True when <paramref name="time"/> lies in [Start, End).</summary>
    public bool Contains(DateTimeOffset time) => time >= Start && time < End;

    /// <summary>
    /// Parses an ISO 8601 time interval: <c>START/DURATION</c> (<c>2026-11-28T02:00Z/PT1H</c>) or
    /// <c>START/END</c> (<c>2026-11-28T02:00Z/2026-11-28T03:00Z</c>). A start without an offset is taken as UTC.
    /// Durations take weeks, days, hours, minutes and seconds (<c>P1DT2H30M</c>, <c>PT90M</c>, <c>P1W</c>).
    /// </summary>
    public static bool TryParse(string? text, out MaintenanceWindow? window)
    {
        window = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Trim().Split('/');
        if (parts.Length != 2 || !TryParseInstant(parts[0], out var start)) return false;
        TimeSpan duration;
        if (parts[1].StartsWith('P') || parts[1].StartsWith('p'))
        {
            if (!TryParseDuration(parts[1], out duration)) return false;
        }
        else
        {
            if (!TryParseInstant(parts[1], out var end)) return false;
            duration = end - start;
        }
        if (duration <= TimeSpan.Zero) return false;
        window = new MaintenanceWindow(start, duration);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/> and throws <see cref="FormatException"/> on bad input.</summary>
    public static MaintenanceWindow Parse(string text) =>
        TryParse(text, out var window) ? window! : throw new FormatException("expected an ISO 8601 interval such as 2026-11-28T02:00Z/PT1H");

    /// <inheritdoc />
    public override string ToString() =>
        (Start.Offset == TimeSpan.Zero ? Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : Start.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)) + "/" + System.Xml.XmlConvert.ToString(Duration);

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HHmmK", "yyyyMMdd'T'HHmmK", "yyyyMMdd'T'HHmmssK",
    ];

    private static bool TryParseInstant(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text.Trim(), InstantFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>Parses <c>P[nW][nD][T[nH][nM][n[.n]S]]</c>; years and months are refused (their length varies).</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim().ToUpperInvariant();
        if (s.Length < 2 || s[0] != 'P') return false;
        bool inTime = false, any = false;
        int i = 1;
        while (i < s.Length)
        {
            if (s[i] == 'T')
            {
                if (inTime) return false;
                inTime = true;
                i++;
                continue;
            }
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] is '.' or ',')) i++;
            if (i == start || i >= s.Length) return false;
            if (!double.TryParse(s.AsSpan(start, i - start).ToString().Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
            char unit = s[i++];
            TimeSpan part;
            switch (unit)
            {
                case 'W' when !inTime: part = TimeSpan.FromDays(7 * n); break;
                case 'D' when !inTime: part = TimeSpan.FromDays(n); break;
                case 'H' when inTime: part = TimeSpan.FromHours(n); break;
                case 'M' when inTime: part = TimeSpan.FromMinutes(n); break;
                case 'S' when inTime: part = TimeSpan.FromSeconds(n); break;
                default: return false;
            }
            duration += part;
            any = true;
        }
        return any;
    }
}
