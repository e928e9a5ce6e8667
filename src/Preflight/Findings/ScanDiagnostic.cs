namespace Preflight.Findings;

/// <summary>Something the scan could not do in full: where it stopped reading, what it skipped and why.</summary>
/// <param name="Path">Location path of the entry or archive concerned; empty for the package.</param>
/// <param name="Message">What happened, in one sentence. Never holds a secret.</param>
public sealed record ScanDiagnostic(string Path, string Message);
