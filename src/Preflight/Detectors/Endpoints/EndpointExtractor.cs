using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Preflight.Detectors.Endpoints;

/// <summary>One endpoint occurrence found in some text.</summary>
/// <param name="Offset">Character offset in the text searched.</param>
/// <param name="Host">Lower-case host or IP literal (no brackets).</param>
/// <param name="Scheme">URL scheme, or null for a bare host or address.</param>
/// <param name="Url">The URL with credentials and secret-looking parts removed, or null.</param>
/// <param name="IsWebhook">True when the URL or its setting's name says webhook.</param>
internal readonly record struct EndpointCandidate(int Offset, string Host, string? Scheme, string? Url, bool IsWebhook);

/// <summary>Finds URLs, host settings and IP literals in text, leaving out identifiers that only look like endpoints.</summary>
internal static partial class EndpointExtractor
{
    private static readonly HashSet<string> NetworkSchemes = new(StringComparer.Ordinal)
    {
        "http", "https", "ws", "wss", "ftp", "ftps", "sftp", "ssh", "scp", "telnet", "ldap", "ldaps", "amqp", "amqps", "mqtt", "mqtts",
        "redis", "rediss", "postgres", "postgresql", "mysql", "mariadb", "sqlserver", "mssql", "oracle", "mongodb", "mongodb+srv",
        "smtp", "smtps", "imap", "imaps", "pop3", "pop3s", "nats", "kafka", "grpc", "grpcs", "tcp", "udp", "tls", "ssl", "git", "svn", "rtsp",
        "memcached", "cassandra", "nntp", "irc", "ircs", "xmpp", "stomp", "stomps", "zookeeper", "etcd", "consul", "vault", "socks5", "socks", "rsync", "nfs", "smb", "cifs",
    };

    /// <summary>Schemes that send everything in clear.</summary>
    public static bool IsPlaintext(string? scheme) => scheme is "http" or "ftp" or "ldap" or "ws" or "telnet";

    internal static readonly string[] IdentifierContexts =
    [
        "xmlns", "schemalocation", "targetnamespace", "namespace", "\"$schema\"", "\"$id\"", "\"$ref\"", "$schema:", "<!doctype", "documentation=",
        " system \"", " public \"", "license", "licence", "spdx", "dtd", "@see", "<see href", "seealso", "helplink", "helpuri", "help_uri", "projecturl", "\"repository\"", "repository:",
    ];

    internal static readonly string[] IdentifierUrls =
    [
        "www.w3.org/", "w3.org/", "schemas.microsoft.com/", "schemas.xmlsoap.org/", "schemas.openxmlformats.org/", "schemas.android.com/",
        "json-schema.org/", "purl.org/", "xmlns.com/", "xmlns.jcp.org/", "java.sun.com/xml/", "java.sun.com/dtd/", "ns.adobe.com/", "www.springframework.org/schema",
        "maven.apache.org/pom", "maven.apache.org/xsd", "spdx.org/", "opensource.org/licenses", "www.apache.org/licenses", "apache.org/licenses",
        "www.gnu.org/licenses", "gnu.org/licenses", "creativecommons.org/", "docs.oasis-open.org/", "relaxng.org/", "go.microsoft.com/fwlink", "www.freedesktop.org/",
        "xml.org/sax", "www.omg.org/spec", "docs.microsoft.com/", "learn.microsoft.com/", "tools.ietf.org/", "datatracker.ietf.org/", "www.rfc-editor.org/", "man7.org/",
    ];

    /// <summary>Finds endpoints in ordinary text (configuration, scripts, manifests).</summary>
    /// <param name="text">The text.</param>
    /// <param name="sink">Called for every candidate.</param>
    /// <param name="bareAddresses">Also report IP literals and host settings outside URLs.</param>
    /// <param name="urls">Parsed URLs shared across texts (the detector's, for a scan); null for a cache of this text's own.</param>
    public static void FromText(ReadOnlySpan<char> text, Action<EndpointCandidate> sink, bool bareAddresses = true, ParsedUrls? urls = null)
    {
        // Every pattern here matches within one line (none crosses a newline, and none looks behind the line's
        // start), so each runs only on the lines a cheap vectorised search says can hold a match: "://" for URLs,
        // a setting keyword for host settings, three dots for IPv4, "::" or seven colons for IPv6. Most lines of a
        // log or a data file then cost a few span searches instead of six regex passes. The candidates and their
        // order are the same as from whole-text passes. The text is a span (a large entry's text is never a string); a
        // pattern whose groups are needed runs on a string of the one line it may match.
        var lists = LineLists.Take();
        try
        {
            FromText(text, sink, bareAddresses, urls, lists);
        }
        finally
        {
            LineLists.Return(lists);
        }
    }

    /// <summary>
    /// The span lists one <see cref="FromText(ReadOnlySpan{char}, Action{EndpointCandidate}, bool, ParsedUrls?)"/> call
    /// fills, kept per thread for its next call: a log with a URL on every tenth line grew a fresh list of tens of
    /// thousands of spans per entry, by doubling (a twelfth of the detector's time on the benchmark package, most of it
    /// the collector's). A call made while another is running on the thread gets lists of its own.
    /// </summary>
    private sealed class LineLists
    {
        // Lists that grew past this many spans (512 KB each) are left to the collector rather than kept.
        private const int KeptCapacity = 65536;

