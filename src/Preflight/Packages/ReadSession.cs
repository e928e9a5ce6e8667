using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors.Certificates;
using Preflight.Detectors.Package;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>What became of one entry's bytes.</summary>
/// <param name="Read">False when the entry was not read at all (a package-wide limit had stopped reading).</param>
/// <param name="Size">Decompressed bytes actually read.</param>
/// <param name="Complete">True when the entry was read to its end without a limit or an error.</param>
/// <param name="Error">A short reason when reading failed part-way; the bytes before it were still analysed.</param>
/// <param name="Hash">SHA-256 of the bytes read, when asked for.</param>
/// <param name="Limit">The limit that cut the entry short, if any.</param>
internal readonly record struct EntryOutcome(bool Read, long Size, bool Complete, string? Error, byte[]? Hash, LimitKind? Limit = null)
{
    public static EntryOutcome NotRead { get; } = new(false, 0, false, null, null);
}

/// <summary>
/// The state of reading one package: limits and counters shared by the package and everything nested in
/// it, the one place where an entry's bytes are read, measured and handed on, and the temporary folder that
/// large nested zips are spooled to (created on first use, deleted with everything in it on dispose).
/// Used by the reader's single thread only.
/// </summary>
internal sealed class ReadSession : IDisposable
{
    private const int CopyBufferBytes = 81920;
    private const int MaxReadBytes = 128 * 1024;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _totalBytes;
    private long _nestedMemory;
    private DirectoryInfo? _temp;
    private int _spools;

    public ReadSession(PackageLimits limits, IPackageSink sink, CancellationToken cancellationToken)
    {
        Limits = limits;
        Sink = sink;
        CancellationToken = cancellationToken;
    }

