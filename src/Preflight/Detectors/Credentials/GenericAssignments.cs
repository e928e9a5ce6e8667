using System.Text.RegularExpressions;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// Password/secret/token/api-key-like names assigned a literal in YAML, JSON, INI, TOML, XML, .properties,
/// .env, shell and PowerShell. A value counts only when it is no placeholder, no reference, no hash, UUID or
/// image, and rises above an entropy floor. Text only: in binaries these would drown the user.
/// </summary>
internal static partial class GenericAssignments
{
    /// <summary>Words whose presence on a line makes it worth parsing.</summary>
    public static readonly string[] Keywords = ["pass", "pwd", "secret", "token", "apikey", "api_key", "api-key", "credential", "accesskey", "access_key", "privatekey", "private_key", "auth"];

    /// <summary>
    /// The words one of which a line must hold for the assignment patterns to run on it. Every name
    /// <see cref="IsCredentialName"/> accepts holds one of them: its words contain pass, pwd, secret, token or
    /// credential, or are a <c>…key</c> compound, listed here with each separator (<c>api.key</c>,
    /// <c>signing_key</c>, <c>master-key</c>). A bare "key" would send every JSON line naming a key through the
    /// patterns, and a bare "auth" every log line of a service called auth.
    /// </summary>
    public static readonly string[] LineKeywords =
    [
        "pass", "pwd", "secret", "token", "credential",
        .. from stem in new[] { "api", "access", "private", "auth", "signing", "encryption", "master", "connection", "shared" }
           from separator in new[] { "", "_", "-", "." }
           select stem + separator + "key",
    ];

    // Each pattern comes twice. The bounded form ({0,80}, {1,256}) is the rule; a non-backtracking regex with counted
    // loops grows a state per count, and on varied input its cache of states reached 20 MiB for Assignment alone
    // (and more time per line). The unbounded form accepts a superset, so its leftmost, first-priority match is the
    // bounded form's match whenever its groups keep within the bounds; only a match that exceeds them is looked up
    // again with the bounded form, from the same position (see BoundedPattern).
    private const string AssignmentPattern =
        @"(?<k>[A-Za-z_$@][A-Za-z0-9_.\-]{0,80})[""']?\s*(?::=|=>|==|=|:)\s*(?:""(?<s>[^""\r\n]{1,256})""|'(?<s>[^'\r\n]{1,256})'|(?<s>[^\s""',;#}\]\[()<>]{1,256}))";

    private const string XmlElementPattern = @"<(?<k>[A-Za-z_][A-Za-z0-9_.\-]{0,80})>(?<s>[^<\r\n]{1,256})</";

    private const string KeyValueAttributesPattern = @"(?:key|name)\s*=\s*""(?<k>[^""]{1,80})""\s+value\s*=\s*""(?<s>[^""]{1,256})""";

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // The same three patterns for the backtracking engine, compiled by the source generator (and ahead of time with the
    // tool): they are what runs (see Content.TimedRegex), the bounded non-backtracking forms only where one of them
    // runs past its time limit. A non-backtracking regex costs tens of milliseconds to build on first use and its
    // engine's generic code is compiled at run time; the generated ones cost nothing to build. Both engines find the
    // same matches and groups (GenericAssignmentEngineTests).
    private const int BacktrackingLimitMilliseconds = 50;

    [GeneratedRegex(AssignmentPattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, BacktrackingLimitMilliseconds)]
    internal static partial Regex AssignmentBacktracking();

    [GeneratedRegex(XmlElementPattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, BacktrackingLimitMilliseconds)]
    internal static partial Regex XmlElementBacktracking();

    [GeneratedRegex(KeyValueAttributesPattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.IgnoreCase, BacktrackingLimitMilliseconds)]
    internal static partial Regex KeyValueAttributesBacktracking();

    internal static readonly BoundedPattern Assignment = new(AssignmentPattern, Options, keyLength: 81, valueLength: 256);

    internal static readonly BoundedPattern XmlElement = new(XmlElementPattern, Options, keyLength: 81, valueLength: 256);

    internal static readonly BoundedPattern KeyValueAttributes = new(KeyValueAttributesPattern, Options | RegexOptions.IgnoreCase, keyLength: 80, valueLength: 256);

    private static readonly Content.TimedRegex AssignmentTimed = new(AssignmentBacktracking(), Assignment.Matches);

    private static readonly Content.TimedRegex XmlElementTimed = new(XmlElementBacktracking(), XmlElement.Matches);

    private static readonly Content.TimedRegex KeyValueAttributesTimed = new(KeyValueAttributesBacktracking(), KeyValueAttributes.Matches);

    private static readonly string[] NameWords = ["password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey", "credential", "authkey", "signingkey", "encryptionkey", "masterkey", "connectionkey", "sharedkey"];

