namespace Preflight.Detectors.ServiceUnits;

/// <summary>Unit name rules: suffixes, templates and specifiers.</summary>
internal static class UnitNames
{
    /// <summary>The unit types systemd knows, by suffix.</summary>
    public static readonly string[] Suffixes =
        [".service", ".socket", ".timer", ".path", ".target", ".mount", ".automount", ".swap", ".slice", ".scope", ".device"];

    /// <summary>True when <paramref name="name"/> ends with a unit suffix.</summary>
    public static bool HasUnitSuffix(string name)
    {
        foreach (var s in Suffixes)
            if (name.EndsWith(s, StringComparison.Ordinal) && name.Length > s.Length) return true;
        return false;
    }

    /// <summary>The suffix of a unit name including the dot, or empty.</summary>
    public static string Suffix(string name)
    {
        foreach (var s in Suffixes)
            if (name.EndsWith(s, StringComparison.Ordinal)) return s;
        return string.Empty;
    }

    /// <summary>The name without its unit suffix.</summary>
    public static string Stem(string name) => name[..^Suffix(name).Length];

    /// <summary>As <c>systemctl</c> does: a name without a unit suffix means <c>.service</c>.</summary>
    public static string Normalize(string name) => HasUnitSuffix(name) ? name : name + ".service";

    /// <summary>For an instance <c>foo@bar.service</c>, its template <c>foo@.service</c>; otherwise null.</summary>
    public static string? TemplateOf(string name)
    {
        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at < 0) return null;
        string suffix = Suffix(name);
        if (suffix.Length == 0 || at + 1 == name.Length - suffix.Length) return null;
        return string.Concat(name.AsSpan(0, at + 1), suffix);
    }

    /// <summary>True for a template file name such as <c>foo@.service</c>.</summary>
    public static bool IsTemplate(string name)
    {
        string suffix = Suffix(name);
        return suffix.Length > 0 && name.Length > suffix.Length && name[^(suffix.Length + 1)] == '@';
    }

    /// <summary>
    /// Resolves the specifiers that matter for names (<c>%n %N %p %P %i %I %j %J %%</c>) for the unit
    /// <paramref name="unitName"/>. For a template (no instance) <c>%i</c> stays unresolved and the result
    /// is null when the text depends on it.
    /// </summary>
    public static string? ResolveSpecifiers(string text, string unitName)
    {
        if (!text.Contains('%', StringComparison.Ordinal)) return text;
        string stem = Stem(unitName);
        int at = stem.IndexOf('@', StringComparison.Ordinal);
        string prefix = at >= 0 ? stem[..at] : stem;
        string? instance = at >= 0 && at + 1 < stem.Length ? stem[(at + 1)..] : null;
        int dash = prefix.LastIndexOf('-');
        string last = dash >= 0 ? prefix[(dash + 1)..] : prefix;
        var sb = new System.Text.StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '%' || i + 1 >= text.Length) { sb.Append(text[i]); continue; }
            char c = text[++i];
            switch (c)
            {
                case 'n': sb.Append(unitName); break;
                case 'N': sb.Append(stem); break;
                case 'p': case 'P': sb.Append(prefix); break;
                case 'j': case 'J': sb.Append(last); break;
                case 'i': case 'I':
                    if (instance is null) return null;
                    sb.Append(instance);
                    break;
                case '%': sb.Append('%'); break;
                default: return null; // other specifiers do not make unit names
            }
        }
        return sb.ToString();
    }
}
