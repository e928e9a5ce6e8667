using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Preflight.Detectors.Certificates;

/// <summary>
/// Work on certificates that depends only on their bytes, done once per scan and shared by the workers: the
/// decoded certificate (<see cref="ParsedCertificate"/>, or why it could not be decoded) keyed by its DER, and
/// the platform public key imported from a SubjectPublicKeyInfo keyed by its DER. A package of signed
/// assemblies carries the same few signer, intermediate and timestamping certificates in every file; without
/// this each file decoded them and imported their keys again.
/// <para>
/// Every value is what the uncached code computes from the same bytes (keys are compared whole, not by a hash),
/// so a hit changes nothing but the time. Only the key is cached, never a verdict: each signature is still
/// verified over its own data. Both tables stop taking new entries when full, so memory does not grow with the
/// package beyond a fixed amount.
/// </para>
/// </summary>
internal sealed class CertificateCache(int maxCertificates = CertificateCache.DefaultMaxCertificates, int maxPublicKeys = CertificateCache.DefaultMaxPublicKeys)
{
    /// <summary>How many distinct certificate encodings are remembered.</summary>
    public const int DefaultMaxCertificates = 1024;

    /// <summary>How many distinct public keys are kept imported.</summary>
    public const int DefaultMaxPublicKeys = 256;

    private readonly ConcurrentDictionary<byte[], Decoded> _certificates = new(ByteArrayContentComparer.Instance);
    private readonly ConcurrentDictionary<byte[], PlatformKey> _keys = new(ByteArrayContentComparer.Instance);
    private int _certificateCount;
    private int _keyCount;

    /// <summary>Decodings served from the table (for tests and measurements).</summary>
    public int CertificateHits => _certificateHits;

    /// <summary>Public keys served from the table (for tests and measurements).</summary>
    public int PublicKeyHits => _keyHits;

    private int _certificateHits;
    private int _keyHits;

    /// <summary><see cref="ParsedCertificate.TryParse"/> of <paramref name="der"/>, decoded at most once per scan.</summary>
    public ParsedCertificate? Parse(byte[] der, out string? error)
    {
        if (_certificates.TryGetValue(der, out var known))
        {
            Interlocked.Increment(ref _certificateHits);
            error = known.Error;
            return known.Certificate;
        }
        var parsed = ParsedCertificate.TryParse(der, out error);
        if (Interlocked.Increment(ref _certificateCount) <= maxCertificates)
        {
            // A race between two workers on the same bytes keeps the first decoding; both are the same. The key is a
            // copy: the caller's array is its own.
            if (!_certificates.TryAdd([.. der], new Decoded(parsed, error))) Interlocked.Decrement(ref _certificateCount);
        }
        else
        {
            Interlocked.Decrement(ref _certificateCount);
        }
        return parsed;
    }

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="data"/> with the RSA or ECDSA key in
    /// <paramref name="spkiDer"/>, importing that key into the platform once per scan. Null when the platform
    /// refuses the key (the caller then asks BouncyCastle), or when verifying throws, exactly as an uncached import would.
    /// </summary>
    public bool? VerifyWithPlatform(byte[] spkiDer, bool rsa, HashAlgorithmName hash, byte[] data, byte[] signature)
    {
        if (_keys.TryGetValue(spkiDer, out var key))
        {
            Interlocked.Increment(ref _keyHits);
        }
        else
        {
            key = PlatformKey.Import(spkiDer, rsa);
            if (Interlocked.Increment(ref _keyCount) <= maxPublicKeys)
            {
                var kept = _keys.GetOrAdd([.. spkiDer], key);
                if (!ReferenceEquals(kept, key))
                {
                    Interlocked.Decrement(ref _keyCount);
                    key.Dispose();
                    key = kept;
                }
            }
            else
            {
                Interlocked.Decrement(ref _keyCount);
                try
                {
                    return key.Verify(hash, data, signature);
                }
                finally
                {
                    key.Dispose();
                }
            }
        }
        return key.Verify(hash, data, signature);
    }

    /// <summary>Releases the imported keys and forgets everything (the end of the scan).</summary>
    public void Clear()
    {
        foreach (var key in _keys.Values) key.Dispose();
        _keys.Clear();
        _certificates.Clear();
        _keyCount = 0;
        _certificateCount = 0;
    }

    private sealed record Decoded(ParsedCertificate? Certificate, string? Error);

    /// <summary>An imported key (null when the platform refused it), used by one thread at a time.</summary>
    private sealed class PlatformKey : IDisposable
    {
        private readonly AsymmetricAlgorithm? _key;
        private readonly Lock _lock = new();
        private bool _disposed;

        private PlatformKey(AsymmetricAlgorithm? key) => _key = key;

        public static PlatformKey Import(byte[] spkiDer, bool rsa)
        {
            AsymmetricAlgorithm key = rsa ? RSA.Create() : ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(spkiDer, out _);
                return new PlatformKey(key);
            }
            catch (CryptographicException)
            {
                // A key the platform refuses (malformed, or an RSA modulus it will not import): remembered as such.
                key.Dispose();
                return new PlatformKey(null);
            }
        }

        public bool? Verify(HashAlgorithmName hash, byte[] data, byte[] signature)
        {
            if (_key is null) return null;
            lock (_lock)
            {
                if (_disposed) throw new ObjectDisposedException(nameof(PlatformKey));
                try
                {
                    return _key is RSA rsa
                        ? rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1)
                        : ((ECDsa)_key).VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
                }
                catch (CryptographicException)
                {
                    return null;
                }
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                _key?.Dispose();
            }
        }
    }
}

/// <summary>Compares byte arrays by content (a per-process randomised hash, then the bytes themselves).</summary>
internal sealed class ByteArrayContentComparer : IEqualityComparer<byte[]>
{
    public static ByteArrayContentComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
