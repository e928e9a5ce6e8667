using System.Buffers;
using System.Text;

namespace Preflight.Detectors.Credentials;

/// <summary>Structural checks shared by the rules: alphabets, checksums, entropy, base64 decoding.</summary>
internal static class SecretFormats
{
    public const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    public const string LowerHex = "0123456789abcdef";
    public const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    public const string Base64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>CRC-32 (IEEE, as zlib) of the ASCII characters.</summary>
    public static uint Crc32(ReadOnlySpan<char> ascii)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (char ch in ascii) crc = CrcTable[(crc ^ (byte)ch) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>The base62 digits of <paramref name="value"/>, left-padded with '0' to <paramref name="width"/>.</summary>
    public static string ToBase62(uint value, int width)
    {
        Span<char> buffer = stackalloc char[16];
        int i = buffer.Length;
        do
        {
            buffer[--i] = Base62[(int)(value % 62)];
            value /= 62;
        } while (value != 0);
        while (buffer.Length - i < width) buffer[--i] = '0';
        return new string(buffer[i..]);
    }

    /// <summary>
    /// The checksum of GitHub's and npm's token formats: the last six characters are the base62 CRC-32 of the
    /// random part between the prefix (up to the last underscore) and the checksum.
    /// </summary>
    public static bool HasBase62Crc32Suffix(ReadOnlySpan<char> token)
    {
        int underscore = token.LastIndexOf('_');
        var body = token[(underscore + 1)..];
        if (body.Length < 7) return false;
        var random = body[..^6];
        var checksum = body[^6..];
        return checksum.SequenceEqual(ToBase62(Crc32(random), 6));
    }

    /// <summary>Appends the six-character base62 CRC-32 checksum to a random part.</summary>
    public static string WithBase62Crc32(string random) => random + ToBase62(Crc32(random), 6);

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return 0;
        Span<int> counts = stackalloc int[128];
        int other = 0;
        foreach (char c in value)
        {
            if (c < 128) counts[c]++;
            else other++;
        }
        double entropy = 0;
        double n = value.Length;
        foreach (int count in counts)
        {
            if (count == 0) continue;
            double p = count / n;
            entropy -= p * Math.Log2(p);
        }
        if (other > 0)
        {
            double p = other / n;
            entropy -= p * Math.Log2(p);
        }
        return entropy;
    }

    /// <summary>How many of lower, upper, digit and symbol classes occur.</summary>
    public static int CharacterClasses(ReadOnlySpan<char> value)
    {
        bool lower = false, upper = false, digit = false, symbol = false;
        foreach (char c in value)
        {
            if (char.IsAsciiLetterLower(c)) lower = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiDigit(c)) digit = true;
            else symbol = true;
        }
        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
    }

    /// <summary>True when every character is in <paramref name="alphabet"/>.</summary>
    public static bool AllIn(ReadOnlySpan<char> value, string alphabet)
    {
        foreach (char c in value)
            if (alphabet.IndexOf(c, StringComparison.Ordinal) < 0) return false;
        return true;
    }

    /// <summary>Decodes standard or URL-safe base64, with or without padding; null when it is not base64.</summary>
    public static byte[]? DecodeBase64(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 1 << 20) return null;
        char[] rented = ArrayPool<char>.Shared.Rent(text.Length + 3);
        try
        {
            int n = 0;
            foreach (char c in text)
            {
                char d = c switch { '-' => '+', '_' => '/', _ => c };
                if (d is '\r' or '\n' or ' ' or '\t') continue;
                if (d == '=') break;
                if (!char.IsAsciiLetterOrDigit(d) && d is not ('+' or '/')) return null;
                rented[n++] = d;
            }
            while (n % 4 != 0) rented[n++] = '=';
            var bytes = new byte[n / 4 * 3];
            return Convert.TryFromBase64Chars(rented.AsSpan(0, n), bytes, out int written) ? bytes[..written] : null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes base64url into UTF-8 text; null when it is not.</summary>
    public static string? DecodeBase64Text(ReadOnlySpan<char> text)
    {
        var bytes = DecodeBase64(text);
        if (bytes is null) return null;
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>A value with no structure a person types: at least <paramref name="minLength"/> characters and entropy above the floor.</summary>
    public static bool LooksRandom(ReadOnlySpan<char> value, int minLength = 16, double floor = 3.0) =>
        value.Length >= minLength && Entropy(value) >= floor && !IsRepetitive(value);

    /// <summary>True for runs like <c>xxxxxxxx</c>, <c>abcabcabc</c> or <c>0000</c>.</summary>
    public static bool IsRepetitive(ReadOnlySpan<char> value)
    {
        if (value.Length == 0) return true;
        Span<bool> seen = stackalloc bool[128];
        int distinct = 0;
        foreach (char c in value)
        {
            if (c >= 128) { distinct++; continue; }
            if (!seen[c]) { seen[c] = true; distinct++; }
        }
        return distinct < Math.Min(5, (value.Length / 2) + 1);
    }
}
