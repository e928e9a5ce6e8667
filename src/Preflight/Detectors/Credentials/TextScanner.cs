using System.Text.RegularExpressions;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// The hot path over a text: one case-insensitive keyword pass (<see cref="KeywordIndex"/>) finds the lines
/// worth looking at; on each such line only the rules whose keywords occur there run their
/// patterns. The text is a span (a large entry's text is never a string); a line gets a string of its own only
/// when some rule will run on it, since the regex API that yields groups needs one.
/// </summary>
internal sealed class TextScanner
{
    private readonly SecretRule[] _rules;
    // For each keyword id, the rules (indexes into _rules, ascending) that name it.
    private readonly int[][] _rulesByKeyword;
    private readonly KeywordIndex _anyKeyword;
    private readonly int[] _genericIds;

    public static TextScanner Default { get; } = new(TypedRules.All);

    /// <summary>
    /// Whether a URL's "://" that cannot start a password in a URL is passed over by the keyword walk (see
    /// <see cref="IsIdleUrl"/>); it holds when that rule is the only one whose keyword "://" is.
    /// </summary>
    private readonly bool _passIdleUrls;

    public TextScanner(IReadOnlyList<SecretRule> rules) : this(rules, passIdleUrls: true)
    {
    }

    /// <param name="rules">The rules.</param>
    /// <param name="passIdleUrls">False to read every line with a "://" (tests compare the two).</param>
    internal TextScanner(IReadOnlyList<SecretRule> rules, bool passIdleUrls)
    {
        _rules = [.. rules];
        var all = _rules.SelectMany(r => r.Keywords).Concat(GenericAssignments.LineKeywords)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _anyKeyword = new KeywordIndex(all);
        int[][] keywordIds = [.. _rules.Select(r => r.Keywords.Select(_anyKeyword.IdOf).ToArray())];
        var byKeyword = new List<int>[_anyKeyword.Count];
        for (int r = 0; r < _rules.Length; r++)
            foreach (var id in keywordIds[r].Distinct()) (byKeyword[id] ??= []).Add(r);
        _rulesByKeyword = [.. byKeyword.Select(l => l?.ToArray() ?? [])];
        _genericIds = [.. GenericAssignments.LineKeywords.Select(_anyKeyword.IdOf).Distinct()];
        _passIdleUrls = passIdleUrls && _rules.Any(r => r.Keywords.Contains(UrlSeparator))
            && _rulesByKeyword[_anyKeyword.IdOf(UrlSeparator)] is [var only] && _rules[only].Descriptor == CredentialRules.BasicAuthUrl
            && !_genericIds.Contains(_anyKeyword.IdOf(UrlSeparator));
    }

    private const string UrlSeparator = "://";

    /// <summary>Whether idle URL separators are passed over (tests check that the default scanner does).</summary>
    internal bool PassesIdleUrls => _passIdleUrls;

    public IReadOnlyList<SecretRule> Rules => _rules;

    /// <summary>The keyword index that picks the lines to scan.</summary>
    internal KeywordIndex KeywordIndex => _anyKeyword;

    /// <summary>Scans <paramref name="text"/> for typed rules (and generic assignments when asked), adding hits with offsets into the text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="path">The entry path (file-scoped rules and template severity).</param>
    /// <param name="generic">Whether generic key/value assignments are looked for.</param>
    /// <param name="binary">True when the text is a string from a binary: rules without binary support are skipped.</param>
    /// <param name="hits">Where hits go.</param>
    /// <returns>How many times a pattern gave up on a line (<see cref="TypedRules.PatternTimeout"/>); the hits are those of the rest.</returns>
    public int Scan(ReadOnlySpan<char> text, string path, bool generic, bool binary, List<SecretHit> hits)
    {
        if (text.Length <= ShortText) return ScanShort(text, path, generic, binary, hits);
        var span = text;
        int pos = 0;
        int timedOut = 0;
        Span<int> next = _anyKeyword.GroupCount <= 64 ? stackalloc int[_anyKeyword.GroupCount] : new int[_anyKeyword.GroupCount];
        next.Fill(-2);
        while (pos < span.Length)
        {
            int hit = _anyKeyword.NextAt(span, pos, next);
            if (hit < 0) break;
            int lineStart = hit == 0 ? 0 : span[..hit].LastIndexOfAny('\n', '\r') + 1;
            int lineEnd = span[hit..].IndexOfAny('\n', '\r');
            lineEnd = lineEnd < 0 ? span.Length : hit + lineEnd;
            if (lineEnd - lineStart > LongLine)
                timedOut += ScanWindows(text, lineStart, lineEnd, hit, next, path, generic, binary, hits);
            else if (!_passIdleUrls || !OnlyIdleUrls(span, hit, lineEnd, next))
                timedOut += ScanLine(text, lineStart, lineEnd - lineStart, path, generic, binary, hits);
            pos = lineEnd + 1;
        }
        return timedOut;
    }

