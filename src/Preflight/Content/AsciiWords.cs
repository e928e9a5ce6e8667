using System.Buffers;

namespace Preflight.Content;

/// <summary>
/// "Does the text contain any of these words, ignoring case (ordinal)?" in one vectorised pass. Under invariant
/// globalization each <c>Contains(word, OrdinalIgnoreCase)</c> is a scalar loop over the whole text, and gates that ask
/// it of every config or script of a package added up. For ASCII text the answer is exactly the ordinal one; text
/// with other characters keeps the word-by-word <c>Contains</c>, whose Unicode case rules the search does not share.
/// </summary>
internal sealed class AsciiWords
{
    private readonly string[] _words;
    private readonly SearchValues<string> _search;

    /// <param name="words">ASCII words (at least one).</param>
    public AsciiWords(params string[] words)
    {
        if (words.Length == 0 || words.Any(w => w.Length == 0 || !System.Text.Ascii.IsValid(w)))
            throw new ArgumentException("the words must be non-empty ASCII", nameof(words));
        _words = words;
        _search = SearchValues.Create(words, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when any of the words occurs in <paramref name="text"/>, in any case.</summary>
    public bool In(ReadOnlySpan<char> text)
    {
        if (System.Text.Ascii.IsValid(text)) return text.ContainsAny(_search);
        foreach (var word in _words)
            if (text.Contains(word, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
