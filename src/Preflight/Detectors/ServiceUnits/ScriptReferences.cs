namespace Preflight.Detectors.ServiceUnits;

/// <summary>How a script names a service.</summary>
internal enum ReferenceNamespace
{
    /// <summary>A systemd unit name (normalised with a suffix).</summary>
    Systemd,
    /// <summary>A SysV name (<c>service x</c>, <c>invoke-rc.d x</c>): satisfied by an init script or <c>x.service</c>.</summary>
    SysV,
    /// <summary>A Windows service name (case-insensitive).</summary>
    Windows,
}

/// <summary>A name a script uses, or a service it creates.</summary>
/// <param name="Name">The unit or service name.</param>
/// <param name="Namespace">Which kind of name.</param>
/// <param name="Command">The command that used it (<c>systemctl restart</c>).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column of the name.</param>
/// <param name="Creates">True when the command creates the service (<c>sc.exe create</c>, <c>New-Service</c>).</param>
internal readonly record struct ScriptReference(string Name, ReferenceNamespace Namespace, string Command, int Line, int Column, bool Creates = false)
{
    private static readonly HashSet<string> CleanupVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "stop", "disable", "mask", "purge", "kill", "reset-failed", "is-active", "is-enabled", "is-failed", "status", "show", "cat",
        "was-enabled", "debian-installed", "update-state", "remove", "delete", "query", "queryex", "qc", "off",
        "Stop-Service", "Remove-Service", "Get-Service",
    };

    /// <summary>
    /// True when the command takes a service down, removes it or only asks about it (<c>systemctl stop</c>,
    /// <c>disable</c>, <c>deb-systemd-helper purge</c>, <c>sc.exe delete</c>, <c>Stop-Service</c>): what an upgrade
    /// does to the unit it replaces, and harmless when the unit does not exist.
    /// </summary>
    public bool Cleanup => CleanupVerbs.Contains(Command.Split(' ')[^1]);
}

/// <summary>
/// Finds service names in shell, PowerShell and batch scripts: <c>systemctl</c>, <c>service</c>,
/// <c>invoke-rc.d</c>, <c>update-rc.d</c>, <c>deb-systemd-helper</c>, <c>deb-systemd-invoke</c>,
/// <c>chkconfig</c>, <c>sc.exe</c>, <c>net start|stop</c> and the PowerShell service cmdlets. Scripts are
/// tokenised per command, never run; names built from variables are skipped.
/// </summary>
internal static class ScriptReferences
{
    private static readonly HashSet<string> SystemctlVerbs = new(StringComparer.Ordinal)
    {
        "start", "stop", "restart", "reload", "try-restart", "reload-or-restart", "try-reload-or-restart", "condrestart",
        "force-reload", "enable", "disable", "reenable", "mask", "unmask", "is-active", "is-enabled", "is-failed", "status",
        "kill", "show", "cat", "preset", "revert", "link", "freeze", "thaw", "clean", "add-wants", "add-requires", "edit",
    };

    private static readonly HashSet<string> DebHelperVerbs = new(StringComparer.Ordinal)
    {
        "enable", "disable", "purge", "mask", "unmask", "update-state", "was-enabled", "debian-installed", "is-enabled",
        "start", "stop", "restart", "reload", "try-restart",
    };

