namespace Preflight.Content;

/// <summary>
/// The character buffers large texts are decoded into, reused across entries. Unlike <c>ArrayPool.Shared</c>, which
/// keeps arrays per thread and per core for every size class, this pool holds at most <see cref="MaxPooled"/>
/// buffers of at most <see cref="MaxPooledLength"/> characters: what it keeps is bounded by those two numbers, not
/// by the package (a scan's workers each hold one buffer at a time). A larger text gets a buffer of its own, which the
/// collector frees after the entry.
/// </summary>
internal static class TextBufferPool
{
    /// <summary>Buffers kept between entries.</summary>
    public const int MaxPooled = 4;

    /// <summary>The largest buffer kept (16 M characters, 32 MiB).</summary>
    public const int MaxPooledLength = 16 << 20;

    private static readonly char[]?[] Pooled = new char[MaxPooled][];
    private static readonly Lock Gate = new();

    /// <summary>A buffer of at least <paramref name="length"/> characters (its contents are arbitrary).</summary>
    public static char[] Rent(int length)
    {
        if (length <= MaxPooledLength)
        {
            lock (Gate)
            {
                // The smallest kept buffer that fits.
                int best = -1;
                for (int i = 0; i < Pooled.Length; i++)
                    if (Pooled[i] is { } b && b.Length >= length && (best < 0 || b.Length < Pooled[best]!.Length)) best = i;
                if (best >= 0)
                {
                    var found = Pooled[best]!;
                    Pooled[best] = null;
                    return found;
                }
            }
            // Round up so that texts of similar sizes share buffers.
            length = (int)Math.Min(MaxPooledLength, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length));
        }
        return GC.AllocateUninitializedArray<char>(length);
    }

    /// <summary>Gives a buffer back; it is kept when there is room, or in place of a smaller one.</summary>
    public static void Return(char[] buffer)
    {
        if (buffer.Length > MaxPooledLength) return;
        lock (Gate)
        {
            int smallest = -1;
            for (int i = 0; i < Pooled.Length; i++)
            {
                if (Pooled[i] is null)
                {
                    Pooled[i] = buffer;
                    return;
                }
                if (smallest < 0 || Pooled[i]!.Length < Pooled[smallest]!.Length) smallest = i;
            }
            if (Pooled[smallest]!.Length < buffer.Length) Pooled[smallest] = buffer;
        }
    }
}
