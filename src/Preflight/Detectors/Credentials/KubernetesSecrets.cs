using System.Text;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// Kubernetes Secret manifests (YAML, several documents per file): every entry under <c>data:</c> (base64)
/// or <c>stringData:</c> whose decoded value is a real value, not a placeholder or an empty string.
/// </summary>
internal static class KubernetesSecrets
{
    private readonly record struct Line(int Start, int Length, int Indent);

    /// <summary>Keys of a Secret that name where and who, not the secret itself.</summary>
    private static readonly HashSet<string> NotSecretKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "user", "username", "user-name", "user_name", "login", "email", "host", "hostname", "port", "url", "endpoint",
        "database", "dbname", "db", "namespace", "region", "account", "accountname", "client-id", "client_id", "clientId",
    };

    public static void Scan(string text, List<SecretHit> hits)
    {
        if (!text.Contains("kind:", StringComparison.Ordinal)) return;
        var lines = new List<Line>();
        int pos = 0;
        while (pos <= text.Length)
        {
            int end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            int len = end - pos;
            if (len > 0 && text[pos + len - 1] == '\r') len--;
            int indent = 0;
            while (indent < len && text[pos + indent] == ' ') indent++;
            lines.Add(new Line(pos, len, indent));
            pos = end + 1;
        }
        int docStart = 0;
        for (int i = 0; i <= lines.Count; i++)
        {
            if (i == lines.Count || Span(text, lines[i]).StartsWith("---"))
            {
                ScanDocument(text, lines, docStart, i, hits);
                docStart = i + 1;
            }
        }
    }

    private static ReadOnlySpan<char> Span(string text, Line line) => text.AsSpan(line.Start, line.Length);

    private static void ScanDocument(string text, List<Line> lines, int from, int to, List<SecretHit> hits)
    {
        bool isSecret = false;
        for (int i = from; i < to; i++)
        {
            var l = lines[i];
            if (l.Indent != 0) continue;
            var s = Span(text, l).Trim();
            if (s.SequenceEqual("kind: Secret") || s.SequenceEqual("kind: \"Secret\"") || s.SequenceEqual("kind: 'Secret'")) { isSecret = true; break; }
        }
        if (!isSecret) return;
        for (int i = from; i < to; i++)
        {
            var l = lines[i];
            if (l.Indent != 0) continue;
            var s = Span(text, l).TrimEnd();
            bool data = s.SequenceEqual("data:");
            bool stringData = s.SequenceEqual("stringData:");
            if (!data && !stringData) continue;
            int childIndent = -1;
            for (int j = i + 1; j < to; j++)
            {
                var c = lines[j];
                var content = Span(text, c);
                if (content.Trim().IsEmpty || content.TrimStart().StartsWith("#")) continue;
                if (c.Indent == 0) break;
                if (childIndent < 0) childIndent = c.Indent;
                if (c.Indent != childIndent) continue;
                int colon = content.IndexOf(':');
                if (colon < 0) continue;
                var key = content[c.Indent..colon].Trim().Trim("\"'").ToString();
                var raw = content[(colon + 1)..];
                int valueOffset = c.Start + colon + 1 + (raw.Length - raw.TrimStart().Length);
                var value = raw.Trim();
                string secret;
                if (value.SequenceEqual("|") || value.SequenceEqual(">") || value.SequenceEqual("|-") || value.SequenceEqual(">-"))
                {
                    var sb = new StringBuilder();
                    int k = j + 1;
                    for (; k < to && (lines[k].Indent > childIndent || Span(text, lines[k]).Trim().IsEmpty); k++)
                        sb.Append(Span(text, lines[k]).Trim()).Append('\n');
                    secret = sb.ToString().Trim();
                    valueOffset = k > j + 1 ? lines[j + 1].Start + lines[j + 1].Indent : valueOffset;
                }
                else
                {
                    secret = value.Trim("\"'").ToString();
                    if (value.Length > 0 && value[0] is '"' or '\'') valueOffset++;
                }
                if (secret.Length == 0 || NotSecretKeys.Contains(key)) continue;
                string plain = secret;
                if (data)
                {
                    var decoded = SecretFormats.DecodeBase64(secret);
                    if (decoded is null) continue;
                    plain = Encoding.UTF8.GetString(decoded);
                }
                if (plain.Trim().Length < 4 || Placeholders.IsPlaceholder(plain)) continue;
                hits.Add(new SecretHit(CredentialRules.KubernetesSecret, "Kubernetes Secret value", 140, valueOffset, secret, key,
                    CredentialRules.KubernetesSecret.DefaultSeverity));
            }
        }
    }
}