    private static readonly string[] NameExclusions =
    [
        "file", "path", "dir", "url", "uri", "endpoint", "length", "policy", "expir", "type", "name", "header", "field", "format",
        "regex", "pattern", "prompt", "label", "hint", "placeholder", "enabled", "required", "timeout", "ttl", "count", "hash",
        "digest", "checksum", "fingerprint", "sha1", "sha256", "sha512", "public", "ref", "template", "reset", "forgot", "validat",
        "strength", "method", "mode", "rotation", "version", "lifetime", "scope", "issuer", "audience", "algorithm", "kind", "size",
        "minlen", "maxlen", "minimum", "maximum", "complex", "description", "message", "title", "error", "lockout", "attempt",
        "location", "mount", "limit", "usage", "prefix", "suffix", "separator", "delimiter", "classname", "handler",
    ];

    /// <summary>True when a name looks like it holds a credential.</summary>
    public static bool IsCredentialName(ReadOnlySpan<char> name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 96)];
        int n = 0;
        foreach (char c in name)
        {
            if (n == buffer.Length) break;
            if (char.IsAsciiLetterOrDigit(c)) buffer[n++] = char.ToLowerInvariant(c);
        }
        var key = buffer[..n];
        bool credential = false;
        foreach (var w in NameWords)
            if (key.Contains(w, StringComparison.Ordinal)) { credential = true; break; }
        if (!credential && (key.SequenceEqual("pwd") || key.EndsWith("pwd") || key.SequenceEqual("pass") || key.EndsWith("pass")
            || key.SequenceEqual("apikey") || key.EndsWith("apikey") || key.EndsWith("secretkey")))
            credential = true;
        if (!credential) return false;
        foreach (var x in NameExclusions)
            if (key.Contains(x, StringComparison.Ordinal)) return false;
        if (key.EndsWith("id") || key.EndsWith("ids")) return false;
        return true;
    }

    /// <summary>True when a literal assigned to a credential name is plausibly a real secret.</summary>
    public static bool IsPlausibleSecret(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length is < 6 or > 256) return false;
        if (value[0] is '!' or '/' or '.' or '~' or '\\' or '&' or '*') return false;
        if (Placeholders.IsPlaceholder(value) || Placeholders.IsUuid(value) || Placeholders.IsHashLike(value) || Placeholders.IsImageData(value))
            return false;
        if (value.Contains("://", StringComparison.Ordinal)) return false;
        // JWT-shaped values are the JWT rule's to judge (it decodes them; unsigned and example tokens stay silent).
        if (value.StartsWith("eyJ", StringComparison.Ordinal) && value.Count('.') == 2) return false;
        bool digitsOnly = true, identifierLike = true;
        int spaces = 0;
        foreach (char c in value)
        {
            if (!char.IsAsciiDigit(c)) digitsOnly = false;
            if (!(char.IsAsciiLetterLower(c) || c is '_' or '.' or '-' or ':')) identifierLike = false;
            if (c == ' ') spaces++;
        }
        if (digitsOnly || identifierLike) return false;
        // Upper-case identifiers are references too (SECRET_NAME, Db.Password, ConfigKey.Token).
        if (IsIdentifierPath(value)) return false;
        if (spaces >= 2) return false;
        double entropy = SecretFormats.Entropy(value);
        int classes = SecretFormats.CharacterClasses(value);
        return value.Length < 12 ? classes >= 2 && entropy >= 2.5 : entropy >= 3.0 && classes >= 2;
    }

    private static bool IsIdentifierPath(ReadOnlySpan<char> value)
    {
        bool hasDigit = false;
        foreach (char c in value)
        {
            if (char.IsAsciiDigit(c)) hasDigit = true;
            else if (!(char.IsAsciiLetter(c) || c is '_' or '.')) return false;
        }
        // CONSTANT_CASE, PascalCase.Members: letters with separators and no digits.
        return !hasDigit && (value.Contains('_') || value.Contains('.') || IsAllUpper(value));
    }

    private static bool IsAllUpper(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
            if (char.IsAsciiLetterLower(c)) return false;
        return true;
    }

    /// <summary>True for <c>.env</c>, <c>.env.production</c>, <c>prod.env</c>.</summary>
    public static bool IsDotenv(string path)
    {
        var name = path.AsSpan(path.LastIndexOf('/') + 1);
        return name.StartsWith(".env", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".env", StringComparison.OrdinalIgnoreCase)
            || name.Contains(".env.", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Finds generic assignments on one line (the whole of <paramref name="line"/>), which starts at <paramref name="lineStart"/> in its text.</summary>
    public static void ScanLine(string line, int lineStart, string path, List<SecretHit> hits)
    {
        var trimmed = line.AsSpan().TrimStart();
        if (trimmed.StartsWith("//") || trimmed.StartsWith("<!--") || (trimmed.StartsWith("#") && !trimmed.StartsWith("#{"))) return;
        Run(AssignmentTimed.Matches(line), line, lineStart, path, hits);
        if (line.Contains('<', StringComparison.Ordinal)) Run(XmlElementTimed.Matches(line), line, lineStart, path, hits);
        if (line.Contains("value", StringComparison.OrdinalIgnoreCase)) Run(KeyValueAttributesTimed.Matches(line), line, lineStart, path, hits);
    }

    private static void Run(List<Match> matches, string line, int lineStart, string path, List<SecretHit> hits)
    {
        foreach (var m in matches)
        {
            var k = m.Groups["k"];
            var s = m.Groups["s"];
            if (!k.Success || !s.Success) continue;
            if (!IsCredentialName(k.ValueSpan)) continue;
            var value = s.Value.Trim();
            if (!IsPlausibleSecret(value)) continue;
            int offset = lineStart + s.Index + s.Value.IndexOf(value, StringComparison.Ordinal);
            hits.Add(Hit(path, offset, value, k.Value.TrimStart('$', '@')));
        }
    }

    /// <summary>A generic hit, as <c>dotenv-secret</c> in .env files.</summary>
    public static SecretHit Hit(string path, int offset, string value, string key)
    {
        bool dotenv = IsDotenv(path);
        var rule = dotenv ? CredentialRules.DotenvSecret : CredentialRules.GenericSecret;
        return new SecretHit(rule, dotenv ? ".env secret" : "hard-coded secret", 10, offset, value, key, rule.DefaultSeverity);
    }

    /// <summary>
    /// A pattern whose groups <c>k</c> and <c>s</c> are length-bounded, matched through its unbounded form (the same
    /// pattern with every <c>{0,n}</c> made <c>*</c> and <c>{1,n}</c> made <c>+</c>) and, only for a match whose groups
    /// are too long, through the bounded one. The matches are exactly the bounded pattern's.
    /// </summary>
    internal sealed class BoundedPattern
    {
        private readonly Lazy<Regex> _unbounded;
        private readonly Lazy<Regex> _bounded;
        private readonly int _keyLength;
        private readonly int _valueLength;

        /// <summary>
        /// Builds both forms on first need: a non-backtracking regex costs tens of milliseconds to build, and the
        /// three patterns here, built with the detector, were a quarter of the start-up of a scan (on the thread that
        /// then starts reading the package) whose text may never hold a line worth parsing.
        /// </summary>
        /// <param name="pattern">The bounded pattern, with groups <c>k</c> and <c>s</c>.</param>
        /// <param name="options">Its options (non-backtracking).</param>
        /// <param name="keyLength">The longest <c>k</c> the bounded pattern matches.</param>
        /// <param name="valueLength">The longest <c>s</c> the bounded pattern matches.</param>
        public BoundedPattern(string pattern, RegexOptions options, int keyLength, int valueLength)
        {
            _unbounded = new Lazy<Regex>(() => new Regex(Unbounded(pattern), options));
            _bounded = new Lazy<Regex>(() => new Regex(pattern, options));
            _keyLength = keyLength;
            _valueLength = valueLength;
        }

        /// <summary>Whether either form has been built (tests check that nothing is built before a first match).</summary>
        internal bool IsBuilt => _unbounded.IsValueCreated || _bounded.IsValueCreated;

        /// <summary>The bounded pattern's matches in <paramref name="text"/>, left to right.</summary>
        public IEnumerable<Match> Matches(string text)
        {
            int start = 0;
            while (start <= text.Length)
            {
                var m = _unbounded.Value.Match(text, start);
                if (!m.Success) yield break;
                if (m.Groups["k"].Length > _keyLength || m.Groups["s"].Length > _valueLength)
                {
                    // No bounded match starts before m.Index: it would be an unbounded one too. The rest of the text
                    // goes to the bounded pattern, as it did before: on a long run of value characters the unbounded
                    // one reads to the run's end for every match, which made such lines quadratic.
                    for (var bounded = _bounded.Value.Match(text, m.Index); bounded.Success; bounded = bounded.NextMatch())
                        yield return bounded;
                    yield break;
                }
                yield return m;
                start = m.Index + m.Length;
            }
        }

        /// <summary>The pattern with its counted loops <c>{0,n}</c> and <c>{1,n}</c> made <c>*</c> and <c>+</c>.</summary>
        internal static string Unbounded(string pattern)
        {
            var result = new System.Text.StringBuilder(pattern.Length);
            for (int i = 0; i < pattern.Length; i++)
            {
                // "{0," or "{1," then digits then "}"; the patterns here hold no escaped brace before a digit.
                if (pattern[i] == '{' && i + 3 < pattern.Length && pattern[i + 1] is '0' or '1' && pattern[i + 2] == ',')
                {
                    int j = i + 3;
                    while (j < pattern.Length && char.IsAsciiDigit(pattern[j])) j++;
                    if (j > i + 3 && j < pattern.Length && pattern[j] == '}')
                    {
                        result.Append(pattern[i + 1] == '0' ? '*' : '+');
                        i = j;
                        continue;
                    }
                }
                result.Append(pattern[i]);
            }
            return result.ToString();
        }
    }
}
