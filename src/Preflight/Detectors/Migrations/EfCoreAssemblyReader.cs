using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Preflight.Detectors.Migrations;

/// <summary>An EF Core migration found in a compiled assembly.</summary>
/// <param name="TypeName">The migration class's full name.</param>
/// <param name="Id">The id of its <c>[Migration("id")]</c> attribute.</param>
/// <param name="Pieces">What its <c>Up</c> runs, in order.</param>
internal sealed record EfCompiledMigration(string TypeName, string Id, IReadOnlyList<EfSqlPiece> Pieces);

/// <summary>
/// Reads EF Core migrations from a compiled assembly with Mono.Cecil, as metadata only: classes deriving (within the
/// module) from <c>Microsoft.EntityFrameworkCore.Migrations.Migration</c> with a <c>[Migration("id")]</c> attribute,
/// and the IL of their <c>Up(MigrationBuilder)</c>. Each <c>MigrationBuilder</c> call's arguments are rebuilt from
/// the constants loaded before it (a small evaluation-stack simulation over <c>ldstr</c>, <c>ldc.i4</c>,
/// <c>ldnull</c>, locals and <c>Nullable&lt;T&gt;</c>) and translated by <see cref="EfCoreOperations"/>, the same
/// translation the C# source reader uses. Nothing is loaded or run.
/// </summary>
internal static class EfCoreAssemblyReader
{
    /// <summary>True when the module references EF Core's migrations at all (the cheap check before walking types).</summary>
    public static bool ReferencesEfCore(ModuleDefinition module)
    {
        foreach (var r in module.AssemblyReferences)
            if (r.Name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)) return true;
        // a stand-in or EF Core itself defines the types in the module
        return module.GetType(EfCoreOperations.MigrationType) is not null;
    }

    /// <summary>The migrations of the module, ordered by id as EF Core applies them (ordinal).</summary>
    public static List<EfCompiledMigration> Read(ModuleDefinition module, CancellationToken cancellationToken)
    {
        var result = new List<EfCompiledMigration>();
        foreach (var type in module.GetTypes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (type.IsAbstract || !DerivesFromMigration(module, type)) continue;
            if (MigrationId(type) is not { } id) continue;
            var up = type.Methods.FirstOrDefault(m => m.Name == "Up" && m.Parameters.Count == 1 && m.HasBody);
            result.Add(new EfCompiledMigration(type.FullName, id, up is null ? [] : ReadUp(up)));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    private static bool DerivesFromMigration(ModuleDefinition module, TypeDefinition type)
    {
        TypeReference? b = type.BaseType;
        for (int depth = 0; b is not null && depth < 32; depth++)
        {
            if (b.FullName == EfCoreOperations.MigrationType) return true;
            // follow the chain only inside this module: references are never resolved
            var next = b as TypeDefinition ?? (b.Scope == module || b.Scope is ModuleDefinition ? module.GetType(b.FullName) : null);
            b = next?.BaseType;
        }
        return false;
    }

    private static string? MigrationId(TypeDefinition type)
    {
        foreach (var attribute in type.CustomAttributes)
        {
            if (attribute.AttributeType.FullName != EfCoreOperations.MigrationAttributeType) continue;
            try
            {
                if (attribute.HasConstructorArguments && attribute.ConstructorArguments[0].Value is string id) return id;
            }
            catch (Exception ex) when (ex is BadImageFormatException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotSupportedException)
            {
                return null;
            }
        }
        return null;
    }

    private enum Kind { Unknown, Null, String, Number, LocalAddress, Operation }

    /// <summary>A value on the simulated evaluation stack.</summary>
    private readonly record struct Value(Kind Kind, string? Text = null, long Number = 0)
    {
        public static readonly Value Unknown = new(Kind.Unknown);
        public static readonly Value Null = new(Kind.Null);
    }

    private sealed class Operation(string method, Dictionary<string, Value> args) : IEfArguments
    {
        public string Method { get; } = method;
        public bool Concurrently { get; set; }

        public bool Has(string parameter) => args.TryGetValue(parameter, out var v) && v.Kind != Kind.Null;

        public string? String(string parameter) => args.TryGetValue(parameter, out var v) && v.Kind == Kind.String ? v.Text : null;

        public bool Bool(string parameter) => args.TryGetValue(parameter, out var v) && v.Kind == Kind.Number && v.Number != 0;

        /// <summary>How the call reads, with its constant arguments: the evidence of a compiled migration.</summary>
        public string Describe()
        {
            var parts = new List<string>();
            foreach (var (name, v) in args)
            {
                if (v.Kind == Kind.String) parts.Add($"{name}: \"{v.Text}\"");
                else if (v.Kind == Kind.Number && v.Number != 0 && name is "unique" or "nullable" or "suppressTransaction" or "stored") parts.Add($"{name}: true");
            }
            var text = $"{Method}({string.Join(", ", parts)})";
            return text.Length > 160 ? text[..160] : text;
        }
    }

    private static List<EfSqlPiece> ReadUp(MethodDefinition up)
    {
        var operations = new List<Operation>();
        var stack = new List<Value>();
        var locals = new Dictionary<int, Value>();

        Value Pop()
        {
            if (stack.Count == 0) return Value.Unknown; // the simulation lost track (a branch merge): carry on
            var v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }

        foreach (var ins in up.Body.Instructions)
        {
            switch (ins.OpCode.Code)
            {
                case Code.Ldstr: stack.Add(new Value(Kind.String, (string)ins.Operand)); break;
                case Code.Ldnull: stack.Add(Value.Null); break;
                case Code.Ldc_I4_M1: stack.Add(new Value(Kind.Number, Number: -1)); break;
                case Code.Ldc_I4_0 or Code.Ldc_I4_1 or Code.Ldc_I4_2 or Code.Ldc_I4_3 or Code.Ldc_I4_4 or Code.Ldc_I4_5 or Code.Ldc_I4_6 or Code.Ldc_I4_7 or Code.Ldc_I4_8:
                    stack.Add(new Value(Kind.Number, Number: ins.OpCode.Code - Code.Ldc_I4_0)); break;
                case Code.Ldc_I4_S: stack.Add(new Value(Kind.Number, Number: (sbyte)ins.Operand)); break;
                case Code.Ldc_I4: stack.Add(new Value(Kind.Number, Number: (int)ins.Operand)); break;
                case Code.Ldc_I8: stack.Add(new Value(Kind.Number, Number: (long)ins.Operand)); break;
                case Code.Ldloc_0 or Code.Ldloc_1 or Code.Ldloc_2 or Code.Ldloc_3:
                    stack.Add(locals.GetValueOrDefault(ins.OpCode.Code - Code.Ldloc_0, Value.Unknown)); break;
                case Code.Ldloc_S or Code.Ldloc:
                    stack.Add(locals.GetValueOrDefault(((VariableDefinition)ins.Operand).Index, Value.Unknown)); break;
                case Code.Stloc_0 or Code.Stloc_1 or Code.Stloc_2 or Code.Stloc_3:
                    locals[ins.OpCode.Code - Code.Stloc_0] = Pop(); break;
                case Code.Stloc_S or Code.Stloc:
                    locals[((VariableDefinition)ins.Operand).Index] = Pop(); break;
                case Code.Ldloca_S or Code.Ldloca:
                    stack.Add(new Value(Kind.LocalAddress, Number: ((VariableDefinition)ins.Operand).Index)); break;
                case Code.Initobj:
                    // ldloca tmp; initobj Nullable<T>; ldloc tmp: a null Nullable<T> argument
                    if (Pop() is { Kind: Kind.LocalAddress } address) locals[(int)address.Number] = Value.Null;
                    break;
                case Code.Dup: stack.Add(stack.Count > 0 ? stack[^1] : Value.Unknown); break;
                case Code.Box: break; // the boxed value stands for itself
                case Code.Newobj:
                {
                    var ctor = (MethodReference)ins.Operand;
                    var args = PopArguments(ctor, Pop);
                    stack.Add(ctor.DeclaringType.FullName.StartsWith("System.Nullable`1", StringComparison.Ordinal) && args.Length == 1 ? args[0] : Value.Unknown);
                    break;
                }
                case Code.Call or Code.Callvirt:
                {
                    var callee = (MethodReference)ins.Operand;
                    var args = PopArguments(callee, Pop);
                    var self = callee.HasThis ? Pop() : Value.Unknown;
                    var pushed = Call(callee, self, args, operations);
                    if (callee.ReturnType.MetadataType != MetadataType.Void) stack.Add(pushed);
                    break;
                }
                default:
                    Generic(ins, stack, Pop);
                    break;
            }
        }

        var pieces = new List<EfSqlPiece>(operations.Count);
        foreach (var op in operations)
            if (EfCoreOperations.Translate(op.Method, op, op.Concurrently, 0, 0, op.Describe()) is { } piece) pieces.Add(piece);
        return pieces;
    }

    private static Value[] PopArguments(MethodReference method, Func<Value> pop)
    {
        var args = new Value[method.Parameters.Count];
        for (int i = args.Length - 1; i >= 0; i--) args[i] = pop();
        return args;
    }

    /// <summary>Records a <c>MigrationBuilder</c> operation, or an annotation on one; returns what the call pushes.</summary>
    private static Value Call(MethodReference callee, Value self, Value[] args, List<Operation> operations)
    {
        string name = callee.Name;
        if (callee.DeclaringType.FullName == EfCoreOperations.MigrationBuilderType && EfCoreOperations.ParameterNames(name) is { } table)
        {
            var named = new Dictionary<string, Value>(StringComparer.Ordinal);
            for (int i = 0; i < args.Length; i++)
            {
                // a member reference's signature has no parameter names; a definition in the module has them
                string? parameter = callee.Parameters[i].Name is { Length: > 0 } n ? n : i < table.Count ? table[i] : null;
                if (parameter is not null) named[parameter] = args[i];
            }
            operations.Add(new Operation(name, named));
            return new Value(Kind.Operation, Number: operations.Count - 1);
        }
        if (self.Kind == Kind.Operation)
        {
            // builder.Annotation("Npgsql:CreatedConcurrently", true) and other fluent calls return the same builder
            if (name == "Annotation" && args.Length == 2 && args[0].Text == EfCoreOperations.ConcurrentlyAnnotation && args[1] is { Kind: Kind.Number, Number: not 0 })
                operations[(int)self.Number].Concurrently = true;
            return self;
        }
        return Value.Unknown;
    }

    /// <summary>Any other instruction: pops and pushes unknown values by its stack behaviour.</summary>
    private static void Generic(Instruction ins, List<Value> stack, Func<Value> pop)
    {
        int pops = ins.OpCode.StackBehaviourPop switch
        {
            StackBehaviour.Pop0 => 0,
            StackBehaviour.Pop1 or StackBehaviour.Popi or StackBehaviour.Popref => 1,
            StackBehaviour.Pop1_pop1 or StackBehaviour.Popi_pop1 or StackBehaviour.Popi_popi or StackBehaviour.Popi_popi8
                or StackBehaviour.Popi_popr4 or StackBehaviour.Popi_popr8 or StackBehaviour.Popref_pop1 or StackBehaviour.Popref_popi => 2,
            StackBehaviour.Popi_popi_popi or StackBehaviour.Popref_popi_popi or StackBehaviour.Popref_popi_popi8
                or StackBehaviour.Popref_popi_popr4 or StackBehaviour.Popref_popi_popr8 or StackBehaviour.Popref_popi_popref => 3,
            StackBehaviour.PopAll => -1,
            _ => 0,
        };
        if (pops < 0) stack.Clear();
        for (int i = 0; i < pops; i++) pop();
        int pushes = ins.OpCode.StackBehaviourPush switch
        {
            StackBehaviour.Push1 or StackBehaviour.Pushi or StackBehaviour.Pushi8 or StackBehaviour.Pushr4 or StackBehaviour.Pushr8 or StackBehaviour.Pushref => 1,
            StackBehaviour.Push1_push1 => 2,
            _ => 0,
        };
        for (int i = 0; i < pushes; i++) stack.Add(Value.Unknown);
    }
}
