using System.Text.RegularExpressions;
using Preflight.Detectors.Migrations.Postgres;

namespace Preflight.Detectors.Migrations;

/// <summary>What a file is to a migration runner, and where that runner puts it in its order.</summary>
/// <param name="Runner"><c>flyway</c>, <c>liquibase</c>, <c>golang-migrate</c>, <c>ef-core</c>, <c>plain</c>.</param>
/// <param name="Version">The version the runner sorts by (null for repeatable/plain).</param>
/// <param name="Group">Runner order group: versioned before repeatable.</param>
/// <param name="Transaction">How the runner wraps it.</param>
internal sealed record MigrationKind(string Runner, string? Version, int Group, RunnerTransaction Transaction);

/// <summary>Recognises migration files by convention (name and folder) and content.</summary>
internal static partial class MigrationDiscovery
{
    private static readonly string[] SqlFolders = ["migrations", "migration", "db", "sql", "schema", "database"];

    /// <summary>The cheap gate: names and folders only.</summary>
    public static bool Wants(string path, string fileName, string extension)
    {
        if (extension == ".sql") return true;
        if (fileName is "flyway.conf" or "flyway.toml") return true;
        if (extension is ".sh" or ".bash" || fileName is "postinst" or "preinst") return true;
        // extensionless files may be scripts (bin/app-migrate); Analyze checks the #! line
        if (extension.Length == 0) return true;
        if (extension == ".cs") return path.Contains("migration", StringComparison.OrdinalIgnoreCase) && !fileName.EndsWith(".Designer.cs", StringComparison.OrdinalIgnoreCase) && !fileName.EndsWith("ModelSnapshot.cs", StringComparison.Ordinal);
        return false;
    }

    /// <summary>A shell script: <c>*.sh</c>, <c>*.bash</c>, Debian <c>postinst</c>/<c>preinst</c>, or an extensionless file starting with a <c>#!</c> line naming a shell.</summary>
    public static bool IsShellScript(string fileName, string extension, ReadOnlySpan<char> text)
    {
        if (extension is ".sh" or ".bash" || fileName is "postinst" or "preinst") return true;
        if (extension.Length != 0 || !text.StartsWith("#!", StringComparison.Ordinal)) return false;
        int end = text.IndexOf('\n');
        var shebang = text[..(end < 0 ? Math.Min(text.Length, 200) : Math.Min(end, 200))];
        return shebang.Contains("sh", StringComparison.Ordinal); // sh, bash, dash, ksh, zsh; env or a path
    }

    /// <summary>Decides what a .sql file is from its name, folder and first line; null when it is not a migration.</summary>
    public static MigrationKind? ClassifySql(string path, string fileName, ReadOnlySpan<char> text)
    {
        var head = text[..Math.Min(text.Length, 200)].TrimStart();
        if (head.StartsWith("--liquibase formatted sql", StringComparison.OrdinalIgnoreCase) || head.StartsWith("-- liquibase formatted sql", StringComparison.OrdinalIgnoreCase))
            return new MigrationKind("liquibase", null, 0, RunnerTransaction.PerChangeset);
        var m = FlywayVersioned.Match(fileName);
        if (m.Success) return new MigrationKind("flyway", m.Groups["v"].Value.Replace('_', '.'), 0, RunnerTransaction.PerFileUnlessNonTransactional);
        if (FlywayRepeatable.IsMatch(fileName)) return new MigrationKind("flyway", null, 1, RunnerTransaction.PerFileUnlessNonTransactional);
        if (FlywayUndo.IsMatch(fileName)) return null;
        m = GolangMigrate.Match(fileName);
        if (m.Success)
            return m.Groups["dir"].Value.Equals("up", StringComparison.OrdinalIgnoreCase)
                ? new MigrationKind("golang-migrate", m.Groups["v"].Value, 0, RunnerTransaction.MultiStatementQuery)
                : null;
        foreach (var segment in path.Split('/')[..^1])
            foreach (var folder in SqlFolders)
                if (segment.Equals(folder, StringComparison.OrdinalIgnoreCase))
                    return new MigrationKind("plain", null, 0, RunnerTransaction.None);
        return null;
    }

