using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mono.Cecil;

namespace Preflight.Content;

/// <summary>
/// Facts about a .NET module read straight from its metadata tables and method bodies, so that a walk of the module
/// with Mono.Cecil can leave out what cannot hold anything it looks for: members without a custom attribute (or
/// without one that can hold a string), fields without a constant, method bodies whose strings do not matter to the
/// walk. Cecil reads each of those lazily and at a price (a lock, a lookup, a body decoded into an object per
/// instruction); the tables answer the same questions for a few bytes each.
/// <para>
/// Each answer errs only towards "ask Cecil": a member is said to have no attribute only when no CustomAttribute row
/// names its token as Cecil decodes it, so Cecil would have returned none; a body is said to need no reading only when
/// it reads regularly (see <see cref="Irregular"/>) and the strings it loads, read as Cecil reads them, are all ones
/// the walk rejects. A body Cecil could throw on is left to Cecil, and there is no index at all for a module whose
/// definitions (which a body's operands make Cecil read) do not read soundly, so the walks fail on malformed metadata
/// where they failed before (<c>ModuleIndexTests</c> compares the reports with and without the index on damaged
/// assemblies).
/// </para>
/// </summary>
internal sealed class ModuleIndex
{
    /// <summary>Body fact: the body holds an <c>ldstr</c>.</summary>
    internal const byte HoldsString = 1;

    /// <summary>Body fact: the body reads in a way Cecil could throw on or read differently; only Cecil may read it.</summary>
    internal const byte Irregular = 2;

    private static readonly ConditionalWeakTable<EntryContent, Holder> Cache = [];

    private readonly HashSet<uint> _attributeParents;
    private readonly HashSet<uint> _stringAttributeParents;
    private readonly HashSet<uint>? _constantParents;
    private readonly byte[] _bodies;
    private readonly ReadOnlyMemory<byte> _strings;
    private readonly int[] _firstString;
    private readonly uint[] _loads;
    private readonly ReadOnlyMemory<byte>? _userStrings;

    internal ModuleIndex(HashSet<uint> attributeParents, HashSet<uint> stringAttributeParents, HashSet<uint>? constantParents, byte[] bodies, int[] firstString, uint[] loads,
        ReadOnlyMemory<byte> strings, ReadOnlyMemory<byte>? userStrings)
    {
        _attributeParents = attributeParents;
        _stringAttributeParents = stringAttributeParents;
        _constantParents = constantParents;
        _bodies = bodies;
        _firstString = firstString;
        _loads = loads;
        _strings = strings;
        _userStrings = userStrings;
    }

