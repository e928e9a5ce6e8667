using System.Buffers.Binary;
using System.Globalization;
using System.Reflection.Emit;
using System.Text;

namespace Preflight.Content;

/// <summary>
/// Checks a .NET assembly's PE and metadata structure before Mono.Cecil reads it. Cecil trusts the sizes and counts
/// it finds and allocates by them before it reads the data they describe: a metadata stream's size
/// (<c>BinaryReader.ReadBytes</c>), a table's row count (collections sized by it), a generic parameter number in a
/// member reference's signature (Cecil adds that many placeholder parameters to the declaring type), an array count in
/// a custom attribute's value, the rank and bound counts of an array type, a switch's target count, a debug directory
/// entry's size or an embedded resource's length. A 2 KB file with one such number corrupted makes it allocate
/// gigabytes. This check walks exactly those structures the way Cecil reads them and refuses a module in which any of
/// them claims more than the bytes that hold it, so that what Cecil is handed afterwards is bounded by the file's size.
/// It allocates nothing proportional to a claimed count; it never loads or runs anything.
/// </summary>
internal static partial class MetadataPrecheck
{
    /// <summary>The CLR's largest array rank.</summary>
    internal const int MaxArrayRank = 32;

    /// <summary>A generic parameter's number is a 2-byte column (ECMA-335 II.22.20).</summary>
    internal const uint MaxGenericIndex = 0xFFFF;

    /// <summary>
    /// Placeholder generic parameters Cecil may create, for all member references, method instantiations and type
    /// specifications together (each row counts its signature's largest generic index or arity once: Cecil adds the
    /// placeholders to that row's declaring type or method). Definitions get none. Real assemblies stay far below it
    /// (System.Private.CoreLib needs 22,923; every other assembly of the runtime, fewer than 10,000).
    /// </summary>
    internal const long GenericBudget = 250_000;

    /// <summary>Nesting of types inside one signature (Cecil reads them recursively).</summary>
    internal const int MaxSignatureDepth = 100;

    /// <summary>Extra data sections after one method body (Cecil reads them recursively; compilers emit one).</summary>
    internal const int MaxBodySections = 64;

    /// <summary>Returns null when the assembly's structure is sound, else why it is not (for the user).</summary>
    public static string? Check(ReadOnlySpan<byte> image) => Check(image.ToArray());

    /// <summary>Returns null when the assembly's structure is sound, else why it is not (for the user).</summary>
    public static string? Check(byte[] image) => Check(image, image?.Length ?? 0);

    /// <summary>Returns null when the assembly in the first <paramref name="length"/> bytes of <paramref name="image"/> is sound, else why it is not.</summary>
    internal static string? Check(byte[] image, int length)
    {
        ArgumentNullException.ThrowIfNull(image);
        try
        {
            var reader = new Image(image, length);
            reader.Run();
            return null;
        }
        catch (MalformedException ex)
        {
            return "malformed .NET metadata: " + ex.Message;
        }
    }

    private sealed class MalformedException(string message) : Exception(message);

    private static MalformedException Bad(FormattableString message) => new(message.ToString(CultureInfo.InvariantCulture));

    // Table numbers (ECMA-335 II.22) and the portable PDB tables Cecil also sizes.
    private const int Module = 0x00, TypeRef = 0x01, TypeDef = 0x02, FieldPtr = 0x03, Field = 0x04, MethodPtr = 0x05, MethodDef = 0x06,
        ParamPtr = 0x07, Param = 0x08, InterfaceImpl = 0x09, MemberRef = 0x0A, CustomAttribute = 0x0C, DeclSecurity = 0x0E,
        StandAloneSig = 0x11, Event = 0x14, Property = 0x17, ModuleRef = 0x1A, TypeSpec = 0x1B, Assembly = 0x20, AssemblyRef = 0x23,
        File = 0x26, ExportedType = 0x27, ManifestResource = 0x28, GenericParam = 0x2A, MethodSpec = 0x2B, GenericParamConstraint = 0x2C,
        Document = 0x30, LocalScope = 0x32, LocalVariable = 0x33, LocalConstant = 0x34, ImportScope = 0x35;

    private const int TableCount = 0x38;

    private static readonly string[] TableNames =
    [
        "Module", "TypeRef", "TypeDef", "FieldPtr", "Field", "MethodPtr", "MethodDef", "ParamPtr", "Param", "InterfaceImpl", "MemberRef",
        "Constant", "CustomAttribute", "FieldMarshal", "DeclSecurity", "ClassLayout", "FieldLayout", "StandAloneSig", "EventMap", "EventPtr",
        "Event", "PropertyMap", "PropertyPtr", "Property", "MethodSemantics", "MethodImpl", "ModuleRef", "TypeSpec", "ImplMap", "FieldRVA",
        "EncLog", "EncMap", "Assembly", "AssemblyProcessor", "AssemblyOS", "AssemblyRef", "AssemblyRefProcessor", "AssemblyRefOS", "File",
        "ExportedType", "ManifestResource", "NestedClass", "GenericParam", "MethodSpec", "GenericParamConstraint", "0x2D", "0x2E", "0x2F",
        "Document", "MethodDebugInformation", "LocalScope", "LocalVariable", "LocalConstant", "ImportScope", "StateMachineMethod",
        "CustomDebugInformation",
    ];

    // Column kinds: small non-negative numbers are fixed byte widths; the rest are heap indexes, table indexes and coded indexes.
    private const int S = -1, G = -2, B = -3;
    private static int T(int table) => -100 - table;
    private static int C(Coded coded) => -200 - (int)coded;

    private enum Coded
    {
        TypeDefOrRef, HasConstant, HasCustomAttribute, HasFieldMarshal, HasDeclSecurity, MemberRefParent, HasSemantics, MethodDefOrRef,
        MemberForwarded, Implementation, CustomAttributeType, ResolutionScope, TypeOrMethodDef, HasCustomDebugInformation,
    }

