using System.Buffers;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>
/// A regular file of the package as the reader hands it over: its location and (a prefix of) its bytes in a
/// pooled buffer. Whoever receives an entry owns it and must dispose it, which returns the buffer.
/// </summary>
public sealed class PackageEntry : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    /// <summary>Creates an entry over a pooled buffer; the entry gives it to the reader's pools on dispose (an array from <see cref="ArrayPool{T}.Shared"/> goes back there).</summary>
    /// <param name="path">Location path relative to the package root, <c>!/</c> between nested archives.</param>
    /// <param name="size">Decompressed size in bytes, as actually read.</param>
    /// <param name="depth">0 for entries of the package itself, 1 inside a nested archive, and so on.</param>
    /// <param name="buffer">Rented buffer holding the first <paramref name="length"/> bytes; may be null when length is 0.</param>
    /// <param name="length">Bytes of <paramref name="buffer"/> in use.</param>
    /// <param name="lastModified">The archive's modification time for the entry, when it has one.</param>
    public PackageEntry(string path, long size, int depth, byte[]? buffer, int length, DateTimeOffset? lastModified = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (length < 0 || length > (buffer?.Length ?? 0)) throw new ArgumentOutOfRangeException(nameof(length));
        Path = path;
        Size = size;
        Depth = depth;
        _buffer = buffer;
        _length = length;
        LastModified = lastModified;
    }

    /// <summary>Location path relative to the package root.</summary>
    public string Path { get; }

    /// <summary>The file name: the part of <see cref="Path"/> after the last <c>/</c>.</summary>
    public string FileName => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>Decompressed size of the whole entry.</summary>
    public long Size { get; }

    /// <summary>Nesting depth: 0 for entries of the package itself.</summary>
    public int Depth { get; }

    /// <summary>The archive's modification time of the entry, if any.</summary>
    public DateTimeOffset? LastModified { get; }

    /// <summary>True when <see cref="Data"/> holds only a prefix of the entry (see <c>PackageLimits.MaxAnalyzedEntryBytes</c>).</summary>
    public bool Truncated => Window is null && _length < Size;

    /// <summary>The entry's bytes (or their analysed prefix).</summary>
    public ReadOnlyMemory<byte> Data =>
        _buffer is null && _length > 0 ? throw new ObjectDisposedException(nameof(PackageEntry)) : new(_buffer ?? [], 0, _length);

    /// <summary>
    /// Set when <see cref="Data"/> is one window of a large entry (see <c>PackageLimits.AnalysisWindowBytes</c>):
    /// where it sits and what the entry's first bytes said it is. Null for an entry handed over whole.
    /// </summary>
    internal EntryWindow? Window { get; init; }

    /// <summary>
    /// Whether a checksum manifest or detached signature in the package may name this entry (false when the reader
    /// knows none can: every archive around it is a zip listing no such file). True unless the reader says otherwise.
    /// </summary>
    internal bool MayBeVouchedFor { get; init; } = true;

    /// <summary>The location of the whole entry.</summary>
    public Location Location => new(Path);

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) EntryBuffers.Return(buffer);
    }
}
