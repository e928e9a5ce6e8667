using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Preflight.Content;
using Preflight.Findings;
using Location = Preflight.Findings.Location;

namespace Preflight.Detectors.Endpoints;

/// <summary>
/// Finds every host the package will talk to: URLs of all network schemes, host settings, IP literals, in text,
/// binaries, .NET assemblies and C# source. Classifies each (public, private, loopback, link-local, metadata,
/// documentation, internal), keeps identifiers such as XML namespaces out, and reports plaintext, raw public
/// IPs, metadata endpoints, webhooks and public hosts that are not allowlisted. Lists each endpoint once in
/// the inventory with all its locations.
/// </summary>
public sealed class EndpointsDetector : IDetector, IWindowedDetector
{
    private const long MaxBytes = 16 * 1024 * 1024;
    internal const int MaxLocationsPerEndpoint = 200;

    private readonly ConcurrentDictionary<(string Host, string? Scheme), Summary> _endpoints = new();
    // URLs parsed once per scan rather than once per file: 100,000 small configs name the same few hosts.
    private readonly EndpointExtractor.ParsedUrls _urls = new();
    private Func<string, bool>? _yieldsCandidate;

    /// <inheritdoc />
    public string Id => EndpointRules.DetectorId;

    /// <inheritdoc />
    public IReadOnlyList<RuleDescriptor> Rules => EndpointRules.All;

