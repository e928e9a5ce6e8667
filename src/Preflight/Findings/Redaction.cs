namespace Preflight.Findings;

/// <summary>
/// The one way a secret may appear in any output: a short prefix and the length. Every report format,
/// log line and exception message goes through here.
/// </summary>
public static class Redaction
{
    /// <summary>Characters of a secret that may be shown, at most.</summary>
    public const int MaxVisiblePrefix = 4;

    /// <summary>
    /// <c>AKIA…(20 chars)</c>. Short secrets show fewer characters (never more than a quarter of the
    /// secret), so a 6-character password shows one character.
    /// </summary>
    public static string Secret(ReadOnlySpan<char> secret)
    {
        int visible = Math.Min(MaxVisiblePrefix, secret.Length / 4);
        return string.Concat(secret[..visible], "…(", secret.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), " chars)");
    }

    /// <summary>The secret replaced by a prefix and asterisks of the same length, for evidence lines: <c>AKIA****************</c>.</summary>
    public static string Masked(ReadOnlySpan<char> secret)
    {
        int visible = Math.Min(MaxVisiblePrefix, secret.Length / 4);
        var chars = new char[secret.Length];
        secret[..visible].CopyTo(chars);
        chars.AsSpan(visible).Fill('*');
        return new string(chars);
    }

    /// <summary>Replaces <paramref name="secret"/> wherever it occurs in <paramref name="text"/> by its masked form.</summary>
    public static string MaskIn(string text, string secret)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(secret)) return text;
        return text.Replace(secret, Masked(secret), StringComparison.Ordinal);
    }
}
