using System.Buffers.Binary;
using System.Text;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// Credentials that span lines and need their structure read: PEM, OpenSSH, PuTTY and OpenPGP private keys
/// (encrypted or not) and Kubernetes Secret manifests.
/// </summary>
internal static class BlockAnalyzers
{
    private const int MinimumBody = 64;

    /// <summary>Whether any block analyzer can find something in <paramref name="text"/> (each needs its marker).</summary>
    public static bool MayHold(ReadOnlySpan<char> text) => text.IndexOfAny(Markers) >= 0;

    private static readonly System.Buffers.SearchValues<string> Markers =
        System.Buffers.SearchValues.Create(["PRIVATE KEY", "PuTTY-User-Key-File-", "Secret"], StringComparison.Ordinal);

    /// <summary>Runs every block analyzer over <paramref name="text"/>.</summary>
    public static void Scan(string text, List<SecretHit> hits)
    {
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal)) PemKeys(text, hits);
        if (text.Contains("PuTTY-User-Key-File-", StringComparison.Ordinal)) PuttyKeys(text, hits);
        if (text.Contains("Secret", StringComparison.Ordinal)) KubernetesSecrets.Scan(text, hits);
    }

    private static void PemKeys(string text, List<SecretHit> hits)
    {
        int pos = 0;
        while (true)
        {
            int begin = text.IndexOf("-----BEGIN ", pos, StringComparison.Ordinal);
            if (begin < 0) return;
            int labelStart = begin + 11;
            // Searches are bounded (label: 40 characters; END line: before the next BEGIN) so that many unterminated
            // BEGIN lines cost linear time.
            int labelEnd = text.IndexOf("-----", labelStart, Math.Min(45, text.Length - labelStart), StringComparison.Ordinal);
            if (labelEnd < 0) { pos = labelStart; continue; }
            var label = text.AsSpan(labelStart, labelEnd - labelStart);
            pos = labelEnd + 5;
            if (label.Length > 40 || !label.Contains("PRIVATE KEY", StringComparison.Ordinal)) continue;
            var labelText = label.ToString();
            int nextBegin = text.IndexOf("-----BEGIN ", pos, StringComparison.Ordinal);
            int limit = nextBegin < 0 ? text.Length : nextBegin;
            int end = text.IndexOf("-----END " + labelText + "-----", pos, limit - pos, StringComparison.Ordinal);
            if (end < 0) continue;
            var body = text.AsSpan(pos, end - pos);
            pos = end;
            Classify(labelText, body, begin, hits);
        }
    }

    private static void Classify(string label, ReadOnlySpan<char> rawBody, int offset, List<SecretHit> hits)
    {
        // Headers (Proc-Type, DEK-Info, Version, Comment) come before an empty line; "\n" escapes are JSON-embedded keys.
        var body = rawBody.ToString().Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", string.Empty, StringComparison.Ordinal);
        bool procEncrypted = body.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal);
        var base64 = StripHeaders(body);
        if (base64.Length < MinimumBody || Placeholders.IsPlaceholder(base64) && !SecretFormats.LooksRandom(base64, MinimumBody, 4.0)) return;
        var der = SecretFormats.DecodeBase64(base64);
        if (der is null || der.Length < 32) return;
        if (label == "PGP PRIVATE KEY BLOCK")
        {
            var pgpEncrypted = PgpSecretKeyIsProtected(der);
            if (pgpEncrypted is null) return;
            Add(CredentialRules.PgpPrivateKey, "OpenPGP secret key", pgpEncrypted.Value, offset, base64, hits);
            return;
        }
        if (label == "OPENSSH PRIVATE KEY")
        {
            var cipher = OpenSshCipher(der);
            if (cipher is null) return;
            Add(CredentialRules.OpenSshPrivateKey, "OpenSSH private key", cipher != "none", offset, base64, hits);
            return;
        }
        if (der[0] != 0x30) return;
        bool encrypted = procEncrypted || label.StartsWith("ENCRYPTED", StringComparison.Ordinal);
        Add(CredentialRules.PrivateKey, label.ToLowerInvariant().Replace("private key", "private key", StringComparison.Ordinal) + " (PEM)", encrypted, offset, base64, hits);
    }

    private static void Add(RuleDescriptor rule, string what, bool encrypted, int offset, string secret, List<SecretHit> hits)
    {
        var properties = new Dictionary<string, string> { ["encrypted"] = encrypted ? "true" : "false" };
        hits.Add(new SecretHit(rule, (encrypted ? "encrypted " : "unencrypted ") + what, 100, offset, secret, null,
            encrypted ? Severity.Medium : rule.DefaultSeverity, Properties: properties));
    }

    private static string StripHeaders(string body)
    {
        var sb = new StringBuilder(body.Length);
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.Contains(':', StringComparison.Ordinal)) continue;
            if (line.StartsWith('=') && line.Length == 5) continue; // OpenPGP armor checksum
            sb.Append(line);
        }
        return sb.ToString();
    }

    /// <summary>The cipher name of an <c>openssh-key-v1</c> blob, or null when it is not one.</summary>
    internal static string? OpenSshCipher(ReadOnlySpan<byte> blob)
    {
        var magic = "openssh-key-v1\0"u8;
        if (!blob.StartsWith(magic)) return null;
        var rest = blob[magic.Length..];
        if (rest.Length < 4) return null;
        int length = BinaryPrimitives.ReadInt32BigEndian(rest);
        if (length < 0 || length > 64 || rest.Length < 4 + length) return null;
        return Encoding.ASCII.GetString(rest.Slice(4, length));
    }

    /// <summary>
    /// Reads the first packet of an OpenPGP transferable secret key: true when its secret material is protected
    /// (S2K usage not 0), false when it is in clear, null when it is not a secret-key packet.
    /// </summary>
    internal static bool? PgpSecretKeyIsProtected(ReadOnlySpan<byte> data)
    {
        if (data.Length < 8 || (data[0] & 0x80) == 0) return null;
        int tag, headerLength, bodyLength;
        if ((data[0] & 0x40) != 0)
        {
            tag = data[0] & 0x3F;
            int first = data[1];
            if (first < 192) { bodyLength = first; headerLength = 2; }
            else if (first < 224) { bodyLength = ((first - 192) << 8) + data[2] + 192; headerLength = 3; }
            else if (first == 255) { bodyLength = BinaryPrimitives.ReadInt32BigEndian(data[2..]); headerLength = 6; }
            else return null;
        }
        else
        {
            tag = (data[0] >> 2) & 0x0F;
            switch (data[0] & 3)
            {
                case 0: bodyLength = data[1]; headerLength = 2; break;
                case 1: bodyLength = BinaryPrimitives.ReadUInt16BigEndian(data[1..]); headerLength = 3; break;
                case 2: bodyLength = BinaryPrimitives.ReadInt32BigEndian(data[1..]); headerLength = 5; break;
                default: return null;
            }
        }
        if (tag is not (5 or 7)) return null;
        if (bodyLength <= 0 || headerLength + bodyLength > data.Length) return null;
        var body = data.Slice(headerLength, bodyLength);
        // v3 (legacy RSA), v5 and v6 keys are not parsed further: reported as protected, the cautious reading. Any
        // other version byte is no key (random base64 in an armor block used to pass here about one time in a hundred).
        if (body[0] is 3 or 5 or 6) return true;
        if (body[0] != 4) return null;
        int p = 6;
        int algorithm = body[5];
        int mpis = algorithm switch { 1 or 2 or 3 => 2, 16 or 20 => 3, 17 => 4, 18 or 19 or 22 => 1, _ => -1 };
        if (mpis < 0) return null;
        if (algorithm is 18 or 19 or 22)
        {
            if (p >= body.Length) return null;
            p += 1 + body[p]; // curve OID
        }
        for (int i = 0; i < mpis; i++)
        {
            if (p + 2 > body.Length) return null;
            int bits = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
            p += 2 + ((bits + 7) / 8);
        }
        if (algorithm == 18)
        {
            if (p >= body.Length) return null;
            p += 1 + body[p]; // KDF parameters
        }
        if (p >= body.Length) return null;
        return body[p] != 0;
    }

    private static void PuttyKeys(string text, List<SecretHit> hits)
    {
        int pos = 0;
        while (true)
        {
            int start = text.IndexOf("PuTTY-User-Key-File-", pos, StringComparison.Ordinal);
            if (start < 0) return;
            pos = start + 20;
            int encryption = text.IndexOf("Encryption:", pos, StringComparison.Ordinal);
            int privateLines = text.IndexOf("Private-Lines:", pos, StringComparison.Ordinal);
            if (encryption < 0 || privateLines < 0) continue;
            var encryptionValue = ValueAfter(text, encryption + 11);
            var countText = ValueAfter(text, privateLines + 14);
            if (!int.TryParse(countText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count) || count is < 1 or > 200) continue;
            int lineStart = text.IndexOf('\n', privateLines) + 1;
            if (lineStart <= 0) continue;
            var sb = new StringBuilder();
            for (int i = 0; i < count && lineStart < text.Length; i++)
            {
                int lineEnd = text.IndexOf('\n', lineStart);
                if (lineEnd < 0) lineEnd = text.Length;
                sb.Append(text.AsSpan(lineStart, lineEnd - lineStart).Trim());
                lineStart = lineEnd + 1;
            }
            var secret = sb.ToString();
            if (secret.Length < 32 || SecretFormats.DecodeBase64(secret) is null) continue;
            Add(CredentialRules.PuttyPrivateKey, "PuTTY private key", !encryptionValue.Equals("none", StringComparison.Ordinal), start, secret, hits);
            pos = lineStart;
        }
    }

    private static string ValueAfter(string text, int index)
    {
        int end = text.IndexOfAny(['\r', '\n'], index);
        return (end < 0 ? text.AsSpan(index) : text.AsSpan(index, end - index)).Trim().ToString();
    }
}
