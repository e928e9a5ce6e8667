namespace Preflight.Reporting;

/// <summary>
/// Where a scan spent its time: asked for with <see cref="Configuration.ScanOptions.CollectStatistics"/>. Times are
/// wall-clock; detector times are summed over the worker threads, so with two workers their total can exceed
/// <see cref="Elapsed"/>. A detector's time includes building the shared views of an entry (its text, lines,
/// module) when it is the first to ask for them.
/// </summary>
/// <param name="Elapsed">From the start of reading the package to the report being assembled (findings sorted and masked).</param>
/// <param name="Entries">Regular-file entries handed to the detectors, nested ones included.</param>
/// <param name="ContentBytes">Their decompressed bytes.</param>
/// <param name="Workers">Entries analysed at once.</param>
/// <param name="Sniffing">Time classifying entries by their first bytes.</param>
/// <param name="Detectors">Per detector, in registry order.</param>
public sealed record ScanStatistics(TimeSpan Elapsed, int Entries, long ContentBytes, int Workers, TimeSpan Sniffing, IReadOnlyList<DetectorTiming> Detectors);

/// <summary>One detector's share of a scan.</summary>
/// <param name="Detector">The detector id.</param>
/// <param name="Entries">Entries it analysed (its gate wanted them).</param>
/// <param name="Bytes">Their decompressed bytes.</param>
/// <param name="Time">Time in its per-entry step and its summary step.</param>
public sealed record DetectorTiming(string Detector, int Entries, long Bytes, TimeSpan Time);
