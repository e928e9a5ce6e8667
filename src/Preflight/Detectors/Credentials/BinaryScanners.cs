using Mono.Cecil;
using Mono.Cecil.Cil;
using Org.BouncyCastle.Pkcs;
using Preflight.Content;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>A string found in an assembly, with the member it belongs to and the name it is assigned to.</summary>
/// <param name="Value">The string.</param>
/// <param name="Member">Type and member (<c>Acme.Config::Connect</c>).</param>
/// <param name="AssignedTo">The credential-like field, property or constant name it initialises, when there is one.</param>
internal readonly record struct AssemblyString(string Value, string Member, string? AssignedTo);

/// <summary>Reads the strings of a .NET assembly from its metadata with Mono.Cecil, never loading it.</summary>
internal static class AssemblyStrings
{
    /// <summary>Every user string (with the method it is loaded in), constant field and attribute argument.</summary>
    /// <param name="module">The module.</param>
    /// <param name="index">
    /// The module's table index, when there is one: members it shows to have no attribute, fields with no constant and
    /// bodies that read regularly without an <c>ldstr</c> are not asked of Cecil. They would yield nothing (see
    /// <see cref="ModuleIndex"/>), so the strings and their order are the same; only the cost differs.
    /// </param>
    /// <param name="matters">
    /// With an index: a body whose every string this rejects is not read either (its strings are then not yielded). The
    /// caller must reject only strings it would do nothing with, whatever member or name they came with.
    /// </param>
    public static IEnumerable<AssemblyString> Read(ModuleDefinition module, ModuleIndex? index = null, Func<string, bool>? matters = null)
    {
        matters ??= static _ => true;
        foreach (var type in module.GetTypes())
        {
            if (index is null || index.MayHaveStringAttributes(type))
                foreach (var s in AttributeStrings(type, type.FullName)) yield return s;
            foreach (var field in type.Fields)
            {
                // The member's name is built only when the field yields something: most yield nothing.
                string? member = null;
                if ((index is null || index.MayHaveConstant(field)) && field.HasConstant && field.Constant is string constant)
                    yield return new AssemblyString(constant, member ??= type.FullName + "::" + field.Name, field.Name);
                if (index is null || index.MayHaveStringAttributes(field))
                    foreach (var s in AttributeStrings(field, member ??= type.FullName + "::" + field.Name)) yield return s;
            }
            foreach (var property in type.Properties)
                if (index is null || index.MayHaveStringAttributes(property))
                    foreach (var s in AttributeStrings(property, type.FullName + "::" + property.Name)) yield return s;
            foreach (var method in type.Methods)
            {
                string? member = null;
                if (index is null || index.MayHaveStringAttributes(method))
                    foreach (var s in AttributeStrings(method, member ??= type.FullName + "::" + method.Name)) yield return s;
                if (!method.HasBody || index?.MayYield(method, matters) == false) continue;
                var instructions = method.Body.Instructions;
                for (int i = 0; i < instructions.Count; i++)
                {
                    if (instructions[i].OpCode.Code != Code.Ldstr || instructions[i].Operand is not string value) continue;
                    yield return new AssemblyString(value, member ??= type.FullName + "::" + method.Name, AssignedName(instructions, i));
                }
            }
        }
    }

    /// <summary>The field or property the string is stored into right after it is loaded (<c>stfld</c>, <c>stsfld</c>, <c>set_X</c>).</summary>
    private static string? AssignedName(Mono.Collections.Generic.Collection<Instruction> instructions, int index)
    {
        if (index + 1 >= instructions.Count) return null;
        var next = instructions[index + 1];
        return next.OpCode.Code switch
        {
            Code.Stfld or Code.Stsfld when next.Operand is FieldReference f => TrimBackingField(f.Name),
            Code.Call or Code.Callvirt when next.Operand is MethodReference m && m.Name.StartsWith("set_", StringComparison.Ordinal) => m.Name[4..],
            _ => null,
        };
    }

    private static string TrimBackingField(string name)
    {
        // <Password>k__BackingField
        if (name.StartsWith('<'))
        {
            int close = name.IndexOf('>', StringComparison.Ordinal);
            if (close > 1) return name[1..close];
        }
        return name;
    }

    private static IEnumerable<AssemblyString> AttributeStrings(ICustomAttributeProvider provider, string member)
    {
        if (!provider.HasCustomAttributes) yield break;
        foreach (var attribute in provider.CustomAttributes)
        {
            if (CecilAttributes.NeedsOutsideType(attribute)) continue; // would throw: nothing is resolved from outside
            IList<CustomAttributeArgument> arguments;
            IList<Mono.Cecil.CustomAttributeNamedArgument> named;
            try
            {
                arguments = attribute.ConstructorArguments;
                named = [.. attribute.Properties, .. attribute.Fields];
            }
            catch (Exception ex) when (ex is ResolutionException or AssemblyResolutionException or IOException or InvalidOperationException or NotSupportedException or BadImageFormatException or IndexOutOfRangeException)
            {
                continue; // the blob needs a type from another assembly to decode; nothing is resolved from outside
            }
            foreach (var a in arguments)
                if (a.Value is string s) yield return new AssemblyString(s, member, null);
            foreach (var n in named)
                if (n.Argument.Value is string s) yield return new AssemblyString(s, member, n.Name);
        }
    }
}

/// <summary>PKCS#12 stores that open with an empty password.</summary>
internal static class Pkcs12Check
{
    /// <summary>Number of private-key entries when the store opens with an empty password; null when it does not open.</summary>
    public static int? KeysWithEmptyPassword(ReadOnlyMemory<byte> bytes)
    {
        foreach (var password in new[] { Array.Empty<char>(), null })
        {
            try
            {
                var store = new Pkcs12StoreBuilder().Build();
                using var stream = new MemoryStream(bytes.ToArray(), writable: false);
                store.Load(stream, password);
                return store.Aliases.Count(store.IsKeyEntry);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or InvalidCastException
                or Org.BouncyCastle.Security.SecurityUtilityException or Org.BouncyCastle.Crypto.CryptoException or NullReferenceException or FormatException or IndexOutOfRangeException)
            {
                // wrong password, or not PKCS#12
            }
        }
        return null;
    }

    /// <summary>True for the DER start of a PFX (SEQUENCE, then INTEGER 3).</summary>
    public static bool LooksLikePfx(ReadOnlySpan<byte> bytes, string extension) =>
        extension is ".p12" or ".pfx" || (bytes.Length > 8 && bytes[0] == 0x30 && bytes.IndexOf((ReadOnlySpan<byte>)[0x02, 0x01, 0x03]) is > 0 and < 8);
}
