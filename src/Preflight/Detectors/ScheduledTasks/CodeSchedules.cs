using System.Globalization;
using Cronos;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Preflight.Content;
using Location = Preflight.Findings.Location;

namespace Preflight.Detectors.ScheduledTasks;

/// <summary>A cron expression with Cronos semantics (Hangfire, Quartz, Azure Functions NCRONTAB, Cronos itself): day fields are ANDed.</summary>
internal sealed class CronosSchedule(CronExpression expression, TimeZoneInfo zone) : ISchedule
{
    public DateTimeOffset? Next(DateTimeOffset after) => expression.GetNextOccurrence(after, zone, inclusive: false);

    /// <summary>Parses 5 fields, or 6 with seconds first; Quartz's 7th (year) field is accepted when it is <c>*</c>.</summary>
    public static bool TryParse(string text, out CronosSchedule? schedule)
    {
        schedule = null;
        var fields = text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 7 && fields[6] is "*" or "?") fields = fields[..6];
        var format = fields.Length switch { 5 => CronFormat.Standard, 6 => CronFormat.IncludeSeconds, _ => (CronFormat?)null };
        if (format is null || !CronExpression.TryParse(string.Join(' ', fields), format.Value, out var expr)) return false;
        schedule = new CronosSchedule(expr, TimeZoneInfo.Utc);
        return true;
    }
}

/// <summary>Scheduling in .NET code: Hangfire, Quartz.NET, Azure Functions timer triggers, Cronos, PeriodicTimer and Timer.</summary>
internal static class CodeSchedules
{
    private static readonly string[] Keywords = ["RecurringJob", "CronSchedule", "TimerTrigger", "PeriodicTimer", "Timer(", "CronExpression", "AddOrUpdate"];

    public static bool LooksRelevant(ReadOnlySpan<char> text)
    {
        foreach (var k in Keywords)
            if (text.Contains(k, StringComparison.Ordinal)) return true;
        return false;
    }

