using System.Buffers.Binary;
using System.IO.Compression;
using ICSharpCode.SharpZipLib.GZip;

namespace Preflight.Packages;

/// <summary>
/// Decompresses a gzip stream with the BCL's <see cref="GZipStream"/> (native zlib), three to four times faster than
/// SharpZipLib's managed inflater, without giving up SharpZipLib's verdicts on damaged input.
/// </summary>
/// <remarks>
/// <para>
/// The BCL stream is fast but lenient: a stream cut short just ends, and it says nothing about trailing bytes. So
/// every compressed byte it consumes is kept where it can be read again: the source itself when it can seek (a package
/// file), else a copy in memory, within the session's budget for nested archives. When the BCL stream ends, the end is
/// checked: the source must be exhausted and its last eight bytes must be the trailer of everything delivered (CRC-32
/// and length, RFC 1952 section 2.3.1), which is what a complete single-member stream, by far the most common kind,
/// ends with.
/// </para>
/// <para>
/// Any other end (several members, trailing bytes, a cut), any <see cref="InvalidDataException"/> of the BCL, and a copy
/// that would outgrow the budget hand over to SharpZipLib's <see cref="GZipInputStream"/>: it decodes the kept bytes
/// from the start, the bytes already delivered are skipped, and it goes on reading the source as it streams. Its end or
/// its exception is then the reader's, exactly as when SharpZipLib read the whole stream; only the number of bytes
/// delivered before an exception may differ, both decoders giving the same bytes up to where each notices the damage.
/// Nothing is written to disk.
/// </para>
/// </remarks>
internal sealed class NativeGzipStream : ReadOnlyForwardStream, IByteMeter
{
    /// <summary>Header bytes kept for <see cref="GetFilename"/>: the fixed part, the largest extra field and a long name.</summary>
    private const int HeaderCaptureBytes = 10 + 2 + 65_535 + 4096;

    private readonly Recorder _recorder;
    private readonly GZipStream _native;
    private readonly System.IO.Hashing.Crc32 _crc = new();
    private long _delivered;
    private Stream? _fallback;
    private Stream? _replay;
    private bool _ended;

