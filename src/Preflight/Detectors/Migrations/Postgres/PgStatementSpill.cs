using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>
/// Keeps the parsed statements of a large migration set out of memory. The analysis needs every migration of a
/// set before it can start (files arrive in archive order, the runner's order is only known at the end), so the
/// statement models of every migration wait until the package has been read: about 600 bytes a statement, which on
/// a package with hundreds of thousands of statements was the largest thing the scan held. The first
/// <see cref="Budget"/> statements stay in memory; the scripts after that are written, in a compact binary form, to
/// one temporary file and read back one migration at a time when the analysis walks them.
/// </summary>
/// <remarks>
/// The file is created in the temporary folder, opened for this process alone and removed at once where the
/// platform allows it (an open file on Unix; delete-on-close on Windows), so it leaves nothing behind even when
/// the process is killed. When it cannot be created, the scripts stay in memory: the scan loses nothing.
/// Appends and reads are positional and may come from several threads.
/// </remarks>
internal sealed class PgStatementSpill : IDisposable
{
    /// <summary>Statements kept in memory before the spill starts writing: about 10 MB of statement models.</summary>
    public const int DefaultBudget = 16_384;

    private readonly string _directory;
    private readonly Lock _lock = new();
    private SafeFileHandle? _file;
    private long _length;
    private int _inMemory;
    private bool _unavailable;
    private bool _disposed;

    public PgStatementSpill(int budget = DefaultBudget, string? directory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        Budget = budget;
        _directory = directory ?? Path.GetTempPath();
    }

    /// <summary>Statements kept in memory before scripts are written out.</summary>
    public int Budget { get; }

    /// <summary>Statements written to the file so far.</summary>
    public int SpilledStatements { get; private set; }

    /// <summary>Bytes written to the file so far.</summary>
    public long SpilledBytes => Interlocked.Read(ref _length);

    /// <summary>
    /// The form in which <paramref name="script"/> should be kept until the end of the scan: itself while the budget
    /// lasts (or when the file cannot be written), otherwise a script whose statements are read back on demand.
    /// </summary>
    public PgScript Keep(PgScript script)
    {
        int count = script.Count;
        if (count == 0 || script.IsSpilled) return script;
        if (Interlocked.Add(ref _inMemory, count) <= Budget) return script;
        byte[] bytes = PgStatementCodec.Encode(script.Statements);
        long offset;
        lock (_lock)
        {
            if (_disposed || !EnsureFile()) return script;
            offset = _length;
            try
            {
                RandomAccess.Write(_file!, bytes, offset);
            }
            catch (IOException)
            {
                // a full disk: keep this script (and the rest) in memory rather than lose it
                _unavailable = true;
                return script;
            }
            Interlocked.Exchange(ref _length, offset + bytes.Length);
            SpilledStatements += count;
        }
        return PgScript.Spilled(this, offset, bytes.Length, count, script.Unterminated);
    }

    /// <summary>Reads back the statements <see cref="Keep"/> wrote at <paramref name="offset"/>.</summary>
    internal IReadOnlyList<PgScriptStatement> Read(long offset, int length, int count)
    {
        SafeFileHandle file;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            file = _file!;
        }
        // A pooled buffer: the cross-entry step reads back every spilled migration, one after another, and a fresh
        // array each was a fifth of what that step allocated on the 2 GiB benchmark package (25 MiB), at the point
        // where the scan's memory peaks. The decoded statements copy what they keep.
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int read = 0;
            while (read < length)
            {
                int n = RandomAccess.Read(file, bytes.AsSpan(read, length - read), offset + read);
                if (n == 0) throw new InvalidDataException("the migration statements written to the temporary file were cut short");
                read += n;
            }
            return PgStatementCodec.Decode(bytes, length, count);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private bool EnsureFile()
    {
        if (_file is not null) return true;
        if (_unavailable) return false;
        string path = Path.Combine(_directory, "preflight-migrations-" + Path.GetRandomFileName());
        try
        {
            _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                FileOptions.DeleteOnClose | (OperatingSystem.IsWindows() ? FileOptions.RandomAccess : FileOptions.None));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _unavailable = true;
            return false;
        }
        // On Unix an open file lives on after its name is gone: remove the name now, so that nothing is left behind
        // even if the process is killed before Dispose.
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // delete-on-close removes it at Dispose
            }
        }
        return true;
    }

    /// <summary>Closes (and so removes) the file; scripts kept in it can no longer be read.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _file?.Dispose();
            _file = null;
        }
    }
}

