using System.Buffers.Binary;
using System.Reflection.Emit;

namespace Preflight.Content;

/// <summary>
/// The second use of the precheck's reader: the facts of <see cref="ModuleIndex"/> (which members have attributes or
/// constants, which method bodies hold which strings and read regularly), read the way Mono.Cecil reads them.
/// </summary>
internal static partial class MetadataPrecheck
{
    /// <summary>
    /// The facts of <see cref="ModuleIndex"/> read from the tables, or null when the PE or table structure cannot be
    /// read (then nothing is skipped). Call it on a module <see cref="Check(byte[])"/> accepted.
    /// </summary>
    internal static ModuleIndex? Index(byte[] image) => Index(image, image.Length);

    /// <summary>The index of the assembly in the first <paramref name="length"/> bytes of <paramref name="image"/>.</summary>
    internal static ModuleIndex? Index(byte[] image, int length)
    {
        try
        {
            return new Image(image, length).Index();
        }
        catch (MalformedException)
        {
            return null;
        }
    }

    /// <summary>How <see cref="ModuleIndex"/> reads an instruction's operand.</summary>
    private enum Operand : byte { Undefined, None, Bytes1, Bytes2, Bytes4, Bytes8, Switch, String, Method, Field, Type, Token, Signature }

    /// <summary>
    /// Operand kinds by opcode, for the opcodes both the runtime and Mono.Cecil define: one-byte opcodes up to 0xE0 and
    /// two-byte ones up to 0xFE 0x1E (Cecil's tables end there; the runtime's prefix opcodes above are none of Cecil's).
    /// Anything else is <see cref="Operand.Undefined"/>: a body holding it is left to Cecil.
    /// </summary>
    private static readonly (Operand[] OneByte, Operand[] TwoByte) OperandKinds = BuildOperandKinds();

