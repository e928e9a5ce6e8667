using System.Text;

namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>Turns one statement's tokens into a <see cref="PgStatement"/>. Unknown syntax yields
/// <see cref="PgStatementKind.Other"/>; nothing here throws on odd input.</summary>
internal sealed class PgClassifier
{
    private readonly ReadOnlyMemory<char> _text;
    private readonly Tokens _t;
    private int _p;

    private PgClassifier(ReadOnlyMemory<char> text, PgStatementSpan span)
    {
        _text = text;
        // A bulk INSERT is one statement of many thousand tokens: its copy without comments comes from a pool rather
        // than a fresh (large-object) array per statement.
        var array = System.Buffers.ArrayPool<PgToken>.Shared.Rent(Math.Max(1, span.End - span.First));
        int n = 0;
        for (int i = span.First; i < span.End; i++)
            if (!span.Tokens[i].IsComment) array[n++] = span.Tokens[i];
        _t = new Tokens(array, n);
    }

    public static PgStatement Classify(string text, PgStatementSpan span) => Classify(text.AsMemory(), span);

    public static PgStatement Classify(ReadOnlyMemory<char> text, PgStatementSpan span)
    {
        var s = new PgStatement();
        if (span.IsMetaCommand) { s.Kind = PgStatementKind.MetaCommand; s.Verb = "\\"; return s; }
        var c = new PgClassifier(text, span);
        try { c.Run(s); }
        catch (IndexOutOfRangeException) { /* a truncated statement: keep what was learnt */ }
        finally { System.Buffers.ArrayPool<PgToken>.Shared.Return(c._t.Array); }
        return s;
    }

    /// <summary>A statement's tokens in a pooled array: reading past the last one throws, as reading past an exact array did.</summary>
    private readonly struct Tokens(PgToken[] array, int length)
    {
        public PgToken[] Array => array;
        public int Length => length;
        public PgToken this[int i] => (uint)i < (uint)length ? array[i] : throw new IndexOutOfRangeException();
    }

    // ---- cursor helpers -------------------------------------------------------------------------------

    private bool AtEnd => _p >= _t.Length;
    private ReadOnlySpan<char> Span(int i) => _text.Span.Slice(_t[i].Start, _t[i].Length);
    private bool IsWord(int i, string w) => i < _t.Length && _t[i].Kind == PgTokenKind.Word && Span(i).Equals(w, StringComparison.OrdinalIgnoreCase);
    private bool Is(string w) => IsWord(_p, w);
    private bool IsPunct(int i, char c) => i < _t.Length && _t[i].Kind is PgTokenKind.Punctuation or PgTokenKind.Operator && _t[i].Length == 1 && _text.Span[_t[i].Start] == c;
    private bool Accept(string w) { if (Is(w)) { _p++; return true; } return false; }
    private bool Accept(string w1, string w2) { if (Is(w1) && IsWord(_p + 1, w2)) { _p += 2; return true; } return false; }
    private bool AcceptPunct(char c) { if (IsPunct(_p, c)) { _p++; return true; } return false; }

    /// <summary>An identifier's normalised name: unquoted words fold to lower case, quoted ones keep theirs.</summary>
    private string? IdentAt(int i)
    {
        if (i >= _t.Length) return null;
        var t = _t[i];
        if (t.Kind == PgTokenKind.Word) return Span(i).ToString().ToLowerInvariant();
        if (t.Kind == PgTokenKind.QuotedIdentifier)
        {
            var s = Span(i);
            int q = s.IndexOf('"');
            return s[(q + 1)..^1].ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
        }
        return null;
    }

    /// <summary>Reads a possibly qualified name; returns its last part (schemas are not modelled).</summary>
    private string? Name()
    {
        var name = IdentAt(_p);
        if (name is null) return null;
        _p++;
        while (IsPunct(_p, '.') && IdentAt(_p + 1) is { } part) { name = part; _p += 2; }
        return name;
    }

    private void SkipParens()
    {
        if (!IsPunct(_p, '(')) return;
        int depth = 0;
        do
        {
            if (IsPunct(_p, '(')) depth++;
            else if (IsPunct(_p, ')')) depth--;
            _p++;
        } while (!AtEnd && depth > 0);
    }

    /// <summary>Index of the matching close parenthesis of the open one at <paramref name="open"/>.</summary>
    private int CloseOf(int open)
    {
        int depth = 0;
        for (int i = open; i < _t.Length; i++)
        {
            if (IsPunct(i, '(')) depth++;
            else if (IsPunct(i, ')') && --depth == 0) return i;
        }
        return _t.Length;
    }

