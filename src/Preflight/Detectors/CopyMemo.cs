using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Preflight.Detectors;

/// <summary>An entry's content (SHA-256, lower-case hex) and file name: what a copy of the entry shares with it.</summary>
/// <param name="Sha256">The SHA-256 of the entry's bytes.</param>
/// <param name="FileName">The entry's file name (rules look at it, never at the folders above it).</param>
internal readonly record struct CopyKey(string Sha256, string FileName)
{
    /// <summary>
    /// The key of the entry being analysed (its SHA-256 is computed once, for every detector that asks); null when the
    /// detector sees a window of the entry rather than all of it.
    /// </summary>
    public static CopyKey? Of(EntryContext context) =>
        context.Window is null ? new(Convert.ToHexStringLower(context.Content.Sha256), context.Info.FileName) : null;
}

/// <summary>
/// What a detector made of an entry, remembered by <see cref="CopyKey"/>: a package ships the same assembly in many
/// folders (each service its own copy of a library), and a copy is answered without reading it again. Only for results
/// that depend on nothing but the bytes and the file name; the detector reports them at the copy's own location.
/// Thread-safe (two workers may examine two copies at once: both results are the same, the first is kept); at most
/// <see cref="Capacity"/> results are kept, after which entries are examined as if the memo were not there.
/// </summary>
/// <typeparam name="T">The remembered result.</typeparam>
internal sealed class CopyMemo<T>
    where T : class
{
    /// <summary>The default number of results kept.</summary>
    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<CopyKey, T> _known = new();
    // ConcurrentDictionary.Count takes every lock of the table; counted here instead (a race may admit a few more).
    private int _count;

    public CopyMemo(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>How many results are kept at most.</summary>
    public int Capacity { get; }

    /// <summary>The result remembered for a copy of this content, if any (never for a window: <paramref name="key"/> null).</summary>
    public bool TryGet(CopyKey? key, [MaybeNullWhen(false)] out T result)
    {
        if (key is { } k) return _known.TryGetValue(k, out result);
        result = null;
        return false;
    }

    /// <summary>Remembers a result, while there is room (nothing for a window: <paramref name="key"/> null).</summary>
    public void Remember(CopyKey? key, T result)
    {
        if (key is { } k && Volatile.Read(ref _count) < Capacity && _known.TryAdd(k, result)) Interlocked.Increment(ref _count);
    }
}