    private static (Operand[], Operand[]) BuildOperandKinds()
    {
        var one = new Operand[256];
        var two = new Operand[256];
        foreach (var f in typeof(OpCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            if (f.GetValue(null) is not OpCode op) continue;
            ushort value = unchecked((ushort)op.Value);
            bool defined = op.Size == 1 ? value <= 0xE0 : (value & 0xFF00) == 0xFE00 && (value & 0xFF) <= 0x1E;
            if (!defined) continue;
            var kind = op.OperandType switch
            {
                OperandType.InlineNone => Operand.None,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => Operand.Bytes1,
                OperandType.InlineVar => Operand.Bytes2,
                OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR => Operand.Bytes4,
                OperandType.InlineI8 or OperandType.InlineR => Operand.Bytes8,
                OperandType.InlineSwitch => Operand.Switch,
                OperandType.InlineString => Operand.String,
                OperandType.InlineMethod => Operand.Method,
                OperandType.InlineField => Operand.Field,
                OperandType.InlineType => Operand.Type,
                OperandType.InlineTok => Operand.Token,
                OperandType.InlineSig => Operand.Signature,
                _ => Operand.Undefined,
            };
            if (op.Size == 1) one[value & 0xFF] = kind;
            else two[value & 0xFF] = kind;
        }
        return (one, two);
    }

    private sealed partial class Image
    {
        // ---- the index: which members have attributes or constants, which method bodies hold a string

        private bool DefinitionsSound()
        {
            try
            {
                for (uint r = 1; r <= _rows[Field]; r++)
                {
                    var c = SignatureCursor(Cell(Field, r, 2), "Field", r);
                    if (c.Byte() != 0x06 || !SoundType(ref c, 0)) return false; // Cecil: NotSupportedException, or the type's own
                }
                // Pointer tables (unoptimised metadata) are not followed here: without them, a type's members and a
                // method's parameters are the rows from its list column to the next row's.
                if (_rows[FieldPtr] > 0 || _rows[MethodPtr] > 0 || _rows[ParamPtr] > 0) return false;
                for (uint r = 1; r <= _rows[MethodDef]; r++)
                {
                    var c = SignatureCursor(Cell(MethodDef, r, 4), "MethodDef", r);
                    byte convention = c.Peek();
                    if (!SoundMethodSignature(ref c, 0)) return false;
                    // Cecil gives each Param row of the method the parameter its sequence number names (0: the return
                    // value), by index into the signature's parameters: a number past them throws.
                    var count = SignatureCursor(Cell(MethodDef, r, 4), "MethodDef", r);
                    count.Byte();
                    if ((convention & 0x10) != 0) count.Compressed();
                    uint parameters = count.Compressed();
                    uint first = Cell(MethodDef, r, 5);
                    if (first == 0) continue; // Cecil reads no list
                    uint next = r < _rows[MethodDef] ? Cell(MethodDef, r + 1, 5) : _rows[Param] + 1;
                    if (next < first) return false;
                    for (uint p = first; p < next && p <= _rows[Param]; p++)
                        if (Cell(Param, p, 1) > parameters) return false;
                }
                for (uint r = 1; r <= _rows[Property]; r++)
                {
                    var c = SignatureCursor(Cell(Property, r, 2), "Property", r);
                    if ((c.Byte() & 0x08) == 0) return false; // Cecil: NotSupportedException
                    c.Compressed();
                    if (!SoundType(ref c, 0)) return false;
                }
                return true;
            }
            catch (MalformedException)
            {
                return false;
            }
        }

        public ModuleIndex? Index()
        {
            ReadPe();
            CheckTables();
            _memberRefSound = new byte[_rows[MemberRef] + 1];
            _methodSpecSound = new byte[_rows[MethodSpec] + 1];
            _typeSpecSound = new byte[_rows[TypeSpec] + 1];
            _callSiteSound = new byte[_rows[StandAloneSig] + 1];
            // A body's operands make Cecil read the members of the types they name, as the walks do anyway; but it would
            // do so earlier, and a walk that fails part-way keeps what it found before failing. So the index is only
            // used when every definition's signature reads soundly: then no skipped body moves a failure.
            if (!DefinitionsSound()) return null;
            var strings = new List<uint>((int)Math.Min(_rows[MethodDef], 1u << 16));
            var bodies = BodyFacts(strings, out var firstString);
            return new ModuleIndex(AttributeParents(stringsOnly: false), AttributeParents(stringsOnly: true), ConstantParents(), bodies, firstString, [.. strings],
                // The two heaps are copied: the index outlives this reader, and should not keep a copy of the image alive.
                _hasStrings ? _data.Slice(_strings.Offset, _strings.Size).ToArray() : ReadOnlyMemory<byte>.Empty,
                _hasUserStrings ? _data.Slice(_userStrings.Offset, _userStrings.Size).ToArray() : null);
        }

        /// <summary>
        /// The owner token of every CustomAttribute row, decoded as Cecil decodes the HasCustomAttribute column; with
        /// <paramref name="stringsOnly"/>, only of the rows that may hold a string argument (<see cref="MayHoldString"/>).
        /// </summary>
        private HashSet<uint> AttributeParents(bool stringsOnly)
        {
            var (bits, tables) = CodedIndexes[(int)Coded.HasCustomAttribute];
            var parents = new HashSet<uint>();
            for (uint r = 1; r <= _rows[CustomAttribute]; r++)
            {
                if (stringsOnly && !MayHoldString(r)) continue;
                uint coded = Cell(CustomAttribute, r, 0);
                uint tag = coded & ((1u << bits) - 1);
                // Cecil gives a row with an unknown tag the null token, which no member has.
                if (tag < (uint)tables.Length) parents.Add(((uint)tables[tag] << 24) | (coded >> bits));
            }
            return parents;
        }

        /// <summary>
        /// False only for an attribute Cecil reads without throwing and whose value holds no string: a sound constructor
        /// whose parameters are all of fixed-size primitive types, a value that is empty or starts with the prolog, holds
        /// exactly those arguments and then nothing or a zero count of named arguments. (Compilers write most attributes
        /// so: nullable annotations, compiler-generated markers.) Anything else may hold one.
        /// </summary>
        private bool MayHoldString(uint row)
        {
            try
            {
                uint type = Cell(CustomAttribute, row, 1);
                uint ctor = type >> 3;
                int table = (type & 7) switch { 2 => MethodDef, 3 => MemberRef, _ => -1 };
                if (table < 0 || ctor < 1 || ctor > _rows[table]) return true;
                if (table == MemberRef && !Sound(_memberRefSound, MemberRef, ctor)) return true;
                var sig = SignatureCursor(Cell(table, ctor, table == MethodDef ? 4 : 2), TableNames[table], ctor);
                byte convention = sig.Byte();
                if ((convention & 0x10) != 0) return true;
                uint count = sig.Compressed();
                if (!SoundType(ref sig, 0)) return true;
                int size = 0;
                for (uint i = 0; i < count; i++)
                {
                    int? primitive = PrimitiveSize(sig.Byte());
                    if (primitive is not int p || size > 0xFFFF) return true;
                    size += p;
                }
                var (start, end) = Blob(Cell(CustomAttribute, row, 2), new Owner(OwnerKind.AttributeValue, "CustomAttribute", row));
                if (end == start) return false; // Cecil reads no arguments from an empty value
                if (end - start < 2 + size || BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(start)) != 1) return true;
                int rest = end - start - 2 - size;
                return !(rest == 0 || (rest >= 2 && BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(start + 2 + size)) == 0));
            }
            catch (MalformedException)
            {
                return true;
            }
        }