    private string StringValue(int i)
    {
        var t = _t[i];
        var s = Span(i);
        if (t.Kind == PgTokenKind.String)
        {
            int q = s.IndexOf('\'');
            return s[(q + 1)..^1].ToString().Replace("''", "'", StringComparison.Ordinal);
        }
        return s.ToString();
    }

    // ---- statements -----------------------------------------------------------------------------------

    private void Run(PgStatement s)
    {
        if (_t.Length == 0) return;
        if (Accept("BEGIN") || Accept("START", "TRANSACTION"))
        {
            // BEGIN; or BEGIN TRANSACTION/WORK, but not a DO block body
            s.Kind = PgStatementKind.Begin; s.Verb = "BEGIN"; return;
        }
        if (Accept("COMMIT") || Accept("END")) { s.Kind = PgStatementKind.Commit; s.Verb = "COMMIT"; return; }
        if (Is("ROLLBACK") || Is("ABORT"))
        {
            // ROLLBACK TO SAVEPOINT does not end the transaction
            s.Kind = IsWord(1, "TO") ? PgStatementKind.Other : PgStatementKind.Rollback;
            s.Verb = "ROLLBACK"; return;
        }
        if (Accept("SET")) { ParseSet(s); return; }
        if (Accept("RESET"))
        {
            s.Kind = PgStatementKind.Reset; s.Verb = "RESET";
            s.SettingName = IdentAt(_p);
            return;
        }
        if (Is("SELECT") || Is("PERFORM")) { ParseSelect(s); return; }
        if (Accept("CREATE")) { ParseCreate(s); return; }
        if (Accept("DROP")) { ParseDrop(s); return; }
        if (Accept("ALTER")) { ParseAlter(s); return; }
        if (Accept("TRUNCATE"))
        {
            s.Kind = PgStatementKind.Truncate; s.Verb = "TRUNCATE"; s.LockMode = PgLockMode.AccessExclusive;
            Accept("TABLE");
            ReadTableList(s);
            return;
        }
        if (Accept("VACUUM")) { ParseVacuum(s); return; }
        if (Accept("CLUSTER"))
        {
            s.Kind = PgStatementKind.Cluster; s.Verb = "CLUSTER"; s.LockMode = PgLockMode.AccessExclusive;
            Accept("VERBOSE");
            if (IsPunct(_p, '(')) SkipParens();
            s.Table = Name();
            if (s.Table is not null) s.AddTable(s.Table);
            return;
        }
        if (Accept("REINDEX")) { ParseReindex(s); return; }
        if (Accept("REFRESH"))
        {
            s.Kind = PgStatementKind.RefreshMaterializedView; s.Verb = "REFRESH MATERIALIZED VIEW";
            Accept("MATERIALIZED"); Accept("VIEW");
            s.Concurrently = Accept("CONCURRENTLY");
            s.Table = Name();
            s.LockMode = s.Concurrently ? PgLockMode.Exclusive : PgLockMode.AccessExclusive;
            return;
        }
        if (Accept("LOCK")) { ParseLock(s); return; }
        if (Is("WITH"))
        {
            // WITH ... UPDATE/DELETE/INSERT: classify by the main verb after the CTEs
            _p++;
            Accept("RECURSIVE");
            while (!AtEnd && (IdentAt(_p) is not null))
            {
                _p++;
                if (IsPunct(_p, '(')) SkipParens();
                if (!Accept("AS")) break;
                Accept("NOT"); Accept("MATERIALIZED");
                SkipParens();
                if (!AcceptPunct(',')) break;
            }
        }
        if (Accept("UPDATE"))
        {
            s.Kind = PgStatementKind.Update; s.Verb = "UPDATE"; s.LockMode = PgLockMode.RowExclusive;
            Accept("ONLY");
            s.Table = Name();
            s.HasWhere = HasTopLevelWord("WHERE");
            return;
        }
        if (Accept("DELETE"))
        {
            s.Kind = PgStatementKind.Delete; s.Verb = "DELETE"; s.LockMode = PgLockMode.RowExclusive;
            Accept("FROM"); Accept("ONLY");
            s.Table = Name();
            s.HasWhere = HasTopLevelWord("WHERE");
            return;
        }
        if (Accept("INSERT"))
        {
            s.Kind = PgStatementKind.Insert; s.Verb = "INSERT"; s.LockMode = PgLockMode.RowExclusive;
            Accept("INTO");
            s.Table = Name();
            s.FromSelect = HasTopLevelWord("SELECT");
            return;
        }
        if (Accept("COMMENT"))
        {
            s.Kind = PgStatementKind.Comment; s.Verb = "COMMENT"; s.LockMode = PgLockMode.ShareUpdateExclusive;
            Accept("ON");
            bool column = Is("COLUMN");
            if (Accept("TABLE") || Accept("COLUMN"))
            {
                int start = _p;
                var parts = new List<string>();
                while (IdentAt(_p) is { } part) { parts.Add(part); _p++; if (!AcceptPunct('.')) break; }
                s.Table = column ? (parts.Count >= 2 ? parts[^2] : null) : (parts.Count > 0 ? parts[^1] : null);
                _ = start;
            }
            else s.LockMode = PgLockMode.None;
            return;
        }
        if (Is("DO")) { s.Kind = PgStatementKind.Do; s.Verb = "DO"; return; }
        s.Verb = Span(0).ToString().ToUpperInvariant();
    }

