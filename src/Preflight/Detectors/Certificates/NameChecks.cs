using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace Preflight.Detectors.Certificates;

/// <summary>subjectAltName syntax, peer-name matching (RFC 6125/9525) and name constraints (RFC 5280 4.2.1.10).</summary>
internal static class NameChecks
{
    /// <summary>A problem with the certificate's own subjectAltName entries; null when they are well-formed.</summary>
    public static string? CheckSubjectAlternativeNames(ParsedCertificate c)
    {
        if (c.SubjectAlternativeNames is not { } names) return null;
        if (names.Length == 0) return "subjectAltName is empty";
        bool emptySubject = c.SubjectIsEmpty;
        if (emptySubject && !c.SubjectAlternativeNamesCritical) return "subjectAltName is not critical although the subject is empty";
        foreach (var name in names)
        {
            switch (name.TagNo)
            {
                case GeneralName.DnsName:
                    string dns = DerIA5String.GetInstance(name.Name).GetString();
                    if (!IsValidDnsName(dns, allowWildcard: true)) return $"subjectAltName holds an invalid DNS name '{Printable(dns)}'";
                    break;
                case GeneralName.IPAddress:
                    int len = Asn1OctetString.GetInstance(name.Name).GetOctets().Length;
                    if (len is not (4 or 16)) return $"subjectAltName holds an IP address of {len} bytes";
                    break;
                case GeneralName.Rfc822Name:
                    string mail = DerIA5String.GetInstance(name.Name).GetString();
                    if (!IsValidMailbox(mail)) return $"subjectAltName holds an invalid e-mail address '{Printable(mail)}'";
                    break;
            }
        }
        return null;
    }

    /// <summary>True when the certificate's subjectAltName matches the expected peer name. The common name is never used.</summary>
    public static bool Matches(ParsedCertificate leaf, PeerName expected)
    {
        if (leaf.SubjectAlternativeNames is not { } names) return false;
        switch (expected.Kind)
        {
            case PeerNameKind.Dns:
                string host = expected.Value.TrimEnd('.').ToLowerInvariant();
                foreach (var n in names)
                {
                    if (n.TagNo != GeneralName.DnsName) continue;
                    if (DnsMatches(DerIA5String.GetInstance(n.Name).GetString().ToLowerInvariant(), host)) return true;
                }
                return false;
            case PeerNameKind.Ip:
                if (!IPAddress.TryParse(expected.Value, out var ip)) return false;
                byte[] want = ip.GetAddressBytes();
                foreach (var n in names)
                {
                    if (n.TagNo == GeneralName.IPAddress && Asn1OctetString.GetInstance(n.Name).GetOctets().AsSpan().SequenceEqual(want)) return true;
                }
                return false;
            case PeerNameKind.Email:
                foreach (var n in names)
                {
                    if (n.TagNo == GeneralName.Rfc822Name && MailboxEquals(DerIA5String.GetInstance(n.Name).GetString(), expected.Value)) return true;
                }
                return false;
            default:
                return false;
        }
    }

    private static bool DnsMatches(string pattern, string host)
    {
        if (string.Equals(pattern, host, StringComparison.Ordinal)) return true;
        if (!pattern.StartsWith("*.", StringComparison.Ordinal)) return false;
        string baseName = pattern[2..];
        if (!baseName.Contains('.', StringComparison.Ordinal)) return false; // "*.com" never matches
        int dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(host[(dot + 1)..], baseName, StringComparison.Ordinal);
    }

