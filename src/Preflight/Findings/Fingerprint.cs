using System.Security.Cryptography;
using System.Text;

namespace Preflight.Findings;

/// <summary>
/// Stable finding identities. A fingerprint hashes the rule id, the location path and an identity that the
/// detector chooses (the secret itself, a unit name, a statement): never an absolute path, a time or a line
/// number, so it survives re-runs, other machines and edits that move a finding down a file.
/// </summary>
public static class Fingerprint
{
    /// <summary>Computes <c>sha256:&lt;hex&gt;</c> over the parts, separated so that no two part lists collide.</summary>
    public static string Compute(string ruleId, string path, string identity)
    {
        ArgumentNullException.ThrowIfNull(ruleId);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(identity);
        int max = Encoding.UTF8.GetMaxByteCount(ruleId.Length + path.Length + identity.Length + 2);
        byte[]? rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try
        {
            int n = Encoding.UTF8.GetBytes(ruleId, buffer);
            buffer[n++] = 0;
            n += Encoding.UTF8.GetBytes(path, buffer[n..]);
            buffer[n++] = 0;
            n += Encoding.UTF8.GetBytes(identity, buffer[n..]);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer[..n], hash);
            return "sha256:" + Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented);
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