    private static readonly (int Bits, int[] Tables)[] CodedIndexes =
    [
        (2, [TypeDef, TypeRef, TypeSpec]),
        (2, [Field, Param, Property]),
        (5, [MethodDef, Field, TypeRef, TypeDef, Param, InterfaceImpl, MemberRef, Module, DeclSecurity, Property, Event, StandAloneSig,
            ModuleRef, TypeSpec, Assembly, AssemblyRef, File, ExportedType, ManifestResource, GenericParam, GenericParamConstraint, MethodSpec]),
        (1, [Field, Param]),
        (2, [TypeDef, MethodDef, Assembly]),
        (3, [TypeDef, TypeRef, ModuleRef, MethodDef, TypeSpec]),
        (1, [Event, Property]),
        (1, [MethodDef, MemberRef]),
        (1, [Field, MethodDef]),
        (2, [File, AssemblyRef, ExportedType]),
        (3, [MethodDef, MemberRef]),
        (2, [Module, ModuleRef, AssemblyRef, TypeRef]),
        (1, [TypeDef, MethodDef]),
        (5, [MethodDef, Field, TypeRef, TypeDef, Param, InterfaceImpl, MemberRef, Module, DeclSecurity, Property, Event, StandAloneSig,
            ModuleRef, TypeSpec, Assembly, AssemblyRef, File, ExportedType, ManifestResource, GenericParam, GenericParamConstraint, MethodSpec,
            Document, LocalScope, LocalVariable, LocalConstant, ImportScope]),
    ];

    /// <summary>The columns of every table Cecil knows, in order (ECMA-335 II.22 and the portable PDB format).</summary>
    private static readonly int[]?[] Schema = BuildSchema();

    private static int[]?[] BuildSchema()
    {
        var s = new int[]?[TableCount];
        s[Module] = [2, S, G, G, G];
        s[TypeRef] = [C(Coded.ResolutionScope), S, S];
        s[TypeDef] = [4, S, S, C(Coded.TypeDefOrRef), T(Field), T(MethodDef)];
        s[FieldPtr] = [T(Field)];
        s[Field] = [2, S, B];
        s[MethodPtr] = [T(MethodDef)];
        s[MethodDef] = [4, 2, 2, S, B, T(Param)];
        s[ParamPtr] = [T(Param)];
        s[Param] = [2, 2, S];
        s[InterfaceImpl] = [T(TypeDef), C(Coded.TypeDefOrRef)];
        s[MemberRef] = [C(Coded.MemberRefParent), S, B];
        s[0x0B] = [2, C(Coded.HasConstant), B];
        s[CustomAttribute] = [C(Coded.HasCustomAttribute), C(Coded.CustomAttributeType), B];
        s[0x0D] = [C(Coded.HasFieldMarshal), B];
        s[DeclSecurity] = [2, C(Coded.HasDeclSecurity), B];
        s[0x0F] = [2, 4, T(TypeDef)];
        s[0x10] = [4, T(Field)];
        s[StandAloneSig] = [B];
        s[0x12] = [T(TypeDef), T(Event)];
        s[0x13] = [T(Event)];
        s[Event] = [2, S, C(Coded.TypeDefOrRef)];
        s[0x15] = [T(TypeDef), T(Property)];
        s[0x16] = [T(Property)];
        s[Property] = [2, S, B];
        s[0x18] = [2, T(MethodDef), C(Coded.HasSemantics)];
        s[0x19] = [T(TypeDef), C(Coded.MethodDefOrRef), C(Coded.MethodDefOrRef)];
        s[ModuleRef] = [S];
        s[TypeSpec] = [B];
        s[0x1C] = [2, C(Coded.MemberForwarded), S, T(ModuleRef)];
        s[0x1D] = [4, T(Field)];
        s[0x1E] = [4, 4];
        s[0x1F] = [4];
        s[Assembly] = [4, 2, 2, 2, 2, 4, B, S, S];
        s[0x21] = [4];
        s[0x22] = [4, 4, 4];
        s[AssemblyRef] = [2, 2, 2, 2, 4, B, S, S, B];
        s[0x24] = [4, T(AssemblyRef)];
        s[0x25] = [4, 4, 4, T(AssemblyRef)];
        s[File] = [4, S, B];
        s[ExportedType] = [4, 4, S, S, C(Coded.Implementation)];
        s[ManifestResource] = [4, 4, S, C(Coded.Implementation)];
        s[0x29] = [T(TypeDef), T(TypeDef)];
        s[GenericParam] = [2, 2, C(Coded.TypeOrMethodDef), S];
        s[MethodSpec] = [C(Coded.MethodDefOrRef), B];
        s[GenericParamConstraint] = [T(GenericParam), C(Coded.TypeDefOrRef)];
        s[Document] = [B, G, B, G];
        s[0x31] = [T(Document), B];
        s[LocalScope] = [T(MethodDef), T(ImportScope), T(LocalVariable), T(LocalConstant), 4, 4];
        s[LocalVariable] = [2, 2, S];
        s[LocalConstant] = [S, B];
        s[ImportScope] = [T(ImportScope), B];
        s[0x36] = [T(MethodDef), T(MethodDef)];
        s[0x37] = [C(Coded.HasCustomDebugInformation), G, B];
        return s;
    }

    /// <summary>IL operand sizes by opcode, from the runtime's own opcode table (-1: a switch; 4: unknown, as Cecil reads it).</summary>
    private static readonly (sbyte[] OneByte, sbyte[] TwoByte) OperandSizes = BuildOperandSizes();

    private static (sbyte[], sbyte[]) BuildOperandSizes()
    {
        var one = new sbyte[256];
        var two = new sbyte[256];
        Array.Fill(one, (sbyte)4);
        Array.Fill(two, (sbyte)4);
        foreach (var f in typeof(OpCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            if (f.GetValue(null) is not OpCode op) continue;
            sbyte size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => -1,
                _ => 4,
            };
            ushort value = unchecked((ushort)op.Value);
            if (op.Size == 1) one[value & 0xFF] = size;
            else two[value & 0xFF] = size;
        }
        return (one, two);
    }

    private readonly record struct Section(uint VirtualAddress, uint RawSize, uint RawPointer);

    private readonly record struct Heap(int Offset, int Size);

    /// <summary>A type as far as a custom attribute value needs it.</summary>
    private sealed record SigType(byte Element, SigType? Inner = null, uint Token = 0);

    private sealed partial class Image(byte[] array, int length)
    {
        // The image may sit at the start of a larger pooled buffer: every read goes through this span of its length.
        private ReadOnlySpan<byte> _data => new(array, 0, length);
        private Section[] _sections = [];
        private Heap _tables, _strings, _blob, _userStrings;
        private bool _hasStrings, _hasGuid, _hasBlob, _hasUserStrings;
        private readonly uint[] _rows = new uint[TableCount];
        private readonly int[] _tableOffset = new int[TableCount];
        private readonly int[] _rowSize = new int[TableCount];
        private int[][] _columnOffset = [];
        private int[][] _columnWidth = [];
        private int _stringIndex = 2, _guidIndex = 2, _blobIndex = 2;
        private long _genericCost;
        private uint _resourcesRva;