/// <summary>The binary form of parsed statements in the spill file. It is read back by the same process only.</summary>
internal static class PgStatementCodec
{
    public static byte[] Encode(IReadOnlyList<PgScriptStatement> statements)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            foreach (var st in statements) Write(w, st);
        }
        return stream.ToArray();
    }

    public static IReadOnlyList<PgScriptStatement> Decode(byte[] bytes, int count) => Decode(bytes, bytes.Length, count);

    /// <summary>Decodes <paramref name="count"/> statements from the first <paramref name="length"/> bytes of <paramref name="bytes"/>, which must hold exactly them.</summary>
    public static IReadOnlyList<PgScriptStatement> Decode(byte[] bytes, int length, int count)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, 0, length, writable: false), Encoding.UTF8);
        var result = new PgScriptStatement[count];
        for (int i = 0; i < count; i++) result[i] = Read(r);
        if (r.BaseStream.Position != length) throw new InvalidDataException("the migration statements in the temporary file do not decode to the length written");
        return result;
    }

    private static void Write(BinaryWriter w, PgScriptStatement st)
    {
        Write(w, st.Statement);
        w.Write7BitEncodedInt(st.Line);
        w.Write7BitEncodedInt(st.Column);
        w.Write(st.Evidence);
        w.Write7BitEncodedInt(st.Suppressions.Count);
        foreach (var (rule, reason) in st.Suppressions)
        {
            w.Write(rule);
            w.Write(reason);
        }
        w.Write7BitEncodedInt(st.BadSuppressions.Count);
        foreach (var (line, column, rule) in st.BadSuppressions)
        {
            w.Write7BitEncodedInt(line);
            w.Write7BitEncodedInt(column);
            w.Write(rule);
        }
        w.Write((byte)(st.StartsChangeset switch { null => 0, false => 1, true => 2 }));
    }

    private static PgScriptStatement Read(BinaryReader r)
    {
        var statement = ReadStatement(r);
        int line = r.Read7BitEncodedInt();
        int column = r.Read7BitEncodedInt();
        string evidence = r.ReadString();
        int suppressionCount = r.Read7BitEncodedInt();
        IReadOnlyDictionary<string, string> suppressions = NoSuppressions;
        if (suppressionCount > 0)
        {
            var map = new Dictionary<string, string>(suppressionCount, StringComparer.Ordinal);
            for (int i = 0; i < suppressionCount; i++) map[r.ReadString()] = r.ReadString();
            suppressions = map;
        }
        int badCount = r.Read7BitEncodedInt();
        IReadOnlyList<(int, int, string)> bad = NoBadSuppressions;
        if (badCount > 0)
        {
            var list = new (int, int, string)[badCount];
            for (int i = 0; i < badCount; i++) list[i] = (r.Read7BitEncodedInt(), r.Read7BitEncodedInt(), r.ReadString());
            bad = list;
        }
        bool? changeset = r.ReadByte() switch { 0 => null, 1 => false, 2 => true, var b => throw new InvalidDataException($"bad changeset flag {b}") };
        return new PgScriptStatement(statement, line, column, evidence, suppressions, bad, changeset);
    }

    private static readonly Dictionary<string, string> NoSuppressions = new(StringComparer.Ordinal);
    private static readonly (int, int, string)[] NoBadSuppressions = [];

    private static void Write(BinaryWriter w, PgStatement s)
    {
        w.Write((byte)s.Kind);
        w.Write(s.Verb);
        WriteNullable(w, s.Table);
        WriteNullable(w, s.IndexName);
        w.Write((byte)((s.Concurrently ? 1 : 0) | (s.Unique ? 2 : 0) | (s.Full ? 4 : 0) | (s.HasWhere ? 8 : 0) | (s.FromSelect ? 16 : 0) | (s.IsLocal ? 32 : 0)));
        WriteNullable(w, s.SettingName);
        WriteNullable(w, s.SettingValue);
        w.Write((byte)s.LockMode);
        WriteNullable(w, s.Target);
        w.Write7BitEncodedInt(s.Tables.Count);
        foreach (var t in s.Tables) w.Write(t);
        w.Write7BitEncodedInt(s.Actions.Count);
        foreach (var a in s.Actions) Write(w, a);
        w.Write7BitEncodedInt(s.Columns.Count);
        foreach (var (name, type) in s.Columns)
        {
            w.Write(name);
            Write(w, type);
        }
        w.Write7BitEncodedInt(s.References.Count);
        foreach (var t in s.References) w.Write(t);
        w.Write7BitEncodedInt(s.NotNullChecks.Count);
        foreach (var (name, column) in s.NotNullChecks)
        {
            WriteNullable(w, name);
            w.Write(column);
        }
    }

    private static PgStatement ReadStatement(BinaryReader r)
    {
        var s = new PgStatement
        {
            Kind = (PgStatementKind)r.ReadByte(),
            Verb = r.ReadString(),
            Table = ReadNullable(r),
            IndexName = ReadNullable(r),
        };
        int flags = r.ReadByte();
        s.Concurrently = (flags & 1) != 0;
        s.Unique = (flags & 2) != 0;
        s.Full = (flags & 4) != 0;
        s.HasWhere = (flags & 8) != 0;
        s.FromSelect = (flags & 16) != 0;
        s.IsLocal = (flags & 32) != 0;
        s.SettingName = ReadNullable(r);
        s.SettingValue = ReadNullable(r);
        s.LockMode = (PgLockMode)r.ReadByte();
        s.Target = ReadNullable(r);
        for (int i = r.Read7BitEncodedInt(); i > 0; i--) s.AddTable(r.ReadString());
        for (int i = r.Read7BitEncodedInt(); i > 0; i--) s.AddAction(ReadAction(r));
        for (int i = r.Read7BitEncodedInt(); i > 0; i--) s.AddColumn(r.ReadString(), ReadType(r));
        for (int i = r.Read7BitEncodedInt(); i > 0; i--) s.AddReference(r.ReadString());
        for (int i = r.Read7BitEncodedInt(); i > 0; i--) s.AddNotNullCheck(ReadNullable(r), r.ReadString());
        return s;
    }

    private static void Write(BinaryWriter w, PgAlterAction a)
    {
        w.Write((byte)a.Kind);
        WriteNullable(w, a.Column);
        WriteNullable(w, a.NewName);
        Write(w, a.Type);
        w.Write((byte)a.Default);
        WriteNullable(w, a.DefaultFunction);
        w.Write((byte)a.Constraint);
        WriteNullable(w, a.ConstraintName);
        WriteNullable(w, a.CheckNotNullColumn);
        WriteNullable(w, a.ReferencedTable);
        WriteNullable(w, a.Partition);
        w.Write((byte)((a.HasUsing ? 1 : 0) | (a.GeneratedStored ? 2 : 0) | (a.Identity ? 4 : 0) | (a.Serial ? 8 : 0)
            | (a.NotNull ? 16 : 0) | (a.NotValid ? 32 : 0) | (a.UsingIndex ? 64 : 0) | (a.Concurrently ? 128 : 0)));
    }

    private static PgAlterAction ReadAction(BinaryReader r)
    {
        var a = new PgAlterAction
        {
            Kind = (PgAlterKind)r.ReadByte(),
            Column = ReadNullable(r),
            NewName = ReadNullable(r),
            Type = ReadType(r),
            Default = (PgDefaultKind)r.ReadByte(),
            DefaultFunction = ReadNullable(r),
            Constraint = (PgConstraintKind)r.ReadByte(),
            ConstraintName = ReadNullable(r),
            CheckNotNullColumn = ReadNullable(r),
            ReferencedTable = ReadNullable(r),
            Partition = ReadNullable(r),
        };
        int flags = r.ReadByte();
        a.HasUsing = (flags & 1) != 0;
        a.GeneratedStored = (flags & 2) != 0;
        a.Identity = (flags & 4) != 0;
        a.Serial = (flags & 8) != 0;
        a.NotNull = (flags & 16) != 0;
        a.NotValid = (flags & 32) != 0;
        a.UsingIndex = (flags & 64) != 0;
        a.Concurrently = (flags & 128) != 0;
        return a;
    }

    private static void Write(BinaryWriter w, PgType? type)
    {
        if (type is null)
        {
            w.Write((byte)0);
            return;
        }
        w.Write((byte)((type.IsArray ? 2 : 1) | (type.Length is null ? 0 : 4) | (type.Scale is null ? 0 : 8)));
        w.Write(type.Name);
        if (type.Length is { } length) w.Write(length);
        if (type.Scale is { } scale) w.Write(scale);
    }

    private static PgType? ReadType(BinaryReader r)
    {
        int flags = r.ReadByte();
        if (flags == 0) return null;
        string name = r.ReadString();
        int? length = (flags & 4) != 0 ? r.ReadInt32() : null;
        int? scale = (flags & 8) != 0 ? r.ReadInt32() : null;
        return new PgType(name, length, scale, (flags & 2) != 0);
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
