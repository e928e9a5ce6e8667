using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Preflight.Detectors.Endpoints;

/// <summary>Strict host parsing and classification.</summary>
internal static class HostClassifier
{
    public const string Public = "public";
    public const string Private = "private";
    public const string Loopback = "loopback";
    public const string LinkLocal = "link-local";
    public const string Metadata = "metadata";
    public const string Documentation = "documentation";
    public const string Internal = "internal";
    public const string Reserved = "reserved";

    /// <summary>
    /// Exactly four dot-separated decimal octets 0–255 without leading zeros. Unlike <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>,
    /// refuses <c>1.2.3</c>, <c>2130706433</c>, <c>0x7f.1</c> and <c>010.1.1.1</c>.
    /// </summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> s, out IPAddress? address)
    {
        address = null;
        Span<byte> octets = stackalloc byte[4];
        int part = 0, i = 0;
        while (part < 4)
        {
            int start = i;
            int value = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
            int len = i - start;
            if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return false;
            octets[part++] = (byte)value;
            if (part < 4)
            {
                if (i >= s.Length || s[i] != '.') return false;
                i++;
            }
        }
        if (i != s.Length) return false;
        address = new IPAddress(octets);
        return true;
    }

    /// <summary>An IPv6 literal (without brackets; a zone id is allowed), parsed strictly.</summary>
    public static bool TryParseIPv6(string s, out IPAddress? address)
    {
        address = null;
        if (s.Length < 2 || s.AsSpan().Count(':') < 2) return false;
        var core = s;
        int pct = s.IndexOf('%', StringComparison.Ordinal);
        if (pct >= 0) core = s[..pct];
        foreach (var c in core)
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.')) return false;
        if (core.Contains(":::", StringComparison.Ordinal)) return false;
        if (core.Contains('.', StringComparison.Ordinal))
        {
            int last = core.LastIndexOf(':');
            if (!TryParseIPv4(core.AsSpan(last + 1), out _)) return false;
        }
        if (!IPAddress.TryParse(s, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6) return false;
        address = parsed;
        return true;
    }

    /// <summary>True when <paramref name="host"/> is a syntactically valid DNS name (labels of letters, digits and hyphens).</summary>
    public static bool IsDnsName(string host)
    {
        if (host.Length is 0 or > 253) return false;
        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63) return false;
            if (label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        }
        return true;
    }

    /// <summary>True when the last label could be a real top-level domain (letters, or an IDN <c>xn--</c> label).</summary>
    public static bool HasPlausibleTld(string host, bool strict)
    {
        int dot = host.LastIndexOf('.');
        if (dot <= 0) return false;
        var tld = host[(dot + 1)..];
        if (tld.StartsWith("xn--", StringComparison.Ordinal)) return true;
        if (tld.Length < 2 || tld.AsSpan().ContainsAnyExceptInRange('a', 'z')) return false;
        if (!strict) return true;
        return tld.Length == 2 ? !NotCountryCodes.Contains(tld) : CommonTlds.Contains(tld);
    }

    // Two-letter "TLDs" that are far more often file extensions than hosts in config values.
    private static readonly HashSet<string> NotCountryCodes = new(StringComparer.Ordinal) { "cs", "js", "ts", "py", "sh", "pl", "md", "rb", "ps", "so", "gz", "xz", "bz", "db", "cc", "hh", "mo", "po", "rs", "go", "kt", "vb", "fs", "in", "am", "ac" };

    private static readonly HashSet<string> CommonTlds = new(StringComparer.Ordinal)
    {
        "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "aero", "coop", "museum", "mobi", "asia", "tel", "jobs", "travel",
        "io", "ai", "app", "dev", "cloud", "online", "site", "tech", "store", "shop", "blog", "xyz", "top", "club", "live", "news", "space", "website",
        "services", "systems", "solutions", "network", "digital", "email", "software", "support", "host", "media", "global", "group", "company", "agency",
        "zone", "link", "page", "run", "build", "codes", "engineering", "finance", "bank", "insurance", "health", "energy", "works", "world", "today",
        "amazonaws", "google", "microsoft", "azure", "windows", "office", "apple", "aws", "goog", "youtube", "gle",
    };