        public void Run()
        {
            ReadPe();
            CheckTables();
            CheckLists();
            CheckNesting();
            CheckTypeRefScopes();
            CheckSignatures();
            CheckCustomAttributes();
            CheckMethodBodies();
            CheckResources();
        }

        // ---- PE headers, sections, debug directory, CLI header, metadata root and streams (as Cecil's ImageReader reads them)

        private uint U32(long offset) => offset >= 0 && offset + 4 <= _data.Length
            ? BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice((int)offset))
            : throw Bad($"the headers end outside the file (offset {offset})");

        private ushort U16(long offset) => offset >= 0 && offset + 2 <= _data.Length
            ? BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice((int)offset))
            : throw Bad($"the headers end outside the file (offset {offset})");

        private long Resolve(uint rva, string what)
        {
            // uint arithmetic that wraps, as Cecil's
            foreach (var s in _sections)
                if (rva >= s.VirtualAddress && rva < unchecked(s.VirtualAddress + s.RawSize))
                    return unchecked(rva + s.RawPointer - s.VirtualAddress);
            throw Bad($"the {what} (RVA 0x{rva:X}) is in no section");
        }

        private void ReadPe()
        {
            if (_data.Length < 128 || U16(0) != 0x5A4D) throw Bad($"no DOS header");
            long pe = U32(0x3C);
            if (U32(pe) != 0x00004550) throw Bad($"no PE signature");
            int sectionCount = U16(pe + 6);
            long optional = pe + 24;
            bool pe64 = U16(optional) == 0x20B;
            long directories = optional + (pe64 ? 112 : 96);
            uint debugRva = U32(directories + 6 * 8), debugSize = U32(directories + 6 * 8 + 4);
            uint cliRva = U32(directories + 14 * 8);
            long sectionTable = directories + 16 * 8;
            if (sectionTable + 40L * sectionCount > _data.Length) throw Bad($"the header claims {sectionCount} sections, the file ends before them");
            _sections = new Section[sectionCount];
            for (int i = 0; i < sectionCount; i++)
            {
                long at = sectionTable + 40L * i;
                _sections[i] = new Section(U32(at + 12), U32(at + 16), U32(at + 20));
            }
            if (debugRva != 0 || debugSize != 0) CheckDebugDirectory(debugRva, debugSize);

            long cli = Resolve(cliRva, "CLI header");
            uint metadataRva = U32(cli + 8), metadataSize = U32(cli + 12);
            _resourcesRva = U32(cli + 24);
            long root = Resolve(metadataRva, "metadata");
            if (root + metadataSize > _data.Length) throw Bad($"the metadata claims {metadataSize} bytes, the file holds {_data.Length - root} after it");
            if (U32(root) != 0x424A5342) throw Bad($"no metadata signature");
            int versionLength = unchecked((int)U32(root + 12));
            if (versionLength is < 0 or > 256) throw Bad($"the metadata version string claims {versionLength} bytes");
            long at2 = root + 16 + versionLength;
            int streams = U16(at2 + 2);
            at2 += 4;
            long total = 0;
            Heap? tables = null;
            for (int i = 0; i < streams; i++)
            {
                uint offset = U32(at2), size = U32(at2 + 4);
                at2 += 8;
                var name = new StringBuilder();
                int read = 0;
                bool terminated = false;
                while (read < 16)
                {
                    if (at2 + read >= _data.Length) throw Bad($"stream header {i} ends outside the file");
                    byte b = _data[(int)(at2 + read)];
                    if (b == 0) { terminated = true; break; }
                    name.Append((char)b);
                    read++;
                }
                // Cecil's ReadAlignedString: a name of 16 characters without its terminator advances 19 bytes
                at2 += terminated ? (read + 4) & ~3 : 19;
                string streamName = name.ToString();
                if ((long)offset + size > metadataSize)
                    throw Bad($"stream {streamName} claims {size} bytes at offset {offset}, the metadata holds {metadataSize}");
                total += size;
                if (total > metadataSize) throw Bad($"the streams claim {total} bytes together, the metadata holds {metadataSize}");
                // a name given twice: the last one wins, in Cecil and here
                var heap = new Heap((int)(root + offset), (int)size);
                switch (streamName)
                {
                    case "#~" or "#-": tables = heap; break;
                    case "#Strings": _strings = heap; _hasStrings = true; break;
                    case "#Blob": _blob = heap; _hasBlob = true; break;
                    case "#GUID": _hasGuid = true; break;
                    case "#US": _userStrings = heap; _hasUserStrings = true; break;
                    case "#Pdb": throw Bad($"an assembly with a #Pdb stream (only a standalone PDB has one)");
                }
            }
            _tables = tables ?? throw Bad($"no tables stream");
        }

        private void CheckDebugDirectory(uint rva, uint size)
        {
            long at = Resolve(rva, "debug directory");
            if (at + size > _data.Length) throw Bad($"the debug directory claims {size} bytes, the file holds {_data.Length - at} after it");
            long total = 0;
            for (long entry = 0; entry + 28 <= size; entry += 28)
            {
                int dataSize = unchecked((int)U32(at + entry + 16));
                uint pointer = U32(at + entry + 24);
                if (pointer == 0 || dataSize < 0) continue;
                if ((long)pointer + dataSize > _data.Length) throw Bad($"a debug directory entry claims {dataSize} bytes at {pointer}, the file has {_data.Length}");
                total += dataSize;
                if (total > _data.Length) throw Bad($"the debug directory entries claim {total} bytes together, the file has {_data.Length}");
            }
        }

        // ---- the #~ stream: every table's rows must fit in it

        private int IndexSize(int column) => column switch
        {
            >= 0 => column,
            S => _stringIndex,
            G => _guidIndex,
            B => _blobIndex,
            <= -200 => CodedSize((Coded)(-200 - column)),
            _ => _rows[-100 - column] < 0x10000 ? 2 : 4,
        };

        private int CodedSize(Coded coded)
        {
            var (bits, tables) = CodedIndexes[(int)coded];
            uint max = 0;
            foreach (var t in tables) max = Math.Max(max, _rows[t]);
            return max < (1u << (16 - bits)) ? 2 : 4;
        }

        private void CheckTables()
        {
            var t = _tables;
            if (t.Size < 24) throw Bad($"the tables stream holds {t.Size} bytes, its header needs 24");
            byte heapSizes = _data[t.Offset + 6];
            ulong valid = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(t.Offset + 8));
            long position = 24;
            for (int i = 0; i < 64; i++)
            {
                if ((valid & (1UL << i)) == 0) continue;
                if (i >= TableCount || Schema[i] is null) throw Bad($"the tables stream marks unknown table 0x{i:X2} present");
                // Cecil reads debug information from portable PDB tables found in the module itself, sized by
                // counts in its blobs; an assembly never carries them (a standalone or embedded PDB does).
                if (i >= Document) throw Bad($"the tables stream marks portable PDB table {TableNames[i]} present, which only a PDB has");
                if (position + 4 > t.Size) throw Bad($"the tables stream ends inside its row counts");
                _rows[i] = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(t.Offset + (int)position));
                if (_rows[i] >= 0x1000000) throw Bad($"table {TableNames[i]} claims {_rows[i]} rows, a token holds 16777215 at most");
                position += 4;
            }
            if (_hasStrings && (heapSizes & 1) != 0) _stringIndex = 4;
            if (_hasGuid && (heapSizes & 2) != 0) _guidIndex = 4;
            if (_hasBlob && (heapSizes & 4) != 0) _blobIndex = 4;
            _columnOffset = new int[TableCount][];
            _columnWidth = new int[TableCount][];
            for (int i = 0; i < TableCount; i++)
            {
                var columns = Schema[i];
                if (columns is null) continue;
                _columnOffset[i] = new int[columns.Length];
                _columnWidth[i] = new int[columns.Length];
                int size = 0;
                for (int c = 0; c < columns.Length; c++)
                {
                    _columnOffset[i][c] = size;
                    _columnWidth[i][c] = IndexSize(columns[c]);
                    size += _columnWidth[i][c];
                }
                _rowSize[i] = size;
                if (_rows[i] == 0) continue;
                long bytes = (long)_rows[i] * size;
                if (position + bytes > t.Size)
                    throw Bad($"table {TableNames[i]} claims {_rows[i]} rows of {size} bytes, the tables stream holds {Math.Max(0, t.Size - position)} more bytes");
                _tableOffset[i] = t.Offset + (int)position;
                position += bytes;
            }
        }

        /// <summary>
        /// A member list (a type's fields and methods, a method's parameters, a type's events and properties) runs from
        /// its row's index to the next row's; Cecil sizes a collection by that difference, so every index must stay
        /// within the target table.
        /// </summary>
        private void CheckLists()
        {
            CheckList(TypeDef, 4, Field, FieldPtr);
            CheckList(TypeDef, 5, MethodDef, MethodPtr);
            CheckList(MethodDef, 5, Param, ParamPtr);
            CheckList(0x12, 1, Event, 0x13);
            CheckList(0x15, 1, Property, 0x16);
        }

        private void CheckList(int table, int column, int target, int pointer)
        {
            long limit = (long)Math.Max(_rows[target], _rows[pointer]) + 1;
            for (uint r = 1; r <= _rows[table]; r++)
            {
                uint index = Cell(table, r, column);
                if (index > limit)
                    throw Bad($"{TableNames[table]} row {r} starts its {TableNames[target]} list at row {index}, the table has {limit - 1}");
            }
        }

        /// <summary>
        /// Cecil walks nested types recursively (<c>GetTypes</c>): a cycle in the NestedClass table would recurse until
        /// the stack overflows, which kills the process. Every type's chain of enclosing types must end, and soon.
        /// </summary>
        private void CheckNesting()
        {
            const int NestedClass = 0x29;
            var enclosing = new Dictionary<uint, uint>();
            for (uint r = 1; r <= _rows[NestedClass]; r++) enclosing.TryAdd(Cell(NestedClass, r, 0), Cell(NestedClass, r, 1));
            foreach (var type in enclosing.Keys)
            {
                uint current = type;
                for (int depth = 0; enclosing.TryGetValue(current, out var outer); depth++)
                {
                    if (depth >= MaxSignatureDepth) throw Bad($"type {type} is nested more than {MaxSignatureDepth} deep or in a cycle (NestedClass table)");
                    current = outer;
                }
            }
        }

        private uint Cell(int table, uint row, int column)
        {
            int at = _tableOffset[table] + (int)(row - 1) * _rowSize[table] + _columnOffset[table][column];
            return _columnWidth[table][column] == 2
                ? BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(at))
                : BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(at));
        }

        private string String(uint index)
        {
            if (!_hasStrings || index >= _strings.Size) return string.Empty;
            var span = _data.Slice(_strings.Offset + (int)index, _strings.Size - (int)index);
            int end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }

        /// <summary>
        /// True when the #Strings entry at <paramref name="index"/> is <paramref name="utf8"/>, compared as bytes. Only
        /// for the UTF-8 of a string without U+FFFD: an entry then decodes to that string exactly when its bytes are these
        /// (invalid bytes decode to U+FFFD, and valid UTF-8 has one encoding per string).
        /// </summary>
        private bool StringIs(uint index, ReadOnlySpan<byte> utf8)
        {
            if (!_hasStrings || index >= _strings.Size) return utf8.IsEmpty;
            var span = _data.Slice(_strings.Offset + (int)index, _strings.Size - (int)index);
            int end = span.IndexOf((byte)0);
            return (end < 0 ? span : span[..end]).SequenceEqual(utf8);
        }

        /// <summary>The blob at a heap index as (start, end) offsets in the file; its length must fit in the heap.</summary>
        private (int Start, int End) Blob(uint index, Owner owner)
        {
            if (!_hasBlob || index >= _blob.Size) throw Bad($"{owner} points past the blob heap ({index} of {_blob.Size} bytes)");
            var cursor = new Cursor(array, _blob.Offset + (int)index, _blob.Offset + _blob.Size, owner);
            uint length = cursor.Compressed();
            if (length > (uint)(cursor.End - cursor.Position)) throw Bad($"{owner} claims a {length}-byte blob, the blob heap holds {cursor.End - cursor.Position} more");
            return (cursor.Position, cursor.Position + (int)length);
        }

        // ---- signatures: every count must fit in the signature's bytes, generic indexes stay in their column's range

        private void CheckSignatures()
        {
            for (uint r = 1; r <= _rows[MemberRef]; r++)
            {
                var c = SignatureCursor(Cell(MemberRef, r, 2), "MemberRef", r);
                if (c.Peek() == 0x06) FieldSignature(ref c); else MethodSignature(ref c);
                Charge(ref c);
            }
            for (uint r = 1; r <= _rows[MethodDef]; r++)
            {
                var c = SignatureCursor(Cell(MethodDef, r, 4), "MethodDef", r);
                MethodSignature(ref c);
            }
            for (uint r = 1; r <= _rows[Field]; r++)
            {
                var c = SignatureCursor(Cell(Field, r, 2), "Field", r);
                FieldSignature(ref c);
            }
            for (uint r = 1; r <= _rows[Property]; r++)
            {
                var c = SignatureCursor(Cell(Property, r, 2), "Property", r);
                c.Byte();
                uint count = Count(ref c, "parameter");
                Type(ref c, 0);
                for (uint i = 0; i < count; i++) Type(ref c, 0);
            }
            for (uint r = 1; r <= _rows[StandAloneSig]; r++)
            {
                var c = SignatureCursor(Cell(StandAloneSig, r, 0), "StandAloneSig", r);
                byte kind = c.Peek();
                if (kind == 0x07)
                {
                    c.Byte();
                    uint count = Count(ref c, "local");
                    for (uint i = 0; i < count; i++) Type(ref c, 0);
                }
                else if (kind == 0x06) FieldSignature(ref c);
                else MethodSignature(ref c);
            }
            var specDepth = new int[_rows[TypeSpec] + 1];
            var specRefs = new List<uint>[_rows[TypeSpec] + 1];
            for (uint r = 1; r <= _rows[TypeSpec]; r++)
            {
                var c = SignatureCursor(Cell(TypeSpec, r, 0), "TypeSpec", r);
                c.TypeSpecs = specRefs[r] = [];
                Type(ref c, 0);
                specDepth[r] = c.MaxDepth + 1;
                Charge(ref c);
            }
            CheckTypeSpecChains(specDepth, specRefs);
            for (uint r = 1; r <= _rows[MethodSpec]; r++)
            {
                var c = SignatureCursor(Cell(MethodSpec, r, 1), "MethodSpec", r);
                c.Byte();
                uint count = Count(ref c, "generic argument");
                c.NoteGeneric(count);
                for (uint i = 0; i < count; i++) Type(ref c, 0);
                Charge(ref c);
            }
        }

        /// <summary>
        /// A type specification may name another one, which Cecil reads recursively and without a cache while it
        /// reads the first: a cycle overflows the stack, a long chain nearly so. The nesting of every chain, counted
        /// in types, must stay within <see cref="MaxSignatureDepth"/>.
        /// </summary>
        private void CheckTypeSpecChains(int[] ownDepth, List<uint>[] references)
        {
            var total = new int[ownDepth.Length]; // 0: not computed yet, -1: being computed (on the current path)
            for (uint r = 1; r < ownDepth.Length; r++) Chain(r, 0);

            int Chain(uint spec, int level)
            {
                if (total[spec] == -1 || level > MaxSignatureDepth)
                    throw Bad($"TypeSpec row {spec} refers to itself through other type specifications, or nests them more than {MaxSignatureDepth} deep");
                if (total[spec] > 0) return total[spec];
                total[spec] = -1;
                int deepest = 0;
                foreach (var next in references[spec])
                    if (next >= 1 && next < ownDepth.Length) deepest = Math.Max(deepest, Chain(next, level + 1));
                int depth = ownDepth[spec] + deepest;
                if (depth > MaxSignatureDepth) throw Bad($"TypeSpec row {spec} nests types more than {MaxSignatureDepth} deep through other type specifications");
                return total[spec] = depth;
            }
        }

        /// <summary>
        /// A type reference nested in another names it as its resolution scope; Cecil follows the chain to build the
        /// reference and, later, recursively (a full name, whether it contains generic parameters): a cycle overflows
        /// the stack. Cecil itself only stops at a reference that names itself.
        /// </summary>
        private void CheckTypeRefScopes()
        {
            for (uint r = 1; r <= _rows[TypeRef]; r++)
            {
                uint current = r;
                for (int depth = 0; ; depth++)
                {
                    uint scope = Cell(TypeRef, current, 0);
                    uint next = scope >> 2;
                    if ((scope & 3) != 3 || next == current || next == 0 || next > _rows[TypeRef]) break;
                    if (depth >= MaxSignatureDepth) throw Bad($"TypeRef row {r} is nested more than {MaxSignatureDepth} deep or in a cycle of type references");
                    current = next;
                }
            }
        }

        private Cursor SignatureCursor(uint blob, string table, uint row)
        {
            var owner = new Owner(OwnerKind.Signature, table, row);
            var (start, end) = Blob(blob, owner);
            return new Cursor(array, start, end, owner);
        }

        private void Charge(ref Cursor c)
        {
            _genericCost += c.MaxGeneric;
            if (_genericCost > GenericBudget)
                throw Bad($"the signatures make Mono.Cecil create {_genericCost} generic parameter placeholders (more than {GenericBudget})");
        }

        private static uint Count(ref Cursor c, string what)
        {
            uint count = c.Compressed();
            // every item takes at least one byte
            if (count > (uint)(c.End - c.Position)) throw Bad($"{c.Owner} claims {count} {what}s, it holds {c.End - c.Position} more bytes");
            return count;
        }

        private static void FieldSignature(ref Cursor c)
        {
            c.Byte();
            Type(ref c, 0);
        }

        /// <summary>Walks a method signature; its parameters' types go to <paramref name="parameters"/> when given (the cursor must then build types).</summary>
        private static void MethodSignature(ref Cursor c, int depth = 0, List<SigType>? parameters = null)
        {
            byte convention = c.Byte();
            if ((convention & 0x10) != 0)
            {
                uint arity = c.Compressed();
                if (arity > MaxGenericIndex + 1) throw Bad($"{c.Owner} claims {arity} generic parameters, a method has at most {MaxGenericIndex + 1}");
                c.NoteGeneric(arity);
            }
            uint count = Count(ref c, "parameter");
            Type(ref c, depth);
            for (uint i = 0; i < count; i++)
            {
                var parameter = Type(ref c, depth);
                parameters?.Add(parameter);
            }
        }

        /// <summary>One shared instance per element type: what <see cref="Type"/> returns when the cursor does not build types.</summary>
        private static readonly SigType[] Plain = [.. Enumerable.Range(0, 256).Select(static e => new SigType((byte)e))];

        /// <summary>A type with an inner type or a token when the cursor builds types (custom attribute constructors), else the shared plain one.</summary>
        private static SigType Make(ref Cursor c, byte element, SigType? inner = null, uint token = 0) =>
            c.Build && (inner is not null || token != 0) ? new SigType(element, inner, token) : Plain[element];

        private static SigType Type(ref Cursor c, int depth)
        {
            if (depth > MaxSignatureDepth) throw Bad($"{c.Owner} nests types more than {MaxSignatureDepth} deep");
            c.MaxDepth = Math.Max(c.MaxDepth, depth);
            byte element = c.Byte();
            switch (element)
            {
                case 0x11 or 0x12: // valuetype, class
                {
                    uint token = c.Compressed();
                    c.NoteToken(token);
                    return Make(ref c, element, token: token);
                }
                case 0x0F or 0x10 or 0x45 or 0x41: // pointer, byref, pinned, sentinel
                    return Make(ref c, element, Type(ref c, depth + 1));
                case 0x1D: // szarray
                    return Make(ref c, element, Type(ref c, depth + 1));
                case 0x1B: // function pointer
                    MethodSignature(ref c, depth + 1);
                    return Plain[element];
                case 0x1F or 0x20: // modifiers
                    c.NoteToken(c.Compressed());
                    Type(ref c, depth + 1);
                    return Plain[element];
                case 0x13 or 0x1E: // generic parameter
                {
                    uint index = c.Compressed();
                    if (index > MaxGenericIndex) throw Bad($"{c.Owner} refers to generic parameter {index}, a type or method has at most {MaxGenericIndex + 1}");
                    c.NoteGeneric(index + 1);
                    return Plain[element];
                }
                case 0x14: // array
                {
                    var inner = Type(ref c, depth + 1);
                    uint rank = c.Compressed();
                    if (rank > MaxArrayRank) throw Bad($"{c.Owner} claims an array of rank {rank}, the runtime allows {MaxArrayRank}");
                    uint sizes = Count(ref c, "array size");
                    for (uint i = 0; i < sizes; i++) c.Compressed();
                    uint bounds = Count(ref c, "array bound");
                    for (uint i = 0; i < bounds; i++) c.Compressed();
                    return Make(ref c, element, inner);
                }
                case 0x15: // generic instance
                {
                    c.Byte();
                    c.NoteToken(c.Compressed());
                    uint arity = Count(ref c, "generic argument");
                    c.NoteGeneric(arity);
                    for (uint i = 0; i < arity; i++) Type(ref c, depth + 1);
                    return Plain[element];
                }
                default:
                    return Plain[element];
            }
        }

        // ---- custom attribute values: array counts must fit in the value's bytes

        private void CheckCustomAttributes()
        {
            for (uint r = 1; r <= _rows[CustomAttribute]; r++)
            {
                uint type = Cell(CustomAttribute, r, 1);
                uint tag = type & 7, row = type >> 3;
                int table = tag switch { 2 => MethodDef, 3 => MemberRef, _ => -1 };
                if (table < 0 || row == 0 || row > _rows[table]) continue; // Cecil cannot resolve the constructor: it reads no value
                var sig = SignatureCursor(Cell(table, row, table == MethodDef ? 4 : 2), TableNames[table], row);
                if (sig.Peek() == 0x06) continue;
                sig.Build = true;
                var parameters = new List<SigType>();
                MethodSignature(ref sig, parameters: parameters);
                var owner = new Owner(OwnerKind.AttributeValue, "CustomAttribute", r);
                var (start, end) = Blob(Cell(CustomAttribute, r, 2), owner);
                if (end == start) continue;
                var value = new Cursor(array, start, end, owner);
                if (value.U16() != 1) continue; // Cecil refuses a value without the prolog
                if (!FixedArguments(ref value, parameters)) continue;
                if (value.Position + 2 > value.End) continue;
                int named = value.U16();
                for (int i = 0; i < named && value.Position < value.End; i++)
                {
                    byte kind = value.Byte();
                    if (kind is not (0x53 or 0x54)) break;
                    if (FieldOrPropType(ref value, 0) is not { } namedType) break;
                    value.SerString();
                    if (!Element(ref value, namedType, 0)) break;
                }
            }
        }

        private bool FixedArguments(ref Cursor value, List<SigType> parameters)
        {
            foreach (var p in parameters)
                if (!Element(ref value, p, 0)) return false;
            return true;
        }

        /// <summary>Walks one value; false when Cecil would stop reading here (a type it cannot resolve or read).</summary>
        private bool Element(ref Cursor c, SigType type, int depth)
        {
            if (depth > MaxSignatureDepth) throw Bad($"{c.Owner} nests values more than {MaxSignatureDepth} deep");
            if (type.Element is 0x1D or 0x14)
            {
                uint count = c.U32();
                if (count == 0xFFFFFFFF || count == 0) return true;
                if (count > (uint)(c.End - c.Position)) throw Bad($"{c.Owner} claims an array of {count} elements, it holds {c.End - c.Position} more bytes");
                for (uint i = 0; i < count; i++)
                    if (!Element(ref c, type.Inner!, depth + 1)) return false;
                return true;
            }
            if (type.Element == 0x1C) // object: the value carries its own type
                return FieldOrPropType(ref c, depth + 1) is { } boxed && Element(ref c, boxed, depth + 1);
            if (type.Element is 0x11 or 0x12 or 0x55)
            {
                if (type.Element != 0x55 && IsSystemType(type.Token)) { TypeName(ref c); return true; }
                if (EnumSize(type) is not int size) return false;
                c.Skip(size);
                return true;
            }
            if (type.Element == 0x0E) { c.SerString(); return true; }
            if (type.Element == 0x50) { TypeName(ref c); return true; }
            if (PrimitiveSize(type.Element) is not int primitive) return false;
            c.Skip(primitive);
            return true;
        }

        private static int? PrimitiveSize(byte element) => element switch
        {
            0x02 or 0x04 or 0x05 => 1,
            0x03 or 0x06 or 0x07 => 2,
            0x08 or 0x09 or 0x0C => 4,
            0x0A or 0x0B or 0x0D => 8,
            _ => null,
        };

        private SigType? FieldOrPropType(ref Cursor c, int depth)
        {
            if (depth > MaxSignatureDepth) throw Bad($"{c.Owner} nests array types more than {MaxSignatureDepth} deep");
            byte element = c.Byte();
            return element switch
            {
                0x51 => new SigType(0x1C),
                0x1D => FieldOrPropType(ref c, depth + 1) is { } inner ? new SigType(0x1D, inner) : null,
                0x55 => EnumByName(TypeName(ref c)),
                0x50 => new SigType(0x50),
                _ => new SigType(element),
            };
        }

        /// <summary>A type name Cecil parses (TypeParser recurses once per generic argument bracket).</summary>
        private static string? TypeName(ref Cursor c)
        {
            string? name = c.SerString();
            if (name is null) return null;
            int depth = 0;
            foreach (char ch in name)
            {
                if (ch == '[' && ++depth > MaxSignatureDepth) throw Bad($"{c.Owner} names a type nested more than {MaxSignatureDepth} brackets deep");
                if (ch == ']' && depth > 0) depth--;
            }
            return name;
        }

        private SigType? EnumByName(string? name)
        {
            if (string.IsNullOrEmpty(name)) return null;
            int comma = name.IndexOf(',', StringComparison.Ordinal);
            if (comma >= 0) name = name[..comma];
            string ns = string.Empty;
            int plus = name.LastIndexOf('+');
            if (plus >= 0) name = name[(plus + 1)..];
            else
            {
                int dot = name.LastIndexOf('.');
                if (dot >= 0) { ns = name[..dot]; name = name[(dot + 1)..]; }
            }
            uint row = FindTypeDef(ns, name, nested: plus >= 0);
            return row == 0 ? null : new SigType(0x55, Token: row << 2);
        }

        private bool IsSystemType(uint token)
        {
            uint tag = token & 3, row = token >> 2;
            if (row == 0) return false;
            if (tag == 1 && row <= _rows[TypeRef]) return StringIs(Cell(TypeRef, row, 1), "Type"u8) && StringIs(Cell(TypeRef, row, 2), "System"u8);
            if (tag == 0 && row <= _rows[TypeDef]) return StringIs(Cell(TypeDef, row, 1), "Type"u8) && StringIs(Cell(TypeDef, row, 2), "System"u8);
            return false;
        }

        private uint FindTypeDef(string ns, string name, bool nested)
        {
            // Compared as UTF-8 bytes: decoding every row's name to a string cost an allocation per row and lookup.
            // A row's name decodes to a name free of U+FFFD exactly when its bytes are that name's UTF-8; names that
            // hold U+FFFD or lone surrogates (from invalid bytes) are compared decoded, as before.
            byte[] nameBytes = Encoding.UTF8.GetBytes(name), nsBytes = Encoding.UTF8.GetBytes(ns);
            bool exact = !name.Contains('\uFFFD', StringComparison.Ordinal) && !ns.Contains('\uFFFD', StringComparison.Ordinal)
                && Encoding.UTF8.GetString(nameBytes) == name && Encoding.UTF8.GetString(nsBytes) == ns;
            for (uint r = 1; r <= _rows[TypeDef]; r++)
            {
                if (exact ? !StringIs(Cell(TypeDef, r, 1), nameBytes) : String(Cell(TypeDef, r, 1)) != name) continue;
                if (nested || (exact ? StringIs(Cell(TypeDef, r, 2), nsBytes) : String(Cell(TypeDef, r, 2)) == ns)) return r;
            }
            return 0;
        }

        /// <summary>The byte size of an enum Cecil can resolve inside this module, or null (Cecil stops there).</summary>
        private int? EnumSize(SigType type)
        {
            uint tag = type.Token & 3, row = type.Token >> 2;
            if (tag == 1 && row >= 1 && row <= _rows[TypeRef])
                row = FindTypeDef(String(Cell(TypeRef, row, 2)), String(Cell(TypeRef, row, 1)), nested: false);
            else if (tag != 0 || row > _rows[TypeDef]) return null;
            if (row == 0) return null;
            uint first = Cell(TypeDef, row, 4);
            uint last = row < _rows[TypeDef] ? Cell(TypeDef, row + 1, 4) : (_rows[FieldPtr] > 0 ? _rows[FieldPtr] : _rows[Field]) + 1;
            for (uint f = first; f < last && f >= 1; f++)
            {
                uint field = f;
                if (_rows[FieldPtr] > 0)
                {
                    if (f > _rows[FieldPtr]) return null;
                    field = Cell(FieldPtr, f, 0);
                }
                if (field == 0 || field > _rows[Field]) return null;
                if ((Cell(Field, field, 0) & 0x10) != 0) continue; // static
                var c = SignatureCursor(Cell(Field, field, 2), "Field", field);
                c.Byte();
                return PrimitiveSize(c.Byte());
            }
            return null;
        }

        // ---- method bodies: a switch's target count must fit in the code, the extra sections must be few

        private void CheckMethodBodies()
        {
            var (oneByte, twoByte) = OperandSizes;
            for (uint r = 1; r <= _rows[MethodDef]; r++)
            {
                uint rva = Cell(MethodDef, r, 0);
                uint impl = Cell(MethodDef, r, 1), flags = Cell(MethodDef, r, 2);
                if (rva == 0 || (flags & 0x2400) != 0 || (impl & 0x1007) != 0) continue; // no IL body for Cecil to read
                long at;
                try { at = Resolve(rva, "method body"); }
                catch (MalformedException) { continue; } // Cecil fails on it without allocating
                if (at >= _data.Length) continue;
                var owner = new Owner(OwnerKind.Body, "MethodDef", r);
                var c = new Cursor(array, (int)at, _data.Length, owner);
                byte header = c.Byte();
                int codeSize;
                bool moreSections = false;
                if ((header & 3) == 2) codeSize = header >> 2;
                else if ((header & 3) == 3)
                {
                    c.Position--;
                    ushort fatFlags = c.U16();
                    c.U16();
                    codeSize = unchecked((int)c.U32());
                    c.U32();
                    moreSections = (fatFlags & 0x8) != 0;
                }
                else continue;
                if (codeSize < 0 || (uint)(codeSize + c.Position) >= (uint)_data.Length) codeSize = 0;
                int start = c.Position, end = start + codeSize;
                while (c.Position < end)
                {
                    byte op = c.Byte();
                    if (op == 0x72 && c.Position + 4 <= end) // ldstr: Cecil sizes the string by its length prefix in #US
                    {
                        CheckUserString(c.U32() & 0x00FFFFFF, owner);
                        continue;
                    }
                    int size = op == 0xFE ? twoByte[c.Byte()] : oneByte[op];
                    if (size >= 0) { c.Skip(size); continue; }
                    uint targets = c.U32();
                    if (targets > (uint)Math.Max(0, end - c.Position) / 4)
                        throw Bad($"{owner} has a switch of {targets} targets, the method's code holds {Math.Max(0, end - c.Position)} more bytes");
                    c.Skip((int)targets * 4);
                }
                int sections = 0;
                while (moreSections)
                {
                    if (++sections > MaxBodySections) throw Bad($"{owner} chains more than {MaxBodySections} data sections");
                    c.Position = (c.Position + 3) & ~3;
                    byte kind = c.Byte();
                    long handlers;
                    if ((kind & 0x40) == 0)
                    {
                        handlers = c.Byte() / 12 * 12L;
                        c.Skip(2);
                    }
                    else
                    {
                        c.Position--;
                        handlers = (unchecked((int)c.U32()) >> 8) / 24 * 24L;
                    }
                    if (handlers < 0 || c.Position + handlers > _data.Length)
                        throw Bad($"{owner} claims {handlers} bytes of exception handlers, the file holds {_data.Length - c.Position} more");
                    c.Position += (int)handlers;
                    moreSections = (kind & 0x80) != 0;
                }
            }
        }

        private void CheckUserString(uint index, Owner owner)
        {
            if (!_hasUserStrings || index == 0 || index >= _userStrings.Size) return; // Cecil reads nothing or fails without allocating
            var c = new Cursor(array, _userStrings.Offset + (int)index, _userStrings.Offset + _userStrings.Size, owner);
            uint length = c.Compressed();
            if (length > (uint)(c.End - c.Position))
                throw Bad($"{owner} loads a string of {length} bytes, the #US heap holds {c.End - c.Position} more");
        }

        // ---- embedded resources: each one's length must fit in the file

        private void CheckResources()
        {
            for (uint r = 1; r <= _rows[ManifestResource]; r++)
            {
                // Cecil decodes an Implementation with row 0 or with the unused tag 3 as no token: an embedded resource
                uint implementation = Cell(ManifestResource, r, 3);
                if (implementation >> 2 != 0 && (implementation & 3) != 3) continue; // linked or in another assembly: nothing Cecil reads here
                long at;
                try { at = Resolve(_resourcesRva, "resources directory"); }
                catch (MalformedException) { return; } // Cecil finds no data: it returns nothing
                long position = at + unchecked((int)Cell(ManifestResource, r, 0));
                if (position < 0 || position + 4 > _data.Length) throw Bad($"embedded resource {r} starts outside the file");
                int length = unchecked((int)U32(position));
                if (length < 0 || position + 4 + length > _data.Length)
                    throw Bad($"embedded resource {r} claims {length} bytes, the file holds {_data.Length - position - 4} after it");
            }
        }
    }

    private enum OwnerKind : byte { Signature, Body, AttributeValue }

    /// <summary>
    /// What a cursor reads, for the message when it is malformed. Kept as parts and formatted only then: a module has
    /// hundreds of thousands of signatures, and a string for each was most of this check's allocations.
    /// </summary>
    private readonly record struct Owner(OwnerKind Kind, string Table, uint Row)
    {
        public override string ToString() => Kind switch
        {
            OwnerKind.Body => string.Create(CultureInfo.InvariantCulture, $"the body of {Table} row {Row}"),
            OwnerKind.AttributeValue => string.Create(CultureInfo.InvariantCulture, $"the value of {Table} row {Row}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"the signature of {Table} row {Row}"),
        };
    }

    /// <summary>A bounds-checked reader over one blob (a signature, a custom attribute value) or a method body.</summary>
    private struct Cursor(byte[] data, int start, int end, Owner owner)
    {
        public readonly byte[] Data = data;
        public readonly int End = end;
        public readonly Owner Owner = owner;
        public int Position = start;
        public uint MaxGeneric;
        public int MaxDepth;
        public List<uint>? TypeSpecs;

        /// <summary>Whether <c>Type</c> builds the types it reads (only custom attribute constructors need them).</summary>
        public bool Build;

        public readonly byte Peek() => Position < End ? Data[Position] : throw Overrun();

        public byte Byte() => Position < End ? Data[Position++] : throw Overrun();

        public ushort U16()
        {
            if (Position + 2 > End) throw Overrun();
            ushort v = BinaryPrimitives.ReadUInt16LittleEndian(Data.AsSpan(Position));
            Position += 2;
            return v;
        }

        public uint U32()
        {
            if (Position + 4 > End) throw Overrun();
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(Data.AsSpan(Position));
            Position += 4;
            return v;
        }

        public void Skip(int count)
        {
            if (count < 0 || Position + (long)count > End) throw Overrun();
            Position += count;
        }

        /// <summary>An ECMA-335 compressed unsigned integer, decoded as Cecil decodes it.</summary>
        public uint Compressed()
        {
            byte first = Byte();
            if ((first & 0x80) == 0) return first;
            if ((first & 0x40) == 0) return (uint)((first & 0x3F) << 8 | Byte());
            uint b1 = Byte(), b2 = Byte(), b3 = Byte();
            return (uint)(first & 0x1F) << 24 | b1 << 16 | b2 << 8 | b3;
        }

        public string? SerString()
        {
            if (Peek() == 0xFF) { Position++; return null; }
            uint length = Compressed();
            if (length > (uint)(End - Position)) throw new MalformedException(string.Create(CultureInfo.InvariantCulture, $"{Owner} claims a {length}-byte string, it holds {End - Position} more bytes"));
            string s = Encoding.UTF8.GetString(Data, Position, (int)length);
            Position += (int)length;
            return s;
        }

        public void NoteGeneric(uint count) => MaxGeneric = Math.Max(MaxGeneric, count);

        /// <summary>A TypeDefOrRefOrSpecEncoded token: notes a reference to a type specification.</summary>
        public void NoteToken(uint token)
        {
            if ((token & 3) == 2) TypeSpecs?.Add(token >> 2);
        }

        private readonly MalformedException Overrun() => new(Owner.ToString() + " runs past its end");
    }
}
