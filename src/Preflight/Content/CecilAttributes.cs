using Mono.Cecil;

namespace Preflight.Content;

/// <summary>
/// Custom attributes whose arguments Mono.Cecil cannot decode without another assembly. An enum parameter
/// declared outside the module has to be resolved to learn its size; Preflight resolves nothing from outside, so
/// Cecil throws. Asking first costs a look at the constructor's parameter types; the exception it avoids costs
/// tens of microseconds, and a framework assembly holds thousands of such attributes.
/// </summary>
internal static class CecilAttributes
{
    /// <summary>True when reading the attribute's constructor arguments would need a type from another assembly.</summary>
    public static bool NeedsOutsideType(CustomAttribute attribute)
    {
        var constructor = attribute.Constructor;
        if (!constructor.HasParameters) return false;
        foreach (var parameter in constructor.Parameters)
            if (IsOutsideValueType(parameter.ParameterType)) return true;
        return false;
    }

    private static bool IsOutsideValueType(TypeReference type)
    {
        if (type is ArrayType array) type = array.ElementType;
        if (type.IsPrimitive) return false;
        if (type.MetadataType is MetadataType.String or MetadataType.Object) return false;
        // Cecil marks a signature's valuetype references; a class-typed argument can only be string, Type or object.
        if (!type.IsValueType) return false;
        return type is not TypeDefinition && type.Scope is not ModuleDefinition;
    }
}