    /// <inheritdoc />
    public bool Wants(EntryInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Size > MaxBytes || entry.Size == 0) return false;
        if (entry.Kind is ContentKind.DotNetAssembly or ContentKind.NativeBinary or ContentKind.OtherBinary) return true;
        if (entry.Kind != ContentKind.Text) return false;
        return !IsDocumentation(entry);
    }

    private static bool IsDocumentation(EntryInfo entry)
    {
        if (entry.Extension is ".md" or ".markdown" or ".rst" or ".adoc" or ".txt" or ".pdf" or ".man" or ".1" or ".8") return true;
        var name = entry.FileName.ToUpperInvariant();
        return name.StartsWith("LICENSE", StringComparison.Ordinal) || name.StartsWith("LICENCE", StringComparison.Ordinal) || name.StartsWith("NOTICE", StringComparison.Ordinal)
            || name.StartsWith("COPYING", StringComparison.Ordinal) || name.StartsWith("CHANGELOG", StringComparison.Ordinal) || name.StartsWith("AUTHORS", StringComparison.Ordinal)
            || name.StartsWith("THIRD", StringComparison.Ordinal) || entry.Extension is ".xsd" or ".dtd" or ".xsl" or ".xslt" or ".wsdl" or ".resx";
    }

    /// <summary>Text other than C# source (a syntax tree) and binary data are read line by line or string by string: windows lose nothing.</summary>
    bool IWindowedDetector.AcceptsWindows(EntryInfo entry, ReadOnlySpan<byte> head) => entry.Kind switch
    {
        ContentKind.Text => entry.Extension is not (".cs" or ".csx"),
        ContentKind.OtherBinary => true,
        _ => false,
    };

    /// <inheritdoc />
    public void Analyze(EntryContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The two per-entry tables are reused by the thread's next entry (most entries fill a few dozen slots, and
        // growing fresh ones for each entry was 28 MiB of allocations on the 300 MiB benchmark package); a table that
        // grew large is left to the collector rather than cleared on every later entry.
        var seen = t_seen ?? new HashSet<string>(StringComparer.Ordinal);
        t_seen = null;
        try
        {
            Analyze(context, seen);
        }
        finally
        {
            if (seen.Count <= ReusedTableLimit)
            {
                seen.Clear();
                t_seen = seen;
            }
        }
    }

    private const int ReusedTableLimit = 4096;

    [ThreadStatic]
    private static HashSet<string>? t_seen;

    [ThreadStatic]
    private static Dictionary<string, Summary>? t_repeats;

    private void Analyze(EntryContext context, HashSet<string> seen)
    {
        switch (context.Info.Kind)
        {
            case ContentKind.Text when context.Info.Extension is ".cs" or ".csx":
                FromCSharp(context, seen);
                break;
            case ContentKind.Text:
            {
                var lines = context.Content.Lines;
                // A log names the same endpoints on thousands of lines: after the first, a repeat only adds its location
                // (its URL was offered with the first). Repeats are gathered as line and column per endpoint and handed
                // over once the text is done, sorted, so that an endpoint whose 200 kept locations all come before
                // this file turns them away with one comparison, and no location object is made for them.
                var repeats = t_repeats ?? new Dictionary<string, Summary>(StringComparer.Ordinal);
                t_repeats = null;
                Dictionary<Summary, List<(int Line, int Column)>>? pending = null;
                EndpointExtractor.FromText(context.Content.TextSpan, c =>
                {
                    var (line, col) = lines.Position(c.Offset);
                    if (repeats.TryGetValue(KeyOf(c), out var summary))
                    {
                        pending ??= new(ReferenceEqualityComparer.Instance);
                        if (!pending.TryGetValue(summary, out var positions)) pending[summary] = positions = [];
                        positions.Add(context.Shift(line, col));
                        return;
                    }
                    var accepted = Accept(context, c, context.At(line, col), member: null, seen);
                    if (repeats.Count < ReusedTableLimit) repeats[KeyOf(c)] = accepted;
                }, urls: _urls);
                // kept at most ReusedTableLimit entries above; summaries are per scan, so none may outlive this entry
                repeats.Clear();
                t_repeats = repeats;
                if (pending is not null)
                    foreach (var (summary, positions) in pending) summary.AddLines(context.Info.Path, positions);
                break;
            }
            case ContentKind.DotNetAssembly:
                FromAssembly(context, seen);
                break;
            default:
                foreach (var s in context.Content.PrintableStrings)
                    EndpointExtractor.FromLiteral(s.Value, c => Accept(context, c, context.At(), member: null, seen), _urls);
                break;
        }
    }

    private void FromCSharp(EntryContext context, HashSet<string> seen)
    {
        var tree = context.Content.CSharpSyntaxTree;
        var root = tree.GetRoot(context.CancellationToken);
        foreach (var token in root.DescendantTokens())
        {
            if (!token.IsKind(SyntaxKind.StringLiteralToken) && !token.IsKind(SyntaxKind.InterpolatedStringTextToken)
                && !token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken) && !token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken)
                && !token.IsKind(SyntaxKind.Utf8StringLiteralToken)) continue;
            var value = token.ValueText;
            var pos = token.GetLocation().GetLineSpan().StartLinePosition;
            string? member = token.Parent?.AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault() switch
            {
                MethodDeclarationSyntax m => m.Identifier.ValueText,
                PropertyDeclarationSyntax p => p.Identifier.ValueText,
                FieldDeclarationSyntax f => f.Declaration.Variables.FirstOrDefault()?.Identifier.ValueText,
                ConstructorDeclarationSyntax c => c.Identifier.ValueText + "()",
                _ => null,
            };
            // A literal assigned to something named like a version is a version, not an address ("2.1.0.5").
            if (member is not null && member.Contains("version", StringComparison.OrdinalIgnoreCase) && !value.Contains("://", StringComparison.Ordinal)) continue;
            EndpointExtractor.FromLiteral(value, c => Accept(context, c, context.At(pos.Line + 1, pos.Character + 1), member, seen), _urls);
        }
    }

    /// <summary>
    /// The candidates of each assembly examined so far, in the order found, with the member each sits in: a copy of the
    /// assembly (the same library in another folder) offers the same ones at its own location without being read again.
    /// </summary>
    private readonly CopyMemo<AssemblyCandidates> _assemblies = new();

    /// <summary>An assembly's candidates in the order the walk found them, and the diagnostic of a walk cut short.</summary>
    private sealed record AssemblyCandidates(List<(EndpointCandidate Candidate, string? Member)> Found, string? Diagnostic);

    private void FromAssembly(EntryContext context, HashSet<string> seen)
    {
        var key = CopyKey.Of(context);
        if (!_assemblies.TryGet(key, out var outcome))
        {
            var module = context.Content.Module;
            if (module is null)
            {
                foreach (var s in context.Content.PrintableStrings)
                    EndpointExtractor.FromLiteral(s.Value, c => Accept(context, c, context.At(), member: null, seen), _urls);
                return;
            }
            outcome = ExamineAssembly(context, module);
            _assemblies.Remember(key, outcome);
        }
        foreach (var (candidate, member) in outcome.Found) Accept(context, candidate, context.At(), member, seen);
        if (outcome.Diagnostic is { } diagnostic) context.Diagnostic(context.Info.Path, diagnostic);
    }

    private AssemblyCandidates ExamineAssembly(EntryContext context, ModuleDefinition module)
    {
        var found = new List<(EndpointCandidate, string?)>();
        // Members without an attribute, fields without a constant and regular bodies whose strings hold no candidate are
        // not asked of Cecil: they yield nothing (see ModuleIndex), so the endpoints found, and their order, are the same.
        var index = Content.ModuleIndex.For(context.Content);
        try
        {
            if (module.Assembly is { } assembly && index?.MayHaveStringAttributes(assembly) != false)
                Attributes(assembly.CustomAttributes, assembly.Name.Name ?? module.Name, found);
            foreach (var type in module.GetTypes())
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (index?.MayHaveStringAttributes(type) != false) Attributes(type.CustomAttributes, type.FullName, found);
                foreach (var field in type.Fields)
                {
                    string? member = null;
                    if (index?.MayHaveConstant(field) != false && field.HasConstant && field.Constant is string constant)
                    {
                        var where = member ??= $"{type.FullName}.{field.Name}";
                        EndpointExtractor.FromLiteral(constant, c => found.Add((c, where)), _urls);
                    }
                    if (index?.MayHaveStringAttributes(field) != false) Attributes(field.CustomAttributes, member ?? $"{type.FullName}.{field.Name}", found);
                }
                foreach (var property in type.Properties)
                    if (index?.MayHaveStringAttributes(property) != false) Attributes(property.CustomAttributes, $"{type.FullName}.{property.Name}", found);
                foreach (var method in type.Methods)
                {
                    string? member = null;
                    if (index?.MayHaveStringAttributes(method) != false) Attributes(method.CustomAttributes, member ??= $"{type.FullName}::{method.Name}", found);
                    if (!method.HasBody || index?.MayYield(method, _yieldsCandidate ??= YieldsCandidate) == false) continue;
                    MethodBody body;
                    try { body = method.Body; }
                    catch (Exception ex) when (Content.CecilFailures.IsMalformedMetadata(ex))
                    {
                        continue;
                    }
                    foreach (var instruction in body.Instructions)
                        if (instruction.OpCode.Code == Code.Ldstr && instruction.Operand is string s)
                        {
                            var where = member ??= $"{type.FullName}::{method.Name}";
                            EndpointExtractor.FromLiteral(s, c => found.Add((c, where)), _urls);
                        }
                }
            }
        }
        catch (Exception ex) when (Content.CecilFailures.IsMalformedMetadata(ex))
        {
            return new AssemblyCandidates(found, $"the assembly's metadata could only be read in part for endpoints ({ex.GetType().Name})");
        }
        return new AssemblyCandidates(found, null);
    }

    /// <summary>True when a string holds an endpoint candidate (a body whose strings hold none is not read).</summary>
    private bool YieldsCandidate(string literal)
    {
        bool any = false;
        EndpointExtractor.FromLiteral(literal, _ => any = true, _urls);
        return any;
    }

    private void Attributes(IEnumerable<CustomAttribute>? attributes, string member, List<(EndpointCandidate, string?)> found)
    {
        if (attributes is null) return;
        List<CustomAttributeArgument> args = [];
        foreach (var attribute in attributes)
        {
            if (Content.CecilAttributes.NeedsOutsideType(attribute)) continue; // would throw: nothing is resolved from outside
            args.Clear();
            try
            {
                // Constructor arguments, then properties, then fields, as one list (decoding throws before any is used).
                args.AddRange(attribute.ConstructorArguments);
                foreach (var p in attribute.Properties) args.Add(p.Argument);
                foreach (var f in attribute.Fields) args.Add(f.Argument);
            }
            catch (Exception ex) when (Content.CecilFailures.IsMalformedMetadata(ex) || ex is AssemblyResolutionException)
            {
                continue;
            }
            string attributeName = attribute.AttributeType.Name;
            if (attributeName.Contains("Version", StringComparison.Ordinal) || attributeName.Contains("Copyright", StringComparison.Ordinal)
                || attributeName.Contains("Namespace", StringComparison.Ordinal) || attributeName.Contains("Xml", StringComparison.Ordinal)
                || attributeName.Contains("DataContract", StringComparison.Ordinal) || attributeName.Contains("Schema", StringComparison.Ordinal)) continue;
            foreach (var arg in args)
                if (arg.Value is string s)
                {
                    string? where = null;
                    EndpointExtractor.FromLiteral(s, c => found.Add((c, where ??= $"{member} [{attributeName}]")), _urls);
                }
        }
    }

    /// <summary>
    /// What tells one endpoint occurrence from another within an entry: its URL, or for a bare host or address (no
    /// scheme, no URL) the host. A URL names its scheme and host, and holds "://", which no host does; so this one string
    /// stands for (host, scheme, URL) and is hashed once.
    /// </summary>
    private static string KeyOf(EndpointCandidate candidate) => candidate.Url ?? candidate.Host;

    /// <summary>Adds an occurrence to its endpoint's summary (which it returns) and reports it the first time in the entry.</summary>
    private Summary Accept(EntryContext context, EndpointCandidate candidate, Location location, string? member, HashSet<string> seen)
    {
        var cls = HostClassifier.Classify(candidate.Host, out bool isIp);
        var summary = _endpoints.GetOrAdd((candidate.Host, candidate.Scheme), static (k, c) => new Summary(c), cls);
        summary.Add(candidate.Url, location);
        if (seen.Add(KeyOf(candidate))) ReportFindings(context, candidate, cls, isIp, location, member);
        return summary;
    }

    private static void ReportFindings(EntryContext context, EndpointCandidate c, string cls, bool isIp, Location location, string? member)
    {
        // Most candidates (private, documentation, loopback hosts) are inventory only: return before building
        // the finding's strings and properties, which a log with a URL on every line would otherwise pay per line.
        if (cls != HostClassifier.Metadata && cls != HostClassifier.Public) return;
        var where = member is null ? string.Empty : $" in {member}";
        var shown = c.Url ?? c.Host;
        var identity = $"{c.Host}|{c.Scheme}|{c.Url}";
        var props = new Dictionary<string, string> { ["host"] = c.Host, ["class"] = cls };
        if (c.Scheme is not null) props["scheme"] = c.Scheme;
        if (c.Url is not null) props["url"] = c.Url;
        if (member is not null) props["member"] = member;
        if (cls == HostClassifier.Metadata)
        {
            context.Report(EndpointRules.MetadataEndpoint, location, $"The cloud metadata endpoint {shown} is referenced{where}", identity, shown, properties: props);
            return;
        }
        if (cls != HostClassifier.Public) return;
        bool allowed = HostClassifier.IsAllowed(c.Host, context.Options.EndpointAllowlist);
        bool reported = false;
        if (EndpointExtractor.IsPlaintext(c.Scheme))
        {
            context.Report(EndpointRules.PlaintextEndpoint, location, $"Plaintext {c.Scheme} to the public host {c.Host}: {shown}{where}", identity, shown, properties: props);
            reported = true;
        }
        if (allowed) return;
        if (c.IsWebhook)
        {
            context.Report(EndpointRules.Webhook, location, $"A webhook posts to {c.Host}: {shown}{where}", identity, shown, properties: props);
            reported = true;
        }
        if (isIp)
        {
            context.Report(EndpointRules.RawPublicIp, location, $"The public IP address {c.Host} is hard-coded{where}", identity, shown, properties: props);
            reported = true;
        }
        if (!reported)
        {
            // With a baseline, a host the installed version never talked to is new with this upgrade: medium.
            bool isNew = context.Baseline is { } baseline && !Names(baseline.Endpoints, c.Host);
            if (isNew) props["newSinceBaseline"] = "true";
            context.Report(EndpointRules.PublicEndpoint, location,
                $"The package talks to the public host {c.Host}{where} ({shown}), which is not in the allowlist{(isNew ? " and is new since the installed version" : "")}",
                identity, shown, severity: isNew ? Severity.Medium : null, properties: props);
        }
    }

    /// <summary>
    /// Whether a baseline endpoint has this host. A loop, not a lambda over <paramref name="host"/>: a lambda over the
    /// candidate in <see cref="ReportFindings"/> made the compiler allocate its closure on every call, before the early
    /// return that most candidates take: 5.8 MiB per round over the benchmark package's text (`split --allocations`).
    /// </summary>
    private static bool Names(IEnumerable<EndpointItem> endpoints, string host)
    {
        foreach (var e in endpoints)
            if (string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <inheritdoc />
    public void Complete(DetectorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var ((host, scheme), summary) in _endpoints)
        {
            var (urls, locations) = summary.Snapshot();
            context.Inventory.Add(new EndpointItem(host, scheme, summary.Class, urls, locations));
        }
    }

    /// <summary>
    /// Everything known about one endpoint; guarded by its own lock. At most <see cref="MaxLocationsPerEndpoint"/>
    /// URLs and locations are kept: the first ones in report order (path, line, column), whatever order the workers
    /// found them in, so that the report is the same from run to run.
    /// </summary>
    internal sealed class Summary(string cls)
    {
        private readonly Lock _gate = new();
        private readonly SortedSet<string> _urls = new(StringComparer.Ordinal);
        // Locations as 16-byte structs (path, line, column; no line before line 1) rather than a set of Location
        // records: on a 2 GiB package the kept locations were 18 MB as set nodes and records. They are appended in the
        // order they come and sorted only when the buffer (up to twice MaxLocationsPerEndpoint) is full, keeping the
        // first MaxLocationsPerEndpoint distinct ones in report order; from then on one comparison with the last kept
        // turns away everything after it. A sorted insert cost a binary search of path comparisons per location: on
        // 102,400 small files naming the same few hosts, 204,000 searches and a twelfth of the endpoints detector's time.
        private Spot[] _spots = new Spot[4];
        private int _count;
        // Set once MaxLocationsPerEndpoint distinct locations are known: the greatest of them.
        private bool _full;
        private Spot _last;
        // The greatest URL kept, once the set is full; null until then.
        private string? _lastUrl;

        public string Class { get; } = cls;

        public void Add(string? url, Location location)
        {
            lock (_gate)
            {
                // Once full, most candidates come after the last one kept: one comparison turns them away.
                if (url is not null && (_lastUrl is null || string.CompareOrdinal(url, _lastUrl) < 0) && _urls.Add(url)
                    && _urls.Count >= MaxLocationsPerEndpoint)
                {
                    if (_urls.Count > MaxLocationsPerEndpoint) _urls.Remove(_urls.Max!);
                    _lastUrl = _urls.Max;
                }
                Keep(new Spot(location.Path, location.Line ?? NoPosition, location.Column ?? NoPosition));
            }
        }

        /// <summary>
        /// Keeps a location unless <see cref="MaxLocationsPerEndpoint"/> distinct ones before it are known; under the
        /// lock. False when it comes after (or is) the last of a full set, and so does everything after it.
        /// </summary>
        private bool Keep(Spot spot)
        {
            if (_full && spot.CompareTo(_last) >= 0) return false;
            if (_count == _spots.Length)
            {
                if (_spots.Length < 2 * MaxLocationsPerEndpoint)
                {
                    Array.Resize(ref _spots, Math.Min(_spots.Length * 2, 2 * MaxLocationsPerEndpoint));
                }
                else
                {
                    Settle();
                    if (_full && spot.CompareTo(_last) >= 0) return false;
                }
            }
            _spots[_count++] = spot;
            return true;
        }

        /// <summary>Sorts the buffer and keeps its first <see cref="MaxLocationsPerEndpoint"/> distinct locations; under the lock.</summary>
        private void Settle()
        {
            Array.Sort(_spots, 0, _count);
            int distinct = 0;
            for (int i = 0; i < _count; i++)
                if (distinct == 0 || _spots[i].CompareTo(_spots[distinct - 1]) != 0) _spots[distinct++] = _spots[i];
            int kept = Math.Min(distinct, MaxLocationsPerEndpoint);
            Array.Clear(_spots, kept, _count - kept); // the paths they hold are not ours to keep alive
            _count = kept;
            if (kept == MaxLocationsPerEndpoint)
            {
                _full = true;
                _last = _spots[kept - 1];
            }
        }

        /// <summary>
        /// Locations of one entry (<paramref name="path"/>) at the given lines and columns, in any order: the same as
        /// adding each, but sorted first, so the ones after the last kept location stop the walk.
        /// </summary>
        public void AddLines(string path, List<(int Line, int Column)> positions)
        {
            positions.Sort();
            lock (_gate)
            {
                foreach (var (line, column) in positions)
                    if (!Keep(new Spot(path, line, column))) return;
            }
        }

        /// <summary>
        /// The kept URLs and locations, for the cross-entry step: nothing is added after it, so the locations are the
        /// summary's own sorted spots, not a copy, and become <see cref="Location"/> records only as the list is read. A
        /// 2 GiB package's 1,918 endpoints kept 383,000 of them, 15 MB alive from the end of the scan until the report was
        /// written, at the point where the scan's memory peaks (and a copy of the spots added 6 MB there).
        /// </summary>
        public (IReadOnlyList<string> Urls, IReadOnlyList<Location> Locations) Snapshot()
        {
            lock (_gate)
            {
                Settle();
                return ([.. _urls], new SpotLocations(_spots, _count));
            }
        }

        /// <summary>Locations made from the first <c>count</c> spots, afresh on each read.</summary>
        private sealed class SpotLocations(Spot[] spots, int count) : IReadOnlyList<Location>
        {
            public Location this[int index]
            {
                get
                {
                    ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)count, nameof(index));
                    var (path, line, column) = spots[index];
                    return new Location(path, line == NoPosition ? null : line, column == NoPosition ? null : column);
                }
            }

            public int Count => count;

            public IEnumerator<Location> GetEnumerator()
            {
                for (int i = 0; i < count; i++) yield return this[i];
            }

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }

        // A location without a line (or column) sorts before every line, as null does in the report's order.
        private const int NoPosition = int.MinValue;

        private readonly record struct Spot(string Path, int Line, int Column) : IComparable<Spot>
        {
            public int CompareTo(Spot other)
            {
                int c = string.CompareOrdinal(Path, other.Path);
                if (c != 0) return c;
                c = Line.CompareTo(other.Line);
                return c != 0 ? c : Column.CompareTo(other.Column);
            }
        }
    }
}