    private static readonly HashSet<string> ScVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "start", "stop", "pause", "continue", "config", "delete", "query", "queryex", "qc", "failure", "description", "qdescription", "sdshow", "create",
    };

    private static readonly HashSet<string> PowerShellCmdlets = new(StringComparer.OrdinalIgnoreCase)
    {
        "Start-Service", "Stop-Service", "Restart-Service", "Set-Service", "Suspend-Service", "Resume-Service", "Get-Service", "Remove-Service", "New-Service",
    };

    /// <summary>Cheap test: could this text contain a reference at all?</summary>
    public static bool MayContainReferences(ReadOnlySpan<char> text) =>
        text.IndexOfAny(Keywords) >= 0;

    private static readonly System.Buffers.SearchValues<string> Keywords = System.Buffers.SearchValues.Create(
        ["systemctl", "service", "rc.d", "deb-systemd", "chkconfig", "sc ", "sc.exe", "net ", "Service"], StringComparison.OrdinalIgnoreCase);

    /// <summary>Every reference in a script's text.</summary>
    public static List<ScriptReference> Find(ReadOnlySpan<char> text)
    {
        var found = new List<ScriptReference>();
        int lineNumber = 0;
        int lineStart = 0;
        foreach (var line in text.EnumerateLines())
        {
            lineNumber++;
            if (line.IndexOfAny(Keywords) >= 0)
                ScanLine(line, lineNumber, found);
            lineStart += line.Length + 1;
        }
        return found;
    }

    private static void ScanLine(ReadOnlySpan<char> line, int lineNumber, List<ScriptReference> found)
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith("#") || trimmed.StartsWith("::") || trimmed.StartsWith("REM ", StringComparison.OrdinalIgnoreCase)) return;
        var tokens = Tokenize(line);
        int i = 0;
        while (i < tokens.Count)
        {
            // A command starts at the beginning or after a shell operator.
            int start = i;
            int end = start;
            while (end < tokens.Count && !tokens[end].Operator) end++;
            ScanCommand(tokens, start, end, lineNumber, found);
            i = end + 1;
        }
    }

    private static void ScanCommand(List<Token> t, int start, int end, int line, List<ScriptReference> found)
    {
        int i = start;
        // Skip wrappers and assignments: sudo, env, VAR=value, exec, nohup, timeout N, if/then/do/else.
        while (i < end && (t[i].Text is "sudo" or "env" or "exec" or "nohup" or "then" or "do" or "else" or "if" or "!" or "&" or "command" or "-"
                           || (t[i].Text.Contains('=', StringComparison.Ordinal) && !t[i].Text.StartsWith('-'))
                           || (i > start && t[i - 1].Text == "sudo" && t[i].Text.StartsWith('-'))))
            i++;
        if (i >= end) return;
        string command = BaseName(t[i].Text);
        i++;
        switch (command)
        {
            case "systemctl":
            {
                i = SkipOptions(t, i, end);
                if (i >= end || !SystemctlVerbs.Contains(t[i].Text)) return;
                string verb = t[i].Text;
                for (i++; i < end; i++)
                {
                    if (t[i].Text.StartsWith('-')) continue;
                    AddName(found, t[i], ReferenceNamespace.Systemd, $"systemctl {verb}", line, normalize: true);
                }
                break;
            }
            case "deb-systemd-helper":
            case "deb-systemd-invoke":
            {
                i = SkipOptions(t, i, end);
                if (i >= end || !DebHelperVerbs.Contains(t[i].Text)) return;
                string verb = t[i].Text;
                for (i++; i < end; i++)
                {
                    if (t[i].Text.StartsWith('-')) continue;
                    AddName(found, t[i], ReferenceNamespace.Systemd, $"{command} {verb}", line, normalize: true);
                }
                break;
            }
            case "service":
            case "invoke-rc.d":
            case "update-rc.d":
            case "chkconfig":
            {
                i = SkipOptions(t, i, end);
                if (i >= end) return;
                // `service --status-all` and friends have no name; the action follows the name.
                int action = SkipOptions(t, i + 1, end);
                string how = action < end ? $"{command} {t[action].Text}" : command;
                AddName(found, t[i], ReferenceNamespace.SysV, how, line, normalize: false);
                break;
            }
            case "sc":
            case "sc.exe":
            {
                // sc [\\server] verb name
                if (i < end && t[i].Text.StartsWith(@"\\", StringComparison.Ordinal)) i++;
                if (i + 1 >= end || !ScVerbs.Contains(t[i].Text)) return;
                string verb = t[i].Text.ToLowerInvariant();
                AddName(found, t[i + 1], ReferenceNamespace.Windows, $"sc.exe {verb}", line, normalize: false, creates: verb == "create");
                break;
            }
            case "net":
            case "net.exe":
            {
                if (i + 1 >= end || t[i].Text.ToLowerInvariant() is not ("start" or "stop")) return;
                AddName(found, t[i + 1], ReferenceNamespace.Windows, $"net {t[i].Text.ToLowerInvariant()}", line, normalize: false);
                break;
            }
            default:
            {
                if (!PowerShellCmdlets.TryGetValue(command, out var cmdlet)) return;
                bool creates = cmdlet.Equals("New-Service", StringComparison.OrdinalIgnoreCase);
                // -Name X (or -ServiceName X), else the first positional argument.
                for (int j = i; j < end; j++)
                {
                    if (t[j].Text.Equals("-Name", StringComparison.OrdinalIgnoreCase) || t[j].Text.Equals("-ServiceName", StringComparison.OrdinalIgnoreCase))
                    {
                        if (j + 1 < end) AddName(found, t[j + 1], ReferenceNamespace.Windows, cmdlet, line, normalize: false, creates);
                        return;
                    }
                }
                for (int j = i; j < end; j++)
                {
                    if (t[j].Text.StartsWith('-'))
                    {
                        j++; // skip the parameter's value
                        continue;
                    }
                    AddName(found, t[j], ReferenceNamespace.Windows, cmdlet, line, normalize: false, creates);
                    return;
                }
                break;
            }
        }
    }

    private static int SkipOptions(List<Token> t, int i, int end)
    {
        while (i < end && t[i].Text.StartsWith('-')) i++;
        return i;
    }

    private static void AddName(List<ScriptReference> found, Token token, ReferenceNamespace ns, string command, int line, bool normalize, bool creates = false)
    {
        string name = token.Text;
        if (name.Length == 0 || name.AsSpan().IndexOfAny("$`*?[]{}()<>|\\/%") >= 0 && ns != ReferenceNamespace.Windows) return;
        if (ns == ReferenceNamespace.Windows && name.AsSpan().IndexOfAny("$`*?()<>|%") >= 0) return;
        if (!IsPlausibleName(name)) return;
        found.Add(new ScriptReference(normalize ? UnitNames.Normalize(name) : name, ns, command, line, token.Column, creates));
    }

    private static bool IsPlausibleName(string name)
    {
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or ':' or '\\' or ' ')) return false;
        return true;
    }

    private static string BaseName(string command)
    {
        int slash = Math.Max(command.LastIndexOf('/'), command.LastIndexOf('\\'));
        return slash >= 0 ? command[(slash + 1)..] : command;
    }

    private readonly record struct Token(string Text, int Column, bool Operator);

    /// <summary>Splits a line into words (quotes removed) and shell operators (<c>; &amp;&amp; || |</c>, a trailing <c>&amp;</c>).</summary>
    private static List<Token> Tokenize(ReadOnlySpan<char> line)
    {
        var tokens = new List<Token>();
        int i = 0;
        var word = new System.Text.StringBuilder();
        while (i < line.Length)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#' ) break; // comment to end of line
            if (c is ';' or '|' or '&' or '(' or ')' or '{' or '}')
            {
                int len = i + 1 < line.Length && line[i + 1] == c && c is '&' or '|' ? 2 : 1;
                tokens.Add(new Token(line.Slice(i, len).ToString(), i + 1, Operator: true));
                i += len;
                continue;
            }
            int column = i + 1;
            word.Clear();
            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not (';' or '|' or '&' or ')' or '}'))
            {
                char ch = line[i];
                if (ch is '"' or '\'')
                {
                    int close = line[(i + 1)..].IndexOf(ch);
                    if (close < 0) { word.Append(line[(i + 1)..]); i = line.Length; break; }
                    word.Append(line.Slice(i + 1, close));
                    i += close + 2;
                    continue;
                }
                word.Append(ch);
                i++;
            }
            if (word.Length > 0) tokens.Add(new Token(word.ToString(), column, Operator: false));
        }
        return tokens;
    }
}
