using System.Globalization;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>Short English descriptions of five-field cron expressions, for the inventory.</summary>
internal static class CronDescription
{
    public static string Describe(string expression, bool orsDays)
    {
        if (expression.StartsWith('@'))
        {
            var expanded = CronSchedule.ExpandMacro(expression);
            return expanded is null ? expression : $"{expression[1..]} ({Describe(expanded, orsDays: false)})";
        }
        var f = expression.Split(' ');
        if (f.Length != 5) return expression;
        string time = (IsNumber(f[0]), IsNumber(f[1])) switch
        {
            (true, true) => $"at {int.Parse(f[1], CultureInfo.InvariantCulture):D2}:{int.Parse(f[0], CultureInfo.InvariantCulture):D2}",
            (true, false) when f[1] == "*" => $"at minute {f[0]} of every hour",
            _ => $"at minute {f[0]} past hour {f[1]}",
        };
        if (f[0] == "*" && f[1] == "*") time = "every minute";
        else if (f[0].StartsWith("*/", StringComparison.Ordinal) && f[1] == "*") time = $"every {f[0][2..]} minutes";
        var days = new List<string>();
        if (f[2] != "*" && f[4] != "*" && orsDays) days.Add($"on day-of-month {f[2]} OR on day-of-week {f[4]}");
        else
        {
            if (f[2] != "*") days.Add($"on day-of-month {f[2]}");
            if (f[4] != "*") days.Add($"on day-of-week {f[4]}");
        }
        if (f[3] != "*") days.Add($"in month {f[3]}");
        if (days.Count == 0) days.Add("every day");
        return time + " " + string.Join(", ", days);
    }

    private static bool IsNumber(string s) => s.Length is > 0 and <= 2 && s.All(char.IsAsciiDigit);
}
