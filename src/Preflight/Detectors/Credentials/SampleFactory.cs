using System.Text;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// Builds sample secrets from a format with a seeded <see cref="Random"/>: the catalog's samples and the test
/// corpus are generated, never committed as live-looking keys.
/// </summary>
internal static class SampleFactory
{
    public const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string Lower = "abcdefghijklmnopqrstuvwxyz";
    public const string Digits = "0123456789";
    public const string Alnum = Upper + Lower + Digits;
    public const string UpperDigits = Upper + Digits;
    public const string LowerDigits = Lower + Digits;
    public const string Base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    public const string UrlSafe = Alnum + "-_";

    /// <summary>A random string of <paramref name="length"/> characters from <paramref name="alphabet"/>, with enough variety to look random.</summary>
    public static string S(Random random, string alphabet, int length)
    {
        ArgumentNullException.ThrowIfNull(random);
        while (true)
        {
            var sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
            var s = sb.ToString();
            // Keep samples clear of accidental placeholders and low-entropy runs.
            if (length < 8 || !SecretFormats.IsRepetitive(s) && SecretFormats.CharacterClasses(s) >= Math.Min(2, DistinctClasses(alphabet)))
                return s;
        }
    }

    private static int DistinctClasses(string alphabet) => SecretFormats.CharacterClasses(alphabet);

    /// <summary>Hex digits, lower-case.</summary>
    public static string Hex(Random random, int length) => S(random, SecretFormats.LowerHex, length);

    /// <summary>A password a person might choose: letters, digits and a symbol.</summary>
    public static string Password(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        string[] words = ["Falcon", "River", "Quartz", "Mango", "Orbit", "Tundra", "Cobalt", "Saffron", "Harbor", "Nimbus"];
        string[] symbols = ["!", "#", "%", "*", "@", "^", "+"];
        return words[random.Next(words.Length)] + random.Next(10, 99) + symbols[random.Next(symbols.Length)]
             + words[random.Next(words.Length)].ToLowerInvariant() + S(random, Alnum, 4);
    }

    /// <summary>A password that may stand in a URL's user-info without escaping.</summary>
    public static string UrlPassword(Random random) =>
        Password(random).Replace('#', '!').Replace('%', '!').Replace('@', '+').Replace('^', '*');

    /// <summary>A UUID in the usual form, from the random source.</summary>
    public static string Uuid(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString("D");
    }

    /// <summary>Base64 of <paramref name="bytes"/> random bytes.</summary>
    public static string Base64(Random random, int bytes)
    {
        ArgumentNullException.ThrowIfNull(random);
        var data = new byte[bytes];
        random.NextBytes(data);
        return Convert.ToBase64String(data);
    }

    /// <summary>Base64url (no padding) of UTF-8 text.</summary>
    public static string Base64UrlText(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Three positive samples: the secret in a YAML value, a JSON string and a shell assignment.</summary>
    public static IEnumerable<RuleSample> InContexts(string key, Func<string> secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var a = secret();
        yield return new RuleSample("config/app.yaml", $"{key}: {a}\n", a);
        var b = secret();
        yield return new RuleSample("config/app.json", $"{{\n  \"{key}\": \"{b}\"\n}}\n", b);
        var c = secret();
        yield return new RuleSample("scripts/deploy.sh", $"export {key.ToUpperInvariant()}=\"{c}\"\n", c);
    }

    /// <summary>Negative samples: each text, scanned as a YAML file.</summary>
    public static IEnumerable<RuleSample> Texts(params string[] texts) =>
        texts.Select(t => new RuleSample("config/app.yaml", t + "\n"));

    /// <summary>Samples of one path.</summary>
    public static RuleSample At(string path, string text, string? secret = null) => new(path, text, secret);
}