        [ThreadStatic]
        private static LineLists? t_free;

        public readonly List<(int Start, int End)> UrlSpans = [];
        public readonly List<(int Start, int End)> SettingLines = [];
        public readonly List<(int Start, int End)> DirectiveLines = [];
        public readonly List<(int Start, int End)> Ipv6Lines = [];

        public static LineLists Take()
        {
            var lists = t_free ?? new LineLists();
            t_free = null;
            return lists;
        }

        public static void Return(LineLists lists)
        {
            if (lists.UrlSpans.Capacity > KeptCapacity || lists.SettingLines.Capacity > KeptCapacity
                || lists.DirectiveLines.Capacity > KeptCapacity || lists.Ipv6Lines.Capacity > KeptCapacity) return;
            lists.UrlSpans.Clear();
            lists.SettingLines.Clear();
            lists.DirectiveLines.Clear();
            lists.Ipv6Lines.Clear();
            t_free = lists;
        }
    }

    private static void FromText(ReadOnlySpan<char> text, Action<EndpointCandidate> sink, bool bareAddresses, ParsedUrls? urls, LineLists lists)
    {
        var urlSpans = lists.UrlSpans;
        var parsed = urls;
        for (int pos = 0; pos < text.Length;)
        {
            int hit = text[pos..].IndexOf("://", StringComparison.Ordinal);
            if (hit < 0) break;
            var (lineStart, lineEnd) = LineAround(text, pos + hit);
            var line = text[lineStart..lineEnd];
            if (System.Text.Ascii.IsValid(line))
            {
                for (int from = 0; NextUrl(line, ref from, out int at, out int length);)
                    Url(text, lineStart + at, length, urlSpans, ref parsed, sink);
            }
            else
            {
                foreach (var found in UrlPattern.Spans(line))
                    Url(text, lineStart + found.Index, found.Length, urlSpans, ref parsed, sink);
            }
            pos = lineEnd + 1;
        }
        if (!bareAddresses) return;

        var settingLines = lists.SettingLines;
        var directiveLines = lists.DirectiveLines;
        for (int pos = 0; pos < text.Length;)
        {
            int hit = text[pos..].IndexOfAny(SettingKeywords);
            if (hit < 0) break;
            var line = LineAround(text, pos + hit);
            var span = text[line.Start..line.End];
            if (MaySetHost(span, pos + hit - line.Start)) settingLines.Add(line);
            if (StartsWithDirective(span)) directiveLines.Add(line);
            pos = line.End + 1;
        }
        // Each line is the pattern's whole input, as Regex.Match(text, start, length) would treat it.
        foreach (var (lineStart, lineEnd) in settingLines)
            foreach (var m in HostSetting.Matches(text[lineStart..lineEnd].ToString()))
                HostValue(text, m, lineStart, urlSpans, sink);
        // key="…" value="…" may span lines (the key's quotes can hold a newline): this one still reads the whole
        // text, and only a match's own characters become a string to read its groups from. The pattern has no
        // lookaround and its leading \b already held in the text, so it matches that string whole, the same way.
        if (MayHoldKeyValueSetting(text))
            foreach (var found in KeyValueSetting.Spans(text))
                HostValue(text, KeyValueSetting.Match(text.Slice(found.Index, found.Length).ToString()), found.Index, urlSpans, sink);
        foreach (var (lineStart, lineEnd) in directiveLines)
            foreach (var m in HostDirective.Matches(text[lineStart..lineEnd].ToString()))
                HostValue(text, m, lineStart, urlSpans, sink);

        // One walk over the lines serves both address patterns; the IPv6 lines are run after all IPv4 ones, as before.
        var ipv6Lines = lists.Ipv6Lines;
        for (int lineStart = 0; lineStart < text.Length;)
        {
            int lineEnd = LineEnd(text, lineStart);
            var line = text[lineStart..lineEnd];
            if (line.Contains("::", StringComparison.Ordinal) || line.Count(':') >= 7) ipv6Lines.Add((lineStart, lineEnd));
            if (MayHoldIPv4(line))
            {
                if (System.Text.Ascii.IsValid(line))
                {
                    for (int from = 0; NextIPv4(line, ref from, out int at, out int length);)
                        IPv4(text, lineStart + at, length, urlSpans, sink);
                }
                else
                {
                    foreach (var found in IPv4Pattern.Spans(line))
                        IPv4(text, lineStart + found.Index, found.Length, urlSpans, sink);
                }
            }
            lineStart = lineEnd + 1;
        }
        foreach (var (lineStart, lineEnd) in ipv6Lines)
        {
            foreach (var found in IPv6Pattern.Spans(text[lineStart..lineEnd]))
            {
                int index = lineStart + found.Index;
                if (InAny(urlSpans, index)) continue;
                var token = text.Slice(index, found.Length).TrimEnd(".:");
                if (!token.Contains("::", StringComparison.Ordinal) && token.Count(':') != 7) continue;
                if (!BoundaryOk(text, index, found.Length) || IsCommentOrIdentifier(text, index)) continue;
                if (token.Length < 3 || !token.ContainsAny(HexDigits)) continue;
                var address = token.ToString();
                if (HostClassifier.TryParseIPv6(address, out _)) sink(new EndpointCandidate(index, address.ToLowerInvariant(), null, null, false));
            }
        }
    }