    /// <summary>Classifies a host name or IP literal (lower-case, no brackets).</summary>
    public static string Classify(string host, out bool isIp)
    {
        isIp = false;
        if (TryParseIPv4(host, out var v4))
        {
            isIp = true;
            return ClassifyV4(v4!.GetAddressBytes());
        }
        if (TryParseIPv6(host, out var v6))
        {
            isIp = true;
            if (v6!.IsIPv4MappedToIPv6) return ClassifyV4(v6.MapToIPv4().GetAddressBytes());
            var b = v6.GetAddressBytes();
            if (v6.Equals(IPAddress.IPv6Loopback)) return Loopback;
            if (v6.Equals(IPAddress.IPv6Any)) return Reserved;
            if (v6.Equals(Ec2MetadataV6)) return Metadata;
            if ((b[0] & 0xFE) == 0xFC) return Private;
            if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return LinkLocal;
            if (b[0] == 0xFF) return Reserved;
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return Documentation;
            return Public;
        }
        if (host is "metadata.google.internal" or "metadata.goog" or "metadata" or "instance-data" or "instance-data.ec2.internal") return Metadata;
        if (host is "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
            return host is "localhost" ? Loopback : Documentation;
        if (host is "example.com" or "example.org" or "example.net" || host.EndsWith(".example.com", StringComparison.Ordinal)
            || host.EndsWith(".example.org", StringComparison.Ordinal) || host.EndsWith(".example.net", StringComparison.Ordinal)
            || EndsWithLabel(host, "test") || EndsWithLabel(host, "example") || EndsWithLabel(host, "invalid"))
            return Documentation;
        if (!host.Contains('.', StringComparison.Ordinal)) return Internal;
        foreach (var suffix in InternalSuffixes)
            if (EndsWithLabel(host, suffix)) return Internal;
        return Public;
    }

    private static readonly IPAddress Ec2MetadataV6 = IPAddress.Parse("fd00:ec2::254");
    private static readonly string[] InternalSuffixes = ["local", "internal", "corp", "lan", "intranet", "private", "home", "home.arpa", "localdomain", "cluster.local", "svc"];

    private static bool EndsWithLabel(string host, string label) =>
        host.Equals(label, StringComparison.Ordinal) || (host.EndsWith(label, StringComparison.Ordinal) && host.Length > label.Length && host[^(label.Length + 1)] == '.');

    private static string ClassifyV4(byte[] b)
    {
        if (b is [169, 254, 169, 254] or [168, 63, 129, 16] or [169, 254, 170, 2] or [100, 100, 100, 200]) return Metadata;
        if (b[0] == 127) return Loopback;
        if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && (b[1] & 0xC0) == 64)) return Private;
        if (b[0] == 169 && b[1] == 254) return LinkLocal;
        if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113)) return Documentation;
        if (b[0] == 0 || b[0] >= 224 || (b[0] == 198 && (b[1] & 0xFE) == 18) || (b[0] == 192 && b[1] == 0 && b[2] == 0)) return Reserved;
        return Public;
    }

    /// <summary>True when <paramref name="host"/> matches an allowlist entry: a name, <c>*.domain</c>, an address or a CIDR range.</summary>
    public static bool IsAllowed(string host, IReadOnlyList<string> allowlist)
    {
        if (allowlist.Count == 0) return false;
        IPAddress? ip = TryParseIPv4(host, out var v4) ? v4 : TryParseIPv6(host, out var v6) ? v6 : null;
        foreach (var raw in allowlist)
        {
            var entry = raw.Trim().ToLowerInvariant();
            if (entry.Length == 0) continue;
            if (ip is not null)
            {
                if (TryParseCidr(entry, out var network, out int prefix) && InRange(ip, network!, prefix)) return true;
                continue;
            }
            if (entry.StartsWith("*.", StringComparison.Ordinal))
            {
                if (host.EndsWith(entry[1..], StringComparison.Ordinal)) return true;
            }
            else if (host.Equals(entry, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static bool TryParseCidr(string entry, out IPAddress? network, out int prefix)
    {
        network = null;
        prefix = -1;
        int slash = entry.IndexOf('/', StringComparison.Ordinal);
        var addr = slash < 0 ? entry : entry[..slash];
        if (!(TryParseIPv4(addr, out network) || TryParseIPv6(addr, out network))) return false;
        int max = network!.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0) { prefix = max; return true; }
        return int.TryParse(entry.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= max;
    }

    private static bool InRange(IPAddress ip, IPAddress network, int prefix)
    {
        if (ip.AddressFamily != network.AddressFamily) return false;
        var a = ip.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (int bit = 0; bit < prefix; bit++)
        {
            int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }
}
