using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Preflight.Configuration;
using Preflight.Content;
using Preflight.Detectors.Package;
using Preflight.Findings;

namespace Preflight.Packages;

/// <summary>
/// The state of reading one package: limits and counters shared by the package and everything nested in
/// it, and the one place where an entry's bytes are read, measured and handed on.
/// </summary>
internal sealed class ReadSession
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _totalBytes;

    public ReadSession(PackageLimits limits, IPackageSink sink, CancellationToken cancellationToken)
    {
        Limits = limits;
        Sink = sink;
        CancellationToken = cancellationToken;
    }

    public PackageLimits Limits { get; }
    public IPackageSink Sink { get; }
    public CancellationToken CancellationToken { get; }

    /// <summary>Regular-file entries handed to the sink (or counted against the limit).</summary>
    public int EntryCount { get; private set; }

    /// <summary>Decompressed bytes read so far across the whole package.</summary>
    public long TotalBytes => _totalBytes;

    /// <summary>True once a package-wide limit was hit: every source stops reading.</summary>
    public bool Stopped { get; private set; }

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

    /// <summary>Records a link entry; never followed. A target that leaves the package root is high severity.</summary>
    public void ReportLink(string path, string kind, string target, int depth)
    {
        bool escapes = EntryNames.LinkEscapesRoot(path, target);
        Sink.OnLink(new LinkItem(new Location(path), kind, target, escapes));
        Issue(PackageRules.LinkEntry, path,
            escapes
                ? $"The {kind} points outside the package, to {target}; it was not followed."
                : $"The {kind} points to {target} inside the package; it was not followed.",
            $"{kind}\0{target}",
            escapes ? Severity.High : null,
            new Dictionary<string, string> { ["kind"] = kind, ["target"] = target, ["escapesRoot"] = escapes ? "true" : "false" });
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
            Stop(PackageRules.TimeBudget, path,
                $"Reading took longer than the budget of {Limits.MaxDuration}; this entry and all after it were not read.",
                "maxDuration", Limits.MaxDuration.ToString("c", CultureInfo.InvariantCulture));
            return false;
        }
        return true;
    }

    private void Stop(RuleDescriptor rule, string path, string message, string limitName, string limitValue)
    {
        Stopped = true;
        Issue(rule, path, message, limitName, properties: new Dictionary<string, string> { ["limit"] = limitName, ["value"] = limitValue });
        Diagnostic(path, $"reading stopped here: {rule.Name}");
    }

    /// <summary>
    /// Reads one regular-file entry from <paramref name="source"/>: counts it, enforces the entry, total and
    /// ratio limits on the bytes actually read, descends into it when it is an archive, and otherwise hands
    /// it to the sink. Returns the entry's SHA-256 when <paramref name="computeHash"/> is set.
    /// </summary>
    /// <param name="source">The entry's decompressed bytes.</param>
    /// <param name="path">Location path.</param>
    /// <param name="depth">Nesting depth of the archive holding the entry (0 for the package itself).</param>
    /// <param name="declaredSize">The size the archive claims, or -1 when unknown. Never trusted for limits.</param>
    /// <param name="compressedSize">Compressed size for the ratio check, or -1 when unknown.</param>
    /// <param name="lastModified">The entry's time, if any.</param>
    /// <param name="computeHash">Whether to hash the entry's bytes.</param>
    public async Task<byte[]?> ReadEntryAsync(Stream source, string path, int depth, long declaredSize, long compressedSize, DateTimeOffset? lastModified, bool computeHash = true)
    {
        if (!BeforeEntry(path)) return null;
        EntryCount++;

        int window = Limits.MaxAnalyzedEntryBytes;
        int initial = (int)Math.Clamp(declaredSize <= 0 ? 64 * 1024 : declaredSize, 1, window);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 16));
        int held = 0;
        long size = 0;
        bool handedOver = false;
        using var hash = computeHash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        byte[]? scratch = null;
        try
        {
            string? stopReason = null;
            while (true)
            {
                CancellationToken.ThrowIfCancellationRequested();
                Memory<byte> target;
                if (held < window)
                {
                    if (held == buffer.Length)
                    {
                        int grown = (int)Math.Min((long)buffer.Length * 2, window);
                        var bigger = ArrayPool<byte>.Shared.Rent(grown);
                        buffer.AsSpan(0, held).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    target = buffer.AsMemory(held, Math.Min(buffer.Length, window) - held);
                }
                else
                {
                    scratch ??= ArrayPool<byte>.Shared.Rent(81920);
                    target = scratch;
                }

                int n;
                try
                {
                    n = await source.ReadAsync(target, CancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    string reason = EntryReadErrors.Describe(ex);
                    Issue(PackageRules.UnreadableEntry, path, $"The entry could not be read to its end: {reason}. The {size.ToString(CultureInfo.InvariantCulture)} bytes read before the error were analysed.", reason);
                    Diagnostic(path, $"read stopped after {size.ToString(CultureInfo.InvariantCulture)} bytes: {reason}");
                    break;
                }
                if (n == 0) break;
                hash?.AppendData(target.Span[..n]);
                if (held < window) held += n;
                size += n;
                long total = Interlocked.Add(ref _totalBytes, n);

                if (size > Limits.MaxEntryBytes)
                {
                    stopReason = "entry";
                    Issue(PackageRules.EntryTooLarge, path,
                        $"The entry is larger than the per-entry limit of {Limits.MaxEntryBytes.ToString(CultureInfo.InvariantCulture)} bytes; reading stopped there.",
                        "maxEntryBytes", properties: new Dictionary<string, string> { ["limit"] = Limits.MaxEntryBytes.ToString(CultureInfo.InvariantCulture) });
                    break;
                }
                if (compressedSize > 0 && size > Limits.RatioThresholdBytes && size > compressedSize * Limits.MaxCompressionRatio)
                {
                    stopReason = "ratio";
                    double ratio = (double)size / compressedSize;
                    Issue(PackageRules.CompressionRatio, path,
                        $"The entry expands more than {Limits.MaxCompressionRatio.ToString(CultureInfo.InvariantCulture)}:1 ({compressedSize.ToString(CultureInfo.InvariantCulture)} compressed bytes gave over {size.ToString(CultureInfo.InvariantCulture)}); reading stopped there.",
                        "ratio", properties: new Dictionary<string, string>
                        {
                            ["limit"] = Limits.MaxCompressionRatio.ToString(CultureInfo.InvariantCulture),
                            ["compressedBytes"] = compressedSize.ToString(CultureInfo.InvariantCulture),
                            ["bytesRead"] = size.ToString(CultureInfo.InvariantCulture),
                            ["ratioAtStop"] = ratio.ToString("0.#", CultureInfo.InvariantCulture),
                        });
                    break;
                }
                if (total > Limits.MaxTotalBytes)
                {
                    stopReason = "total";
                    Stop(PackageRules.TotalSizeLimit, path,
                        $"The package decompresses to more than {Limits.MaxTotalBytes.ToString(CultureInfo.InvariantCulture)} bytes; reading stopped in this entry.",
                        "maxTotalBytes", Limits.MaxTotalBytes.ToString(CultureInfo.InvariantCulture));
                    break;
                }
            }

            // A bomb's content is not analysed further: it is hostile by construction.
            if (stopReason == "ratio") return hash?.GetHashAndReset();

            var prefix = buffer.AsSpan(0, Math.Min(held, ContentSniffer.PrefixLength));
            var format = ContentSniffer.DetectArchive(prefix);
            if (format != ArchiveFormat.None && stopReason is null)
            {
                if (depth + 1 > Limits.MaxDepth)
                {
                    Issue(PackageRules.NestingLimit, path,
                        $"This archive is nested deeper than the limit of {Limits.MaxDepth.ToString(CultureInfo.InvariantCulture)}; it was not opened.",
                        "maxDepth", properties: new Dictionary<string, string> { ["limit"] = Limits.MaxDepth.ToString(CultureInfo.InvariantCulture) });
                }
                else if (held == size)
                {
                    using var nested = new MemoryStream(buffer, 0, held, writable: false);
                    await ReadArchiveAsync(nested, format, path + Location.NestedSeparator, depth + 1, compressedSize: held).ConfigureAwait(false);
                    return hash?.GetHashAndReset();
                }
                else
                {
                    Issue(PackageRules.EntryTooLarge, path,
                        $"This nested archive is larger than the analysis window of {window.ToString(CultureInfo.InvariantCulture)} bytes; it was not opened.",
                        "nested-window", properties: new Dictionary<string, string> { ["limit"] = window.ToString(CultureInfo.InvariantCulture) });
                }
            }

            if (size > held)
            {
                Issue(PackageRules.PartiallyAnalyzed, path,
                    $"Only the first {held.ToString(CultureInfo.InvariantCulture)} of {size.ToString(CultureInfo.InvariantCulture)} bytes were analysed.",
                    "window", properties: new Dictionary<string, string> { ["analyzedBytes"] = held.ToString(CultureInfo.InvariantCulture), ["sizeBytes"] = size.ToString(CultureInfo.InvariantCulture) });
            }
            var entry = new PackageEntry(path, size, depth, buffer, held, lastModified);
            handedOver = true;
            await Sink.OnEntryAsync(entry, CancellationToken).ConfigureAwait(false);
            return hash?.GetHashAndReset();
        }
        finally
        {
            if (!handedOver) ArrayPool<byte>.Shared.Return(buffer);
            if (scratch is not null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Reads an archive (the package itself at depth 0, or a nested one) whose entries' paths start with
    /// <paramref name="pathPrefix"/>.
    /// </summary>
    public Task ReadArchiveAsync(Stream stream, ArchiveFormat format, string pathPrefix, int depth, long compressedSize) =>
        ArchiveSources.ReadAsync(this, stream, format, pathPrefix, depth, compressedSize);
}
