using System.Text.RegularExpressions;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>Decides whether a regex match is really the credential (checksum, alphabet, decoded structure).</summary>
/// <param name="secret">The captured secret.</param>
/// <param name="line">The whole line (or string) the match sits in, for context checks.</param>
internal delegate bool SecretValidator(string secret, ReadOnlySpan<char> line);

/// <summary>A necessary condition of a rule's pattern on a line, checked without the regex (false: the pattern cannot match).</summary>
/// <param name="line">The line (or window) the pattern would run on.</param>
internal delegate bool LineCondition(ReadOnlySpan<char> line);

/// <summary>A sample a rule must (or must not) recognise: a file path and its text.</summary>
/// <param name="Path">The entry path the sample is scanned as (file-scoped rules care).</param>
/// <param name="Text">The text.</param>
/// <param name="Secret">For a positive sample, the secret the rule must capture.</param>
/// <param name="Bytes">For binary samples, the bytes (then <paramref name="Text"/> is only a description).</param>
internal sealed record RuleSample(string Path, string Text, string? Secret = null, byte[]? Bytes = null);

/// <summary>
/// A typed credential rule: a catalog entry, the keywords that must occur on a line before the pattern runs,
/// the precise pattern (its group <c>s</c> is the secret, an optional group <c>k</c> the key name), an
/// optional structural validator, and generators of positive and negative samples from the format.
/// </summary>
internal sealed class SecretRule
{
    public required RuleDescriptor Descriptor { get; init; }

    /// <summary>What the secret is, for messages ("GitHub personal access token").</summary>
    public required string What { get; init; }

    /// <summary>Case-insensitive words, one of which must occur on the line for the pattern to run.</summary>
    public required IReadOnlyList<string> Keywords { get; init; }

    /// <summary>The pattern; group <c>s</c> is the secret (group 0 when absent), group <c>k</c> an optional key name.</summary>
    public Regex Pattern => LazyPattern.Value;

    /// <summary>The pattern, built the first time a line holds one of the rule's keywords.</summary>
    public required Lazy<Regex> LazyPattern { get; init; }

    /// <summary>
    /// For a pattern whose <see cref="Pattern"/> is non-backtracking (it would be quadratic on some lines on the other
    /// engine), the same pattern on the backtracking interpreter first, with the non-backtracking form past a time
    /// limit; what the scanner runs. Null for the others.
    /// </summary>
    public Content.TimedRegex? Timed => LazyTimed?.Value;

    /// <summary><see cref="Timed"/>, built the first time a line holds one of the rule's keywords.</summary>
    public Lazy<Content.TimedRegex>? LazyTimed { get; init; }

    /// <summary>A necessary condition of <see cref="Pattern"/> on the line, cheaper than the regex; null runs the pattern on every line with a keyword.</summary>
    public LineCondition? MayMatch { get; init; }

    /// <summary>A structural check of the captured secret; null accepts every match.</summary>
    public SecretValidator? Validator { get; init; }

    /// <summary>Only entries whose path this accepts are matched (file-scoped formats such as .netrc); null matches all.</summary>
    public Func<string, bool>? PathFilter { get; init; }

    /// <summary>When two rules find overlapping secrets, the higher specificity wins.</summary>
    public int Specificity { get; init; } = 100;

    /// <summary>False for rules whose context only exists in text files (never run on binary strings).</summary>
    public bool InBinaries { get; init; } = true;

    /// <summary>Generates at least three texts holding a credential the rule must report.</summary>
    public required Func<Random, IEnumerable<RuleSample>> Positives { get; init; }

    /// <summary>Generates at least three near misses the rule must stay silent on.</summary>
    public required Func<Random, IEnumerable<RuleSample>> Negatives { get; init; }

    /// <summary>Lets the rule refine the severity for one secret (test keys, encrypted keys); null keeps the default.</summary>
    public Func<string, ReadOnlySpan<char>, Severity?>? SeverityFor { get; init; }

    public override string ToString() => $"{Descriptor.Id} {Descriptor.Name}";
}

/// <summary>A credential candidate found in one entry, before deduplication and reporting.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="What">What the secret is.</param>
/// <param name="Specificity">Overlap tie-breaker: the higher wins.</param>
/// <param name="Offset">Character offset of the secret in the analysed text; -1 when there is no text (binaries).</param>
/// <param name="Secret">The secret itself; hashed into the fingerprint, never shown.</param>
/// <param name="Key">The key name it was assigned to, when known.</param>
/// <param name="Severity">The severity of this occurrence.</param>
/// <param name="Member">For assemblies, the type and member it sits in.</param>
/// <param name="Properties">Extra facts.</param>
internal sealed record SecretHit(
    RuleDescriptor Rule,
    string What,
    int Specificity,
    int Offset,
    string Secret,
    string? Key,
    Severity Severity,
    string? Member = null,
    IReadOnlyDictionary<string, string>? Properties = null);