    private bool HasTopLevelWord(string word)
    {
        // The rest of the statement, read once as spans: on a bulk INSERT that is every value of every row, and going
        // through IsPunct and IsWord per token was a fifth of the migrations detector's time.
        var text = _text.Span;
        var tokens = _t.Array.AsSpan(0, _t.Length);
        int depth = 0;
        for (int i = _p; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (t.Kind is PgTokenKind.Punctuation or PgTokenKind.Operator)
            {
                if (t.Length != 1) continue;
                char c = text[t.Start];
                if (c == '(') depth++;
                else if (c == ')') depth--;
            }
            else if (depth == 0 && t.Kind == PgTokenKind.Word && text.Slice(t.Start, t.Length).Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private void ReadTableList(PgStatement s)
    {
        do
        {
            Accept("ONLY");
            var name = Name();
            if (name is null) break;
            s.AddTable(name);
            AcceptPunct('*');
        } while (AcceptPunct(','));
        s.Table = s.Tables.FirstOrDefault();
    }

    private void ParseSet(PgStatement s)
    {
        s.Kind = PgStatementKind.Set; s.Verb = "SET";
        if (Accept("LOCAL")) s.IsLocal = true;
        else Accept("SESSION");
        if (Is("TRANSACTION") || Is("CONSTRAINTS") || Is("ROLE")) { s.Kind = PgStatementKind.Other; return; }
        if (Accept("TIME", "ZONE")) { s.SettingName = "timezone"; }
        else
        {
            var parts = new StringBuilder();
            while (IdentAt(_p) is { } part)
            {
                if (parts.Length > 0) parts.Append('.');
                parts.Append(part);
                _p++;
                if (!AcceptPunct('.')) break;
            }
            s.SettingName = parts.ToString();
            if (!Accept("TO") && !(_p < _t.Length && _t[_p].Kind == PgTokenKind.Operator && Span(_p).SequenceEqual("="))) return;
            if (_p < _t.Length && _t[_p].Kind == PgTokenKind.Operator && Span(_p).SequenceEqual("=")) _p++;
        }
        if (AtEnd || Is("DEFAULT")) { s.SettingValue = null; return; }
        if (Is("LOCAL") && s.SettingName == "timezone") { s.SettingValue = null; return; }
        var value = new StringBuilder();
        for (; _p < _t.Length; _p++)
        {
            if (IsPunct(_p, ',')) { value.Append(','); continue; }
            value.Append(StringValue(_p));
        }
        s.SettingValue = value.ToString();
    }

    /// <summary><c>SELECT set_config('lock_timeout', '5s', is_local)</c> acts as SET / SET LOCAL.</summary>
    private void ParseSelect(PgStatement s)
    {
        s.Verb = "SELECT";
        for (int i = 1; i + 3 < _t.Length; i++)
        {
            if (IsWord(i, "set_config") && IsPunct(i + 1, '(') && _t[i + 2].Kind == PgTokenKind.String)
            {
                int j = i + 3;
                if (!IsPunct(j, ',') || j + 1 >= _t.Length || _t[j + 1].Kind != PgTokenKind.String) return;
                s.Kind = PgStatementKind.Set;
                s.Verb = "SELECT set_config";
                s.SettingName = StringValue(i + 2).ToLowerInvariant();
                s.SettingValue = StringValue(j + 1);
                s.IsLocal = IsPunct(j + 2, ',') && IsWord(j + 3, "true");
                return;
            }
        }
    }

    private void ParseCreate(PgStatement s)
    {
        Accept("OR", "REPLACE");
        bool unique = Accept("UNIQUE");
        if (Accept("INDEX"))
        {
            s.Kind = PgStatementKind.CreateIndex; s.Verb = unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX"; s.Unique = unique;
            s.Concurrently = Accept("CONCURRENTLY");
            Accept("IF"); Accept("NOT"); Accept("EXISTS");
            if (!Is("ON")) s.IndexName = Name();
            if (!Accept("ON")) return;
            Accept("ONLY");
            s.Table = Name();
            s.LockMode = s.Concurrently ? PgLockMode.ShareUpdateExclusive : PgLockMode.Share;
            return;
        }
        // CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE
        Accept("GLOBAL"); Accept("LOCAL");
        bool temp = Accept("TEMP") || Accept("TEMPORARY");
        Accept("UNLOGGED");
        if (Accept("TABLE"))
        {
            s.Kind = PgStatementKind.CreateTable; s.Verb = temp ? "CREATE TEMP TABLE" : "CREATE TABLE";
            Accept("IF"); Accept("NOT"); Accept("EXISTS");
            s.Table = Name();
            if (IsPunct(_p, '(')) ParseTableElements(s);
            return;
        }
        if (Accept("MATERIALIZED", "VIEW"))
        {
            s.Kind = PgStatementKind.CreateTable; s.Verb = "CREATE MATERIALIZED VIEW";
            Accept("IF"); Accept("NOT"); Accept("EXISTS");
            s.Table = Name();
            return;
        }
        if (Accept("CONSTRAINT")) { }
        if (Accept("TRIGGER"))
        {
            s.Kind = PgStatementKind.CreateTrigger; s.Verb = "CREATE TRIGGER";
            for (; _p < _t.Length; _p++)
            {
                if (Is("ON") && IdentAt(_p + 1) is not null) { _p++; s.Table = Name(); break; }
            }
            s.LockMode = PgLockMode.ShareRowExclusive;
            return;
        }
        s.Verb = "CREATE " + (AtEnd ? "" : Span(_p).ToString().ToUpperInvariant());
    }

    private void ParseTableElements(PgStatement s)
    {
        int close = CloseOf(_p);
        _p++;
        while (_p < close)
        {
            int elementEnd = NextTopLevel(_p, close);
            if (Is("CONSTRAINT") || Is("CHECK") || Is("FOREIGN") || Is("PRIMARY") || Is("UNIQUE") || Is("EXCLUDE") || Is("LIKE"))
            {
                var a = new PgAlterAction();
                ParseConstraint(a, elementEnd);
                if (a.ReferencedTable is not null) s.AddReference(a.ReferencedTable);
                if (a.CheckNotNullColumn is not null) s.AddNotNullCheck(a.ConstraintName, a.CheckNotNullColumn);
            }
            else
            {
                var col = IdentAt(_p);
                _p++;
                var type = ParseType(elementEnd);
                if (col is not null) s.AddColumn(col, type);
                for (int i = _p; i < elementEnd; i++)
                    if (IsWord(i, "REFERENCES") && IdentAt(i + 1) is not null) { _p = i + 1; s.AddReference(Name()!); break; }
            }
            _p = elementEnd + 1;
        }
        _p = close + 1;
    }

    /// <summary>Index of the next top-level comma (or <paramref name="limit"/>).</summary>
    private int NextTopLevel(int from, int limit)
    {
        int depth = 0;
        for (int i = from; i < limit; i++)
        {
            if (IsPunct(i, '(')) depth++;
            else if (IsPunct(i, ')')) depth--;
            else if (depth == 0 && IsPunct(i, ',')) return i;
        }
        return limit;
    }

    private void ParseDrop(PgStatement s)
    {
        if (Accept("INDEX"))
        {
            s.Kind = PgStatementKind.DropIndex; s.Verb = "DROP INDEX";
            s.Concurrently = Accept("CONCURRENTLY");
            Accept("IF", "EXISTS");
            do { if (Name() is { } n) s.AddTable(n); } while (AcceptPunct(','));
            s.IndexName = s.Tables.FirstOrDefault();
            s.LockMode = s.Concurrently ? PgLockMode.ShareUpdateExclusive : PgLockMode.AccessExclusive;
            return;
        }
        if (Accept("TABLE"))
        {
            s.Kind = PgStatementKind.DropTable; s.Verb = "DROP TABLE"; s.LockMode = PgLockMode.AccessExclusive;
            Accept("IF", "EXISTS");
            ReadTableList(s);
            return;
        }
        s.Verb = "DROP " + (AtEnd ? "" : Span(_p).ToString().ToUpperInvariant());
    }

    private void ParseVacuum(PgStatement s)
    {
        s.Kind = PgStatementKind.Vacuum; s.Verb = "VACUUM";
        if (IsPunct(_p, '('))
        {
            int close = CloseOf(_p);
            for (int i = _p + 1; i < close; i++)
                if (IsWord(i, "FULL") && !(IsWord(i + 1, "false") || IsWord(i + 1, "off") || (i + 1 < close && Span(i + 1).SequenceEqual("0")))) s.Full = true;
            _p = close + 1;
        }
        else
        {
            while (Is("FULL") || Is("FREEZE") || Is("VERBOSE") || Is("ANALYZE") || Is("ANALYSE"))
            {
                if (Is("FULL")) s.Full = true;
                _p++;
            }
        }
        if (s.Full) s.Verb = "VACUUM FULL";
        ReadTableList(s);
        s.LockMode = s.Full ? PgLockMode.AccessExclusive : PgLockMode.ShareUpdateExclusive;
    }

    private void ParseReindex(PgStatement s)
    {
        s.Kind = PgStatementKind.Reindex; s.Verb = "REINDEX";
        if (IsPunct(_p, '(')) SkipParens();
        s.Target = AtEnd ? null : Span(_p).ToString().ToUpperInvariant();
        _p++;
        s.Concurrently = Accept("CONCURRENTLY");
        s.Table = Name();
        if (s.Target == "INDEX") { s.IndexName = s.Table; s.Table = null; }
        s.LockMode = s.Concurrently ? PgLockMode.ShareUpdateExclusive : PgLockMode.Share;
    }

    private void ParseLock(PgStatement s)
    {
        s.Kind = PgStatementKind.LockTable; s.Verb = "LOCK TABLE";
        Accept("TABLE");
        ReadTableList(s);
        s.LockMode = PgLockMode.AccessExclusive;
        if (Accept("IN"))
        {
            var mode = new StringBuilder();
            while (!AtEnd && !Is("MODE") && !Is("NOWAIT")) { mode.Append(Span(_p).ToString().ToUpperInvariant()).Append(' '); _p++; }
            s.LockMode = mode.ToString().Trim() switch
            {
                "ACCESS SHARE" => PgLockMode.AccessShare,
                "ROW SHARE" => PgLockMode.RowShare,
                "ROW EXCLUSIVE" => PgLockMode.RowExclusive,
                "SHARE UPDATE EXCLUSIVE" => PgLockMode.ShareUpdateExclusive,
                "SHARE" => PgLockMode.Share,
                "SHARE ROW EXCLUSIVE" => PgLockMode.ShareRowExclusive,
                "EXCLUSIVE" => PgLockMode.Exclusive,
                _ => PgLockMode.AccessExclusive,
            };
        }
    }

    private void ParseAlter(PgStatement s)
    {
        if (Accept("TYPE"))
        {
            s.Verb = "ALTER TYPE";
            Name();
            if (Is("ADD") && IsWord(_p + 1, "VALUE")) s.Kind = PgStatementKind.AlterTypeAddValue;
            return;
        }
        if (!Accept("TABLE"))
        {
            s.Verb = "ALTER " + (AtEnd ? "" : Span(_p).ToString().ToUpperInvariant());
            return;
        }
        s.Kind = PgStatementKind.AlterTable; s.Verb = "ALTER TABLE";
        Accept("IF", "EXISTS");
        Accept("ONLY");
        s.Table = Name();
        AcceptPunct('*');
        while (!AtEnd)
        {
            int end = NextTopLevel(_p, _t.Length);
            var a = new PgAlterAction();
            ParseAlterAction(a, end);
            s.AddAction(a);
            _p = end + 1;
        }
        s.LockMode = s.Actions.Count == 0 ? PgLockMode.AccessExclusive : s.Actions.Max(LockOf);
    }

    /// <summary>The table lock one ALTER TABLE action takes on its table (PostgreSQL 15, measured).</summary>
    internal static PgLockMode LockOf(PgAlterAction a) => a.Kind switch
    {
        PgAlterKind.AddConstraint when a.Constraint == PgConstraintKind.ForeignKey => PgLockMode.ShareRowExclusive,
        PgAlterKind.ValidateConstraint or PgAlterKind.SetStatistics or PgAlterKind.SetStorage => PgLockMode.ShareUpdateExclusive,
        PgAlterKind.AttachPartition => PgLockMode.ShareUpdateExclusive,
        PgAlterKind.DetachPartition when a.Concurrently => PgLockMode.ShareUpdateExclusive,
        PgAlterKind.Trigger => PgLockMode.ShareRowExclusive,
        _ => PgLockMode.AccessExclusive,
    };

    private void ParseAlterAction(PgAlterAction a, int end)
    {
        if (Accept("ADD"))
        {
            if (Is("CONSTRAINT") || Is("CHECK") || Is("FOREIGN") || Is("PRIMARY") || Is("UNIQUE") || Is("EXCLUDE"))
            {
                a.Kind = PgAlterKind.AddConstraint;
                ParseConstraint(a, end);
                return;
            }
            a.Kind = PgAlterKind.AddColumn;
            Accept("COLUMN");
            Accept("IF"); Accept("NOT"); Accept("EXISTS");
            a.Column = IdentAt(_p);
            _p++;
            a.Type = ParseType(end);
            a.Serial = a.Type?.Name is "serial" or "bigserial" or "smallserial";
            ParseColumnConstraints(a, end);
            return;
        }
        if (Accept("DROP"))
        {
            if (Accept("CONSTRAINT"))
            {
                a.Kind = PgAlterKind.DropConstraint;
                Accept("IF", "EXISTS");
                a.ConstraintName = IdentAt(_p);
                return;
            }
            a.Kind = PgAlterKind.DropColumn;
            Accept("COLUMN");
            Accept("IF", "EXISTS");
            a.Column = IdentAt(_p);
            return;
        }
        if (Accept("RENAME"))
        {
            if (Accept("TO")) { a.Kind = PgAlterKind.RenameTable; a.NewName = IdentAt(_p); return; }
            if (Accept("CONSTRAINT")) { a.Kind = PgAlterKind.RenameConstraint; a.ConstraintName = IdentAt(_p); return; }
            Accept("COLUMN");
            a.Kind = PgAlterKind.RenameColumn;
            a.Column = IdentAt(_p);
            _p++;
            if (Accept("TO")) a.NewName = IdentAt(_p);
            return;
        }
        if (Accept("VALIDATE", "CONSTRAINT")) { a.Kind = PgAlterKind.ValidateConstraint; a.ConstraintName = IdentAt(_p); return; }
        if (Accept("ALTER"))
        {
            if (Accept("CONSTRAINT")) { a.Kind = PgAlterKind.Other; return; }
            Accept("COLUMN");
            a.Column = IdentAt(_p);
            _p++;
            if (Accept("SET", "DATA") || Is("TYPE"))
            {
                Accept("TYPE");
                a.Kind = PgAlterKind.AlterColumnType;
                a.Type = ParseType(end);
                for (int i = _p; i < end; i++) if (IsWord(i, "USING")) a.HasUsing = true;
                return;
            }
            if (Accept("SET", "NOT")) { a.Kind = PgAlterKind.SetNotNull; return; }
            if (Accept("DROP", "NOT")) { a.Kind = PgAlterKind.DropNotNull; return; }
            if (Accept("SET", "DEFAULT")) { a.Kind = PgAlterKind.SetDefault; return; }
            if (Accept("DROP", "DEFAULT")) { a.Kind = PgAlterKind.DropDefault; return; }
            if (Accept("SET", "STATISTICS")) { a.Kind = PgAlterKind.SetStatistics; return; }
            if (Is("SET") && IsPunct(_p + 1, '(')) { a.Kind = PgAlterKind.SetStatistics; return; }
            if (Is("ADD") && IsWord(_p + 1, "GENERATED")) { a.Kind = PgAlterKind.Other; a.Identity = true; return; }
            a.Kind = PgAlterKind.Other;
            return;
        }
        if (Is("SET") && IsPunct(_p + 1, '(')) { a.Kind = PgAlterKind.SetStorage; return; }
        if (Is("RESET") && IsPunct(_p + 1, '(')) { a.Kind = PgAlterKind.SetStorage; return; }
        if (Accept("SET", "LOGGED") || Accept("SET", "UNLOGGED")) { a.Kind = PgAlterKind.SetLogged; return; }
        if (Accept("SET", "TABLESPACE")) { a.Kind = PgAlterKind.SetTablespace; return; }
        if (Accept("SET", "SCHEMA")) { a.Kind = PgAlterKind.SetSchema; return; }
        if (Accept("ATTACH", "PARTITION")) { a.Kind = PgAlterKind.AttachPartition; a.Partition = Name(); return; }
        if (Accept("DETACH", "PARTITION"))
        {
            a.Kind = PgAlterKind.DetachPartition; a.Partition = Name();
            a.Concurrently = Is("CONCURRENTLY");
            return;
        }
        if ((Is("ENABLE") || Is("DISABLE")) && (IsWord(_p + 1, "TRIGGER") || IsWord(_p + 2, "TRIGGER"))) { a.Kind = PgAlterKind.Trigger; return; }
        a.Kind = PgAlterKind.Other;
    }

    private void ParseColumnConstraints(PgAlterAction a, int end)
    {
        while (_p < end)
        {
            if (Accept("DEFAULT"))
            {
                int start = _p;
                while (_p < end && !IsColumnConstraintStart(_p)) { if (IsPunct(_p, '(')) SkipParens(); else _p++; }
                (a.Default, a.DefaultFunction) = ClassifyDefault(start, _p);
                continue;
            }
            if (Accept("GENERATED"))
            {
                int stop = _p;
                while (stop < end && !IsWord(stop, "AS")) stop++;
                if (IsWord(stop + 1, "IDENTITY")) { a.Identity = true; _p = stop + 2; if (IsPunct(_p, '(')) SkipParens(); continue; }
                _p = stop + 1;
                SkipParens();
                if (Accept("STORED")) a.GeneratedStored = true;
                else if (Is("VIRTUAL")) _p++;
                continue;
            }
            if (Accept("NOT", "NULL")) { a.NotNull = true; continue; }
            if (Accept("REFERENCES")) { a.ReferencedTable = Name(); if (IsPunct(_p, '(')) SkipParens(); continue; }
            if (Accept("CHECK")) { a.Constraint = PgConstraintKind.Check; SkipParens(); continue; }
            if (Accept("PRIMARY", "KEY")) { a.Constraint = PgConstraintKind.PrimaryKey; continue; }
            if (Accept("UNIQUE")) { a.Constraint = PgConstraintKind.Unique; continue; }
            if (IsPunct(_p, '(')) { SkipParens(); continue; }
            _p++;
        }
    }

    private bool IsColumnConstraintStart(int i) =>
        IsWord(i, "NOT") || IsWord(i, "NULL") || IsWord(i, "CONSTRAINT") || IsWord(i, "CHECK") || IsWord(i, "UNIQUE")
        || IsWord(i, "PRIMARY") || IsWord(i, "REFERENCES") || IsWord(i, "GENERATED") || IsWord(i, "COLLATE")
        || IsWord(i, "DEFAULT") || IsWord(i, "DEFERRABLE") || IsWord(i, "INITIALLY");

    private static readonly HashSet<string> VolatileFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7", "random",
        "clock_timestamp", "timeofday", "nextval", "txid_current", "setseed", "random_normal", "gen_random_bytes",
    };

    /// <summary>Functions that are stable or immutable: a default calling only these is evaluated once.</summary>
    private static readonly HashSet<string> NonVolatileFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "now", "statement_timestamp", "transaction_timestamp", "current_timestamp", "localtimestamp", "current_date",
        "current_time", "localtime", "lower", "upper", "coalesce", "nullif", "greatest", "least", "concat", "length",
        "to_jsonb", "to_json", "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array",
        "array", "make_interval", "make_date", "make_timestamp", "make_timestamptz", "to_timestamp", "to_date",
        "date_trunc", "abs", "round", "trim", "substring", "replace", "md5", "current_user", "session_user",
        "current_setting", "interval", "timestamp", "timestamptz", "date", "numeric", "varchar", "char", "character",
        "int", "integer", "bigint", "smallint", "decimal", "float", "double", "real", "bool", "boolean", "text",
        "jsonb", "json", "uuid", "row",
    };

    private (PgDefaultKind, string?) ClassifyDefault(int start, int end)
    {
        if (start >= end) return (PgDefaultKind.None, null);
        var kind = PgDefaultKind.Constant;
        string? function = null;
        for (int i = start; i < end; i++)
        {
            if (_t[i].Kind != PgTokenKind.Word) continue;
            bool call = IsPunct(i + 1, '(');
            // a function call, or an SQL value function written without parentheses
            var w = Span(i).ToString();
            if (!call && !(w.Equals("current_timestamp", StringComparison.OrdinalIgnoreCase) || w.Equals("localtimestamp", StringComparison.OrdinalIgnoreCase) || w.Equals("current_date", StringComparison.OrdinalIgnoreCase))) continue;
            if (i > start && IsPunct(i - 1, '.') ) { }
            if (VolatileFunctions.Contains(w)) return (PgDefaultKind.Volatile, w.ToLowerInvariant());
            if (NonVolatileFunctions.Contains(w)) { if (kind == PgDefaultKind.Constant) kind = PgDefaultKind.Stable; continue; }
            kind = PgDefaultKind.Unknown;
            function ??= w.ToLowerInvariant();
        }
        return (kind, function);
    }

    /// <summary>Parses a table constraint (in CREATE TABLE or ALTER TABLE ... ADD) up to <paramref name="end"/>.</summary>
    private void ParseConstraint(PgAlterAction a, int end)
    {
        if (Accept("CONSTRAINT")) { a.ConstraintName = IdentAt(_p); _p++; }
        if (Accept("CHECK"))
        {
            a.Constraint = PgConstraintKind.Check;
            if (IsPunct(_p, '('))
            {
                int close = CloseOf(_p);
                // CHECK (col IS NOT NULL), possibly with extra parentheses
                int i = _p + 1, j = close - 1;
                while (IsPunct(i, '(') && IsPunct(j, ')')) { i++; j--; }
                if (j - i == 3 && IdentAt(i) is { } col && IsWord(i + 1, "IS") && IsWord(i + 2, "NOT") && IsWord(i + 3, "NULL"))
                    a.CheckNotNullColumn = col;
                _p = close + 1;
            }
        }
        else if (Accept("FOREIGN", "KEY"))
        {
            a.Constraint = PgConstraintKind.ForeignKey;
            SkipParens();
            if (Accept("REFERENCES")) a.ReferencedTable = Name();
        }
        else if (Accept("PRIMARY", "KEY")) a.Constraint = PgConstraintKind.PrimaryKey;
        else if (Accept("UNIQUE")) a.Constraint = PgConstraintKind.Unique;
        else if (Accept("EXCLUDE")) a.Constraint = PgConstraintKind.Exclude;
        else if (Accept("NOT", "NULL")) a.Constraint = PgConstraintKind.NotNull;
        for (int i = _p; i < end; i++)
        {
            if (IsWord(i, "NOT") && IsWord(i + 1, "VALID")) a.NotValid = true;
            if (IsWord(i, "USING") && IsWord(i + 1, "INDEX") && (a.Constraint is PgConstraintKind.Unique or PgConstraintKind.PrimaryKey)) a.UsingIndex = true;
        }
        _p = end;
    }

    /// <summary>Reads a column type and normalises it (<c>character varying(20)</c> → <c>varchar(20)</c>).</summary>
    private PgType? ParseType(int end)
    {
        if (_p >= end) return null;
        var first = IdentAt(_p);
        if (first is null) return null;
        _p++;
        string name = first;
        // qualified type names: keep the last part
        while (IsPunct(_p, '.') && IdentAt(_p + 1) is { } part) { name = part; _p += 2; }
        switch (name)
        {
            case "character" when Is("varying"): _p++; name = "varchar"; break;
            case "double" when Is("precision"): _p++; name = "float8"; break;
            case "bit" when Is("varying"): _p++; name = "varbit"; break;
        }
        int? length = null, scale = null;
        if (IsPunct(_p, '('))
        {
            int close = CloseOf(_p);
            if (_p + 1 < close && _t[_p + 1].Kind == PgTokenKind.Number && int.TryParse(Span(_p + 1), out int l)) length = l;
            if (_p + 3 < close && IsPunct(_p + 2, ',') && _t[_p + 3].Kind == PgTokenKind.Number && int.TryParse(Span(_p + 3), out int sc)) scale = sc;
            _p = close + 1;
        }
        if (name is "timestamp" or "time")
        {
            if (IsPunct(_p, '(')) SkipParens();
            if (Accept("WITH") && Accept("TIME") && Accept("ZONE")) name += "tz";
            else if (Accept("WITHOUT")) { Accept("TIME"); Accept("ZONE"); }
        }
        name = name switch
        {
            "int" or "int4" or "integer" => "integer",
            "int8" => "bigint",
            "int2" => "smallint",
            "decimal" => "numeric",
            "character" or "char" or "bpchar" => "bpchar",
            "bool" => "boolean",
            "float" or "double" => "float8",
            "real" => "float4",
            "serial4" => "serial",
            "serial8" => "bigserial",
            "serial2" => "smallserial",
            "timestamp with time zone" => "timestamptz",
            _ => name,
        };
        if (name == "numeric" && length is not null) scale ??= 0;
        bool array = false;
        while (IsPunct(_p, '[')) { array = true; while (!AtEnd && !IsPunct(_p, ']')) _p++; _p++; }
        if (Accept("ARRAY")) array = true;
        return new PgType(name, length, scale, array);
    }
}