        /// <summary>
        /// The owner token of every Constant row; null when two rows name the same owner (Cecil adds the rows to a
        /// dictionary on the first constant asked for, and throws on the second row: that must still happen).
        /// </summary>
        private HashSet<uint>? ConstantParents()
        {
            const int Constant = 0x0B;
            var parents = new HashSet<uint>();
            for (uint r = 1; r <= _rows[Constant]; r++)
            {
                uint coded = Cell(Constant, r, 1);
                int table = (coded & 3) switch { 0 => Field, 1 => 0x08, 2 => Property, _ => -1 };
                uint token = table < 0 ? 0 : ((uint)table << 24) | (coded >> 2);
                if (!parents.Add(token)) return null;
            }
            return parents;
        }

        /// <summary>Per MethodDef row: <see cref="ModuleIndex.HoldsString"/> and <see cref="ModuleIndex.Irregular"/>.</summary>
        /// <remarks>
        /// The #US index of every <c>ldstr</c> goes to <paramref name="strings"/>, those of row r from
        /// <c>firstString[r]</c> to <c>firstString[r + 1]</c>.
        /// </remarks>
        private byte[] BodyFacts(List<uint> strings, out int[] firstString)
        {
            var facts = new byte[_rows[MethodDef] + 1];
            firstString = new int[_rows[MethodDef] + 2];
            var starts = new BitSet();
            for (uint r = 1; r <= _rows[MethodDef]; r++)
            {
                firstString[r] = strings.Count;
                uint rva = Cell(MethodDef, r, 0);
                uint impl = Cell(MethodDef, r, 1), flags = Cell(MethodDef, r, 2);
                if (rva == 0 || (flags & 0x2400) != 0 || (impl & 0x1007) != 0) continue; // Cecil reads no body: nothing to skip
                facts[r] = Body(rva, starts, strings);
            }
            firstString[^1] = strings.Count;
            return facts;
        }