    /// <summary>
    /// The index of an entry's module, built once and shared by every detector that walks it; null when the entry has
    /// no module Cecil could read, or its tables cannot be indexed (then nothing may be skipped).
    /// </summary>
    public static ModuleIndex? For(EntryContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Module is null) return null;
        // Indexes the copy of the bytes Cecil reads (set whenever Module is not null), not a second copy.
        return Cache.GetValue(content, static c => new Holder(MetadataPrecheck.Index(c.ModuleImage!.Value.Array, c.ModuleImage.Value.Length))).Index;
    }

    /// <summary>Makes <see cref="For"/> return null for this entry, so that every walk asks Cecil everything (tests compare the two).</summary>
    internal static void Suppress(EntryContent content) => Cache.AddOrUpdate(content, new Holder(null));

    /// <summary>False when no custom attribute names this member: Cecil's <c>HasCustomAttributes</c> would be false.</summary>
    public bool MayHaveAttributes(ICustomAttributeProvider provider) => _attributeParents.Contains(provider.MetadataToken.ToUInt32());

    /// <summary>
    /// False when no custom attribute of this member can have a string argument: each is read by Cecil without throwing
    /// and holds only fixed-size primitive arguments (see <c>MetadataPrecheck</c>), so a walk after strings finds none.
    /// </summary>
    public bool MayHaveStringAttributes(ICustomAttributeProvider provider) =>
        _stringAttributeParents.Contains(provider.MetadataToken.ToUInt32());

    /// <summary>False when no constant row names this field: Cecil's <c>HasConstant</c> would be false.</summary>
    public bool MayHaveConstant(FieldDefinition field) => _constantParents is null || _constantParents.Contains(field.MetadataToken.ToUInt32());

    /// <summary>
    /// False when Cecil would read this method's body without throwing and find no <c>ldstr</c> in it (or would read no
    /// body at all); true when it holds a string or only Cecil may read it.
    /// </summary>
    public bool MayHoldString(MethodDefinition method) => Facts(method) != 0;

    /// <summary>
    /// False when Cecil would read this method's body without throwing and every string it loads (<c>ldstr</c>) is one
    /// <paramref name="matters"/> rejects, so that a walk looking only at those strings would find nothing in it. The
    /// strings are read from the #US heap as Cecil reads them (a compressed length, its even part as UTF-16 code units);
    /// one Cecil might read otherwise (a four-byte length, a length past the heap) means the body must be read.
    /// </summary>
    public bool MayYield(MethodDefinition method, Func<string, bool> matters)
    {
        ArgumentNullException.ThrowIfNull(matters);
        byte facts = Facts(method);
        if ((facts & Irregular) != 0) return true;
        if ((facts & HoldsString) == 0) return false;
        uint rid = method.MetadataToken.RID;
        for (int i = _firstString[rid]; i < _firstString[rid + 1]; i++)
            if (UserString(_loads[i]) is not { } value || matters(value)) return true;
        return false;
    }

    /// <summary>The user string Cecil reads at a #US index, or null when it could read it otherwise than here.</summary>
    private string? UserString(uint index)
    {
        // No heap (Cecil has none to read from), an empty one (its size check wraps) or a big-endian host: read by Cecil.
        if (_userStrings is not { } heap || heap.IsEmpty || !BitConverter.IsLittleEndian) return null;
        if (index == 0 || index > (uint)heap.Length - 1) return string.Empty;
        var span = heap.Span[(int)index..];
        byte first = span[0];
        int length, prefix;
        if ((first & 0x80) == 0) { length = first; prefix = 1; }
        else if ((first & 0x40) == 0 && span.Length >= 2) { length = ((first & 0x3F) << 8) | span[1]; prefix = 2; }
        else return null;
        length &= ~1;
        if (prefix + length > span.Length) return null;
        return length == 0 ? string.Empty : new string(MemoryMarshal.Cast<byte, char>(span.Slice(prefix, length)));
    }

    /// <summary>True when Cecil would read this method's body (if any) without throwing on it.</summary>
    public bool ReadsRegularly(MethodDefinition method) => (Facts(method) & Irregular) == 0;

    private byte Facts(MethodDefinition method)
    {
        uint rid = method.MetadataToken.RID;
        return method.MetadataToken.TokenType == TokenType.Method && rid < (uint)_bodies.Length ? _bodies[rid] : Irregular;
    }

    /// <summary>
    /// False when no name Cecil reads from the #Strings heap can equal <paramref name="name"/>: Cecil reads a name from
    /// any index to the next zero byte, so that name's UTF-8 followed by a zero byte would occur in the heap.
    /// </summary>
    public bool NameMayBe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Occurs([.. System.Text.Encoding.UTF8.GetBytes(name), 0]);
    }

    /// <summary>False when no name Cecil reads from the #Strings heap can contain <paramref name="text"/> (ASCII).</summary>
    public bool NameMayContain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Occurs(System.Text.Encoding.UTF8.GetBytes(text));
    }

    // A heap that does not end in a zero byte lets Cecil read its last name on past its end: then anything may occur.
    private bool Occurs(ReadOnlySpan<byte> bytes) =>
        _strings.IsEmpty || _strings.Span[^1] != 0 || _strings.Span.IndexOf(bytes) >= 0;

    private sealed class Holder(ModuleIndex? index)
    {
        public ModuleIndex? Index { get; } = index;
    }
}