    /// <summary>
    /// Whether the keyword occurrences on a line from <paramref name="hit"/> to <paramref name="lineEnd"/> are all idle
    /// URL separators (<see cref="IsIdleUrl"/>), walking on with the scan's cursor. Logged URLs are an eighth of a log's
    /// lines and each was read as a whole for the one rule that "://" serves, which then found no '@' on it.
    /// </summary>
    /// <remarks>
    /// Such a line gives nothing: the password-in-a-URL rule is the only one of "://", no generic assignment is
    /// looked for without one of its own words, and every other keyword on the line would have stopped the walk. A
    /// line that holds one is read whole, as before. (No keyword starts inside "://", and none holds a line break, so
    /// the walk's next occurrence past the line is kept for the next line, as it would be anyway.)
    /// </remarks>
    private bool OnlyIdleUrls(ReadOnlySpan<char> text, int hit, int lineEnd, Span<int> next)
    {
        while (IsIdleUrl(text, hit, lineEnd))
        {
            hit = _anyKeyword.NextAt(text, hit + 1, next);
            if (hit < 0 || hit >= lineEnd) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether the occurrence at <paramref name="at"/> is a "://" that cannot start a password in a URL: in
    /// <c>scheme://user:password@host</c> nothing between "://" and '@' is a slash, '?', '#', a quote, an angle bracket
    /// or white space, so the first of those (or '@') after it must be an '@'. Only ASCII ones are looked for, which
    /// can only leave more lines to read.
    /// </summary>
    private static bool IsIdleUrl(ReadOnlySpan<char> text, int at, int lineEnd)
    {
        if (!text[at..lineEnd].StartsWith(UrlSeparator, StringComparison.Ordinal)) return false;
        int stop = text[(at + UrlSeparator.Length)..lineEnd].IndexOfAny(UserInfoStops);
        return stop < 0 || text[at + UrlSeparator.Length + stop] != '@';
    }

    private static readonly System.Buffers.SearchValues<char> UserInfoStops = System.Buffers.SearchValues.Create("/?#@\"'<> \t\v\f");

    /// <summary>
    /// Texts up to this length (most strings of a binary or an assembly) are not searched group by group: a vectorised
    /// search has a cost per call that a short string does not repay, times the number of groups. Each of their lines
    /// gets the one scalar pass that <see cref="ScanLine"/> makes anyway, which finds nothing on a line without a keyword.
    /// </summary>
    internal const int ShortText = 256;

    private int ScanShort(ReadOnlySpan<char> text, string path, bool generic, bool binary, List<SecretHit> hits)
    {
        int timedOut = 0;
        for (int start = 0; start < text.Length;)
        {
            int end = text[start..].IndexOfAny('\n', '\r');
            end = end < 0 ? text.Length : start + end;
            if (end - start >= 2) timedOut += ScanLine(text, start, end - start, path, generic, binary, hits);
            start = end + 1;
        }
        return timedOut;
    }

    /// <summary>Lines longer than this (minified JSON, base64 blobs, one-line dumps) are scanned in windows around keywords.</summary>
    internal const int LongLine = 4096;

    private const int WindowBefore = 256;
    private const int WindowAfter = 1024;

    /// <summary>
    /// A long line: every pattern over the whole line costs time in proportion to the line for each of its many
    /// matches. Secrets sit next to their keyword, so only windows around keyword occurrences are scanned
    /// (overlapping windows merged), each as if it were a line.
    /// </summary>
    /// <remarks>
    /// The keyword walk goes on with the scan's cursor (<paramref name="next"/>): positions only grow, so each keyword
    /// group still reads each part of the text once. (A fresh search from every hit re-read the rest of the line for
    /// every group without a hit nearby: quadratic on a long line dense with keywords.)
    /// </remarks>
    private int ScanWindows(ReadOnlySpan<char> text, int lineStart, int lineEnd, int firstHit, Span<int> next, string path, bool generic, bool binary, List<SecretHit> hits)
    {
        int hit = firstHit;
        int timedOut = 0;
        int windowStart = Math.Max(lineStart, hit - WindowBefore);
        int windowEnd = Math.Min(lineEnd, hit + WindowAfter);
        while (true)
        {
            int found = windowEnd < lineEnd ? _anyKeyword.NextAt(text, hit + 1, next) : -1;
            // An occurrence that starts on the line ends on it too (no keyword holds a line break).
            if (found >= lineEnd) found = -1;
            if (found < 0)
                return timedOut + ScanLine(text, windowStart, windowEnd - windowStart, path, generic, binary, hits);
            hit = found;
            int start = Math.Max(lineStart, hit - WindowBefore);
            if (start <= windowEnd)
            {
                windowEnd = Math.Min(lineEnd, hit + WindowAfter);
                continue;
            }
            timedOut += ScanLine(text, windowStart, windowEnd - windowStart, path, generic, binary, hits);
            windowStart = start;
            windowEnd = Math.Min(lineEnd, hit + WindowAfter);
        }
    }

    private int ScanLine(ReadOnlySpan<char> text, int start, int length, string path, bool generic, bool binary, List<SecretHit> hits)
    {
        var line = text.Slice(start, length);
        // One pass over the line marks every keyword in it; a rule runs only when one of its keywords was seen.
        // (Asking each rule's keywords in turn costs a pass per keyword: quadratic-looking on long lines.)
        int keywords = _anyKeyword.Count;
        Span<bool> seen = keywords <= 512 ? stackalloc bool[keywords] : new bool[keywords];
        Span<int> seenIds = keywords <= 512 ? stackalloc int[keywords] : new int[keywords];
        int distinct = _anyKeyword.MarkAll(line, seen, seenIds);
        if (distinct == 0) return 0;
        // The rules that name a keyword seen, as a set of rule indexes: walked in ascending order below, the rules run
        // in the catalog's order, as when every rule was asked whether it had a keyword on the line (most lines have
        // one or two keywords; the catalog has some seventy rules).
        Span<ulong> ruleSet = _rules.Length <= 1024 ? stackalloc ulong[(_rules.Length + 63) >> 6] : new ulong[(_rules.Length + 63) >> 6];
        ruleSet.Clear();
        foreach (var id in seenIds[..distinct])
            foreach (var r in _rulesByKeyword[id]) ruleSet[r >> 6] |= 1UL << r;
        int timedOut = 0;
        // A pattern runs on the line as its whole input, exactly as Regex.Match(text, start, length) treats a range
        // (anchors and lookarounds see nothing outside it); offsets are moved back into the text.
        string? lineText = null;
        for (int word = 0; word < ruleSet.Length; word++)
        for (ulong bits = ruleSet[word]; bits != 0; bits &= bits - 1)
        {
            int i = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
            var rule = _rules[i];
            if (binary && !rule.InBinaries) continue;
            if (rule.PathFilter is { } filter && !filter(path)) continue;
            if (rule.MayMatch is { } mayMatch && !mayMatch(line)) continue;
            lineText ??= line.ToString();
            int before = hits.Count;
            if (rule.Timed is { } timed)
            {
                // Gives up on no line: past its limit the non-backtracking form answers.
                foreach (var m in timed.Matches(lineText)) Accept(rule, m, lineText, start, hits);
                continue;
            }
            try
            {
                for (var m = rule.Pattern.Match(lineText); m.Success; m = m.NextMatch())
                    Accept(rule, m, lineText, start, hits);
            }
            catch (RegexMatchTimeoutException)
            {
                // All or nothing per rule and line: what the pattern found before it gave up is dropped with the rest.
                hits.RemoveRange(before, hits.Count - before);
                timedOut++;
            }
        }
        // Generic assignments only on lines that hold a credential-name word: a line reached through another rule's
        // keyword (a URL's "://", a JWT claim name) and no such word cannot yield one, and on logs those are most lines.
        if (generic && !binary && AnySeen(seen, _genericIds)) GenericAssignments.ScanLine(lineText ??= line.ToString(), start, path, hits);
        return timedOut;
    }

    private static void Accept(SecretRule rule, Match m, string line, int lineStart, List<SecretHit> hits)
    {
        var group = m.Groups["s"];
        if (!group.Success) group = m.Groups[0];
        var secret = group.Value;
        if (rule.Validator is { } validate && !validate(secret, line)) return;
        var key = m.Groups["k"] is { Success: true } k ? k.Value : null;
        var severity = rule.SeverityFor?.Invoke(secret, line) ?? rule.Descriptor.DefaultSeverity;
        hits.Add(new SecretHit(rule.Descriptor, rule.What, rule.Specificity, lineStart + group.Index, secret, key, severity));
    }

    private static bool AnySeen(ReadOnlySpan<bool> seen, int[] ids)
    {
        foreach (var id in ids)
            if (seen[id]) return true;
        return false;
    }
}
