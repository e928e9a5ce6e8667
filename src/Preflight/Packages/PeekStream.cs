namespace Preflight.Packages;

/// <summary>A read-only forward stream that lets its first bytes be looked at before they are read.</summary>
internal sealed class PeekStream(Stream inner, int peekLength) : Stream
{
    private byte[] _head = [];
    private int _headPosition;
    private bool _peeked;

    /// <summary>A stream that yields <paramref name="head"/> (already read from <paramref name="inner"/>) before the rest of <paramref name="inner"/>.</summary>
    public PeekStream(Stream inner, byte[] head) : this(inner, head.Length)
    {
        _head = head;
        _peeked = true;
    }

    /// <summary>Reads up to the peek length (fewer at the end of the stream) and keeps it for the reader.</summary>
    public async Task<byte[]> PeekAsync(CancellationToken cancellationToken)
    {
        if (!_peeked)
        {
            var buffer = new byte[peekLength];
            int n = await inner.ReadAtLeastAsync(buffer, peekLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            _head = buffer[..n];
            _peeked = true;
        }
        return _head;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_headPosition < _head.Length)
        {
            int n = Math.Min(buffer.Length, _head.Length - _headPosition);
            _head.AsSpan(_headPosition, n).CopyTo(buffer);
            _headPosition += n;
            return n;
        }
        return inner.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_headPosition < _head.Length) return Read(buffer.Span);
        return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
