using System.Text.RegularExpressions;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>
/// Cron expressions in application settings (<c>schedule = */10 * * * *</c> in an ini, YAML, JSON, TOML or
/// properties file): the application or a plugin runs them itself while it runs.
/// </summary>
internal static partial class ConfigSchedules
{
    public static bool IsConfigExtension(string extension) =>
        extension is ".ini" or ".conf" or ".cfg" or ".toml" or ".properties" or ".json" or ".yaml" or ".yml" or ".env";

    private static readonly Content.AsciiWords RelevantWords = new("schedule", "cron");

    public static bool LooksRelevant(ReadOnlySpan<char> text) => RelevantWords.In(text);

    public static ScheduleFileResult Parse(string path, string text, LineIndex lines)
    {
        var result = new ScheduleFileResult();
        foreach (Match m in Setting.Matches(text))
        {
            var value = m.Groups["v"].Value.Trim().TrimEnd(',').Trim().Trim('"', '\'').Trim();
            var fields = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length is < 5 or > 7 || !LooksLikeCron(fields)) continue;
            var (line, column) = lines.Position(m.Groups["v"].Index);
            var location = new Location(path, line, column);
            var key = m.Groups["k"].Value;
            if (!CronosSchedule.TryParse(value, out var schedule))
            {
                result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location,
                    $"the setting '{key}' holds an invalid cron expression '{value}': whatever reads it will not run the job", "setting:" + key + ":" + value, value));
                continue;
            }
            string expression = string.Join(' ', fields);
            string description = fields.Length == 5 ? CronDescription.Describe(expression, orsDays: false) : expression + " (with seconds)";
            result.Tasks.Add(new TaskDefinition(location, "application-setting", expression,
                $"{description}, run by the application itself from setting '{key}' (UTC assumed)", $"setting '{key}' in {path[(path.LastIndexOf('/') + 1)..]}", null, null, schedule, false));
        }
        return result;
    }

    /// <summary>Every field made of cron characters, and at least one <c>*</c> or <c>/</c> so that "1 2 3 4 5" lists are not taken.</summary>
    private static bool LooksLikeCron(string[] fields) =>
        fields.All(static f => f.All(static c => char.IsAsciiLetterOrDigit(c) || c is '*' or '/' or ',' or '-' or '?' or '#'))
        && fields.Any(static f => f.Contains('*', StringComparison.Ordinal) || f.Contains('/', StringComparison.Ordinal));

    // Run on the backtracking engine first, the non-backtracking one past this limit (see Content.TimedRegex): built as a
    // non-backtracking regex this took some 90 ms to build and compile for the first configuration file naming a
    // schedule. The limit is for one search through a whole file.
    private const int PatternLimitMilliseconds = 200;

    [GeneratedRegex(@"(?im)(?:^|[\s{,])[""']?(?<k>[A-Za-z0-9_.\-]*(?:schedule|cron)[A-Za-z0-9_.\-]*)[""']?[ \t]*[:=][ \t]*(?:""(?<v>[^""\r\n]*)""|'(?<v>[^'\r\n]*)'|(?<v>[^\r\n#;""']+))", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex SettingPattern();

    internal static readonly Content.TimedRegex Setting = new(SettingPattern());
}