    /// <param name="source">The compressed bytes, read forward from its current position.</param>
    /// <param name="session">Whose memory budget for nested archives holds the copy of a source that cannot seek.</param>
    public NativeGzipStream(Stream source, ReadSession session)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(session);
        _recorder = new Recorder(source, source.CanSeek ? null : session);
        _native = new GZipStream(_recorder, CompressionMode.Decompress, leaveOpen: true);
    }

    /// <summary>Compressed bytes read from the source so far (each once, however often they were decoded).</summary>
    public long Consumed => _recorder.Consumed;

    /// <summary>True once SharpZipLib has taken over (for tests).</summary>
    internal bool FellBack => _fallback is not null;

    /// <summary>
    /// The first member's file name (FNAME), cut at 1024 bytes like SharpZipLib cuts it, or null when the header has none
    /// or has not been read yet. RFC 1952 says ISO 8859-1, but gzip writes a file's name as the bytes it has on disk,
    /// UTF-8 on today's systems: valid UTF-8 is read as UTF-8, anything else as ISO 8859-1. (SharpZipLib read both
    /// as ASCII, every byte above 127 becoming '?'.)
    /// </summary>
    public string? GetFilename() => ParseFileName(_recorder.Head);

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _ended) return 0;
        if (_fallback is not null) return _fallback.Read(buffer);
        int n;
        try
        {
            n = _native.Read(buffer);
        }
        catch (InvalidDataException)
        {
            return FallBack().Read(buffer);
        }
        if (n > 0)
        {
            _crc.Append(buffer[..n]);
            _delivered += n;
            return n;
        }
        if (EndsCleanly())
        {
            _ended = true;
            return 0;
        }
        return FallBack().Read(buffer);
    }

    /// <summary>
    /// The source is exhausted and its last eight bytes are the trailer of all that was delivered. (The BCL stream reads
    /// its source to the end in practice, looking for further members; the end is checked rather than relied on.)
    /// </summary>
    private bool EndsCleanly()
    {
        if (_recorder.Consumed < 18 || !_recorder.AtEnd()) return false;
        Span<byte> tail = stackalloc byte[8];
        _recorder.Tail(tail);
        return BinaryPrimitives.ReadUInt32LittleEndian(tail) == _crc.GetCurrentHashAsUInt32()
            && BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) == (uint)_delivered;
    }

    private Stream FallBack()
    {
        _replay = _recorder.Replay();
        var gzip = new GZipInputStream(_replay) { IsStreamOwner = false };
        _fallback = gzip;
        var skip = new byte[64 * 1024];
        for (long left = _delivered; left > 0;)
        {
            int n = gzip.Read(skip, 0, (int)Math.Min(skip.Length, left));
            if (n == 0) break;
            left -= n;
        }
        return gzip;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fallback?.Dispose();
            _replay?.Dispose();
            _native.Dispose();
            _recorder.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// Whether <paramref name="head"/> holds as much of a gzip header as <see cref="ParseFileName"/> reads: the fixed
    /// part and, when the flags announce one, the extra field and the whole name (or it is no gzip header at all).
    /// </summary>
    internal static bool HeaderRead(ReadOnlySpan<byte> head) => NameField(head, out _) != HeaderName.Incomplete;

    /// <summary>The FNAME field of a gzip header that starts <paramref name="head"/>, when it holds the whole field.</summary>
    internal static string? ParseFileName(ReadOnlySpan<byte> head)
    {
        if (NameField(head, out var field) != HeaderName.Found) return null;
        var name = head.Slice(field.Start.Value, Math.Min(field.End.Value - field.Start.Value, 1024));
        return System.Text.Unicode.Utf8.IsValid(name) ? System.Text.Encoding.UTF8.GetString(name) : System.Text.Encoding.Latin1.GetString(name);
    }

    private enum HeaderName
    {
        Incomplete,
        None,
        Found,
    }

    /// <summary>Walks a gzip header to its FNAME field (RFC 1952 section 2.3.1): where it is, or why there is none.</summary>
    private static HeaderName NameField(ReadOnlySpan<byte> head, out Range field)
    {
        const byte FExtra = 4, FName = 8;
        field = default;
        if (head.Length >= 3 && (head[0] != 0x1f || head[1] != 0x8b || head[2] != 8)) return HeaderName.None;
        if (head.Length < 10) return HeaderName.Incomplete;
        if ((head[3] & FName) == 0) return HeaderName.None;
        int at = 10;
        if ((head[3] & FExtra) != 0)
        {
            if (head.Length < at + 2) return HeaderName.Incomplete;
            at += 2 + BinaryPrimitives.ReadUInt16LittleEndian(head[at..]);
        }
        int end = at < head.Length ? head[at..].IndexOf((byte)0) : -1;
        if (end < 0) return HeaderName.Incomplete;
        field = at..(at + end);
        return HeaderName.Found;
    }

    /// <summary>
    /// Reads the source for the BCL stream: counts, keeps the last eight bytes and the header, and keeps a copy of
    /// everything in memory when the source cannot seek, so that the bytes can be decoded again.
    /// </summary>
    private sealed class Recorder : ReadOnlyForwardStream
    {
        private readonly Stream _source;
        private readonly long _start;
        private readonly ReadSession? _session;
        private readonly byte[] _tail = new byte[8];
        private byte[] _head = new byte[256];
        private int _headLength;
        private bool _headSettled;
        private byte[]? _copy;
        private int _copyLength;
        private long _reserved;
        private bool _replaying;

        /// <param name="source">The compressed bytes.</param>
        /// <param name="session">Null when the source can seek (it is read again in place); else the budget for the copy.</param>
        public Recorder(Stream source, ReadSession? session)
        {
            _source = source;
            _session = session;
            _start = session is null ? source.Position : 0;
        }

        public long Consumed { get; private set; }

        /// <summary>
        /// The copy could not grow within the budget: the BCL stream was told the data ended there, and SharpZipLib
        /// must take over (the bytes it has not read are still in the source).
        /// </summary>
        public bool Full { get; private set; }

        public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

        /// <summary>The last eight bytes read (when at least eight were).</summary>
        public void Tail(Span<byte> destination)
        {
            int at = (int)(Consumed % 8);
            _tail.AsSpan(at).CopyTo(destination);
            _tail.AsSpan(0, at).CopyTo(destination[(8 - at)..]);
        }

        /// <summary>Whether the source has nothing more (a byte read to find out is kept like any other).</summary>
        public bool AtEnd()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 0 && !Full;
        }

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            if (_session is not null && !_replaying && !Room(buffer.Length))
            {
                Full = true;
                return 0;
            }
            int n = _source.Read(buffer);
            if (n == 0) return 0;
            var got = buffer[..n];
            if (!_headSettled) KeepHead(got);
            if (_session is not null && !_replaying)
            {
                got.CopyTo(_copy.AsSpan(_copyLength));
                _copyLength += n;
            }
            for (int i = Math.Max(0, n - 8); i < n; i++) _tail[(Consumed + i) % 8] = got[i];
            Consumed += n;
            return n;
        }

        /// <summary>Makes room in the copy for <paramref name="bytes"/> more, within the session's budget.</summary>
        private bool Room(int bytes)
        {
            long needed = (long)_copyLength + bytes;
            if (_copy is not null && needed <= _copy.Length) return true;
            long grown = Math.Max(needed, Math.Max(64 * 1024, (_copy?.Length ?? 0) * 2L));
            if (grown > Array.MaxLength || !_session!.TryReserveNestedMemory(grown - _reserved)) return false;
            var bigger = EntryBuffers.Rent((int)grown);
            _copy?.AsSpan(0, _copyLength).CopyTo(bigger);
            if (_copy is not null) EntryBuffers.Return(_copy);
            _reserved = grown;
            _copy = bigger;
            return true;
        }

        private void KeepHead(ReadOnlySpan<byte> got)
        {
            int take = Math.Min(got.Length, HeaderCaptureBytes - _headLength);
            if (_headLength + take > _head.Length) Array.Resize(ref _head, Math.Min(HeaderCaptureBytes, Math.Max(_head.Length * 2, _headLength + take)));
            got[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
            _headSettled = _headLength == HeaderCaptureBytes || HeaderRead(Head);
        }

        /// <summary>A stream of every byte from the start: those read so far again, then the rest of the source.</summary>
        public Stream Replay()
        {
            // What the copy holds is read from here on; the rest of the source is read once, so is not kept.
            _replaying = true;
            return new ReplayStream(this, _session is null ? null : new MemoryStream(_copy ?? [], 0, _copyLength, writable: false));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && _copy is not null)
            {
                EntryBuffers.Return(_copy);
                _copy = null;
                _session!.ReleaseNestedMemory(_reserved);
                _reserved = 0;
            }
            base.Dispose(disposing);
        }

        private sealed class ReplayStream(Recorder recorder, Stream? copied) : ReadOnlyForwardStream
        {
            private readonly long _recorded = recorder.Consumed;
            private long _position;

            public override int Read(Span<byte> buffer)
            {
                if (_position >= _recorded) return recorder.Read(buffer);
                var part = buffer[..(int)Math.Min(buffer.Length, _recorded - _position)];
                int n;
                if (copied is not null)
                {
                    n = copied.Read(part);
                }
                else
                {
                    var source = recorder._source;
                    long resume = source.Position;
                    source.Position = recorder._start + _position;
                    n = source.ReadAtLeast(part, part.Length, throwOnEndOfStream: false);
                    source.Position = resume;
                }
                if (n == 0) throw new IOException("the compressed bytes read before could not be read again");
                _position += n;
                return n;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) copied?.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
