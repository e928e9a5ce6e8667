namespace Preflight.Detectors;

/// <summary>
/// A detector that can read a large entry in windows (see <c>PackageLimits.AnalysisWindowBytes</c>): each window
/// comes as an entry of its own, with the same <see cref="EntryInfo"/>, its bytes only, and
/// <see cref="EntryContext.At"/> shifting lines to the entry's. Windows may be analysed on several threads and in
/// any order. A detector that wants an entry and does not accept its windows gets it whole.
/// </summary>
internal interface IWindowedDetector : IDetector
{
    /// <summary>Whether this detector finds the same things in the windows of <paramref name="entry"/> as in it whole.</summary>
    /// <param name="entry">The gate's view of the entry; its kind is sniffed on the first window.</param>
    /// <param name="head">The entry's first window.</param>
    bool AcceptsWindows(EntryInfo entry, ReadOnlySpan<byte> head);
}