    private static bool MailboxEquals(string a, string b)
    {
        int ia = a.LastIndexOf('@'), ib = b.LastIndexOf('@');
        if (ia <= 0 || ib <= 0) return false;
        return string.Equals(a[..ia], b[..ib], StringComparison.Ordinal)
            && string.Equals(a[(ia + 1)..], b[(ib + 1)..], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>LDH host name syntax; a wildcard only as the whole leftmost label.</summary>
    public static bool IsValidDnsName(string name, bool allowWildcard)
    {
        if (name.Length is 0 or > 253) return false;
        var labels = name.Split('.');
        for (int i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (i == 0 && allowWildcard && label == "*" && labels.Length > 1) continue;
            if (label.Length is 0 or > 63) return false;
            if (label[0] == '-' || label[^1] == '-') return false;
            foreach (char ch in label)
                if (!(char.IsAsciiLetterOrDigit(ch) || ch == '-')) return false;
        }
        return true;
    }

    private static bool IsValidMailbox(string mail)
    {
        int at = mail.LastIndexOf('@');
        if (at <= 0 || at == mail.Length - 1) return false;
        if (mail.AsSpan(0, at).IndexOf('@') >= 0) return false;
        foreach (char ch in mail) if (ch <= ' ' || ch >= 0x7f) return false;
        return IsValidDnsName(mail[(at + 1)..], allowWildcard: false);
    }

    private static string Printable(string s)
    {
        var chars = s.Take(80).Select(static ch => ch is >= ' ' and < (char)0x7f ? ch : '?').ToArray();
        return new string(chars);
    }

    /// <summary>A syntax problem in a CA's name constraints; null when every subtree is well-formed.</summary>
    public static string? CheckConstraintSyntax(NameConstraintSet nc)
    {
        foreach (var b in (nc.Permitted ?? []).Concat(nc.Excluded ?? []))
        {
            switch (b.TagNo)
            {
                case GeneralName.DnsName:
                    string dns = DerIA5String.GetInstance(b.Name).GetString();
                    if (dns.Length > 0 && !IsValidDnsName(dns, allowWildcard: false)) return $"name constraint with an invalid DNS name '{Printable(dns)}'";
                    break;
                case GeneralName.IPAddress:
                    byte[] octets = Asn1OctetString.GetInstance(b.Name).GetOctets();
                    if (octets.Length is not (8 or 32)) return $"name constraint with an IP range of {octets.Length} bytes";
                    if (!IsContiguousMask(octets.AsSpan(octets.Length / 2))) return "name constraint with a non-contiguous IP mask";
                    break;
                case GeneralName.Rfc822Name:
                    string mail = DerIA5String.GetInstance(b.Name).GetString();
                    bool ok = mail.Contains('@', StringComparison.Ordinal)
                        ? IsValidMailbox(mail)
                        : IsValidDnsName(mail.StartsWith('.') ? mail[1..] : mail, allowWildcard: false);
                    if (!ok) return $"name constraint with an invalid e-mail constraint '{Printable(mail)}'";
                    break;
            }
        }
        return null;
    }

    private static bool IsContiguousMask(ReadOnlySpan<byte> mask)
    {
        bool zeroSeen = false;
        foreach (byte m in mask)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                bool one = ((m >> bit) & 1) != 0;
                if (one && zeroSeen) return false;
                if (!one) zeroSeen = true;
            }
        }
        return true;
    }


    /// <summary>
    /// Checks the subject DN and subjectAltName entries of <paramref name="subject"/> against the name
    /// constraints of <paramref name="ca"/>; null when they satisfy them.
    /// </summary>
    public static string? CheckNameConstraints(ParsedCertificate ca, ParsedCertificate subject, int maxChecks)
    {
        var nc = ca.NameConstraints!;
        var permitted = nc.Permitted ?? [];
        var excluded = nc.Excluded ?? [];
        var names = new List<GeneralName>();
        var subjectSeq = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(subject.SubjectDer));
        if (subjectSeq.Count > 0) names.Add(new GeneralName(GeneralName.DirectoryName, X509Name.GetInstance(subjectSeq)));
        if (subject.SubjectAlternativeNames is { } sans) names.AddRange(sans);
        long weight = (long)(names.Count + subjectSeq.Count) * (permitted.Count + excluded.Count);
        if (weight > maxChecks) return $"checking {names.Count} names against {permitted.Count + excluded.Count} name constraints exceeds the budget";

