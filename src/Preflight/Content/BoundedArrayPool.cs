namespace Preflight.Content;

/// <summary>
/// Large buffers reused across entries, within a byte budget. <c>ArrayPool.Shared</c> keeps arrays per thread and per
/// core for every size class, so multi-megabyte buffers rented and returned on the scan's hopping thread-pool threads
/// pile up; this pool keeps what fits in <see cref="BudgetBytes"/> (the largest buffers first) and no buffer larger
/// than <see cref="MaxPooledLength"/>. What the scan retains between entries is then bounded by configuration, not
/// by the package. A buffer it does not keep is left to the collector.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class BoundedArrayPool<T>
{
    private readonly List<T[]> _pooled = [];
    private readonly Lock _gate = new();
    private long _pooledBytes;

    /// <summary>Creates a pool.</summary>
    /// <param name="maxPooledLength">The longest buffer kept, in elements.</param>
    /// <param name="budgetBytes">The most bytes kept in all.</param>
    public BoundedArrayPool(int maxPooledLength, long budgetBytes)
    {
        MaxPooledLength = maxPooledLength;
        BudgetBytes = budgetBytes;
    }

    /// <summary>Large texts' characters: two workers each decode one text at a time.</summary>
    public static BoundedArrayPool<char> Text { get; } = new(16 << 20, 48L << 20);

    /// <summary>The longest buffer kept, in elements.</summary>
    public int MaxPooledLength { get; }

    /// <summary>The most bytes the pool keeps.</summary>
    public long BudgetBytes { get; }

    /// <summary>Bytes kept now.</summary>
    public long PooledBytes
    {
        get
        {
            lock (_gate) return _pooledBytes;
        }
    }

    private static long BytesOf(T[] array) => (long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>A buffer of at least <paramref name="length"/> elements (its contents are arbitrary).</summary>
    public T[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length <= MaxPooledLength)
        {
            lock (_gate)
            {
                // The smallest kept buffer that fits.
                int best = -1;
                for (int i = 0; i < _pooled.Count; i++)
                    if (_pooled[i].Length >= length && (best < 0 || _pooled[i].Length < _pooled[best].Length)) best = i;
                if (best >= 0)
                {
                    var found = _pooled[best];
                    _pooled.RemoveAt(best);
                    _pooledBytes -= BytesOf(found);
                    return found;
                }
            }
            // Rounded up so that entries of similar sizes share buffers.
            length = (int)Math.Min(MaxPooledLength, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 16)));
        }
        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Lets go of every kept buffer: the collector may have them from then on.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _pooled.Clear();
            _pooledBytes = 0;
        }
    }

    /// <summary>Gives a buffer back: kept if it is not too long, then the smallest kept buffers go until the budget holds.</summary>
    public void Return(T[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length > MaxPooledLength || BytesOf(buffer) > BudgetBytes) return;
        lock (_gate)
        {
            foreach (var kept in _pooled)
                if (ReferenceEquals(kept, buffer)) return; // returned twice: keep it once
            _pooled.Add(buffer);
            _pooledBytes += BytesOf(buffer);
            while (_pooledBytes > BudgetBytes)
            {
                int smallest = 0;
                for (int i = 1; i < _pooled.Count; i++)
                    if (_pooled[i].Length < _pooled[smallest].Length) smallest = i;
                _pooledBytes -= BytesOf(_pooled[smallest]);
                _pooled.RemoveAt(smallest);
            }
        }
    }
}