    /// <summary>The dialect from syntax: T-SQL and MySQL markers, else PostgreSQL.</summary>
    public static string SniffDialect(ReadOnlySpan<char> text)
    {
        var probe = text[..Math.Min(text.Length, 64 * 1024)];
        // Each marker pattern holds one of its anchors literally, so where none occurs it cannot match: most SQL is
        // then read by one vectorised search instead of a regex pass. Non-ASCII text goes to the patterns directly
        // (their case-insensitive matching has non-ASCII equivalents, such as the Kelvin sign for k, that an ordinal
        // search does not).
        bool ascii = System.Text.Ascii.IsValid(probe);
        if ((!ascii || probe.ContainsAny(TSqlAnchors) || HasGoLine(probe) || HasLockTimeoutInMilliseconds(probe) || HasWithOnline(probe))
            && TSqlMarkers().IsMatch(probe)) return "sqlserver";
        if ((!ascii || probe.ContainsAny(MySqlAnchors)) && MySqlMarkers().IsMatch(probe)) return "mysql";
        return "postgresql";
    }

    /// <summary>The same decision by the patterns alone, on a probe already cut (tests hold the anchored one to it).</summary>
    internal static string SniffDialectByPatterns(ReadOnlySpan<char> probe) =>
        TSqlMarkers().IsMatch(probe) ? "sqlserver" : MySqlMarkers().IsMatch(probe) ? "mysql" : "postgresql";

    /// <summary>
    /// A literal every alternative of <see cref="TSqlMarkers"/> but three holds, case-insensitively. Those three are
    /// checked by their own conditions, since their words are common in PostgreSQL migrations too: the batch separator
    /// (<see cref="HasGoLine"/>; "go" as a literal let through every file with "category", "algorithm" or "google" in
    /// it), T-SQL's <c>SET LOCK_TIMEOUT 5000</c> (<see cref="HasLockTimeoutInMilliseconds"/>; "lock_timeout" let through
    /// every migration that sets <c>lock_timeout = '5s'</c>, which the lock rules ask for) and <c>WITH (ONLINE =</c>
    /// (<see cref="HasWithOnline"/>; "online" let through every comment about building an index online). The pattern's
    /// first use in a process costs about 30 ms to build.
    /// </summary>
    private static readonly System.Buffers.SearchValues<string> TSqlAnchors = System.Buffers.SearchValues.Create(
        ["[dbo]", "nvarchar", "identity", "sp_", "wait_at_low_priority"], StringComparison.OrdinalIgnoreCase);

