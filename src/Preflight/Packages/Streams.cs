using System.Security.Cryptography;

namespace Preflight.Packages;

/// <summary>Counts the compressed bytes a decompressor has consumed, for ratio checks on bytes actually read.</summary>
internal interface IByteMeter
{
    /// <summary>Bytes consumed so far.</summary>
    long Consumed { get; }
}

/// <summary>A read-only forward stream base: everything but reading is unsupported.</summary>
internal abstract class ReadOnlyForwardStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // The last completed array read's task, handed out again for a read of the same count: SharpZipLib's tar reader
    // reads every 512-byte record through the array overload, and a task per record was 7 MiB of the 300 MiB benchmark
    // package's allocations. (A stream is read by one reader at a time, so no lock.)
    private Task<int>? _lastArrayRead;

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = ReadAsync(buffer.AsMemory(offset, count), cancellationToken);
        if (!read.IsCompletedSuccessfully) return read.AsTask();
        int n = read.Result;
        var last = _lastArrayRead;
        return last is not null && last.Result == n ? last : _lastArrayRead = Task.FromResult(n);
    }

    /// <summary>
    /// Reads synchronously; a stream with reads of its own to await overrides this. (The array overload above maps
    /// here, and <see cref="Stream"/>'s own version of this one maps back to it: inherited, an asynchronous read
    /// would recurse until the stack overflows.)
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return new ValueTask<int>(Read(buffer.Span));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }
}

/// <summary>
/// Reads a decompressor that has no asynchronous read of its own (SharpZipLib's gzip and bzip2 streams) on the
/// caller's thread. Without it, <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/> falls back to the base
/// class, which runs every read as a task on the thread pool behind a semaphore: for a nested tar.gz read in 512-byte
/// tar blocks that was a thread hop, a task and an async state machine at every level above it, per block (70 MiB
/// of allocations on the 300 MiB benchmark package). Decompression is CPU work either way, and the scan's worker
/// is already off the caller's thread.
/// </summary>
internal sealed class SynchronousReads(Stream inner) : ReadOnlyForwardStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
}

/// <summary>Counts the bytes read through it.</summary>
internal sealed class CountingStream(Stream inner) : ReadOnlyForwardStream, IByteMeter
{
    public long Consumed { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Consumed += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Consumed += n;
        return n;
    }
}

/// <summary>
/// A window [start, start + length) of a seekable stream, read forward. It seeks before every read, so
/// several windows may take turns on one stream (never at once).
/// </summary>
internal sealed class SubReadStream(Stream baseStream, long start, long length) : ReadOnlyForwardStream, IByteMeter
{
    private long _position;

    public long Consumed => _position;

