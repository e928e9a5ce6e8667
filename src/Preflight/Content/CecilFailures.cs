namespace Preflight.Content;

/// <summary>
/// What Mono.Cecil throws on malformed metadata. Cecil reads lazily, so a broken table, signature or method body
/// surfaces only when a detector walks that part of the module, and as almost any exception type (fuzzing found
/// ArgumentOutOfRange, IndexOutOfRange, NullReference, NotSupported and NotImplemented among them). Every walk of
/// a module catches these with this one filter and says what it could not read.
/// </summary>
internal static class CecilFailures
{
    public static bool IsMalformedMetadata(Exception ex) =>
        ex is BadImageFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException
            or InvalidCastException or NullReferenceException or NotSupportedException or NotImplementedException
            or OverflowException or IOException or FormatException or KeyNotFoundException or ArithmeticException;
}
