using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>launchd property lists (<c>/Library/LaunchDaemons</c>, <c>LaunchAgents</c>): StartCalendarInterval, StartInterval, RunAtLoad.</summary>
internal static partial class LaunchdPlists
{
    public static bool LooksLikeJob(ReadOnlySpan<char> text) =>
        text.Contains("<plist", StringComparison.Ordinal) && (text.Contains("StartCalendarInterval", StringComparison.Ordinal)
            || text.Contains("StartInterval", StringComparison.Ordinal) || text.Contains("RunAtLoad", StringComparison.Ordinal));

    public static ScheduleFileResult Parse(string path, string text)
    {
        var result = new ScheduleFileResult();
        // Every plist names Apple's DTD; only that external, subset-free declaration is removed before the
        // DTD-prohibiting reader sees the file. Anything else with a DTD is refused as malformed.
        var cleaned = text.Contains("<!DOCTYPE", StringComparison.Ordinal)
            ? AppleDoctype().Replace(text, static m => new string('\n', m.Value.Count(static c => c == '\n')), 1)
            : text;
        XDocument doc;
        try
        {
            doc = Content.SafeXml.Load(cleaned, out var refusal)!;
            if (refusal is not null)
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.MalformedTaskFile, new Location(path), $"the plist was not read: {refusal}", "plist-too-deep"));
                return result;
            }
        }
        catch (XmlException ex)
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.MalformedTaskFile, new Location(path, ex.LineNumber > 0 ? ex.LineNumber : null),
                cleaned.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) ? "the plist declares its own DTD or entities; it was refused unread" : "the plist is not well-formed XML; launchd will refuse it",
                "plist-malformed"));
            return result;
        }
        if (doc.Root?.Element("dict") is not { } dict) return result;
        var values = ReadDict(dict);
        string label = values.TryGetValue("Label", out var l) && l.Element.Value is { Length: > 0 } lv ? lv : path[(path.LastIndexOf('/') + 1)..];
        string? command = values.TryGetValue("ProgramArguments", out var pa) && pa.Element.Name == "array"
            ? string.Join(' ', pa.Element.Elements("string").Select(static e => e.Value))
            : values.TryGetValue("Program", out var p) ? p.Element.Value : null;
        string? user = values.TryGetValue("UserName", out var u) ? u.Element.Value
            : path.Contains("LaunchDaemons", StringComparison.Ordinal) ? "root" : null;

        if (values.TryGetValue("RunAtLoad", out var ral) && ral.Element.Name == "true")
            result.Tasks.Add(new TaskDefinition(At(path, ral.Key), "launchd", "RunAtLoad", $"when loaded (at boot or login) ({label})", command, user, null, null, Boot: true));
        if (values.TryGetValue("StartInterval", out var si))
        {
            if (int.TryParse(si.Element.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
                result.Tasks.Add(new TaskDefinition(At(path, si.Key), "launchd", $"StartInterval {seconds}", $"every {SystemdUnits.Describe(TimeSpan.FromSeconds(seconds))} after it was loaded ({label})", command, user, null, null, false)
                { Period = TimeSpan.FromSeconds(seconds) });
            else
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, At(path, si.Key), $"StartInterval '{si.Element.Value}' is not a positive integer: launchd ignores it", "StartInterval"));
        }
        if (values.TryGetValue("StartCalendarInterval", out var sci))
        {
            var intervals = sci.Element.Name == "array" ? sci.Element.Elements("dict").ToList() : [sci.Element];
            foreach (var interval in intervals)
            {
                var fields = ReadDict(interval).ToDictionary(static kv => kv.Key, static kv => kv.Value.Element.Value, StringComparer.Ordinal);
                string F(string key) => fields.TryGetValue(key, out var v) ? v.Trim() : "*";
                var weekday = F("Weekday");
                string expression = $"{F("Minute")} {F("Hour")} {F("Day")} {F("Month")} {weekday}";
                var location = At(path, interval);
                if (!CronSchedule.TryParse(expression, TimeZoneInfo.Utc, out var schedule, out var error))
                {
                    result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location, $"StartCalendarInterval ({expression}) is invalid ({error}): launchd never fires it", "sci:" + expression));
                    continue;
                }
                result.Tasks.Add(new TaskDefinition(location, "launchd", "StartCalendarInterval " + expression,
                    CronDescription.Describe(expression, schedule!.OrsDays) + $" (local time; UTC assumed) ({label})", command, user, null, schedule, false));
            }
        }
        return result;
    }

    private static Dictionary<string, (XElement Key, XElement Element)> ReadDict(XElement dict)
    {
        var map = new Dictionary<string, (XElement, XElement)>(StringComparer.Ordinal);
        XElement? key = null;
        foreach (var e in dict.Elements())
        {
            if (e.Name == "key") key = e;
            else if (key is not null)
            {
                map[key.Value] = (key, e);
                key = null;
            }
        }
        return map;
    }

    private static Location At(string path, XElement element)
    {
        var info = (IXmlLineInfo)element;
        return info.HasLineInfo() ? new Location(path, info.LineNumber, info.LinePosition) : new Location(path);
    }

    [GeneratedRegex(@"<!DOCTYPE\s+plist\s+PUBLIC\s+""-//Apple//DTD PLIST 1\.0//EN""\s+""http://www\.apple\.com/DTDs/PropertyList-1\.0\.dtd""\s*>", RegexOptions.NonBacktracking)]
    private static partial Regex AppleDoctype();
}