    /// <summary>A match of <see cref="IPv4Pattern"/> at <paramref name="index"/>: offered unless it sits in a URL, runs on from a longer token, follows a version word, or is a comment's or an identifier's.</summary>
    private static void IPv4(ReadOnlySpan<char> text, int index, int length, List<(int Start, int End)> urlSpans, Action<EndpointCandidate> sink)
    {
        if (InAny(urlSpans, index)) return;
        var span = text.Slice(index, length);
        if (!BoundaryOk(text, index, length) || IsVersionContext(text, index) || IsCommentOrIdentifier(text, index)) return;
        if (HostClassifier.TryParseIPv4(span, out _)) sink(new EndpointCandidate(index, span.ToString(), null, null, false));
    }

    /// <summary>
    /// The next match of <see cref="IPv4Pattern"/> in an ASCII <paramref name="line"/> at or after <paramref name="from"/>,
    /// found without the regex engine: bulk INSERT lines of decimals pass <see cref="MayHoldIPv4"/> and, at thousands of
    /// characters each, were most of the pattern's time while holding no address. On success <paramref name="from"/>
    /// moves past the match, where the regex's next match would be looked for.
    /// </summary>
    /// <remarks>
    /// The pattern <c>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}</c> on ASCII (where <c>\d</c> is 0–9). Every match has a first
    /// dot; the match with the dot at <c>d</c> starts at the earliest of the (at most three) digits right before it, no
    /// earlier than <paramref name="from"/> (from a longer run of digits the regex fails until three are left). Whether
    /// it matches then depends only on what follows the dot: two groups of one to three digits each ending in a dot, and
    /// a last group of one to three digits, as many as there are. Dots are tried in order, so the first that gives a
    /// match gives the leftmost one.
    /// </remarks>
    internal static bool NextIPv4(ReadOnlySpan<char> line, ref int from, out int index, out int length)
    {
        for (int search = from; search < line.Length;)
        {
            int found = line[search..].IndexOf('.');
            if (found < 0) break;
            int dot = search + found;
            int start = dot;
            while (start > from && start > dot - 3 && char.IsAsciiDigit(line[start - 1])) start--;
            if (start < dot)
            {
                int i = dot + 1;
                bool ok = true;
                for (int group = 1; group <= 3 && ok; group++)
                {
                    int digits = 0;
                    while (i < line.Length && digits < 3 && char.IsAsciiDigit(line[i])) { i++; digits++; }
                    if (digits == 0) ok = false;
                    else if (group < 3)
                    {
                        if (i < line.Length && line[i] == '.') i++;
                        else ok = false;
                    }
                }
                if (ok)
                {
                    index = start;
                    length = i - start;
                    from = i;
                    return true;
                }
            }
            search = dot + 1;
        }
        index = length = 0;
        from = line.Length;
        return false;
    }

    /// <summary>A match of <see cref="UrlPattern"/> at <paramref name="index"/>: its span is kept, and unless it is an identifier its candidates are offered.</summary>
    private static void Url(ReadOnlySpan<char> text, int index, int length, List<(int Start, int End)> urlSpans, ref ParsedUrls? parsed, Action<EndpointCandidate> sink)
    {
        urlSpans.Add((index, index + length));
        if (IsCommentOrIdentifier(text, index)) return;
        var raw = TrimTrailing(text.Slice(index, length));
        foreach (var candidate in (parsed ??= new ParsedUrls()).Get(raw, WebhookKeyBefore(text, index)))
            sink(candidate with { Offset = index });
    }

    /// <summary>
    /// The next match of <see cref="UrlPattern"/> in an ASCII <paramref name="line"/> at or after <paramref name="from"/>,
    /// found without the regex engine (whose start-up per line was a sixth of the detector's time on a log). On success
    /// <paramref name="from"/> moves past the match, where the regex's next match would be looked for.
    /// </summary>
    /// <remarks>
    /// The pattern <c>(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s"'&lt;&gt;`\\|^{}]+</c> on ASCII: the scheme is a run of 2–21
    /// scheme characters that ends at "://" (none of them is ':'), starts with a letter and has a word boundary before
    /// it; the leftmost such start wins. The body is every character up to the first excluded one, at least one.
    /// Outside ASCII the regex's classes (case folding, Unicode white space and word characters) differ, so the caller
    /// gives such a line to the regex.
    /// </remarks>
    internal static bool NextUrl(ReadOnlySpan<char> line, ref int from, out int index, out int length)
    {
        for (int search = from; search < line.Length;)
        {
            int found = line[search..].IndexOf("://", StringComparison.Ordinal);
            if (found < 0) break;
            int sep = search + found;
            int lowest = Math.Max(from, sep - 21);
            int runStart = sep;
            while (runStart > lowest && IsSchemeChar(line[runStart - 1])) runStart--;
            int stop = line[(sep + 3)..].IndexOfAny(UrlBodyStop);
            int bodyEnd = stop < 0 ? line.Length : sep + 3 + stop;
            if (bodyEnd > sep + 3)
            {
                for (int start = runStart; start <= sep - 2; start++)
                {
                    if (!char.IsAsciiLetter(line[start])) continue;
                    if (start > 0 && IsAsciiWordChar(line[start - 1])) continue;
                    index = start;
                    length = bodyEnd - start;
                    from = bodyEnd;
                    return true;
                }
            }
            search = sep + 1;
        }
        index = length = 0;
        from = line.Length;
        return false;
    }

    private static bool IsSchemeChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '.' or '-';

