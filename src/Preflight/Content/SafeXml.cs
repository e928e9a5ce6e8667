using System.Xml;
using System.Xml.Linq;

namespace Preflight.Content;

/// <summary>
/// The one way the scanner loads XML: DTDs prohibited (no XXE, no entity expansion), no resolver, a bound on
/// the document's size, and a bound on element depth checked by a streaming pass first — building an
/// <see cref="XDocument"/> costs time quadratic in the depth, and our readers recurse on nested elements.
/// </summary>
internal static class SafeXml
{
    /// <summary>Deepest element nesting loaded. Task Scheduler XML and plists stay under ten.</summary>
    public const int MaxDepth = 256;

    private static XmlReaderSettings Settings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = 16 * 1024 * 1024,
        IgnoreComments = true,
    };

    /// <summary>
    /// Loads <paramref name="text"/> with line information, or returns null with <paramref name="refusal"/> set when
    /// it nests deeper than <see cref="MaxDepth"/>. Malformed XML, and any DTD, throw <see cref="XmlException"/>.
    /// </summary>
    public static XDocument? Load(string text, out string? refusal)
    {
        using (var probe = XmlReader.Create(new StringReader(text), Settings()))
        {
            while (probe.Read())
            {
                if (probe.Depth > MaxDepth)
                {
                    refusal = $"it nests elements more than {MaxDepth} levels deep (line {((IXmlLineInfo)probe).LineNumber})";
                    return null;
                }
            }
        }
        refusal = null;
        using var reader = XmlReader.Create(new StringReader(text), Settings());
        return XDocument.Load(reader, LoadOptions.SetLineInfo);
    }
}