        foreach (var name in names)
        {
            int tag = name.TagNo;
            var permittedOfType = permitted.Where(p => p.TagNo == tag).ToList();
            var excludedOfType = excluded.Where(p => p.TagNo == tag).ToList();
            if (permittedOfType.Count == 0 && excludedOfType.Count == 0) continue;
            if (tag is not (GeneralName.DnsName or GeneralName.IPAddress or GeneralName.Rfc822Name or GeneralName.DirectoryName))
                return $"a name of a form whose constraints cannot be processed (tag {tag})";
            foreach (var e in excludedOfType)
                if (Within(name, e, forExclusion: true)) return $"{Describe(name)} is excluded";
            if (permittedOfType.Count > 0 && !permittedOfType.Exists(p => Within(name, p, forExclusion: false)))
                return $"{Describe(name)} is not permitted";
        }
        return null;
    }

    private static string Describe(GeneralName name) => name.TagNo switch
    {
        GeneralName.DnsName => $"DNS name {Printable(DerIA5String.GetInstance(name.Name).GetString())}",
        GeneralName.Rfc822Name => $"e-mail {Printable(DerIA5String.GetInstance(name.Name).GetString())}",
        GeneralName.IPAddress => $"IP address {FormatIp(Asn1OctetString.GetInstance(name.Name).GetOctets())}",
        GeneralName.DirectoryName => $"directory name {X509Name.GetInstance(name.Name)}",
        _ => $"name of tag {name.TagNo}",
    };

    private static string FormatIp(byte[] bytes) =>
        bytes.Length is 4 or 16 ? new IPAddress(bytes).ToString() : Convert.ToHexString(bytes);

    private static bool Within(GeneralName name, GeneralName constraint, bool forExclusion)
    {
        switch (name.TagNo)
        {
            case GeneralName.DnsName:
            {
                string n = DerIA5String.GetInstance(name.Name).GetString().ToLowerInvariant();
                string c = DerIA5String.GetInstance(constraint.Name).GetString().ToLowerInvariant();
                if (c.Length == 0) return true;
                if (n.StartsWith("*.", StringComparison.Ordinal))
                {
                    string baseName = n[2..];
                    if (DnsWithin(baseName, c)) return true;
                    // A wildcard stands for any one label: excluded when one of its expansions would be.
                    return forExclusion && c.EndsWith("." + baseName, StringComparison.Ordinal)
                        && c.IndexOf('.', StringComparison.Ordinal) == c.Length - baseName.Length - 1;
                }
                return DnsWithin(n, c);
            }
            case GeneralName.IPAddress:
            {
                byte[] ip = Asn1OctetString.GetInstance(name.Name).GetOctets();
                byte[] range = Asn1OctetString.GetInstance(constraint.Name).GetOctets();
                if (range.Length != ip.Length * 2) return false;
                for (int i = 0; i < ip.Length; i++)
                {
                    byte mask = range[ip.Length + i];
                    if ((ip[i] & mask) != (range[i] & mask)) return false;
                }
                return true;
            }
            case GeneralName.Rfc822Name:
            {
                string n = DerIA5String.GetInstance(name.Name).GetString();
                string c = DerIA5String.GetInstance(constraint.Name).GetString();
                if (c.Contains('@', StringComparison.Ordinal)) return MailboxEquals(n, c);
                int at = n.LastIndexOf('@');
                string domain = at >= 0 ? n[(at + 1)..] : n;
                return c.StartsWith('.')
                    ? domain.EndsWith(c, StringComparison.OrdinalIgnoreCase)
                    : string.Equals(domain, c, StringComparison.OrdinalIgnoreCase);
            }
            case GeneralName.DirectoryName:
            {
                var n = Asn1Sequence.GetInstance(X509Name.GetInstance(name.Name).ToAsn1Object());
                var c = Asn1Sequence.GetInstance(X509Name.GetInstance(constraint.Name).ToAsn1Object());
                if (c.Count > n.Count) return false;
                for (int i = 0; i < c.Count; i++)
                    if (!c[i].ToAsn1Object().Equals(n[i].ToAsn1Object())) return false;
                return true;
            }
            default:
                return false;
        }
    }

    private static bool DnsWithin(string name, string constraint) =>
        string.Equals(name, constraint, StringComparison.Ordinal)
        || (name.EndsWith(constraint, StringComparison.Ordinal) && name.Length > constraint.Length && name[name.Length - constraint.Length - 1] == '.');

    /// <summary>True when the string parses as an IPv4 or IPv6 literal.</summary>
    public static bool IsIpLiteral(string s) => IPAddress.TryParse(s, out var ip) && ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
}
