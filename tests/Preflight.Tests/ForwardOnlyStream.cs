using Preflight.Packages;

namespace Preflight.Tests;

/// <summary>A stream that can only be read forward, like a network response or an entry of a zip.</summary>
internal sealed class ForwardOnlyStream(byte[] bytes) : ReadOnlyForwardStream
{
    private readonly MemoryStream _inner = new(bytes);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