    private static readonly System.Buffers.SearchValues<string> LockTimeoutWord = System.Buffers.SearchValues.Create(["lock_timeout"], StringComparison.OrdinalIgnoreCase);
    private static readonly System.Buffers.SearchValues<string> OnlineWord = System.Buffers.SearchValues.Create(["online"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the alternative <c>\bSET\s+LOCK_TIMEOUT\s+-?\d</c> of <see cref="TSqlMarkers"/> can match in an ASCII
    /// probe: "lock_timeout" in either case, white space and the word "set" before it, and white space, an optional
    /// minus and a digit after it. PostgreSQL's <c>SET lock_timeout = '5s'</c> and <c>SET LOCAL lock_timeout TO …</c>
    /// fail it.
    /// </summary>
    internal static bool HasLockTimeoutInMilliseconds(ReadOnlySpan<char> probe) => AnyOccurrence(probe, LockTimeoutWord, static (probe, at) =>
    {
        int end = at + "lock_timeout".Length;
        int after = SpaceAfter(probe, end);
        if (after == end) return false;
        if (after < probe.Length && probe[after] == '-') after++;
        if (after >= probe.Length || !char.IsAsciiDigit(probe[after])) return false;
        int before = SpaceBefore(probe, at - 1);
        return before < at - 1 && WordEndsAt(probe, before, "set");
    });

    /// <summary>
    /// Whether the alternative <c>\bWITH\s*\(\s*ONLINE\s*=</c> of <see cref="TSqlMarkers"/> can match in an ASCII probe:
    /// "online" in either case, with <c>(</c> and the word "with" before it and <c>=</c> after it, white space between.
    /// </summary>
    internal static bool HasWithOnline(ReadOnlySpan<char> probe) => AnyOccurrence(probe, OnlineWord, static (probe, at) =>
    {
        int after = SpaceAfter(probe, at + "online".Length);
        if (after >= probe.Length || probe[after] != '=') return false;
        int paren = SpaceBefore(probe, at - 1);
        return paren >= 0 && probe[paren] == '(' && WordEndsAt(probe, SpaceBefore(probe, paren - 1), "with");
    });

    /// <summary>A condition on an occurrence of a word at <paramref name="at"/> in <paramref name="probe"/>.</summary>
    private delegate bool OccurrenceTest(ReadOnlySpan<char> probe, int at);

    /// <summary>Whether some occurrence of the word (case-insensitive) passes <paramref name="test"/>.</summary>
    private static bool AnyOccurrence(ReadOnlySpan<char> probe, System.Buffers.SearchValues<string> word, OccurrenceTest test)
    {
        for (int from = 0; from < probe.Length;)
        {
            int found = probe[from..].IndexOfAny(word);
            if (found < 0) return false;
            if (test(probe, from + found)) return true;
            from += found + 1;
        }
        return false;
    }

    /// <summary>The first index from <paramref name="i"/> on that is not white space (or the probe's length).</summary>
    private static int SpaceAfter(ReadOnlySpan<char> probe, int i)
    {
        while (i < probe.Length && IsAsciiSpace(probe[i])) i++;
        return i;
    }

    /// <summary>The last index from <paramref name="i"/> down that is not white space (or -1).</summary>
    private static int SpaceBefore(ReadOnlySpan<char> probe, int i)
    {
        while (i >= 0 && IsAsciiSpace(probe[i])) i--;
        return i;
    }

    /// <summary>Whether <paramref name="word"/> (ASCII letters, either case) ends at <paramref name="end"/> with a word boundary (<c>\b</c>) before it.</summary>
    private static bool WordEndsAt(ReadOnlySpan<char> probe, int end, string word)
    {
        int start = end - word.Length + 1;
        if (start < 0 || !probe.Slice(start, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)) return false;
        return start == 0 || !(char.IsAsciiLetterOrDigit(probe[start - 1]) || probe[start - 1] == '_');
    }

    /// <summary><c>\s</c> on ASCII: space, tab, LF, VT, FF and CR.</summary>
    private static bool IsAsciiSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static readonly System.Buffers.SearchValues<string> GoWord = System.Buffers.SearchValues.Create(["go"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the batch-separator alternative of <see cref="TSqlMarkers"/>, <c>(^|\n)\s*GO\s*(\r?\n|$)</c>, can match in
    /// an ASCII probe: "go" in either case, with only white space between it and the start or a LF before it, and
    /// between it and the end or a LF after it (<c>\s</c> takes LF too, so the white space may span lines; on ASCII it is
    /// space, tab, LF, VT, FF and CR).
    /// </summary>
    internal static bool HasGoLine(ReadOnlySpan<char> probe) => AnyOccurrence(probe, GoWord, static (probe, at) =>
        BlankTo(probe, at - 1, -1) && BlankTo(probe, at + 2, 1));

    /// <summary>From <paramref name="i"/> on in the direction <paramref name="step"/>: white space up to a LF or past the probe's end.</summary>
    private static bool BlankTo(ReadOnlySpan<char> text, int i, int step)
    {
        for (; i >= 0 && i < text.Length; i += step)
        {
            char c = text[i];
            if (c == '\n') return true;
            if (!IsAsciiSpace(c)) return false;
        }
        return true;
    }

    /// <summary>A literal every alternative of <see cref="MySqlMarkers"/> holds, case-insensitively.</summary>
    private static readonly System.Buffers.SearchValues<string> MySqlAnchors = System.Buffers.SearchValues.Create(
        ["`", "engine", "auto_increment", "algorithm", "lock_wait_timeout"], StringComparison.OrdinalIgnoreCase);

    /// <summary>Compares versions part by part numerically (<c>1.10</c> after <c>1.9</c>).</summary>
    public static int CompareVersions(string? a, string? b)
    {
        if (a is null || b is null) return a is null ? (b is null ? 0 : 1) : -1;
        var pa = a.Split('.', '_', '-');
        var pb = b.Split('.', '_', '-');
        for (int i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            string x = i < pa.Length ? pa[i] : "0", y = i < pb.Length ? pb[i] : "0";
            int c = NaturalCompare(x, y);
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>Natural string order: digit runs compare by value.</summary>
    public static int NaturalCompare(string x, string y)
    {
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                var dx = x.AsSpan(si, i - si).TrimStart('0');
                var dy = y.AsSpan(sj, j - sj).TrimStart('0');
                if (dx.Length != dy.Length) return dx.Length.CompareTo(dy.Length);
                int c = dx.CompareTo(dy, StringComparison.Ordinal);
                if (c != 0) return c;
            }
            else
            {
                int c = char.ToLowerInvariant(x[i]).CompareTo(char.ToLowerInvariant(y[j]));
                if (c != 0) return c;
                i++; j++;
            }
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }

    /// <summary>Flyway's <c>initSql</c> from <c>flyway.conf</c> (<c>flyway.initSql=...</c>) or <c>flyway.toml</c> (<c>initSql = "..."</c>).</summary>
    public static string? FlywayInitSql(string text)
    {
        var m = FlywayInitSqlLine.Match(text);
        if (!m.Success) return null;
        var value = m.Groups["v"].Value.Trim();
        if (value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0]) value = value[1..^1];
        return value.Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^[ \t]*(flyway\.)?initSql[ \t]*=[ \t]*(?<v>[^\r\n]*)", RegexOptions.Multiline, PatternLimitMilliseconds)]
    private static partial Regex FlywayInitSqlLinePattern();

    internal static readonly Content.TimedRegex FlywayInitSqlLine = new(FlywayInitSqlLinePattern());

    // File names and script lines are matched on the backtracking engine, with the non-backtracking one as the fallback
    // past this limit (see TimedRegex): four non-backtracking patterns on file names alone were a fifth of the CPU time
    // of a small package's scan, for building them and compiling their engine.
    private const int PatternLimitMilliseconds = 50;

    private static readonly Content.AsciiWords SqlcmdWord = new("sqlcmd");
    private static readonly Content.AsciiWords LockWords = new("advisory_lock", "sp_getapplock");

    /// <summary>
    /// Finds a shell loop that applies SQL files one by one (<c>psql -f "$f"</c>, <c>sqlcmd -i "$f"</c>) in a script
    /// that takes no lock (<c>flock</c>, <c>pg_advisory_lock</c>, <c>sp_getapplock</c>). Returns the 1-based line, or 0.
    /// </summary>
    public static int UnlockedApplyLoop(ReadOnlySpan<char> text)
    {
        if (!(text.Contains("psql", StringComparison.Ordinal) || SqlcmdWord.In(text))) return 0;
        if (text.Contains("flock", StringComparison.Ordinal) || LockWords.In(text)) return 0;
        bool inLoop = false;
        int lineNumber = 0;
        foreach (var raw in text.EnumerateLines())
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.StartsWith("#")) continue;
            if (line.StartsWith("for ") || line.StartsWith("while ") || line.Contains("| while", StringComparison.Ordinal) || line.Contains("xargs", StringComparison.Ordinal)) inLoop = true;
            if (ApplyCommand.IsMatch(line) && (inLoop || line.Contains("xargs", StringComparison.Ordinal) || line.Contains("-exec", StringComparison.Ordinal)))
                return lineNumber;
            if (line.StartsWith("done")) inLoop = false;
        }
        return 0;
    }

    [GeneratedRegex(@"\bpsql\b.*(\s-f\s*|\s--file[=\s])\S*\$|\bsqlcmd\b.*\s-i\s*\S*\$", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex ApplyCommandPattern();

    internal static readonly Content.TimedRegex ApplyCommand = new(ApplyCommandPattern());

    [GeneratedRegex(@"^V(?<v>\d+([._]\d+)*)__.+\.sql$", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex FlywayVersionedPattern();

    internal static readonly Content.TimedRegex FlywayVersioned = new(FlywayVersionedPattern());

    [GeneratedRegex(@"^R__.+\.sql$", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex FlywayRepeatablePattern();

    internal static readonly Content.TimedRegex FlywayRepeatable = new(FlywayRepeatablePattern());

    [GeneratedRegex(@"^U\d+([._]\d+)*__.+\.sql$", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex FlywayUndoPattern();

    internal static readonly Content.TimedRegex FlywayUndo = new(FlywayUndoPattern());

    [GeneratedRegex(@"^(?<v>\d+)_.+\.(?<dir>up|down)\.sql$", RegexOptions.IgnoreCase, PatternLimitMilliseconds)]
    private static partial Regex GolangMigratePattern();

    internal static readonly Content.TimedRegex GolangMigrate = new(GolangMigratePattern());

    [GeneratedRegex(@"(^|\n)\s*GO\s*(\r?\n|$)|\[dbo\]|\bNVARCHAR\b|\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)|\bsp_\w+|\bWITH\s*\(\s*ONLINE\s*=|\bSET\s+LOCK_TIMEOUT\s+-?\d|\bWAIT_AT_LOW_PRIORITY\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex TSqlMarkers();

    [GeneratedRegex(@"`\w+`|\bENGINE\s*=\s*\w+|\bAUTO_INCREMENT\b|\bALGORITHM\s*=\s*(INSTANT|INPLACE|COPY)|\block_wait_timeout\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex MySqlMarkers();
}