    public static ScheduleFileResult FromCSharp(string path, SyntaxTree tree)
    {
        var result = new ScheduleFileResult();
        var root = tree.GetRoot();
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case InvocationExpressionSyntax call:
                    Invocation(path, call, result);
                    break;
                case AttributeSyntax attribute when AttributeName(attribute) is "TimerTrigger" or "TimerTriggerAttribute":
                    if (attribute.ArgumentList?.Arguments.FirstOrDefault()?.Expression is LiteralExpressionSyntax { Token.Value: string expr })
                        AddCron(path, attribute, "azure-functions-timer", expr, MemberName(attribute), result, isTimeSpanAllowed: true);
                    break;
                case BaseObjectCreationExpressionSyntax creation:
                    Creation(path, creation, result);
                    break;
            }
        }
        return result;
    }

    private static void Invocation(string path, InvocationExpressionSyntax call, ScheduleFileResult result)
    {
        string name = call.Expression switch
        {
            MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
            IdentifierNameSyntax i => i.Identifier.ValueText,
            GenericNameSyntax g => g.Identifier.ValueText,
            _ => string.Empty,
        };
        string target = call.Expression is MemberAccessExpressionSyntax ma ? ma.Expression.ToString() : string.Empty;
        var args = call.ArgumentList.Arguments;
        switch (name)
        {
            case "AddOrUpdate" when target.Contains("RecurringJob", StringComparison.OrdinalIgnoreCase) || args.Count >= 2:
            {
                string? id = args.Count > 0 && args[0].Expression is LiteralExpressionSyntax { Token.Value: string s } ? s : null;
                foreach (var arg in args)
                {
                    var cron = CronArgument(arg.Expression);
                    if (cron is null) continue;
                    AddCron(path, arg, "hangfire", cron, id is null ? "Hangfire recurring job" : $"Hangfire recurring job '{id}'", result, false);
                    return;
                }
                break;
            }
            case "WithCronSchedule" or "CronSchedule" when args.Count > 0 && args[0].Expression is LiteralExpressionSyntax { Token.Value: string q }:
                AddCron(path, args[0], "quartz", q, "Quartz.NET cron trigger in " + MemberName(call), result, false);
                break;
            case "Parse" or "TryParse" when target.EndsWith("CronExpression", StringComparison.Ordinal) && args.Count > 0 && args[0].Expression is LiteralExpressionSyntax { Token.Value: string c }:
                AddCron(path, args[0], "cronos", c, "Cronos expression in " + MemberName(call), result, false);
                break;
        }
    }

    private static void Creation(string path, BaseObjectCreationExpressionSyntax creation, ScheduleFileResult result)
    {
        string type = creation is ObjectCreationExpressionSyntax o ? o.Type.ToString() : string.Empty;
        var args = creation.ArgumentList?.Arguments ?? default;
        TimeSpan? period = null;
        string format;
        if (type.EndsWith("PeriodicTimer", StringComparison.Ordinal) && args.Count >= 1)
        {
            period = ConstantTimeSpan(args[0].Expression);
            format = "periodic-timer";
        }
        else if ((type is "Timer" or "System.Threading.Timer" or "System.Timers.Timer") && args.Count is 4 or 1)
        {
            period = args.Count == 4 ? ConstantTimeSpan(args[3].Expression) : ConstantTimeSpan(args[0].Expression);
            format = "timer";
        }
        else return;
        if (period is not { } p || p <= TimeSpan.Zero) return;
        var line = creation.GetLocation().GetLineSpan().StartLinePosition;
        result.Tasks.Add(new TaskDefinition(new Location(path, line.Line + 1, line.Character + 1), format, creation.ToString().Length > 120 ? creation.ToString()[..117] + "..." : creation.ToString(),
            $"in-process timer every {SystemdUnits.Describe(p)} while the application runs ({MemberName(creation)})", MemberName(creation), null, null, null, false)
        { Period = p, InProcess = true });
    }

    /// <summary>A literal cron string or a Hangfire <c>Cron.Daily(2, 15)</c>-style helper.</summary>
    private static string? CronArgument(ExpressionSyntax expression)
    {
        if (expression is LiteralExpressionSyntax { Token.Value: string s } && (s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is 5 or 6 || s.StartsWith('@'))) return s;
        if (expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Cron" }, Name: var helper } } inv)
        {
            var n = inv.ArgumentList.Arguments.Select(a => a.Expression is LiteralExpressionSyntax { Token.Value: int v } ? v : (int?)null).ToList();
            int A(int i, int fallback) => i < n.Count && n[i] is { } v ? v : fallback;
            return helper.Identifier.ValueText switch
            {
                "Minutely" => "* * * * *",
                "Hourly" => $"{A(0, 0)} * * * *",
                "Daily" => $"{A(1, 0)} {A(0, 0)} * * *",
                "Weekly" => null,
                "Monthly" => $"{A(2, 0)} {A(1, 0)} {A(0, 1)} * *",
                "Yearly" => "0 0 1 1 *",
                "Never" => null,
                _ => null,
            };
        }
        return null;
    }

    private static void AddCron(string path, SyntaxNode node, string format, string expression, string description, ScheduleFileResult result, bool isTimeSpanAllowed)
    {
        var line = node.GetLocation().GetLineSpan().StartLinePosition;
        var location = new Location(path, line.Line + 1, line.Character + 1);
        AddCron(location, format, expression, description, result, isTimeSpanAllowed);
    }

    internal static void AddCron(Location location, string format, string expression, string description, ScheduleFileResult result, bool isTimeSpanAllowed)
    {
        if (expression.StartsWith('%') && expression.EndsWith('%'))
        {
            result.Tasks.Add(new TaskDefinition(location, format, expression, description + "; schedule from app setting " + expression.Trim('%'), description, null, null, null, false));
            return;
        }
        if (isTimeSpanAllowed && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero && !expression.Contains(' ', StringComparison.Ordinal))
        {
            result.Tasks.Add(new TaskDefinition(location, format, expression, $"{description}; every {SystemdUnits.Describe(span)}", description, null, null, null, false) { Period = span });
            return;
        }
        var text = expression.StartsWith('@') ? CronSchedule.ExpandMacro(expression) ?? expression : expression;
        if (!CronosSchedule.TryParse(text, out var schedule))
        {
            result.Issues.Add(new ScheduleIssue(ScheduledTaskRules.InvalidSchedule, location, $"the {format} cron expression '{expression}' is invalid: the job never runs (or the application fails at start)", format + ":" + expression, expression));
            return;
        }
        result.Tasks.Add(new TaskDefinition(location, format, expression, $"{description} (UTC unless the code passes a zone)", description, null, null, schedule, false));
    }

    private static TimeSpan? ConstantTimeSpan(ExpressionSyntax e)
    {
        if (e is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: var type, Name: var method } } inv
            && type.ToString().EndsWith("TimeSpan", StringComparison.Ordinal) && inv.ArgumentList.Arguments.Count == 1
            && inv.ArgumentList.Arguments[0].Expression is LiteralExpressionSyntax { Token.Value: var raw }
            && raw is int or long or uint or ulong or float or double or decimal)
        {
            // Only numeric literals (a string literal here once threw FormatException; found by fuzzing), and a
            // value too large for TimeSpan is no schedule.
            double v = Convert.ToDouble(raw, CultureInfo.InvariantCulture);
            double seconds = method.Identifier.ValueText switch
            {
                "FromMilliseconds" => v / 1000,
                "FromSeconds" => v,
                "FromMinutes" => v * 60,
                "FromHours" => v * 3600,
                "FromDays" => v * 86400,
                _ => double.NaN,
            };
            return Seconds(seconds);
        }
        if (e is LiteralExpressionSyntax { Token.Value: int ms }) return Seconds(ms / 1000.0);
        if (e is LiteralExpressionSyntax { Token.Value: double dms }) return Seconds(dms / 1000);
        return null;
    }

    private static TimeSpan? Seconds(double seconds) =>
        double.IsFinite(seconds) && seconds < TimeSpan.MaxValue.TotalSeconds && seconds > TimeSpan.MinValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static string AttributeName(AttributeSyntax a) => a.Name switch
    {
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        IdentifierNameSyntax i => i.Identifier.ValueText,
        _ => a.Name.ToString(),
    };

    private static string MemberName(SyntaxNode node)
    {
        var member = node.AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault(static m => m is MethodDeclarationSyntax or PropertyDeclarationSyntax or ConstructorDeclarationSyntax or FieldDeclarationSyntax);
        var type = node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault()?.Identifier.ValueText;
        string? name = member switch
        {
            MethodDeclarationSyntax m => m.Identifier.ValueText,
            PropertyDeclarationSyntax p => p.Identifier.ValueText,
            ConstructorDeclarationSyntax c => c.Identifier.ValueText,
            FieldDeclarationSyntax f => f.Declaration.Variables.FirstOrDefault()?.Identifier.ValueText,
            _ => null,
        };
        return type is null ? name ?? "(top level)" : name is null ? type : $"{type}.{name}";
    }

    /// <summary>The names of the methods a schedule is read before.</summary>
    private static readonly string[] SchedulingCalls = ["AddOrUpdate", "WithCronSchedule", "CronSchedule", "Parse", "TryParse"];

    /// <summary>
    /// False when no call in the module can be a scheduling call: each needs its method's name (and for Hangfire and
    /// Cronos its declaring type's name) among the names Cecil reads from the #Strings heap.
    /// </summary>
    private static bool MayCallScheduler(ModuleIndex index) =>
        (index.NameMayBe("AddOrUpdate") && index.NameMayContain("RecurringJob"))
        || index.NameMayBe("WithCronSchedule") || index.NameMayBe("CronSchedule")
        || ((index.NameMayBe("Parse") || index.NameMayBe("TryParse")) && index.NameMayBe("CronExpression"));

    /// <summary>Assemblies: <c>[TimerTrigger("…")]</c> arguments and the string loaded just before a scheduling call.</summary>
    /// <param name="path">The entry's path.</param>
    /// <param name="module">The module.</param>
    /// <param name="index">
    /// The module's table index, when there is one: parameters it shows to have no attribute are not asked of Cecil, and
    /// when no scheduling call can occur (<see cref="SchedulingCalls"/>), neither are the bodies that read regularly. They
    /// would yield nothing (see <see cref="ModuleIndex"/>); the result is the same.
    /// </param>
    public static ScheduleFileResult FromAssembly(string path, ModuleDefinition module, ModuleIndex? index = null)
    {
        var result = new ScheduleFileResult();
        var location = new Location(path);
        bool mayCall = index is null || MayCallScheduler(index);
        foreach (var type in module.GetTypes())
        {
            foreach (var method in type.Methods)
            {
                string? member = null;
                foreach (var parameter in method.Parameters)
                {
                    if (index?.MayHaveStringAttributes(parameter) == false) continue;
                    foreach (var attribute in parameter.CustomAttributes)
                        if (attribute.AttributeType.Name == "TimerTriggerAttribute" && attribute.ConstructorArguments.Count > 0 && attribute.ConstructorArguments[0].Value is string timer)
                            AddCron(location, "azure-functions-timer", timer, $"Azure Functions timer trigger {member ??= $"{type.FullName}::{method.Name}"}", result, isTimeSpanAllowed: true);
                }
                if (!method.HasBody) continue;
                if (!mayCall && index!.ReadsRegularly(method)) continue;
                MethodBody body;
                try { body = method.Body; }
                catch (Exception ex) when (ex is BadImageFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException or OverflowException)
                {
                    continue;
                }
                var recent = new Queue<string>();
                foreach (var instruction in body.Instructions)
                {
                    if (instruction.OpCode.Code == Code.Ldstr && instruction.Operand is string s)
                    {
                        recent.Enqueue(s);
                        if (recent.Count > 4) recent.Dequeue();
                        continue;
                    }
                    if (instruction.OpCode.FlowControl != FlowControl.Call || instruction.Operand is not MethodReference called) continue;
                    string? format = called.Name switch
                    {
                        "AddOrUpdate" when called.DeclaringType.Name.Contains("RecurringJob", StringComparison.Ordinal) => "hangfire",
                        "WithCronSchedule" or "CronSchedule" => "quartz",
                        "Parse" or "TryParse" when called.DeclaringType.Name == "CronExpression" => "cronos",
                        _ => null,
                    };
                    if (format is null) continue;
                    var cron = recent.LastOrDefault(static r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is >= 5 and <= 7);
                    if (cron is not null) AddCron(location, format, cron, $"{format} schedule in {member ??= $"{type.FullName}::{method.Name}"}", result, false);
                    recent.Clear();
                }
            }
        }
        return result;
    }
}