    public PackageLimits Limits { get; }
    public IPackageSink Sink { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>Size of the top-level package file, for the package-wide ratio; -1 for a folder.</summary>
    public long PackageBytes { get; set; } = -1;

    /// <summary>Regular-file entries read (or counted against the limit), nested ones included.</summary>
    public int EntryCount { get; private set; }

    /// <summary>Decompressed bytes read so far across the whole package.</summary>
    public long TotalBytes => _totalBytes;

    /// <summary>True once a package-wide limit was hit: every source stops reading.</summary>
    public bool Stopped { get; private set; }

    /// <summary>The temporary folder of this scan, if one was needed.</summary>
    public string? TempFolder => _temp?.FullName;

    /// <summary>Reports a package-level issue.</summary>
    public void Issue(RuleDescriptor rule, string path, string message, string identity, Severity? severity = null, IReadOnlyDictionary<string, string>? properties = null) =>
        Sink.OnIssue(new PackageIssue(rule, new Location(path), message, identity, severity, properties));

    /// <summary>Records a diagnostic.</summary>
    public void Diagnostic(string path, string message) => Sink.OnDiagnostic(new ScanDiagnostic(path, message));

    /// <summary>An entry that could not be read at all.</summary>
    public void ReportUnreadable(string path, string reason)
    {
        Issue(PackageRules.UnreadableEntry, path, $"The entry could not be read: {reason}.", reason);
        Diagnostic(path, $"skipped: {reason}");
    }

    /// <summary>An entry whose reading failed part-way: what was read before was analysed.</summary>
    public void ReportReadError(string path, EntryOutcome outcome)
    {
        string size = outcome.Size.ToString(CultureInfo.InvariantCulture);
        Issue(PackageRules.UnreadableEntry, path, $"The entry could not be read to its end: {outcome.Error}. The {size} bytes read before the error were analysed.", outcome.Error ?? "error");
        Diagnostic(path, $"read stopped after {size} bytes: {outcome.Error}");
    }

    /// <summary>
    /// Turns an entry name as the archive wrote it into a location path below <paramref name="prefix"/>,
    /// reporting traversal (PF003), suspicious names (PF004) and, when <paramref name="names"/> is given,
    /// duplicates and case collisions (PF005) at that location.
    /// </summary>
    public string EntryPath(string prefix, string rawName, NameTracker? names)
    {
        var problems = new List<NameProblem>(0);
        string path = prefix + EntryNames.Inspect(rawName, problems);
        if (names?.See(path) is { } duplicate) problems.Add(duplicate);
        foreach (var problem in problems)
        {
            Issue(problem.Rule, path, problem.Message, problem.Identity,
                properties: new Dictionary<string, string> { ["rawName"] = EntryNames.Display(rawName) });
        }
        return path;
    }

    /// <summary>
    /// Records a link entry; never followed. A target that leaves the package root is high severity. A
    /// symlink's target is relative to the link's folder, a tar hardlink's to the archive's root.
    /// </summary>
    public void ReportLink(string path, string kind, string target, int depth)
    {
        _ = depth;
        string basis = path;
        if (kind == "hardlink")
        {
            int nested = path.LastIndexOf(Location.NestedSeparator, StringComparison.Ordinal);
            basis = (nested >= 0 ? path[..(nested + 2)] : string.Empty) + "entry";
        }
        bool escapes = EntryNames.LinkEscapesRoot(basis, target);
        string shown = EntryNames.Display(target);
        Sink.OnLink(new LinkItem(new Location(path), kind, shown, escapes));
        Issue(PackageRules.LinkEntry, path,
            escapes
                ? $"The {kind} points outside the package, to {shown}; it was not followed."
                : $"The {kind} points to {shown} inside the package; it was not followed.",
            $"{kind}\0{target}",
            escapes ? Severity.High : null,
            new Dictionary<string, string> { ["kind"] = kind, ["target"] = shown, ["escapesRoot"] = escapes ? "true" : "false" });
    }

    /// <summary>
    /// Checks the package-wide limits before another entry is read. Returns false (and stops the session,
    /// reporting the limit once) when no more entries may be read.
    /// </summary>
    public bool BeforeEntry(string path)
    {
        if (Stopped) return false;
        CancellationToken.ThrowIfCancellationRequested();
        if (EntryCount >= Limits.MaxEntries)
        {
            Stop(PackageRules.EntryCountLimit, path,
                $"The package holds more than {Limits.MaxEntries.ToString(CultureInfo.InvariantCulture)} entries; this one and all after it were not read.",
                "maxEntries", Limits.MaxEntries.ToString(CultureInfo.InvariantCulture));
            return false;
        }
        if (_clock.Elapsed > Limits.MaxDuration)
        {
            StopForTime(path);
            return false;
        }
        return true;
    }

    private void StopForTime(string path) =>
        Stop(PackageRules.TimeBudget, path,
            $"Reading took longer than the budget of {Limits.MaxDuration.ToString("c", CultureInfo.InvariantCulture)}; reading stopped here and nothing after it was read.",
            "maxDuration", Limits.MaxDuration.ToString("c", CultureInfo.InvariantCulture));

    private void Stop(RuleDescriptor rule, string path, string message, string limitName, string limitValue)
    {
        Stopped = true;
        Issue(rule, path, message, limitName, properties: new Dictionary<string, string> { ["limit"] = limitName, ["value"] = limitValue });
        Diagnostic(path, $"reading stopped here: {rule.Name}");
    }

    /// <summary>
    /// Counts <paramref name="count"/> more bytes of <paramref name="entry"/> against every limit. When one is
    /// exceeded it is reported once and a <see cref="LimitReachedException"/> owned by the entry unwinds the
    /// readers stacked on it.
    /// </summary>
    public void Account(EntryLimitStream entry, int count)
    {
        long total = _totalBytes += count;
        string path = entry.Path;
        if (entry.Size > Limits.MaxEntryBytes)
        {
            Issue(PackageRules.EntryTooLarge, path,
                $"The entry is larger than the per-entry limit of {Limits.MaxEntryBytes.ToString(CultureInfo.InvariantCulture)} bytes; reading it stopped there and only its beginning was analysed.",
                "maxEntryBytes", properties: new Dictionary<string, string> { ["limit"] = Limits.MaxEntryBytes.ToString(CultureInfo.InvariantCulture) });
            throw new LimitReachedException(entry, LimitKind.EntrySize);
        }
        long compressed = entry.CompressedBytes;
        if (compressed > 0 && entry.Size > Limits.RatioThresholdBytes && entry.Size > compressed * Limits.MaxCompressionRatio)
        {
            Issue(PackageRules.CompressionRatio, path,
                $"The entry expands more than {Limits.MaxCompressionRatio.ToString(CultureInfo.InvariantCulture)}:1 ({compressed.ToString(CultureInfo.InvariantCulture)} compressed bytes gave over {entry.Size.ToString(CultureInfo.InvariantCulture)}); reading stopped there and its content was not analysed.",
                "ratio", properties: new Dictionary<string, string>
                {
                    ["limit"] = Limits.MaxCompressionRatio.ToString(CultureInfo.InvariantCulture),
                    ["compressedBytes"] = compressed.ToString(CultureInfo.InvariantCulture),
                    ["bytesRead"] = entry.Size.ToString(CultureInfo.InvariantCulture),
                });
            throw new LimitReachedException(entry, LimitKind.Ratio);
        }
        if (total > Limits.MaxTotalBytes)
        {
            Stop(PackageRules.TotalSizeLimit, path,
                $"The package decompresses to more than {Limits.MaxTotalBytes.ToString(CultureInfo.InvariantCulture)} bytes; reading stopped in this entry and nothing after it was read.",
                "maxTotalBytes", Limits.MaxTotalBytes.ToString(CultureInfo.InvariantCulture));
            throw new LimitReachedException(entry, LimitKind.Total);
        }
        if (PackageBytes > 0 && total > Limits.RatioThresholdBytes && total > PackageBytes * Limits.MaxPackageCompressionRatio)
        {
            Stop(PackageRules.CompressionRatio, path,
                $"The package as a whole expands more than {Limits.MaxPackageCompressionRatio.ToString(CultureInfo.InvariantCulture)}:1 ({PackageBytes.ToString(CultureInfo.InvariantCulture)} bytes gave over {total.ToString(CultureInfo.InvariantCulture)}), as nested archive bombs do; reading stopped in this entry and nothing after it was read.",
                "maxPackageCompressionRatio", Limits.MaxPackageCompressionRatio.ToString(CultureInfo.InvariantCulture));
            throw new LimitReachedException(entry, LimitKind.PackageRatio);
        }
        if (_clock.Elapsed > Limits.MaxDuration)
        {
            StopForTime(path);
            throw new LimitReachedException(entry, LimitKind.Time);
        }
        CancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Reads one regular-file entry from <paramref name="source"/>: counts it, enforces the limits on the
    /// bytes actually read, descends into it when it is an archive, and otherwise hands (a prefix of) it to
    /// the sink. A read error ends the entry: the bytes before it are still handed on, and the outcome says
    /// what went wrong so the caller can report it in its format's terms.
    /// </summary>
    /// <param name="source">The entry's decompressed bytes.</param>
    /// <param name="path">Location path (already checked with <see cref="EntryPath"/>).</param>
    /// <param name="depth">Nesting depth of the archive holding the entry (0 for the package itself).</param>
    /// <param name="declaredSize">The size the archive claims, or -1. Used only to size the first buffer.</param>
    /// <param name="compressedSize">Compressed size the archive claims for the ratio check, or -1.</param>
    /// <param name="lastModified">The entry's time, if any.</param>
    /// <param name="meter">Counts the compressed bytes consumed while this entry is read; preferred over <paramref name="compressedSize"/>.</param>
    /// <param name="computeHash">Whether to hash the entry's bytes.</param>
    public async Task<EntryOutcome> ReadEntryAsync(Stream source, string path, int depth, long declaredSize, long compressedSize,
        DateTimeOffset? lastModified, IByteMeter? meter = null, bool computeHash = false)
    {
        if (!BeforeEntry(path)) return EntryOutcome.NotRead;
        EntryCount++;
        bool vouched = _mayBeVouchedFor;

        using var hash = computeHash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var limited = new EntryLimitStream(this, source, path, compressedSize, meter, hash);
        int window = Math.Max(1, Limits.MaxAnalyzedEntryBytes);
        // Windows apply only below the analysed prefix: an entry is either held whole (up to the prefix) or cut into
        // windows once it fills one, when the sink says every detector that wants it can read it so.
        int headLength = Math.Min(ContentSniffer.PrefixLength, window);
        // A window holds at least the sniffed prefix (the kind and encoding every window keeps are decided on it).
        int windowBytes = Limits.AnalysisWindowBytes > 0 ? Math.Max(Limits.AnalysisWindowBytes, headLength) : 0;
        if (windowBytes >= window) windowBytes = 0;
        int initial = (int)Math.Clamp(declaredSize <= 0 ? 64 * 1024 : declaredSize, headLength, windowBytes > 0 ? Math.Max(headLength, windowBytes) : window);
        byte[] buffer = EntryBuffers.Rent(initial);
        byte[]? scratch = null;
        int held = 0;
        bool nested = false;
        bool handedOver = false;
        bool planned = windowBytes == 0;
        WindowSequence? windows = null;
        IncrementalHash? windowHash = null;
        string? error = null;
        LimitKind? limit = null;
        try
        {
            try
            {
                held = await limited.ReadAtLeastAsync(buffer.AsMemory(0, headLength), headLength, throwOnEndOfStream: false, CancellationToken).ConfigureAwait(false);
                var format = held > 0 ? ContentSniffer.DetectArchive(buffer.AsSpan(0, held)) : ArchiveFormat.None;
                if (format != ArchiveFormat.None && depth + 1 > Limits.MaxDepth)
                {
                    Issue(PackageRules.NestingLimit, path,
                        $"This archive is nested deeper than the limit of {Limits.MaxDepth.ToString(CultureInfo.InvariantCulture)}; it was not opened.",
                        "maxDepth", properties: new Dictionary<string, string> { ["limit"] = Limits.MaxDepth.ToString(CultureInfo.InvariantCulture) });
                }
                else if (format != ArchiveFormat.None)
                {
                    nested = true;
                    await ReadNestedAsync(limited, buffer.AsMemory(0, held), format, path, depth).ConfigureAwait(false);
                }
                if (!nested)
                {
                    while (true)
                    {
                        // What the buffer may hold now: a window until the sink has planned (and while windowing), else
                        // the analysed prefix. A pooled buffer may be longer than asked for; the limit still holds.
                        int limitNow = !planned || windows is not null ? windowBytes : window;
                        int capacity = Math.Min(buffer.Length, limitNow);
                        if (!planned && held == windowBytes)
                        {
                            planned = true;
                            var plan = Sink.PlanWindows(path, depth, declaredSize, buffer.AsSpan(0, held));
                            if (plan.Mode != EntryWindowing.None)
                            {
                                windows = new WindowSequence(plan);
                                if (vouched) windowHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                            }
                            else
                            {
                                limitNow = window;
                                capacity = Math.Min(buffer.Length, limitNow);
                            }
                        }
                        if (windows is not null && held == capacity)
                        {
                            // The window is full: hand over all of it up to the cut, and start the next with the rest.
                            int cut = WindowCuts.Cut(buffer.AsSpan(0, held), windows.Plan.Mode);
                            var next = EntryBuffers.Rent(windowBytes);
                            buffer.AsSpan(cut, held - cut).CopyTo(next);
                            windowHash?.AppendData(buffer, 0, cut);
                            var part = new PackageEntry(path, declaredSize > 0 ? declaredSize : limited.Size - (held - cut), depth, buffer, cut, lastModified)
                            {
                                Window = windows.Next(buffer.AsSpan(0, cut), isLast: false, sha256: null),
                                MayBeVouchedFor = vouched,
                            };
                            buffer = next;
                            held -= cut;
                            capacity = Math.Min(buffer.Length, limitNow);
                            await Sink.OnEntryAsync(part, CancellationToken).ConfigureAwait(false);
                        }
                        Memory<byte> target;
                        if (held < window)
                        {
                            if (held == capacity)
                            {
                                // Only a buffer shorter than the limit is full here: grow it towards the limit.
                                int grown = (int)Math.Min((long)buffer.Length * 2, limitNow);
                                var bigger = EntryBuffers.Rent(grown);
                                buffer.AsSpan(0, held).CopyTo(bigger);
                                EntryBuffers.Return(buffer);
                                buffer = bigger;
                                capacity = Math.Min(buffer.Length, limitNow);
                            }
                            // Bounded reads: limits are checked after each read, so one read must not be huge.
                            target = buffer.AsMemory(held, Math.Min(capacity - held, MaxReadBytes));
                        }
                        else
                        {
                            scratch ??= ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
                            target = scratch;
                        }
                        int n = await limited.ReadAsync(target, CancellationToken).ConfigureAwait(false);
                        if (n == 0) break;
                        if (held < window) held += n;
                    }
                }
            }
            catch (LimitReachedException e) when (e.Owner == limited)
            {
                limit = e.Kind;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not LimitReachedException)
            {
                error = EntryReadErrors.Describe(ex);
            }

            var outcome = new EntryOutcome(true, limited.Size, limited.ReachedEnd && error is null && limit is null, error, hash?.GetHashAndReset(), limit);
            // A bomb's content is not analysed: it is hostile by construction. A nested archive was analysed entry by entry.
            // (Windows of a bomb handed over before the ratio gave it away were analysed: at most a few windows, each bounded.)
            if (nested || limit is LimitKind.Ratio or LimitKind.PackageRatio) return outcome;

            held = (int)Math.Min(held, limited.Size);
            EntryWindow? last = null;
            if (windows is not null)
            {
                byte[]? sha256 = null;
                if (windowHash is not null)
                {
                    windowHash.AppendData(buffer, 0, held);
                    sha256 = windowHash.GetHashAndReset();
                }
                last = windows.Next(buffer.AsSpan(0, held), isLast: true, sha256: outcome.Complete ? sha256 : null);
            }
            else if (limit is null && limited.Size > held)
            {
                Issue(PackageRules.PartiallyAnalyzed, path,
                    $"Only the first {held.ToString(CultureInfo.InvariantCulture)} of {limited.Size.ToString(CultureInfo.InvariantCulture)} bytes were analysed.",
                    "window", properties: new Dictionary<string, string> { ["analyzedBytes"] = held.ToString(CultureInfo.InvariantCulture), ["sizeBytes"] = limited.Size.ToString(CultureInfo.InvariantCulture) });
            }
            var entry = new PackageEntry(path, limited.Size, depth, buffer, held, lastModified) { Window = last, MayBeVouchedFor = vouched };
            handedOver = true;
            await Sink.OnEntryAsync(entry, CancellationToken).ConfigureAwait(false);
            return outcome;
        }
        finally
        {
            if (!handedOver) EntryBuffers.Return(buffer);
            if (scratch is not null) ArrayPool<byte>.Shared.Return(scratch);
            windowHash?.Dispose();
        }
    }

    /// <summary>
    /// Descends into a nested archive whose first bytes are <paramref name="head"/> and whose rest is still in
    /// <paramref name="entry"/>. A zip needs random access and is spooled (memory within budget, else a
    /// temporary file); tar, gzip and bzip2 are read as they stream.
    /// </summary>
    private async Task ReadNestedAsync(EntryLimitStream entry, ReadOnlyMemory<byte> head, ArchiveFormat format, string path, int depth)
    {
        string prefix = path + Location.NestedSeparator;
        if (format != ArchiveFormat.Zip)
        {
            await ReadArchiveAsync(new PeekStream(entry, head.ToArray()), format, prefix, depth + 1, path).ConfigureAwait(false);
            return;
        }
        using var spool = new Spool(this);
        spool.Write(head.Span);
        var copy = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            int n;
            while ((n = await entry.ReadAsync(copy.AsMemory(), CancellationToken).ConfigureAwait(false)) > 0)
                spool.Write(copy.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
        var seekable = spool.OpenRead();
        await using (seekable.ConfigureAwait(false))
        {
            await Sink.OnArchiveBytesAsync(path, seekable, CancellationToken).ConfigureAwait(false);
            seekable.Position = 0;
            await ReadArchiveAsync(seekable, format, prefix, depth + 1, path).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads an archive (the package itself at depth 0, or a nested one) whose entries' paths start with
    /// <paramref name="pathPrefix"/>. <paramref name="containerName"/> names the archive (its file name or
    /// entry path), used to name the content of a single compressed file.
    /// </summary>
    public async Task ReadArchiveAsync(Stream stream, ArchiveFormat format, string pathPrefix, int depth, string containerName)
    {
        // An archive without a listing (tar, gzip, bzip2, a zip read from its local headers) may hold a manifest that
        // names its entries; a zip's central directory tells (NoteListing). A nested archive inherits a yes from the
        // archives around it (a manifest there may name entries inside it).
        bool outer = _mayBeVouchedFor;
        _mayBeVouchedFor = (depth > 0 && outer) || format != ArchiveFormat.Zip;
        try
        {
            await ArchiveSources.ReadAsync(this, stream, format, pathPrefix, depth, containerName).ConfigureAwait(false);
        }
        finally
        {
            _mayBeVouchedFor = outer;
        }
    }

    /// <summary>
    /// Whether a checksum manifest or a detached signature may name the entries read now: false only while every
    /// archive around them is a zip whose central directory lists no such file. The detectors hash an entry's bytes
    /// for those checks only where this holds (SHA-256 over every entry was about 5 % of a scan's CPU time). A folder's
    /// files, read without an archive, always may be.
    /// </summary>
    private bool _mayBeVouchedFor = true;

    /// <summary>
    /// Takes note of a zip's listing, read before any of its entries: a manifest or signature among its names (as
    /// <see cref="EntryPath"/> will normalise them) may name any entry of this zip or of the archives inside it.
    /// </summary>
    public void NoteListing(IEnumerable<string> rawNames)
    {
        if (_mayBeVouchedFor) return;
        var problems = new List<NameProblem>();
        foreach (var raw in rawNames)
        {
            problems.Clear();
            string path = EntryNames.Inspect(raw, problems);
            if (ChecksumManifests.IsManifestName(path[(path.LastIndexOf('/') + 1)..]) || DetachedSignatures.IsSignatureName(path))
            {
                _mayBeVouchedFor = true;
                return;
            }
        }
    }

    /// <summary>A zip whose listing could not be read (its entries are salvaged from local headers): anything may be named.</summary>
    public void NoteUnlisted() => _mayBeVouchedFor = true;

    /// <summary>Reserves <paramref name="bytes"/> of the in-memory budget for nested archives.</summary>
    public bool TryReserveNestedMemory(long bytes)
    {
        if (_nestedMemory + bytes > Limits.MaxInMemoryNestedArchiveBytes) return false;
        _nestedMemory += bytes;
        return true;
    }

    /// <summary>Gives back part of the in-memory budget.</summary>
    public void ReleaseNestedMemory(long bytes) => _nestedMemory -= bytes;

    /// <summary>A new spool file in this scan's temporary folder; it is deleted when closed.</summary>
    public FileStream CreateSpoolFile()
    {
        _temp ??= Directory.CreateTempSubdirectory("preflight-");
        _spools++;
        var file = Path.Combine(_temp.FullName, $"nested-{_spools.ToString(CultureInfo.InvariantCulture)}.bin");
        return new FileStream(file, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, CopyBufferBytes, FileOptions.DeleteOnClose);
    }

    /// <summary>Deletes the temporary folder and anything left in it.</summary>
    public void Dispose()
    {
        if (_temp is null) return;
        try
        {
            _temp.Refresh();
            if (_temp.Exists) _temp.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Diagnostic(string.Empty, $"the temporary folder could not be removed ({ex.GetType().Name})");
        }
        _temp = null;
    }
}
