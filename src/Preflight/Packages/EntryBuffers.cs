using System.Buffers;
using Preflight.Content;

namespace Preflight.Packages;

/// <summary>
/// Where the reader's entry buffers come from: small ones from <see cref="ArrayPool{T}.Shared"/>, large ones from a
/// <see cref="BoundedArrayPool{T}"/> whose budget bounds what stays allocated between entries.
/// </summary>
internal static class EntryBuffers
{
    /// <summary>Buffers up to this length come from the shared pool.</summary>
    public const int SharedPoolMaxLength = 64 * 1024;

    /// <summary>Large buffers: up to 32 MiB each (the default analysed prefix), 48 MiB kept in all.</summary>
    public static BoundedArrayPool<byte> Large { get; } = new(32 << 20, 48L << 20);

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public static byte[] Rent(int length) => length <= SharedPoolMaxLength ? ArrayPool<byte>.Shared.Rent(length) : Large.Rent(length);

    /// <summary>Gives a buffer back to the pool it fits.</summary>
    public static void Return(byte[] buffer)
    {
        // The shared pool takes back only its own sizes (powers of two from 16).
        if (buffer.Length <= SharedPoolMaxLength && buffer.Length >= 16 && System.Numerics.BitOperations.IsPow2(buffer.Length))
            ArrayPool<byte>.Shared.Return(buffer);
        else
            Large.Return(buffer);
    }
}
