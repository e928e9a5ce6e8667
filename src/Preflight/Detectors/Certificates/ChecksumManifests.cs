using System.Globalization;
using Preflight.Findings;

namespace Preflight.Detectors.Certificates;

/// <summary>One line of a checksum manifest.</summary>
internal sealed record ManifestLine(string Path, byte[] Sha256, int Line);

/// <summary>A checksum manifest (<c>SHA256SUMS</c>, <c>*.sha256</c>) and the files it lists, paths resolved against its folder.</summary>
internal sealed record ChecksumManifest(Location Location, string Folder, IReadOnlyList<ManifestLine> Lines);

/// <summary>
/// Reads SHA-256 checksum manifests in the GNU (<c>hash  path</c>, <c>hash *path</c>) and BSD
/// (<c>SHA256 (path) = hash</c>) formats, and checks every listed file against the package: a mismatch means
/// the file changed after the manifest was made (and signed, when a detached signature covers the manifest).
/// </summary>
internal static class ChecksumManifests
{
    /// <summary>True for the names checksum manifests go by.</summary>
    public static bool IsManifestName(string fileName) =>
        fileName.Equals("SHA256SUMS", StringComparison.OrdinalIgnoreCase)
        || fileName.Equals("SHA256SUMS.txt", StringComparison.OrdinalIgnoreCase)
        || fileName.Equals("sha256sum.txt", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".sha256", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a manifest; lines that are not checksum lines are skipped.</summary>
    public static ChecksumManifest Parse(Location location, string fileName, string text)
    {
        string folder = location.Path.Contains('/', StringComparison.Ordinal) ? location.Path[..location.Path.LastIndexOf('/')] : string.Empty;
        var lines = new List<ManifestLine>();
        int lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            string? hex = null, name = null;
            if (line.StartsWith("SHA256 (", StringComparison.Ordinal))
            {
                int close = line.LastIndexOf(") = ", StringComparison.Ordinal);
                if (close > 8) { name = line[8..close]; hex = line[(close + 4)..].Trim(); }
            }
            else if (line.Length >= 64 && IsHex(line.AsSpan(0, 64)))
            {
                hex = line[..64];
                string rest = line[64..].TrimStart(' ', '\t');
                if (rest.StartsWith('*')) rest = rest[1..];
                name = rest.Length > 0 ? rest
                    : fileName.EndsWith(".sha256", StringComparison.OrdinalIgnoreCase) ? fileName[..^7] : null;
            }
            if (hex is null || name is null || hex.Length != 64 || !IsHex(hex)) continue;
            if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
            string path = folder.Length == 0 ? name : folder + "/" + name;
            lines.Add(new ManifestLine(path, Convert.FromHexString(hex), lineNumber));
        }
        return new ChecksumManifest(location, folder, lines);
    }

    /// <summary>Every nested archive an entry path passes through: <c>a.zip!/b.tgz!/c</c> gives <c>a.zip</c> and <c>a.zip!/b.tgz</c>.</summary>
    private static HashSet<string> NestedArchives(IEnumerable<string> paths)
    {
        var archives = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            int at = path.IndexOf(Location.NestedSeparator, StringComparison.Ordinal);
            while (at > 0)
            {
                archives.Add(path[..at]);
                at = path.IndexOf(Location.NestedSeparator, at + Location.NestedSeparator.Length, StringComparison.Ordinal);
            }
        }
        return archives;
    }

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    /// <summary>Checks every manifest against the entries' hashes.</summary>
    /// <param name="context">Where findings go.</param>
    /// <param name="manifests">The manifests found.</param>
    /// <param name="sha256ByPath">SHA-256 of every entry small enough to hash, and of every nested zip (its spooled bytes).</param>
    /// <param name="allPaths">Every entry path the detector saw (hashed or not), and every nested zip.</param>
    /// <param name="signedPaths">Paths a detached signature covers.</param>
    public static void Verify(DetectorContext context, IEnumerable<ChecksumManifest> manifests, IReadOnlyDictionary<string, byte[]> sha256ByPath,
        IReadOnlyCollection<string> allPaths, IReadOnlySet<string> signedPaths)
    {
        var nestedArchives = NestedArchives(allPaths);
        foreach (var manifest in manifests.OrderBy(static m => m.Location.Path, StringComparer.Ordinal))
        {
            if (manifest.Lines.Count == 0) continue;
            bool signed = signedPaths.Contains(manifest.Location.Path);
            string signedNote = signed ? "signed " : string.Empty;
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in manifest.Lines)
            {
                listed.Add(line.Path);
                var at = manifest.Location with { Line = line.Line, Column = 1 };
                var props = new Dictionary<string, string>(StringComparer.Ordinal) { ["file"] = line.Path, ["signedManifest"] = signed ? "true" : "false" };
                if (sha256ByPath.TryGetValue(line.Path, out var actual))
                {
                    if (actual.AsSpan().SequenceEqual(line.Sha256)) continue;
                    props["expected"] = Convert.ToHexStringLower(line.Sha256);
                    props["actual"] = Convert.ToHexStringLower(actual);
                    context.Report(CertificateRules.ManifestMismatch, at,
                        $"'{line.Path}' does not match its SHA-256 in the {signedNote}manifest: the file was altered after the manifest was made.",
                        line.Path, $"expected {props["expected"][..16]}…, found {props["actual"][..16]}…", properties: props);
                }
                else if (allPaths.Contains(line.Path))
                {
                    context.Report(CertificateRules.SignatureUnverifiable, at,
                        $"'{line.Path}' is listed in the manifest but too large to hash here; its checksum was not verified.", line.Path + "|large", properties: props);
                }
                else if (nestedArchives.Contains(line.Path))
                {
                    // Streamed archives (tar, gzip, bzip2) are read entry by entry; their own bytes are never held.
                    props["verified"] = "false";
                    context.Report(CertificateRules.SignatureUnverifiable, at,
                        $"'{line.Path}' is a nested archive read as a stream: its entries were scanned, but its own bytes were not hashed, so its checksum in the manifest was not verified.",
                        line.Path + "|nested", severity: Severity.Info, properties: props);
                }
                else
                {
                    context.Report(CertificateRules.ManifestFileMissing, at,
                        $"'{line.Path}' is listed in the {signedNote}manifest but not in the package.", line.Path, properties: props);
                }
            }
            string prefix = manifest.Folder.Length == 0 ? string.Empty : manifest.Folder + "/";
            // Nested archives are not counted as unlisted, like their members: a manifest may vouch for the files only.
            var unlisted = allPaths
                .Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && !p.Contains("!/", StringComparison.Ordinal) && !nestedArchives.Contains(p)
                            && !listed.Contains(p) && p != manifest.Location.Path
                            && !p.StartsWith(manifest.Location.Path + ".", StringComparison.Ordinal)
                            && !IsManifestName(p[(p.LastIndexOf('/') + 1)..]))
                .OrderBy(static p => p, StringComparer.Ordinal)
                .ToList();
            if (unlisted.Count == 0) continue;
            context.Report(CertificateRules.ManifestUnlistedFile, manifest.Location,
                $"{unlisted.Count} file(s) under the {signedNote}manifest's folder are not listed in it: {string.Join(", ", unlisted.Take(10))}{(unlisted.Count > 10 ? ", …" : string.Empty)}.",
                string.Join("|", unlisted),
                properties: new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["count"] = unlisted.Count.ToString(CultureInfo.InvariantCulture),
                    ["files"] = string.Join(",", unlisted.Take(50)),
                });
        }
    }
}
