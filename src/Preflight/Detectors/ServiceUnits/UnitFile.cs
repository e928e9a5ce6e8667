namespace Preflight.Detectors.ServiceUnits;

/// <summary>One <c>Key=Value</c> assignment of a unit file, with the line it starts on.</summary>
/// <param name="Section">The section name without brackets (<c>Unit</c>, <c>Service</c>, <c>Install</c>, …).</param>
/// <param name="Key">The setting name.</param>
/// <param name="Value">The value, continuation lines joined, surrounding white space removed.</param>
/// <param name="Line">1-based line of the assignment.</param>
/// <param name="Source">Location path of the file that made it (the unit or a drop-in).</param>
internal sealed record UnitAssignment(string Section, string Key, string Value, int Line, string Source);

/// <summary>A problem found while parsing a unit file.</summary>
internal sealed record UnitSyntaxError(int Line, string Message);

/// <summary>
/// A systemd unit file parsed per systemd.syntax(7): sections, <c>Key=Value</c> with continuation lines
/// (a trailing backslash joins the next line with a space), comments (<c>#</c> and <c>;</c>, also inside a
/// continuation), repeated keys that accumulate, and empty assignments that reset a list (except
/// dependency lists, which systemd never resets). Drop-ins are
/// merged with <see cref="Merge"/> in the order systemd applies them.
/// </summary>
internal sealed class UnitFile
{
    private readonly List<UnitAssignment> _assignments = [];

    private UnitFile(string path) => Path = path;

    /// <summary>Location path of the unit file.</summary>
    public string Path { get; }

    /// <summary>Every assignment in file order (drop-ins after the unit).</summary>
    public IReadOnlyList<UnitAssignment> Assignments => _assignments;

    /// <summary>Lines that are not comments, sections or assignments.</summary>
    public List<UnitSyntaxError> Errors { get; } = [];

    /// <summary>The section names that appear in the file.</summary>
    public HashSet<string> Sections { get; } = new(StringComparer.Ordinal);

    /// <summary>Parses unit-file text.</summary>
    public static UnitFile Parse(string path, string text)
    {
        var unit = new UnitFile(path);
        unit.Append(path, text);
        return unit;
    }

    /// <summary>Adds a drop-in's assignments after the unit's own, as systemd does.</summary>
    public void Merge(string dropInPath, string text) => Append(dropInPath, text);

    private void Append(string source, string text)
    {
        string? section = null;
        var pending = new System.Text.StringBuilder();
        int pendingLine = 0;
        int lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw.Trim();
            if (pending.Length > 0)
            {
                // Comment lines inside a continuation are dropped.
                if (line.Length > 0 && (line[0] == '#' || line[0] == ';')) continue;
                if (line.Length > 0 && line[^1] == '\\')
                {
                    pending.Append(' ').Append(line[..^1]);
                    continue;
                }
                pending.Append(' ').Append(line);
                AddAssignment(source, section, pending.ToString(), pendingLine);
                pending.Clear();
                continue;
            }
            if (line.IsEmpty || line[0] == '#' || line[0] == ';') continue;
            if (line[0] == '[')
            {
                int close = line.IndexOf(']');
                if (close < 0 || close != line.Length - 1)
                {
                    Errors.Add(new UnitSyntaxError(lineNumber, "section header is not closed"));
                    section = null;
                    continue;
                }
                section = line[1..close].Trim().ToString();
                Sections.Add(section);
                continue;
            }
            if (line[^1] == '\\')
            {
                pending.Append(line[..^1]);
                pendingLine = lineNumber;
                continue;
            }
            AddAssignment(source, section, line.ToString(), lineNumber);
        }
        if (pending.Length > 0) AddAssignment(source, section, pending.ToString(), pendingLine);
    }

    private void AddAssignment(string source, string? section, string line, int lineNumber)
    {
        int eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            Errors.Add(new UnitSyntaxError(lineNumber, "line is neither a comment, a section header nor Key=Value"));
            return;
        }
        if (section is null)
        {
            Errors.Add(new UnitSyntaxError(lineNumber, "assignment outside any section"));
            return;
        }
        _assignments.Add(new UnitAssignment(section, line[..eq].Trim(), line[(eq + 1)..].Trim(), lineNumber, source));
    }

    /// <summary>
    /// The effective values of a list setting: every assignment's words in order. Where
    /// <paramref name="emptyResets"/> is set, an empty assignment clears what came before. Dependency
    /// settings (<c>Requires=</c>, <c>Wants=</c>, …) do not reset: systemd ignores an empty dependency
    /// assignment, as <c>systemd-analyze verify</c> shows (see SystemdAnalyzeAgreementTests).
    /// </summary>
    public IReadOnlyList<(string Value, UnitAssignment From)> List(string section, string key, bool emptyResets = true)
    {
        var values = new List<(string, UnitAssignment)>();
        foreach (var a in _assignments)
        {
            if (!string.Equals(a.Section, section, StringComparison.Ordinal) || !string.Equals(a.Key, key, StringComparison.Ordinal)) continue;
            if (a.Value.Length == 0)
            {
                if (emptyResets) values.Clear();
                continue;
            }
            foreach (var word in a.Value.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                values.Add((word, a));
        }
        return values;
    }

    /// <summary>The last assignment of a single-valued setting (later assignments win); null when unset or reset.</summary>
    public UnitAssignment? Last(string section, string key)
    {
        UnitAssignment? last = null;
        foreach (var a in _assignments)
            if (string.Equals(a.Section, section, StringComparison.Ordinal) && string.Equals(a.Key, key, StringComparison.Ordinal))
                last = a.Value.Length == 0 ? null : a;
        return last;
    }
}
