namespace Preflight.Detectors.Credentials;

/// <summary>
/// Values that stand for a secret without being one: variable references, template expressions, documentation
/// values and the examples vendors publish. Used by every rule whose value is free-form.
/// </summary>
internal static class Placeholders
{
    private static readonly string[] Words =
    [
        "example", "changeme", "change_me", "change-me", "replace", "your_", "your-", "yourpass", "yoursecret", "yourtoken",
        "placeholder", "dummy", "sample", "redacted", "xxxx", "****", "....", "todo", "fixme", "notreal", "not_real",
        "not-a-real", "fake", "insert", "enter_", "enter-", "<", ">", "secret_here", "token_here", "password_here",
        "123456", "qwerty", "letmein", "000000", "abcdef", "s3cr3t", "p@ssw0rd", "passw0rd", "password", "mysecret", "supersecret",
        "foobar", "lorem", "test1234", "sensitive", "hidden", "masked", "omitted", "null", "undefined", "none", "secret",
    ];

    // One vectorised case-insensitive pass for all the words (every string constant of an assembly comes through here).
    private static readonly Content.AsciiWords WordSearch = new(Words);

    /// <summary>The words that mark a placeholder (tests compare the search with them).</summary>
    internal static IReadOnlyList<string> PlaceholderWords => Words;

    /// <summary>True when the value is a reference, a template or a documentation value rather than a secret.</summary>
    public static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        value = value.Trim().Trim("\"'`");
        if (value.IsEmpty) return true;
        // Variable references and templates: ${VAR}, $VAR, $(VAR), %VAR%, {{ .Values.x }}, #{x}, @x@, <password>.
        if (value[0] is '$' or '%' or '{' or '<' or '#' or '@' or '[' or '(' or '*') return true;
        if (value.Contains("{{", StringComparison.Ordinal) || value.Contains("${", StringComparison.Ordinal)
            || value.Contains("$(", StringComparison.Ordinal) || value.Contains("#{", StringComparison.Ordinal)) return true;
        if (value.Length >= 3 && value[0] == '%' && value[^1] == '%') return true;
        if (value.StartsWith("ENC(", StringComparison.OrdinalIgnoreCase) || value.StartsWith("vault:", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("env:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("secretref:", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("keyvault:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("op://", StringComparison.OrdinalIgnoreCase))
            return true;
        if (HasPlaceholderWord(value)) return true;
        if (SecretFormats.IsRepetitive(value)) return true;
        return false;
    }

    /// <summary>True when one of the placeholder words occurs in the value, in any case (ordinal).</summary>
    internal static bool HasPlaceholderWord(ReadOnlySpan<char> value) => WordSearch.In(value);

    /// <summary>True for a UUID (8-4-4-4-12 hex).</summary>
    public static bool IsUuid(ReadOnlySpan<char> value) =>
        value.Length == 36 && value[8] == '-' && value[13] == '-' && value[18] == '-' && value[23] == '-' && Guid.TryParse(value, out _);

    /// <summary>True for hex digests and integrity strings (<c>sha512-…</c>, <c>sha256:…</c>).</summary>
    public static bool IsHashLike(ReadOnlySpan<char> value)
    {
        if (value.StartsWith("sha1-", StringComparison.OrdinalIgnoreCase) || value.StartsWith("sha256-", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("sha384-", StringComparison.OrdinalIgnoreCase) || value.StartsWith("sha512-", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("sha1:", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("sha512:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("md5:", StringComparison.OrdinalIgnoreCase))
            return true;
        return false;
    }

    /// <summary>True for base64 image data (data: URLs and the PNG/JPEG/GIF base64 signatures).</summary>
    public static bool IsImageData(ReadOnlySpan<char> value) =>
        value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("iVBORw0KGgo", StringComparison.Ordinal)
        || value.StartsWith("/9j/", StringComparison.Ordinal) || value.StartsWith("R0lGOD", StringComparison.Ordinal)
        || value.StartsWith("PHN2Zy", StringComparison.Ordinal);

    /// <summary>True when a path names a template (<c>*.example</c>, <c>*.sample</c>, <c>*.template</c>, <c>*.dist</c>, <c>*.tmpl</c>).</summary>
    public static bool IsTemplatePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path.AsSpan(path.LastIndexOf('/') + 1);
        foreach (var marker in TemplateMarkers)
        {
            if (name.EndsWith(marker, StringComparison.OrdinalIgnoreCase)) return true;
            if (name.Contains(marker + ".", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static readonly string[] TemplateMarkers = [".example", ".sample", ".template", ".dist", ".tmpl", ".tpl", ".default"];
}
