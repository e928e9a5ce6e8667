namespace Preflight.Detectors.Migrations.Postgres;

/// <summary>PostgreSQL's table lock modes, weakest first.</summary>
internal enum PgLockMode
{
    None = 0,
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

internal static class PgLockModes
{
    public static string Name(PgLockMode mode) => mode switch
    {
        PgLockMode.AccessShare => "ACCESS SHARE",
        PgLockMode.RowShare => "ROW SHARE",
        PgLockMode.RowExclusive => "ROW EXCLUSIVE",
        PgLockMode.ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
        PgLockMode.Share => "SHARE",
        PgLockMode.ShareRowExclusive => "SHARE ROW EXCLUSIVE",
        PgLockMode.Exclusive => "EXCLUSIVE",
        PgLockMode.AccessExclusive => "ACCESS EXCLUSIVE",
        _ => "no lock",
    };

    /// <summary>The name pg_locks uses (<c>AccessExclusiveLock</c>).</summary>
    public static string PgLocksName(PgLockMode mode) => mode == PgLockMode.None ? "" : mode + "Lock";

    /// <summary>What a lock of this mode blocks, for people.</summary>
    public static string Blocks(PgLockMode mode) => mode switch
    {
        PgLockMode.AccessExclusive => "blocks all reads and writes",
        PgLockMode.Exclusive => "blocks writes and SELECT ... FOR UPDATE (plain reads go on)",
        PgLockMode.ShareRowExclusive or PgLockMode.Share => "blocks writes (INSERT, UPDATE, DELETE); reads go on",
        PgLockMode.ShareUpdateExclusive => "blocks other schema changes and VACUUM; reads and writes go on",
        PgLockMode.RowExclusive => "blocks only SHARE and stronger locks",
        _ => "blocks nothing of note",
    };

    /// <summary>The modes the issue calls heavy: they block writes at least.</summary>
    public static bool IsHeavy(PgLockMode mode) => mode >= PgLockMode.Share;
}

internal enum PgStatementKind
{
    Other,
    MetaCommand,
    Begin,
    Commit,
    Rollback,
    Set,
    Reset,
    CreateTable,
    CreateIndex,
    DropIndex,
    AlterTable,
    DropTable,
    Truncate,
    Vacuum,
    Cluster,
    Reindex,
    RefreshMaterializedView,
    LockTable,
    Update,
    Delete,
    Insert,
    CreateTrigger,
    Comment,
    AlterTypeAddValue,
    Do,
}

/// <summary>A column type, normalised: base name plus its modifiers.</summary>
internal sealed record PgType(string Name, int? Length, int? Scale, bool IsArray)
{
    public override string ToString() =>
        (Length is null ? Name : Scale is null ? $"{Name}({Length})" : $"{Name}({Length},{Scale})") + (IsArray ? "[]" : "");
}

internal enum PgDefaultKind { None, Constant, Stable, Volatile, Unknown }

internal enum PgConstraintKind { None, Check, ForeignKey, Unique, PrimaryKey, Exclude, NotNull }

internal enum PgAlterKind
{
    Other,
    AddColumn,
    DropColumn,
    RenameColumn,
    RenameTable,
    RenameConstraint,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropDefault,
    AddConstraint,
    DropConstraint,
    ValidateConstraint,
    SetStatistics,
    SetStorage,
    SetLogged,
    SetTablespace,
    AttachPartition,
    DetachPartition,
    Trigger,
    SetSchema,
}

/// <summary>One action of an <c>ALTER TABLE</c>.</summary>
internal sealed class PgAlterAction
{
    public PgAlterKind Kind { get; set; }
    public string? Column { get; set; }
    public string? NewName { get; set; }
    public PgType? Type { get; set; }
    public bool HasUsing { get; set; }
    public PgDefaultKind Default { get; set; }
    public string? DefaultFunction { get; set; }
    public bool GeneratedStored { get; set; }
    public bool Identity { get; set; }
    public bool Serial { get; set; }
    public bool NotNull { get; set; }
    public string? ConstraintName { get; set; }
    public PgConstraintKind Constraint { get; set; }
    public bool NotValid { get; set; }
    public bool UsingIndex { get; set; }
    /// <summary>For <c>CHECK (col IS NOT NULL)</c>: the column.</summary>
    public string? CheckNotNullColumn { get; set; }
    public string? ReferencedTable { get; set; }
    public string? Partition { get; set; }
    public bool Concurrently { get; set; }
}

/// <summary>A classified statement: what it is and the facts the rules need.</summary>
internal sealed class PgStatement
{
    public PgStatementKind Kind { get; set; }
    /// <summary>The verb as written, upper-case (<c>ALTER TABLE</c>), for messages.</summary>
    public string Verb { get; set; } = "";
    public string? Table { get; set; }
    // The lists below are created on first use: a migration set keeps every statement until the end of the scan,
    // and most statements leave most of them empty (five empty lists were a third of a statement's size).
    private List<string>? _tables;
    private List<PgAlterAction>? _actions;
    private List<(string Name, PgType? Type)>? _columns;
    private List<string>? _references;
    private List<(string? Name, string Column)>? _notNullChecks;

    public IReadOnlyList<string> Tables => _tables ?? (IReadOnlyList<string>)[];
    public string? IndexName { get; set; }
    public bool Concurrently { get; set; }
    public bool Unique { get; set; }
    public bool Full { get; set; }
    public bool HasWhere { get; set; }
    public bool FromSelect { get; set; }
    public bool IsLocal { get; set; }
    public string? SettingName { get; set; }
    /// <summary>The value a SET gives, unquoted; null for DEFAULT/RESET.</summary>
    public string? SettingValue { get; set; }
    public PgLockMode LockMode { get; set; }
    /// <summary>For <c>REINDEX</c>: INDEX, TABLE, SCHEMA, DATABASE, SYSTEM.</summary>
    public string? Target { get; set; }
    public IReadOnlyList<PgAlterAction> Actions => _actions ?? (IReadOnlyList<PgAlterAction>)[];
    /// <summary>Columns of a CREATE TABLE with their types.</summary>
    public IReadOnlyList<(string Name, PgType? Type)> Columns => _columns ?? (IReadOnlyList<(string Name, PgType? Type)>)[];
    /// <summary>Tables referenced by foreign keys of a CREATE TABLE.</summary>
    public IReadOnlyList<string> References => _references ?? (IReadOnlyList<string>)[];
    /// <summary>For CHECK (col IS NOT NULL) constraints declared in CREATE TABLE: constraint name → column.</summary>
    public IReadOnlyList<(string? Name, string Column)> NotNullChecks => _notNullChecks ?? (IReadOnlyList<(string? Name, string Column)>)[];

    public void AddTable(string table) => (_tables ??= []).Add(table);
    public void AddAction(PgAlterAction action) => (_actions ??= []).Add(action);
    public void AddColumn(string name, PgType? type) => (_columns ??= []).Add((name, type));
    public void AddReference(string table) => (_references ??= []).Add(table);
    public void AddNotNullCheck(string? name, string column) => (_notNullChecks ??= []).Add((name, column));
}
