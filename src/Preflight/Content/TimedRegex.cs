using System.Text.RegularExpressions;

namespace Preflight.Content;

/// <summary>
/// A pattern that runs on the backtracking engine, source-generated (so compiled ahead of time with the tool, and
/// free to build), under a time limit; where that limit is hit, the same pattern runs on the non-backtracking engine,
/// which is linear in its input, built on first need. Every answer is then the non-backtracking engine's answer: the
/// two find the same matches and groups for patterns without lookarounds or backreferences (each converted pattern is
/// held to that by a test), and an input on which the first gives up is answered whole by the second.
/// </summary>
/// <remarks>
/// A non-backtracking regex costs 10-40 ms to build, and the first one in a process brings its engine's generic code
/// to the JIT (about 0.1 s more): for a small package those were about half of the scan's CPU time.
/// </remarks>
internal sealed class TimedRegex
{
    /// <summary>
    /// After this many inputs on which the backtracking form gave up, the pattern runs on the non-backtracking engine
    /// only: a package built to make the first form run to its limit on every line would otherwise cost the limit per
    /// line, however linear the fallback.
    /// </summary>
    internal const int TimeoutsBeforeLinearOnly = 3;

    private readonly Regex _backtracking;
    private readonly Lazy<Regex> _linear;
    private readonly Func<string, IEnumerable<Match>>? _matchesFallback;
    private int _timeouts;

    /// <summary>Wraps a backtracking pattern that has a time limit.</summary>
    /// <param name="backtracking">The pattern (a <c>[GeneratedRegex]</c> with <c>matchTimeoutMilliseconds</c>).</param>
    /// <param name="matchesFallback">
    /// What <see cref="Matches"/> runs instead of the non-backtracking form of the same pattern, when given: it must
    /// return the same matches (a pattern whose non-backtracking form is itself run in two steps).
    /// </param>
    public TimedRegex(Regex backtracking, Func<string, IEnumerable<Match>>? matchesFallback = null)
    {
        _matchesFallback = matchesFallback;
        ArgumentNullException.ThrowIfNull(backtracking);
        if (backtracking.MatchTimeout == Regex.InfiniteMatchTimeout)
            throw new ArgumentException("the backtracking pattern needs a time limit", nameof(backtracking));
        if ((backtracking.Options & RegexOptions.NonBacktracking) != 0)
            throw new ArgumentException("the pattern must be the backtracking form", nameof(backtracking));
        _backtracking = backtracking;
        _linear = new Lazy<Regex>(() => new Regex(backtracking.ToString(), backtracking.Options | RegexOptions.NonBacktracking),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The backtracking form.</summary>
    public Regex Backtracking => _backtracking;

    /// <summary>The non-backtracking form (built when first asked for).</summary>
    public Regex Linear => _linear.Value;

    /// <summary>Whether the non-backtracking form has been built (tests check that ordinary input never needs it).</summary>
    internal bool LinearBuilt => _linear.IsValueCreated;

    /// <summary>Whether the pattern matches somewhere in <paramref name="input"/>.</summary>
    public bool IsMatch(ReadOnlySpan<char> input)
    {
        if (LinearOnly) return Linear.IsMatch(input);
        try
        {
            return _backtracking.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            GaveUp();
            return Linear.IsMatch(input);
        }
    }

    /// <summary>The first match in <paramref name="input"/> (unsuccessful when there is none).</summary>
    public Match Match(string input)
    {
        if (LinearOnly) return Linear.Match(input);
        try
        {
            return _backtracking.Match(input);
        }
        catch (RegexMatchTimeoutException)
        {
            GaveUp();
            return Linear.Match(input);
        }
    }

    /// <summary>Every match in <paramref name="input"/>, left to right: all of one engine's.</summary>
    public List<Match> Matches(string input)
    {
        var found = new List<Match>();
        if (!LinearOnly)
        {
            try
            {
                for (var m = _backtracking.Match(input); m.Success; m = m.NextMatch()) found.Add(m);
                return found;
            }
            catch (RegexMatchTimeoutException)
            {
                GaveUp();
                found.Clear();
            }
        }
        if (_matchesFallback is not null) found.AddRange(_matchesFallback(input));
        else for (var m = Linear.Match(input); m.Success; m = m.NextMatch()) found.Add(m);
        return found;
    }

    /// <summary>Where every match in <paramref name="input"/> is, left to right: all of one engine's.</summary>
    public List<(int Index, int Length)> Spans(ReadOnlySpan<char> input)
    {
        var found = new List<(int Index, int Length)>();
        if (!LinearOnly)
        {
            try
            {
                foreach (var m in _backtracking.EnumerateMatches(input)) found.Add((m.Index, m.Length));
                return found;
            }
            catch (RegexMatchTimeoutException)
            {
                GaveUp();
                found.Clear();
            }
        }
        foreach (var m in Linear.EnumerateMatches(input)) found.Add((m.Index, m.Length));
        return found;
    }

    /// <summary><paramref name="input"/> with every match replaced by <paramref name="replacement"/> (a substitution pattern).</summary>
    public string Replace(string input, string replacement)
    {
        if (LinearOnly) return Linear.Replace(input, replacement);
        try
        {
            return _backtracking.Replace(input, replacement);
        }
        catch (RegexMatchTimeoutException)
        {
            GaveUp();
            return Linear.Replace(input, replacement);
        }
    }

    /// <summary>Whether the backtracking form gave up often enough to be skipped from now on.</summary>
    internal bool LinearOnly => Volatile.Read(ref _timeouts) >= TimeoutsBeforeLinearOnly;

    private void GaveUp() => Interlocked.Increment(ref _timeouts);
}
