namespace Preflight.Detectors;

/// <summary>
/// Implemented by a detector that checks archives as a whole (a signed NuGet package's content hash, the
/// checksum of a nested archive), beside the entries it sees through <see cref="IDetector.Analyze"/>.
/// </summary>
/// <remarks>
/// Called on the reader's thread, concurrently with <see cref="IDetector.Analyze"/> on the workers: keep
/// what is learnt in thread-safe collections. Called for the package file itself (path empty, after its
/// entries) and for every nested zip (its entry path, before its entries).
/// </remarks>
public interface IArchiveObserver
{
    /// <summary>Looks at the raw bytes of one archive.</summary>
    /// <param name="context">The scan's context.</param>
    /// <param name="path">The archive's location path; empty for the package file itself.</param>
    /// <param name="bytes">The archive's bytes: seekable, read-only, valid only during the call.</param>
    void AnalyzeArchive(DetectorContext context, string path, Stream bytes);
}