        /// <summary>
        /// Reads one method body the way Mono.Cecil's CodeReader does: its header, then instruction after instruction,
        /// then its exception-handler sections. Irregular is anything Cecil could throw on or read differently from
        /// here: an unresolvable address, an unknown header, a code size Cecil would cut to nothing, an opcode outside
        /// the tables both define, an operand running past the code, a token of a table the operand cannot name or a
        /// row past its table, a local signature that is no local signature, a handler whose try or handler offset is
        /// no instruction's start, a catch type that is no type.
        /// </summary>
        private byte Body(uint rva, BitSet starts, List<uint> strings)
        {
            const byte Irregular = ModuleIndex.Irregular;
            long at;
            try { at = Resolve(rva, "method body"); }
            catch (MalformedException) { return Irregular; }
            if (at < 0 || at >= _data.Length) return Irregular;
            int p = (int)at;
            byte header = _data[p];
            int codeSize, start;
            bool moreSections = false;
            if ((header & 3) == 2)
            {
                codeSize = header >> 2;
                start = p + 1;
            }
            else if ((header & 3) == 3)
            {
                if (p + 12 > _data.Length) return Irregular;
                ushort fatFlags = BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(p));
                codeSize = BinaryPrimitives.ReadInt32LittleEndian(_data.Slice(p + 4));
                uint locals = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(p + 8));
                if ((locals & 0xFFFFFF) != 0 && !IsLocalSignature(locals)) return Irregular;
                moreSections = (fatFlags & 0x8) != 0;
                start = p + 12;
            }
            else return Irregular;
            // Cecil reads a code size that does not fit in the file as none; the index only follows it when it is none.
            if (codeSize != 0 && (codeSize < 0 || (uint)(codeSize + start) >= (uint)_data.Length)) return Irregular;
            int end = start + codeSize;
            byte facts = 0;
            starts.Reset(codeSize + 1);
            var (oneByte, twoByte) = OperandKinds;
            int c = start;
            int count = 0;
            while (c < end)
            {
                starts.Set(c - start);
                count++;
                byte op = _data[c++];
                Operand kind;
                if (op == 0xFE)
                {
                    if (c >= end) return Irregular;
                    kind = twoByte[_data[c++]];
                }
                else kind = oneByte[op];
                int size = kind switch
                {
                    Operand.None => 0,
                    Operand.Bytes1 => 1,
                    Operand.Bytes2 => 2,
                    Operand.Bytes8 => 8,
                    Operand.Undefined => -1,
                    _ => 4,
                };
                if (size < 0 || c + size > end) return Irregular;
                if (kind == Operand.Switch)
                {
                    uint targets = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c));
                    c += 4;
                    if (targets > (uint)(end - c) / 4) return Irregular;
                    c += (int)targets * 4;
                    continue;
                }
                if (kind >= Operand.String)
                {
                    uint token = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c));
                    if (kind == Operand.String)
                    {
                        facts |= ModuleIndex.HoldsString;
                        strings.Add(token & 0xFFFFFF); // Cecil reads the string at the token's row number, whatever its table
                    }
                    else if (!TokenFits(kind, token)) return Irregular;
                }
                c += size;
            }
            if (!moreSections) return facts;
            if (count == 0) return Irregular; // Cecil looks handlers up in an empty instruction list
            for (int sections = 0; moreSections; sections++)
            {
                if (sections >= MaxBodySections) return Irregular;
                c = (c + 3) & ~3;
                if (c >= _data.Length) return Irregular;
                byte kindByte = _data[c];
                bool fat = (kindByte & 0x40) != 0;
                int handlers, entry;
                if (!fat)
                {
                    if (c + 4 > _data.Length) return Irregular;
                    handlers = _data[c + 1] / 12;
                    entry = 12;
                    c += 4;
                }
                else
                {
                    if (c + 4 > _data.Length) return Irregular;
                    handlers = (BinaryPrimitives.ReadInt32LittleEndian(_data.Slice(c)) >> 8) / 24;
                    entry = 24;
                    c += 4;
                }
                if (handlers < 0 || (long)c + (long)handlers * entry > _data.Length) return Irregular;
                for (int h = 0; h < handlers; h++, c += entry)
                {
                    uint type, tryOffset, handlerOffset, extra;
                    if (fat)
                    {
                        type = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c));
                        tryOffset = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c + 4));
                        handlerOffset = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c + 12));
                        extra = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c + 20));
                    }
                    else
                    {
                        type = BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(c));
                        tryOffset = BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(c + 2));
                        handlerOffset = BinaryPrimitives.ReadUInt16LittleEndian(_data.Slice(c + 5));
                        extra = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(c + 8));
                    }
                    if (tryOffset >= (uint)codeSize || !starts.Get((int)tryOffset)) return Irregular;
                    if (handlerOffset >= (uint)codeSize || !starts.Get((int)handlerOffset)) return Irregular;
                    if ((type & 7) == 0 && !TokenFits(Operand.Type, extra)) return Irregular;
                }
                moreSections = (kindByte & 0x80) != 0;
            }
            return facts;
        }

        /// <summary>True when a token names a row that exists in a table the operand kind allows.</summary>
        private bool TokenFits(Operand kind, uint token)
        {
            int table = (int)(token >> 24);
            uint row = token & 0xFFFFFF;
            bool allowed = kind switch
            {
                Operand.Method => table is MethodDef or MemberRef or MethodSpec,
                Operand.Field => table is Field or MemberRef,
                Operand.Type => table is TypeDef or TypeRef or TypeSpec,
                Operand.Token => table is TypeDef or TypeRef or TypeSpec or Field or MethodDef or MemberRef or MethodSpec,
                Operand.Signature => table == StandAloneSig,
                _ => false,
            };
            if (!allowed || row < 1 || row > _rows[table]) return false;
            return table switch
            {
                MemberRef => Sound(_memberRefSound, MemberRef, row),
                MethodSpec => Sound(_methodSpecSound, MethodSpec, row),
                TypeSpec => Sound(_typeSpecSound, TypeSpec, row),
                StandAloneSig => Sound(_callSiteSound, StandAloneSig, row),
                _ => true, // definitions and type references: every walk reads the definitions anyway, a reference is a row
            };
        }

        // ---- soundness: the rows a body's operands name are read by Cecil when it reads the body; any of them it
        // would throw on (an element type it has no case for, a type token naming no row, a member reference whose
        // parent is no type or method) makes the body irregular. Memoised per row: 0 unknown, 1 sound, 2 unsound,
        // 3 being checked (a cycle: unsound).

        private byte[] _memberRefSound = [], _methodSpecSound = [], _typeSpecSound = [], _callSiteSound = [];

        private bool Sound(byte[] memo, int table, uint row)
        {
            if (memo[row] is 1 or 2) return memo[row] == 1;
            if (memo[row] == 3) return false;
            memo[row] = 3;
            bool sound;
            try
            {
                sound = table switch
                {
                    MemberRef => MemberRefSound(row),
                    MethodSpec => MethodSpecSound(row),
                    TypeSpec => TypeSpecSound(row),
                    _ => CallSiteSound(row),
                };
            }
            catch (MalformedException)
            {
                sound = false;
            }
            memo[row] = sound ? (byte)1 : (byte)2;
            return sound;
        }

        private bool MemberRefSound(uint row)
        {
            // Cecil reads the parent (a type, or a method for a vararg call site), then the signature.
            uint parent = Cell(MemberRef, row, 0);
            int parentTable = (parent & 7) switch { 0 => TypeDef, 1 => TypeRef, 3 => MethodDef, 4 => TypeSpec, _ => -1 };
            if (parentTable < 0 || parent >> 3 < 1 || parent >> 3 > _rows[parentTable]) return false;
            if (parentTable == TypeSpec && !Sound(_typeSpecSound, TypeSpec, parent >> 3)) return false;
            var c = SignatureCursor(Cell(MemberRef, row, 2), "MemberRef", row);
            if (c.Peek() == 0x06)
            {
                c.Byte();
                return SoundType(ref c, 0);
            }
            return SoundMethodSignature(ref c, 0);
        }

        private bool MethodSpecSound(uint row)
        {
            uint method = Cell(MethodSpec, row, 0);
            uint target = method >> 1;
            if ((method & 1) == 0 ? target < 1 || target > _rows[MethodDef] : target < 1 || target > _rows[MemberRef] || !Sound(_memberRefSound, MemberRef, target))
                return false;
            var c = SignatureCursor(Cell(MethodSpec, row, 1), "MethodSpec", row);
            c.Byte();
            uint count = c.Compressed();
            for (uint i = 0; i < count; i++)
                if (!SoundType(ref c, 0)) return false;
            return true;
        }

        private bool TypeSpecSound(uint row)
        {
            var c = SignatureCursor(Cell(TypeSpec, row, 0), "TypeSpec", row);
            return SoundType(ref c, 0);
        }

        private bool CallSiteSound(uint row)
        {
            var c = SignatureCursor(Cell(StandAloneSig, row, 0), "StandAloneSig", row);
            return SoundMethodSignature(ref c, 0);
        }

        private bool SoundMethodSignature(ref Cursor c, int depth)
        {
            byte convention = c.Byte();
            if ((convention & 0x10) != 0) c.Compressed();
            uint count = c.Compressed();
            if (!SoundType(ref c, depth)) return false;
            for (uint i = 0; i < count; i++)
                if (!SoundType(ref c, depth)) return false;
            return true;
        }

        /// <summary>A type as Cecil's SignatureReader reads it, without throwing; false where it would throw (or, unsure, might).</summary>
        private bool SoundType(ref Cursor c, int depth)
        {
            if (depth > MaxSignatureDepth) return false;
            byte element = c.Byte();
            switch (element)
            {
                case >= 0x01 and <= 0x0E or 0x16 or 0x18 or 0x19 or 0x1C: // void, primitives, string, typedref, native ints, object
                    return true;
                case 0x0F or 0x10 or 0x1D or 0x41 or 0x45: // pointer, byref, szarray, sentinel, pinned
                    return SoundType(ref c, depth + 1);
                case 0x11 or 0x12: // valuetype, class
                    return SoundTypeToken(c.Compressed());
                case 0x13 or 0x1E: // generic parameters
                    c.Compressed();
                    return true;
                case 0x1F or 0x20: // modifiers
                    return SoundTypeToken(c.Compressed()) && SoundType(ref c, depth + 1);
                case 0x1B:
                    return SoundMethodSignature(ref c, depth + 1);
                case 0x14: // array: element, rank, sizes, low bounds
                {
                    if (!SoundType(ref c, depth + 1)) return false;
                    c.Compressed();
                    uint sizes = c.Compressed();
                    if (sizes > (uint)(c.End - c.Position)) return false;
                    for (uint i = 0; i < sizes; i++) c.Compressed();
                    uint bounds = c.Compressed();
                    if (bounds > (uint)(c.End - c.Position)) return false;
                    for (uint i = 0; i < bounds; i++) c.Compressed();
                    return true;
                }
                case 0x15: // generic instance
                {
                    c.Byte();
                    if (!SoundTypeToken(c.Compressed())) return false;
                    uint arity = c.Compressed();
                    if (arity > (uint)(c.End - c.Position)) return false;
                    for (uint i = 0; i < arity; i++)
                        if (!SoundType(ref c, depth + 1)) return false;
                    return true;
                }
                default:
                    return false; // Cecil: NotImplementedException
            }
        }

        /// <summary>A TypeDefOrRef token of a signature: a row that exists (Cecil dereferences what it reads for it).</summary>
        private bool SoundTypeToken(uint coded)
        {
            uint row = coded >> 2;
            int table = (coded & 3) switch { 0 => TypeDef, 1 => TypeRef, 2 => TypeSpec, _ => -1 };
            if (table < 0 || row < 1 || row > _rows[table]) return false;
            return table != TypeSpec || Sound(_typeSpecSound, TypeSpec, row);
        }

        /// <summary>A StandAloneSig token whose signature is a local variable signature (Cecil throws on any other).</summary>
        private bool IsLocalSignature(uint token)
        {
            uint row = token & 0xFFFFFF;
            if (token >> 24 != StandAloneSig || row > _rows[StandAloneSig]) return false;
            uint blob = Cell(StandAloneSig, row, 0);
            if (!_hasBlob || blob >= _blob.Size) return false;
            try
            {
                var c = SignatureCursor(blob, "StandAloneSig", row);
                if (c.Byte() != 0x07) return false;
                uint count = c.Compressed();
                for (uint i = 0; i < count; i++)
                    if (!SoundType(ref c, 0)) return false;
                return true;
            }
            catch (MalformedException)
            {
                return false;
            }
        }
    }

    /// <summary>A reusable set of small non-negative numbers (instruction offsets of one method body).</summary>
    private sealed class BitSet
    {
        private ulong[] _words = new ulong[64];

        public void Reset(int size)
        {
            int words = (size + 63) >> 6;
            if (_words.Length < words) _words = new ulong[Math.Max(words, _words.Length * 2)];
            else Array.Clear(_words, 0, words);
        }

        public void Set(int i) => _words[i >> 6] |= 1UL << (i & 63);

        public bool Get(int i) => (_words[i >> 6] & (1UL << (i & 63))) != 0;
    }
}