    public override int Read(Span<byte> buffer)
    {
        long left = length - _position;
        if (left <= 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        baseStream.Position = start + _position;
        int n = baseStream.Read(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long left = length - _position;
        if (left <= 0 || buffer.IsEmpty) return 0;
        if (buffer.Length > left) buffer = buffer[..(int)left];
        baseStream.Position = start + _position;
        int n = await baseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }
}

/// <summary>
/// Computes the CRC-32 of what is read through it, with the runtime's vectorised CRC (carry-less multiplication where
/// the processor has it): SharpZipLib's table-driven one was a tenth of the reader's CPU time.
/// </summary>
internal sealed class Crc32Stream(Stream inner) : ReadOnlyForwardStream
{
    private readonly System.IO.Hashing.Crc32 _crc = new();

    public long Value => _crc.GetCurrentHashAsUInt32();

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _crc.Append(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _crc.Append(buffer.Span[..n]);
        return n;
    }
}

/// <summary>Why reading an entry was cut short by a limit.</summary>
internal enum LimitKind
{
    EntrySize,
    Ratio,
    Total,
    PackageRatio,
    Time,
}

/// <summary>
/// Thrown by an <see cref="EntryLimitStream"/> once it has reported a limit. It unwinds every archive reader
/// stacked on that stream up to the entry that owns it; nothing else catches it.
/// </summary>
internal sealed class LimitReachedException : Exception
{
    public LimitReachedException(EntryLimitStream owner, LimitKind kind) : base($"limit reached: {kind}")
    {
        Owner = owner;
        Kind = kind;
    }

    public LimitReachedException() { }

    public LimitReachedException(string message) : base(message) { }

    public LimitReachedException(string message, Exception inner) : base(message, inner) { }

    public EntryLimitStream? Owner { get; }

    public LimitKind Kind { get; }
}

/// <summary>
/// The bytes of one entry as they are read: counted against the session's limits on the bytes actually
/// read (never on sizes the archive claims), optionally hashed.
/// </summary>
internal sealed class EntryLimitStream : ReadOnlyForwardStream
{
    private readonly ReadSession _session;
    private readonly Stream _source;
    private readonly long _compressedSize;
    private readonly IByteMeter? _meter;
    private readonly long _meterStart;

    public EntryLimitStream(ReadSession session, Stream source, string path, long compressedSize, IByteMeter? meter, IncrementalHash? hash)
    {
        _session = session;
        _source = source;
        Path = path;
        _compressedSize = compressedSize;
        _meter = meter;
        _meterStart = meter?.Consumed ?? 0;
        Hash = hash;
    }

    public string Path { get; }

    public IncrementalHash? Hash { get; }

    /// <summary>Decompressed bytes read so far.</summary>
    public long Size { get; private set; }

    /// <summary>True once the source returned end of data.</summary>
    public bool ReachedEnd { get; private set; }

    /// <summary>Compressed bytes behind <see cref="Size"/>: measured when a meter is given, else the archive's claim, else -1.</summary>
    public long CompressedBytes => _meter is not null ? Math.Max(1, _meter.Consumed - _meterStart) : _compressedSize;

    public override int Read(Span<byte> buffer)
    {
        int n = _source.Read(buffer);
        After(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        After(buffer.Span[..n]);
        return n;
    }

    private void After(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            ReachedEnd = true;
            return;
        }
        Hash?.AppendData(data);
        Size += data.Length;
        _session.Account(this, data.Length);
    }
}

/// <summary>
/// Holds a nested archive that needs random access (zip): in pooled memory while the session's in-memory
/// budget allows, otherwise in a file in the session's temporary folder, deleted on dispose.
/// </summary>
internal sealed class Spool : IDisposable
{
    private readonly ReadSession _session;
    private byte[]? _memory;
    private int _length;
    private long _reserved;
    private FileStream? _file;

    public Spool(ReadSession session) => _session = session;

    public long Length => _file?.Length ?? _length;

    public bool OnDisk => _file is not null;

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_file is null)
        {
            long needed = (long)_length + data.Length;
            if (_memory is not null && needed <= _memory.Length)
            {
                data.CopyTo(_memory.AsSpan(_length));
                _length += data.Length;
                return;
            }
            long grown = Math.Max(needed, Math.Max(64 * 1024, (_memory?.Length ?? 0) * 2L));
            if (grown <= Array.MaxLength && _session.TryReserveNestedMemory(grown - _reserved))
            {
                var bigger = EntryBuffers.Rent((int)grown);
                _memory?.AsSpan(0, _length).CopyTo(bigger);
                if (_memory is not null) EntryBuffers.Return(_memory);
                _reserved = grown;
                _memory = bigger;
                data.CopyTo(_memory.AsSpan(_length));
                _length += data.Length;
                return;
            }
            _file = _session.CreateSpoolFile();
            if (_memory is not null)
            {
                _file.Write(_memory, 0, _length);
                ReturnMemory();
            }
        }
        _file.Write(data);
    }

    /// <summary>A seekable view of everything written.</summary>
    public Stream OpenRead()
    {
        if (_file is not null)
        {
            _file.Flush();
            _file.Position = 0;
            return new NonClosingStream(_file);
        }
        return new MemoryStream(_memory ?? [], 0, _length, writable: false);
    }

    private void ReturnMemory()
    {
        if (_memory is not null) EntryBuffers.Return(_memory);
        _memory = null;
        _length = 0;
        _session.ReleaseNestedMemory(_reserved);
        _reserved = 0;
    }

    public void Dispose()
    {
        ReturnMemory();
        _file?.Dispose();
        _file = null;
    }

    private sealed class NonClosingStream(FileStream file) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => file.Length;
        public override long Position { get => file.Position; set => file.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => file.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => file.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => file.ReadAsync(buffer, offset, count, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