    private static bool IsAsciiWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>The characters that end a URL's body in <see cref="UrlPattern"/>, ASCII ones (white space and the listed punctuation).</summary>
    private static readonly System.Buffers.SearchValues<char> UrlBodyStop = System.Buffers.SearchValues.Create(" \t\n\v\f\r\"'<>`\\|^{}");

    /// <summary>
    /// Whether <paramref name="line"/> can hold a match of <see cref="IPv4Pattern"/>: a match has three dots, each
    /// between two digits (<c>\d</c>, so any Unicode digit). Timestamps, host names and version numbers mostly have fewer.
    /// </summary>
    internal static bool MayHoldIPv4(ReadOnlySpan<char> line)
    {
        int between = 0;
        for (int i = 1; i < line.Length - 1;)
        {
            int dot = line[i..^1].IndexOf('.');
            if (dot < 0) return false;
            i += dot;
            if (char.IsDigit(line[i - 1]) && char.IsDigit(line[i + 1]) && ++between == 3) return true;
            i++;
        }
        return false;
    }

    /// <summary>
    /// Whether <see cref="KeyValueSetting"/> can match in <paramref name="text"/>: the text holds "value", and "key"
    /// followed by blanks and '=' (the pattern's <c>key[ \t]*=</c>). A necessary condition, checked without the regex:
    /// SQL holds VALUES and KEY (PRIMARY KEY, a key column) everywhere, and whole scripts went through the pattern for
    /// nothing. Under <c>(?i)</c> the pattern's 'k' also matches the Kelvin sign (U+212A), which ordinal case folding
    /// does not: a text holding that sign is always given to the pattern.
    /// </summary>
    internal static bool MayHoldKeyValueSetting(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny(ValueWord) < 0) return false;
        if (text.Contains('\u212A')) return true;
        for (int pos = 0; pos < text.Length;)
        {
            int found = text[pos..].IndexOfAny(KeyWord);
            if (found < 0) return false;
            int i = pos + found + 3;
            while (i < text.Length && text[i] is ' ' or '\t') i++;
            if (i < text.Length && text[i] == '=') return true;
            pos += found + 1;
        }
        return false;
    }

    private static readonly System.Buffers.SearchValues<string> KeyWord = System.Buffers.SearchValues.Create(["key"], StringComparison.OrdinalIgnoreCase);

    // A vectorised case-insensitive search: string.Contains with OrdinalIgnoreCase is a scalar loop under
    // invariant globalization, and costs more than the rest of the extractor on a large log.
    private static readonly System.Buffers.SearchValues<string> ValueWord = System.Buffers.SearchValues.Create(["value"], StringComparison.OrdinalIgnoreCase);
    private static readonly System.Buffers.SearchValues<string> WebhookWord = System.Buffers.SearchValues.Create(["webhook"], StringComparison.OrdinalIgnoreCase);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly System.Buffers.SearchValues<char> AsciiLetters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    private static readonly System.Buffers.SearchValues<char> DigitsAndDots = System.Buffers.SearchValues.Create("0123456789.");

    /// <summary>Words one of which every host setting or host directive holds (the patterns' alternatives, case-insensitive).</summary>
    private static readonly System.Buffers.SearchValues<string> SettingKeywords = System.Buffers.SearchValues.Create(
        ["host", "server", "endpoint", "addr", "domain", "broker", "proxy", "upstream", "remote", "data source", "webhook", "pool", "peer", "connect"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a host setting can match on <paramref name="line"/>: some keyword occurrence (from
    /// <paramref name="first"/> on) is followed by the rest of a name, an optional quote, blanks, and <c>=</c> or a
    /// colon that ends the key (<c>: </c>, <c>:</c> at the end, <c>:"</c>). A necessary condition of
    /// <see cref="HostSetting"/>, checked without the regex; most lines that merely mention a host word fail it.
    /// </summary>
    private static bool MaySetHost(ReadOnlySpan<char> line, int first)
    {
        for (int at = first; at >= 0 && at < line.Length;)
        {
            // The rest of the key: name characters, and a space only inside the keyword itself ("data source").
            int i = at + 2; // every keyword is longer than two characters
            while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or '-' || (line[i] == ' ' && i - at < 11))) i++;
            if (i < line.Length && line[i] is '"' or '\'') i++;
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i < line.Length && (line[i] == '=' || line[i] == ':' && (i + 1 == line.Length || line[i + 1] is ' ' or '\t' or '"' or '\r')))
                return true;
            int next = line[(at + 1)..].IndexOfAny(SettingKeywords);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return false;
    }

    private static readonly string[] DirectiveWords = ["server", "pool", "peer", "proxy_pass", "upstream", "remote", "connect", "host", "hostname"];

    /// <summary>Whether the line's first word is a host directive's (a necessary condition of <see cref="HostDirective"/>).</summary>
    private static bool StartsWithDirective(ReadOnlySpan<char> line)
    {
        line = line.TrimStart(" \t");
        foreach (var word in DirectiveWords)
            if (line.StartsWith(word, StringComparison.OrdinalIgnoreCase) && line.Length > word.Length && line[word.Length] is ' ' or '\t')
                return true;
        return false;
    }

    /// <summary>A host setting's value; <paramref name="m"/> matched a string that starts at <paramref name="offset"/> in the text.</summary>
    private static void HostValue(ReadOnlySpan<char> text, Match m, int offset, List<(int Start, int End)> urlSpans, Action<EndpointCandidate> sink)
    {
        if (!m.Success) return;
        var value = m.Groups["v"];
        int valueIndex = offset + value.Index;
        if (InAny(urlSpans, valueIndex) || IsCommentOrIdentifier(text, valueIndex)) return;
        var key = m.Groups["k"].Success ? m.Groups["k"].Value : "host";
        foreach (var host in SplitHostList(value.Value))
        {
            var h = host.ToLowerInvariant().TrimEnd('.');
            if (h.Length == 0) continue;
            bool ip = HostClassifier.TryParseIPv4(h, out _) || HostClassifier.TryParseIPv6(h, out _);
            bool name = !ip && HostClassifier.IsDnsName(h) && (HostClassifier.HasPlausibleTld(h, strict: true)
                || (!h.Contains('.', StringComparison.Ordinal) && key.Contains("host", StringComparison.OrdinalIgnoreCase) && h.AsSpan().ContainsAny(AsciiLetters) && h.Length > 1));
            if (ip || name) sink(new EndpointCandidate(valueIndex, h, null, null, key.Contains("webhook", StringComparison.OrdinalIgnoreCase)));
        }
    }

    /// <summary>The line holding <paramref name="index"/>: its start and its end (the newline's index, or the text's end).</summary>
    private static (int Start, int End) LineAround(ReadOnlySpan<char> text, int index)
    {
        int start = text[..index].LastIndexOf('\n') + 1;
        return (start, LineEnd(text, index));
    }

    private static int LineEnd(ReadOnlySpan<char> text, int from)
    {
        int nl = text[from..].IndexOf('\n');
        return nl < 0 ? text.Length : from + nl;
    }

    /// <summary>Finds endpoints in one string of code or a binary: every URL, and the string itself when it is an address or <c>address:port</c>.</summary>
    public static void FromLiteral(string literal, Action<EndpointCandidate> sink, ParsedUrls? urls = null)
    {
        if (literal.Length < 3 || literal.Length > 4096) return;
        if (literal.Contains("://", StringComparison.Ordinal))
        {
            FromText(literal, sink, bareAddresses: false, urls);
            return;
        }
        var s = literal.Trim();
        int colon = s.LastIndexOf(':');
        string hostPart = s;
        if (colon > 0 && s.AsSpan().Count(':') == 1 && !s.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9')) hostPart = s[..colon];
        if (HostClassifier.TryParseIPv4(hostPart, out _)) sink(new EndpointCandidate(0, hostPart, null, null, false));
        else if ((s.Contains("::", StringComparison.Ordinal) || s.AsSpan().Count(':') == 7) && HostClassifier.TryParseIPv6(s, out _))
            sink(new EndpointCandidate(0, s.ToLowerInvariant(), null, null, false));
    }

    /// <summary>
    /// The candidates of each distinct URL, parsed once: a log repeats the same few URLs on thousands of lines, and
    /// the files of a package repeat the same hosts. Safe to share between threads (the endpoints detector keeps one
    /// per scan); looked up by the URL's characters, so a repeat allocates nothing. At most <see cref="Capacity"/>
    /// URLs are kept; others are parsed each time. A URL's candidates depend on nothing but the URL and whether a
    /// webhook key precedes it, so sharing changes no result.
    /// </summary>
    internal sealed class ParsedUrls
    {
        private const int Capacity = 16384;
        private readonly ConcurrentDictionary<string, EndpointCandidate[]>[] _byWebhookKey = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
        // ConcurrentDictionary.Count takes every lock of the table: asked on each miss (a log's URLs are mostly
        // distinct) it cost more than the lookups. Counted here instead; a race may admit a few past the capacity.
        private int _count;

        public EndpointCandidate[] Get(ReadOnlySpan<char> url, bool webhookKey)
        {
            var map = _byWebhookKey[webhookKey ? 1 : 0];
            var lookup = map.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(url, out var known)) return known;
            var key = url.ToString();
            var candidates = ParseUrl(key, 0, webhookKey);
            if (Volatile.Read(ref _count) < Capacity && map.TryAdd(key, candidates)) Interlocked.Increment(ref _count);
            return candidates;
        }
    }

    /// <summary>Splits a URL into one candidate per host (mongodb://a,b,c), credentials removed.</summary>
    internal static EndpointCandidate[] ParseUrl(string url, int offset, bool webhookKey)
    {
        // Built without an iterator: a log's URLs are mostly distinct, and each one missing from the cache comes here.
        int sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) return [];
        var scheme = url[..sep].ToLowerInvariant();
        int colon = scheme.LastIndexOf(':');
        if (colon >= 0) scheme = scheme[(colon + 1)..]; // jdbc:postgresql
        // The set's own copy: candidates are cached (up to 16,384 URLs) and held one "https" string each before.
        if (!NetworkSchemes.TryGetValue(scheme, out var known)) return [];
        scheme = known;
        int authStart = sep + 3;
        int authEnd = url.AsSpan(authStart).IndexOfAny(AuthorityEnd);
        authEnd = authEnd < 0 ? url.Length : authStart + authEnd;
        var authority = url[authStart..authEnd];
        int at = authority.LastIndexOf('@');
        var hosts = at >= 0 ? authority[(at + 1)..] : authority;
        var rest = url[authEnd..];
        EndpointCandidate first = default;
        List<EndpointCandidate>? all = null;
        int count = 0;
        foreach (var hostPort in hosts.Split(','))
        {
            string host;
            string port = string.Empty;
            if (hostPort.StartsWith('['))
            {
                int close = hostPort.IndexOf(']', StringComparison.Ordinal);
                if (close < 0) continue;
                host = hostPort[1..close];
                port = hostPort[(close + 1)..];
                if (!HostClassifier.TryParseIPv6(host, out _)) continue;
            }
            else
            {
                int c = hostPort.IndexOf(':', StringComparison.Ordinal);
                host = c >= 0 ? hostPort[..c] : hostPort;
                port = c >= 0 ? hostPort[c..] : string.Empty;
            }
            host = host.ToLowerInvariant().TrimEnd('.');
            if (host.Length == 0 || host.AsSpan().IndexOfAny(TemplateChars) >= 0) continue;
            bool ip = HostClassifier.TryParseIPv4(host, out _) || HostClassifier.TryParseIPv6(host, out _);
            if (!ip)
            {
                if (!HostClassifier.IsDnsName(host)) continue;
                if (host.Contains('.', StringComparison.Ordinal) && !HostClassifier.HasPlausibleTld(host, strict: false)) continue;
                if (!host.AsSpan().ContainsAnyExcept(DigitsAndDots)) continue; // 1.2.3 is no host
            }
            if (port.Length > 0 && !(port[0] == ':' && port.Length > 1 && !port.AsSpan(1).ContainsAnyExceptInRange('0', '9'))) port = string.Empty;
            bool webhook = webhookKey || IsWebhookUrl(host, rest);
            string shownHost = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
            string sanitized = scheme + "://" + shownHost + port + SanitizePath(rest, webhook);
            var candidate = new EndpointCandidate(offset, host, scheme, sanitized, webhook);
            if (count++ == 0) first = candidate;
            else (all ??= [first]).Add(candidate);
        }
        return count == 0 ? [] : all is null ? [first] : [.. all];
    }

    // Static sets: a collection expression passed to IndexOfAny builds a new array on every call.
    private static readonly System.Buffers.SearchValues<char> AuthorityEnd = System.Buffers.SearchValues.Create("/?#");
    private static readonly System.Buffers.SearchValues<char> TemplateChars = System.Buffers.SearchValues.Create("${}%*<(");

    internal static bool IsWebhookUrl(string host, string pathAndQuery)
    {
        if (host is "hooks.slack.com" or "hooks.zapier.com" or "maker.ifttt.com" or "events.pagerduty.com" || host.EndsWith(".webhook.office.com", StringComparison.Ordinal)) return true;
        var p = pathAndQuery.ToLowerInvariant();
        if ((host is "discord.com" or "discordapp.com" or "ptb.discord.com" or "canary.discord.com") && p.StartsWith("/api/webhooks", StringComparison.Ordinal)) return true;
        if (host is "outlook.office.com" or "outlook.office365.com" && p.Contains("/webhook", StringComparison.Ordinal)) return true;
        if (host is "chat.googleapis.com" && p.Contains("/messages", StringComparison.Ordinal)) return true;
        if (host.EndsWith(".logic.azure.com", StringComparison.Ordinal) && p.Contains("/workflows/", StringComparison.Ordinal)) return true;
        return p.Contains("/webhook", StringComparison.Ordinal) || p.Contains("/hooks/", StringComparison.Ordinal);
    }

    /// <summary>Keeps the path of a URL but masks secret-looking query values and, for webhooks, the token segments.</summary>
    private static string SanitizePath(string rest, bool webhook)
    {
        if (rest.Length == 0) return rest;
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        var path = q >= 0 ? rest[..q] : rest;
        var query = q >= 0 ? rest[q..] : string.Empty;
        if (webhook)
        {
            var segments = path.Split('/');
            int keep = 1;
            for (int i = 1; i < segments.Length; i++)
            {
                keep = i + 1;
                var s = segments[i].ToLowerInvariant();
                if (s.Contains("hook", StringComparison.Ordinal) || s is "services" or "api") continue;
                keep = i;
                break;
            }
            path = string.Join('/', segments.Take(keep)) + (keep < segments.Length ? "/***" : string.Empty);
            query = query.Length > 0 ? "?***" : string.Empty;
        }
        else if (query.Length > 0)
        {
            query = MaskSecretQueryValues(query);
        }
        return path + query;
    }

    /// <summary>The start of the line holding <paramref name="index"/>, looking back at most 256 characters (minified files have huge lines).</summary>
    private static int LineStart(ReadOnlySpan<char> text, int index)
    {
        if (index == 0) return 0;
        int count = Math.Min(index, 256);
        int nl = text.Slice(index - count, count).LastIndexOf('\n');
        return nl >= 0 ? index - count + nl + 1 : index - count;
    }

    /// <summary>True when <paramref name="index"/> lies in one of the spans (sorted by start, not overlapping).</summary>
    private static bool InAny(List<(int Start, int End)> spans, int index)
    {
        int lo = 0, hi = spans.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (index < spans[mid].Start) hi = mid - 1;
            else if (index >= spans[mid].End) lo = mid + 1;
            else return true;
        }
        return false;
    }

    private static ReadOnlySpan<char> TrimTrailing(ReadOnlySpan<char> url)
    {
        while (url.Length > 0 && url[^1] is '.' or ',' or ';' or ':' or ')' or ']' or '}' or '\'' or '"' or '>' or '!' or '?' or '*') url = url[..^1];
        return url;
    }

    private static bool BoundaryOk(ReadOnlySpan<char> text, int index, int length)
    {
        if (index > 0 && (char.IsAsciiLetterOrDigit(text[index - 1]) || text[index - 1] is '.' or '_' or '-' or '/' or '@' or ':' or '+' or '=' && index > 1 && text[index - 2] == '.')) return false;
        int end = index + length;
        if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '-' or '/')) return false;
        if (end + 1 < text.Length && text[end] == '.' && char.IsAsciiDigit(text[end + 1])) return false;
        return true;
    }

    internal static bool IsVersionContext(ReadOnlySpan<char> text, int index)
    {
        int lineStart = LineStart(text, index);
        int from = Math.Max(lineStart, index - 48);
        var before = text[from..index];
        if (before.Length > 0 && before[^1] is 'v' or 'V') return true;
        if (System.Text.Ascii.IsValid(before)) return HasVersionWord(before);
        Span<char> lower = stackalloc char[before.Length];
        before.ToLowerInvariant(lower);
        foreach (var word in VersionWords)
        {
            int at = ((ReadOnlySpan<char>)lower).IndexOf(word, StringComparison.Ordinal);
            // Short words count only at the start of a word: "ver=" yes, "nameserver " no.
            while (at >= 0)
            {
                if (word.Length > 4 || at == 0 || !char.IsAsciiLetter(lower[at - 1])) return true;
                int next = ((ReadOnlySpan<char>)lower[(at + 1)..]).IndexOf(word, StringComparison.Ordinal);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }
        return false;
    }

    internal static readonly string[] VersionWords = ["version", "ver ", "ver=", "ver:", "v.", "release", "build", "oid", "revision", "firmware", "driver", "product", "copyright", "sdk", "runtime", "package"];

    // The word lists are lower case and ASCII: on ASCII text a vectorised case-insensitive search finds exactly what
    // lower-casing the text and searching it word by word finds (invariant lower-casing is a scalar loop, and it ran
    // for every URL and address of a log). Text with other characters keeps the lower-casing path.
    private static readonly System.Buffers.SearchValues<string> VersionWordSearch = System.Buffers.SearchValues.Create(VersionWords, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <see cref="IsVersionContext"/>'s word test on ASCII text: at each place where some word starts, the same rule
    /// (short words only at the start of a word).
    /// </summary>
    private static bool HasVersionWord(ReadOnlySpan<char> before)
    {
        for (int pos = 0; pos < before.Length;)
        {
            int found = before[pos..].IndexOfAny(VersionWordSearch);
            if (found < 0) return false;
            int at = pos + found;
            foreach (var word in VersionWords)
                if (before[at..].StartsWith(word, StringComparison.OrdinalIgnoreCase)
                    && (word.Length > 4 || at == 0 || !char.IsAsciiLetter(before[at - 1]))) return true;
            pos = at + 1;
        }
        return false;
    }

    /// <summary><see cref="IdentifierUrls"/> by their first character (all are lower-case ASCII).</summary>
    private static readonly string[]?[] IdentifierUrlsByFirst = IndexByFirst(IdentifierUrls);

    private static string[]?[] IndexByFirst(string[] words)
    {
        var table = new string[]?[128];
        foreach (var group in words.GroupBy(w => w[0]))
        {
            if (group.Key >= 128 || char.IsAsciiLetterUpper(group.Key)) throw new InvalidOperationException($"'{group.First()}' must start with a lower-case ASCII character");
            table[group.Key] = [.. group];
        }
        return table;
    }

    private static readonly System.Buffers.SearchValues<string> IdentifierContextSearch = System.Buffers.SearchValues.Create(IdentifierContexts, StringComparison.OrdinalIgnoreCase);

    internal static bool IsCommentOrIdentifier(ReadOnlySpan<char> text, int index)
    {
        int lineStart = LineStart(text, index);
        var line = text[lineStart..index];
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith("#") || trimmed.StartsWith("//") || trimmed.StartsWith(";") || trimmed.StartsWith("--") || trimmed.StartsWith("* ") || trimmed.StartsWith("/*")
            || trimmed.StartsWith("<!--") || trimmed.StartsWith("REM ", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("::")) return true;
        int from = Math.Max(0, line.Length - 80);
        var window = line[from..];
        if (System.Text.Ascii.IsValid(window))
        {
            if (window.ContainsAny(IdentifierContextSearch)) return true;
        }
        else
        {
            Span<char> lower = stackalloc char[window.Length];
            window.ToLowerInvariant(lower);
            foreach (var ctx in IdentifierContexts)
                if (lower.Contains(ctx, StringComparison.Ordinal)) return true;
        }
        int end = Math.Min(text.Length, index + 120);
        var after = text[index..end];
        int sep = after.IndexOf("://");
        if (sep >= 0 && sep < 24)
        {
            var tail = after[(sep + 3)..];
            if (System.Text.Ascii.IsValid(tail))
            {
                // Only the identifier URLs that start with the tail's first letter can match (most URLs: none).
                if (tail.Length == 0) return false;
                char first = tail[0];
                if (first is >= 'A' and <= 'Z') first = (char)(first + 32);
                if (IdentifierUrlsByFirst[first] is { } candidates)
                    foreach (var id in candidates)
                        if (tail.StartsWith(id, StringComparison.OrdinalIgnoreCase)) return true;
                return false;
            }
            Span<char> tl = stackalloc char[tail.Length];
            tail.ToLowerInvariant(tl);
            foreach (var id in IdentifierUrls)
                if (((ReadOnlySpan<char>)tl).StartsWith(id, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    internal static bool WebhookKeyBefore(ReadOnlySpan<char> text, int index)
    {
        int lineStart = LineStart(text, index);
        return text[lineStart..index].IndexOfAny(WebhookWord) >= 0;
    }

    private static IEnumerable<string> SplitHostList(string value)
    {
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var v = item;
            if (v.StartsWith("tcp:", StringComparison.OrdinalIgnoreCase)) v = v[4..];
            if (v.StartsWith('['))
            {
                int close = v.IndexOf(']', StringComparison.Ordinal);
                if (close > 0) yield return v[1..close];
                continue;
            }
            if (v.AsSpan().Count(':') == 1) v = v[..v.IndexOf(':', StringComparison.Ordinal)];
            if (!v.AsSpan().ContainsAnyExceptInRange('0', '9')) continue; // the port of "host,1433"
            yield return v;
        }
    }

    // Every pattern here runs on the backtracking engine first, the non-backtracking one past this limit (see
    // Content.TimedRegex); the key/value pattern's limit is for one search through a whole file.
    private const int PatternLimitMilliseconds = 100;

    [GeneratedRegex(@"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s""'<>`\\|^{}]+", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex UrlPatternBacktracking();

    internal static readonly Content.TimedRegex UrlPattern = new(UrlPatternBacktracking());

    internal const string HostSettingPattern = @"(?im)(?:^|[\s;""'{,($])(?<k>[A-Za-z0-9_.\-]*(?:host|hostname|server|servers|endpoint|address|addr|domain|broker|brokers|proxy|upstream|remote|data source|webhook)[A-Za-z0-9_\-]*)[""']?[ \t]*(?:=|:[ \t]|:$|:"")[ \t]*[""']?(?:tcp:)?(?<v>[A-Za-z0-9.\-_:\[\],]+)";

    [GeneratedRegex(HostSettingPattern, RegexOptions.None, matchTimeoutMilliseconds: 50)]
    private static partial Regex HostSettingBacktracking();

    /// <summary>
    /// A host setting: a key naming a host, and its value; matched one line at a time. It runs on the backtracking engine
    /// first (see <see cref="Content.TimedRegex"/>): the non-backtracking engine finds the same matches and groups but
    /// reads groups by simulating every path at once, with a lock per step; on the 12,438 host-setting lines of the
    /// benchmark package it took 97 ms against 10 ms.
    /// </summary>
    internal static readonly Content.TimedRegex HostSetting = new(HostSettingBacktracking());

    [GeneratedRegex(@"(?i)\bkey[ \t]*=[ \t]*""(?<k>[^""]*(?:host|server|endpoint|address|url|uri|webhook)[^""]*)""[ \t]+value[ \t]*=[ \t]*""(?:tcp:)?(?<v>[A-Za-z0-9.\-_:\[\],]+)", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex KeyValueSettingBacktracking();

    internal static readonly Content.TimedRegex KeyValueSetting = new(KeyValueSettingBacktracking());

    [GeneratedRegex(@"(?im)^[ \t]*(?:server|pool|peer|proxy_pass|upstream|remote|connect|host|hostname)[ \t]+(?<v>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?::\d+)?)(?:[ \t;]|$)", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex HostDirectiveBacktracking();

    internal static readonly Content.TimedRegex HostDirective = new(HostDirectiveBacktracking());

    [GeneratedRegex(@"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex IPv4PatternBacktracking();

    internal static readonly Content.TimedRegex IPv4Pattern = new(IPv4PatternBacktracking());

    [GeneratedRegex(@"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*", RegexOptions.None, PatternLimitMilliseconds)]
    private static partial Regex IPv6PatternBacktracking();

    internal static readonly Content.TimedRegex IPv6Pattern = new(IPv6PatternBacktracking());

    internal const string SecretQueryValuePattern = @"(?i)([?&][a-z0-9_\-]*(?:key|token|secret|sig|signature|password|pwd|pass|auth|code|credential)[a-z0-9_\-]*)=[^&#]*";

    [GeneratedRegex(SecretQueryValuePattern, RegexOptions.None, matchTimeoutMilliseconds: 50)]
    private static partial Regex SecretQueryValueBacktracking();

    /// <summary>
    /// A query parameter whose name looks secret, and its value. It runs on the backtracking engine first (see
    /// <see cref="Content.TimedRegex"/>): as a non-backtracking regex it took some 15 ms to build in every scan that
    /// parsed a URL with a query, and its engine's code was compiled at run time.
    /// </summary>
    internal static readonly Content.TimedRegex SecretQueryValue = new(SecretQueryValueBacktracking());

    /// <summary>A query string with the values of secret-looking parameters masked.</summary>
    /// <param name="query">The query, from its '?'.</param>
    /// <param name="pattern">The pattern; <see cref="SecretQueryValue"/> unless a test gives one with another time limit.</param>
    internal static string MaskSecretQueryValues(string query, Content.TimedRegex? pattern = null) =>
        (pattern ?? SecretQueryValue).Replace(query, "$1=***");
}
