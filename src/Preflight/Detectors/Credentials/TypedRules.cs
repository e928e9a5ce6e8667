using System.Text.Json;
using System.Text.RegularExpressions;
using Preflight.Content;
using Preflight.Findings;
using static Preflight.Detectors.Credentials.SampleFactory;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// The typed rules: one definition per credential format, each with its keywords, pattern, structural check
/// and sample generators side by side.
/// </summary>
internal static class TypedRules
{
    // Built on first use: a rule whose keywords never occur in a package never needs its pattern. Most patterns run on
    // the backtracking interpreter: each is a token shape (a literal prefix, then bounded classes) run on one line of at
    // most TextScanner.LongLine characters or a window around a keyword. The non-backtracking engine finds the same
    // matches, but each of its patterns keeps a symbolic automaton and its caches for the whole scan: 12 MiB of the live
    // heap on the 300 MiB benchmark package. A pattern that scans ahead over the rest of the line from each keyword
    // (curl … -u, sshpass … -p, a JDBC URL's parameters, a JWT's unbounded segments) is quadratic in a line that repeats
    // the keyword when it backtracks, 50-90 ms on a 4 KiB line here: those stay non-backtracking (`linear: true`).
    // CredentialCatalogTests holds every pattern to that on long adversarial lines; the timeout bounds the rest.
    //
    // A linear pattern is still run on the backtracking interpreter first, with a limit of LinearFirstLimit (see
    // Content.TimedRegex): building a non-backtracking regex took 10-40 ms, and the first one in a process brings its
    // engine's code to the JIT, a tenth of a small package's scan; lines that make the interpreter give up go to the
    // non-backtracking form, and after a few of them the pattern runs there only. Both forms find the same matches
    // (CredentialCatalogTests); the rule's Pattern stays the non-backtracking form.
    private static Lazy<Regex> P(string pattern, bool ignoreCase = false, bool linear = false)
    {
        var options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | (ignoreCase ? RegexOptions.IgnoreCase : 0);
        var lazy = new Lazy<Regex>(() => new Regex(pattern, options | (linear ? RegexOptions.NonBacktracking : 0), PatternTimeout),
            LazyThreadSafetyMode.ExecutionAndPublication);
        if (linear)
            LinearFirst[lazy] = new Lazy<TimedRegex>(() => new TimedRegex(new Regex(pattern, options, LinearFirstLimit)),
                LazyThreadSafetyMode.ExecutionAndPublication);
        return lazy;
    }

    /// <summary>The interpreter's time limit on a line for a linear pattern, before the non-backtracking form takes the line.</summary>
    internal static readonly TimeSpan LinearFirstLimit = TimeSpan.FromMilliseconds(50);

    // The backtracking-first form of each linear pattern, found by Rule; filled while the catalog is built.
    private static readonly Dictionary<Lazy<Regex>, Lazy<TimedRegex>> LinearFirst = [];

    /// <summary>How long one match of a typed pattern may take before the line is given up (and the scan says so).</summary>
    internal static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    private const string End = @"(?:[^A-Za-z0-9_\-]|$)";

    private static bool NotPlaceholder(string s, ReadOnlySpan<char> line) => !Placeholders.IsPlaceholder(s);
    private static bool Random16(string s, ReadOnlySpan<char> line) => SecretFormats.LooksRandom(s, 16, 3.0) && !Placeholders.IsPlaceholder(s);
    private static bool GitHubChecksum(string s, ReadOnlySpan<char> line) => SecretFormats.HasBase62Crc32Suffix(s);

    private static SecretRule Rule(RuleDescriptor d, string what, string[] keywords, Lazy<Regex> pattern,
        Func<Random, IEnumerable<RuleSample>> pos, Func<Random, IEnumerable<RuleSample>> neg,
        SecretValidator? validator = null, int specificity = 100, Func<string, bool>? path = null, bool inBinaries = true,
        Func<string, ReadOnlySpan<char>, Severity?>? severity = null, LineCondition? mayMatch = null) => new()
        {
            Descriptor = d, What = what, Keywords = keywords, LazyPattern = pattern, LazyTimed = LinearFirst.GetValueOrDefault(pattern), Positives = pos, Negatives = neg,
            Validator = validator, Specificity = specificity, PathFilter = path, InBinaries = inBinaries, SeverityFor = severity,
            MayMatch = mayMatch,
        };

    private static bool FileNamed(string path, params string[] names)
    {
        var name = path.AsSpan(path.LastIndexOf('/') + 1);
        foreach (var n in names)
            if (name.Equals(n, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string GitHubToken(Random r, string prefix) => prefix + SecretFormats.WithBase62Crc32(S(r, Alnum, 30));

    private static string BadChecksum(Random r, string prefix)
    {
        while (true)
        {
            var t = prefix + S(r, Alnum, 36);
            if (!SecretFormats.HasBase62Crc32Suffix(t)) return t;
        }
    }

    /// <summary>Every typed rule.</summary>
    public static IReadOnlyList<SecretRule> All { get; } = Build();

    private static List<SecretRule> Build() =>
    [
        Rule(CredentialRules.AwsAccessKey, "AWS access key id", ["AKIA", "ASIA", "ABIA", "ACCA"],
            P(@"\b(?<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b"),
            r => InContexts("aws_access_key_id", () => "AKIA" + S(r, Base32Upper, 16)),
            r => Texts("aws_access_key_id: AKIAIOSFODNN7EXAMPLE", "aws_access_key_id: AKIA" + S(r, Base32Upper, 12), "id: akia" + S(r, Lower, 16), "key: AKIA1234567890ABCD01"),
            validator: static (s, _) => !s.EndsWith("EXAMPLE", StringComparison.Ordinal) && !SecretFormats.IsRepetitive(s.AsSpan(4))),

        Rule(CredentialRules.AwsSecretKey, "AWS secret access key", ["secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret", "aws-secret", "awssecret"],
            P(@"(?<k>(?:aws[_.\-]?)?secret[_.\-]?access[_.\-]?key|aws[_.\-]?secret[_.\-]?key)[""']?\s*(?:=>|:=|[:=])\s*[""']?(?<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)", ignoreCase: true),
            r => InContexts("aws_secret_access_key", () => S(r, Alnum + "/+", 40)),
            r => Texts("aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key: ${AWS_SECRET_ACCESS_KEY}",
                "aws_secret_access_key: " + S(r, Alnum, 30), "secret: " + S(r, Alnum + "/+", 40)),
            validator: static (s, _) => SecretFormats.LooksRandom(s, 40, 4.0) && !s.Contains("EXAMPLE", StringComparison.Ordinal)),

        Rule(CredentialRules.AwsSessionToken, "AWS session token", ["session_token", "sessiontoken", "security-token", "session-token"],
            P(@"(?<k>aws[_.\-]?session[_.\-]?token|x-amz-security-token|sessiontoken)[""']?\s*(?:=>|[:=])\s*[""']?(?<s>[A-Za-z0-9/+=]{100,})", ignoreCase: true),
            r => InContexts("aws_session_token", () => "IQoJb3JpZ2luX2Vj" + Base64(r, 240).TrimEnd('=')),
            r => Texts("aws_session_token: ${AWS_SESSION_TOKEN}", "aws_session_token: " + Base64(r, 30), "session: IQoJb3JpZ2luX2Vj" + Base64(r, 200)),
            validator: static (s, _) => SecretFormats.LooksRandom(s, 100, 4.0)),

        Rule(CredentialRules.GitHubPat, "GitHub personal access token", ["ghp_"],
            P(@"\b(?<s>ghp_[A-Za-z0-9]{36})\b"),
            r => InContexts("github_token", () => GitHubToken(r, "ghp_")),
            r => Texts("github_token: " + BadChecksum(r, "ghp_"), "github_token: ghp_" + S(r, Alnum, 20), "github_token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "token: gh_" + S(r, Alnum, 36)),
            validator: GitHubChecksum),

        Rule(CredentialRules.GitHubFineGrainedPat, "GitHub fine-grained personal access token", ["github_pat_"],
            P(@"\b(?<s>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b"),
            r => InContexts("gh_token", () => "github_pat_" + S(r, Alnum, 22) + "_" + S(r, Alnum, 59)),
            r => Texts("gh_token: github_pat_" + S(r, Alnum, 22), "gh_token: github_pat_" + S(r, Alnum, 22) + "_" + S(r, Alnum, 40),
                "gh_token: github_pat_XXXXXXXXXXXXXXXXXXXXXX_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "gh_token: githubpat" + S(r, Alnum, 60)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(11), 40, 4.0)),

        Rule(CredentialRules.GitHubOAuthToken, "GitHub OAuth token", ["gho_"],
            P(@"\b(?<s>gho_[A-Za-z0-9]{36})\b"),
            r => InContexts("oauth_token", () => GitHubToken(r, "gho_")),
            r => Texts("oauth_token: " + BadChecksum(r, "gho_"), "oauth_token: gho_" + S(r, Alnum, 12), "oauth_token: gho_0000000000000000000000000000000000000"),
            validator: GitHubChecksum),

        Rule(CredentialRules.GitHubAppToken, "GitHub App token", ["ghu_", "ghs_"],
            P(@"\b(?<s>gh[us]_[A-Za-z0-9]{36})\b"),
            r => InContexts("installation_token", () => GitHubToken(r, r.Next(2) == 0 ? "ghu_" : "ghs_")),
            r => Texts("installation_token: " + BadChecksum(r, "ghs_"), "installation_token: ghs_" + S(r, Alnum, 10), "installation_token: ghx_" + S(r, Alnum, 36)),
            validator: GitHubChecksum),

        Rule(CredentialRules.GitHubRefreshToken, "GitHub refresh token", ["ghr_"],
            P(@"\b(?<s>ghr_[A-Za-z0-9]{36,76})\b"),
            r => InContexts("refresh_token", () => GitHubToken(r, "ghr_")),
            r => Texts("refresh_token: " + BadChecksum(r, "ghr_"), "refresh_token: ghr_" + S(r, Alnum, 20), "refresh_token: ghr-" + S(r, Alnum, 36)),
            validator: GitHubChecksum),

        Rule(CredentialRules.GitLabPat, "GitLab access token", ["glpat-"],
            P(@"\b(?<s>glpat-[A-Za-z0-9_\-]{20,60}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,12})?)" + End),
            r => InContexts("gitlab_token", () => "glpat-" + S(r, UrlSafe, 20)),
            r => Texts("gitlab_token: glpat-xxxxxxxxxxxxxxxxxxxx", "gitlab_token: glpat-" + S(r, Alnum, 12), "gitlab_token: <glpat-your-token-here>", "gitlab_token: glpat_" + S(r, Alnum, 20)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(6), 20, 3.0) && !Placeholders.IsPlaceholder(s.AsSpan(6))),

        Rule(CredentialRules.GitLabRunnerToken, "GitLab runner token", ["glrt-", "GR1348941"],
            P(@"\b(?<s>(?:glrt-|GR1348941)[A-Za-z0-9_\-]{20,60})" + End),
            r => InContexts("runner_token", () => (r.Next(2) == 0 ? "glrt-" : "GR1348941") + S(r, UrlSafe, 20)),
            r => Texts("runner_token: glrt-" + S(r, Alnum, 10), "runner_token: glrt-xxxxxxxxxxxxxxxxxxxxxxxx", "runner_token: GR1348941", "runner_token: glrt_" + S(r, Alnum, 24)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(s.StartsWith("glrt-", StringComparison.Ordinal) ? 5 : 9), 20, 3.0)),

        Rule(CredentialRules.GitLabTriggerToken, "GitLab pipeline trigger token", ["glptt-"],
            P(@"\b(?<s>glptt-[0-9a-f]{40})\b"),
            r => InContexts("trigger_token", () => "glptt-" + Hex(r, 40)),
            r => Texts("trigger_token: glptt-" + Hex(r, 20), "trigger_token: glptt-" + S(r, "ghijklmnop", 40), "trigger_token: glptt-0000000000000000000000000000000000000000"),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(6), 40, 3.0)),

        Rule(CredentialRules.BitbucketAppPassword, "Bitbucket app password", ["ATBB"],
            P(@"\b(?<s>ATBB[A-Za-z0-9]{28,60})\b"),
            r => InContexts("bitbucket_password", () => "ATBB" + S(r, Alnum, 32)),
            r => Texts("bitbucket_password: ATBB" + S(r, Alnum, 12), "bitbucket_password: ATBBXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "bitbucket_password: atbb" + S(r, Alnum, 32)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(4), 28, 3.5) && SecretFormats.CharacterClasses(s.AsSpan(4)) >= 3),

        Rule(CredentialRules.NpmToken, "npm access token", ["npm_"],
            P(@"\b(?<s>npm_[A-Za-z0-9]{36})\b"),
            r => InContexts("npm_token", () => GitHubToken(r, "npm_")),
            r => Texts("npm_token: " + BadChecksum(r, "npm_"), "npm_token: npm_" + S(r, Alnum, 20), "npm_token: npm_" + new string('a', 36)),
            validator: GitHubChecksum),

        Rule(CredentialRules.NuGetApiKey, "NuGet API key", ["oy2"],
            P(@"\b(?<s>oy2[a-z0-9]{43})\b"),
            r => InContexts("nuget_api_key", () => "oy2" + S(r, LowerDigits, 43)),
            r => Texts("nuget_api_key: oy2" + S(r, LowerDigits, 20), "nuget_api_key: oy2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "nuget_api_key: OY2" + S(r, UpperDigits, 43)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(3), 40, 3.5)),

        Rule(CredentialRules.PyPiToken, "PyPI API token", ["pypi-AgEIcHlwaS5vcmc"],
            P(@"\b(?<s>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,300})" + End),
            r => InContexts("pypi_token", () => "pypi-AgEIcHlwaS5vcmc" + S(r, UrlSafe, 120)),
            r => Texts("pypi_token: pypi-AgEIcHlwaS5vcmc", "pypi_token: pypi-AgEIcHlwaS5vcmc" + S(r, Alnum, 20), "pypi_token: pypi-" + S(r, Alnum, 120)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(20), 50, 4.0)),

        Rule(CredentialRules.DockerHubToken, "Docker Hub access token", ["dckr_pat_", "dckr_oat_"],
            P(@"\b(?<s>dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,32})" + End),
            r => InContexts("docker_token", () => "dckr_pat_" + S(r, UrlSafe, 27)),
            r => Texts("docker_token: dckr_pat_" + S(r, Alnum, 12), "docker_token: dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx", "docker_token: dckr_" + S(r, Alnum, 27)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(9), 20, 3.5)),

        Rule(CredentialRules.SlackToken, "Slack token", ["xoxb-", "xoxp-", "xoxe-", "xapp-"],
            P(@"\b(?<s>xox[bpe]-[0-9]{10,13}-[0-9]{10,13}(?:-[0-9]{10,13})?-[A-Za-z0-9]{24,34}|xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,13}-[a-f0-9]{64})\b"),
            r => InContexts("slack_token", () => r.Next(3) switch
            {
                0 => "xoxb-" + S(r, Digits, 12) + "-" + S(r, Digits, 13) + "-" + S(r, Alnum, 24),
                1 => "xoxp-" + S(r, Digits, 12) + "-" + S(r, Digits, 12) + "-" + S(r, Digits, 13) + "-" + S(r, Alnum, 32),
                _ => "xapp-1-" + S(r, UpperDigits, 11) + "-" + S(r, Digits, 13) + "-" + Hex(r, 64),
            }),
            r => Texts("slack_token: xoxb-" + S(r, Digits, 12) + "-" + S(r, Alnum, 24), "slack_token: xoxb-xxxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx", "slack_token: xoxq-" + S(r, Digits, 12) + "-" + S(r, Digits, 13) + "-" + S(r, Alnum, 24)),
            validator: static (s, _) => !SecretFormats.IsRepetitive(s.AsSpan(s.LastIndexOf('-') + 1))),

        Rule(CredentialRules.SlackWebhook, "Slack webhook URL", ["hooks.slack.com"],
            P(@"(?<s>https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{8,12}/[AB][A-Z0-9]{8,12}/[A-Za-z0-9]{23,24})\b"),
            r => InContexts("slack_webhook", () => "https://hooks.slack.com/services/T" + S(r, UpperDigits, 8) + "/B" + S(r, UpperDigits, 10) + "/" + S(r, Alnum, 24)),
            r => Texts("slack_webhook: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack_webhook: https://hooks.slack.com/services/", "slack_webhook: https://hooks.slack.com/services/T" + S(r, UpperDigits, 8) + "/B" + S(r, UpperDigits, 10)),
            validator: static (s, _) => !SecretFormats.IsRepetitive(s.AsSpan(s.LastIndexOf('/') + 1)) && !s.Contains("T00000000", StringComparison.Ordinal)),

        Rule(CredentialRules.TeamsWebhook, "Microsoft Teams webhook URL", ["webhook.office.com"],
            P(@"(?<s>https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[0-9a-f\-]{36}@[0-9a-f\-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f\-]{36})"),
            r => InContexts("teams_webhook", () => $"https://contoso.webhook.office.com/webhookb2/{Uuid(r)}@{Uuid(r)}/IncomingWebhook/{Hex(r, 32)}/{Uuid(r)}"),
            r => Texts("teams_webhook: https://contoso.webhook.office.com/webhookb2/", $"teams_webhook: https://contoso.webhook.office.com/webhookb2/{Uuid(r)}/IncomingWebhook/", "teams_webhook: https://outlook.office.com/webhook/" + Uuid(r))),

        Rule(CredentialRules.DiscordWebhook, "Discord webhook URL", ["discord.com/api/webhooks", "discordapp.com/api/webhooks"],
            P(@"(?<s>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})" + End),
            r => InContexts("discord_webhook", () => "https://discord.com/api/webhooks/" + S(r, Digits, 18) + "/" + S(r, UrlSafe, 68)),
            r => Texts("discord_webhook: https://discord.com/api/webhooks/" + S(r, Digits, 18), "discord_webhook: https://discord.com/api/webhooks/{id}/{token}", "discord_webhook: https://discord.com/api/webhooks/" + S(r, Digits, 18) + "/" + S(r, Alnum, 20)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(s.LastIndexOf('/') + 1), 60, 4.0)),

        Rule(CredentialRules.StripeKey, "Stripe secret key", ["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
            P(@"\b(?<s>[sr]k_(?:live|test)_[A-Za-z0-9]{24,99})\b"),
            r => InContexts("stripe_key", () => "sk_live_" + S(r, Alnum, 24 + r.Next(76))),
            r => Texts("stripe_key: pk_live_" + S(r, Alnum, 24), "stripe_key: sk_live_" + S(r, Alnum, 12), "stripe_key: sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "stripe_key: sk_prod_" + S(r, Alnum, 30)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(8), 20, 3.5),
            severity: static (s, _) => s.Contains("_test_", StringComparison.Ordinal) ? Severity.Low : null),

        Rule(CredentialRules.TwilioApiKey, "Twilio API key", ["SK"],
            P(@"\b(?<s>SK[0-9a-f]{32})\b"),
            r => InContexts("twilio_api_key", () => "SK" + Hex(r, 32)),
            r => Texts("twilio_api_key: SK" + Hex(r, 20), "twilio_api_key: SK00000000000000000000000000000000", "twilio_account: AC" + Hex(r, 32), "twilio_api_key: sk" + Hex(r, 32)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(2), 32, 3.0)),

        Rule(CredentialRules.SendGridApiKey, "SendGrid API key", ["SG."],
            P(@"\b(?<s>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + End),
            r => InContexts("sendgrid_api_key", () => "SG." + S(r, UrlSafe, 22) + "." + S(r, UrlSafe, 43)),
            r => Texts("sendgrid_api_key: SG." + S(r, UrlSafe, 22), "sendgrid_api_key: SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sendgrid_api_key: SG-" + S(r, Alnum, 22) + "." + S(r, Alnum, 43)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(26), 40, 4.0)),

        Rule(CredentialRules.MailgunApiKey, "Mailgun API key", ["key-"],
            P(@"\b(?<s>key-[0-9a-f]{32})\b"),
            r => InContexts("mailgun_api_key", () => "key-" + Hex(r, 32)),
            r => Texts("mailgun_api_key: key-" + Hex(r, 16), "mailgun_api_key: key-00000000000000000000000000000000", "ssh_key-file: /etc/key-" + S(r, Lower, 32)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(4), 32, 3.0)),

        Rule(CredentialRules.ShopifyToken, "Shopify token", ["shpat_", "shpca_", "shppa_", "shpss_"],
            P(@"\b(?<s>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b"),
            r => InContexts("shopify_token", () => "shpat_" + Hex(r, 32)),
            r => Texts("shopify_token: shpat_" + Hex(r, 16), "shopify_token: shpat_00000000000000000000000000000000", "shopify_token: shpxx_" + Hex(r, 32)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(6), 32, 3.0)),

        Rule(CredentialRules.SquareToken, "Square access token", ["EAAA", "sq0atp-", "sq0csp-"],
            P(@"\b(?<s>EAAA[A-Za-z0-9_\-]{60}|sq0atp-[A-Za-z0-9_\-]{22}|sq0csp-[A-Za-z0-9_\-]{43})" + End),
            r => InContexts("square_token", () => r.Next(2) == 0 ? "EAAA" + S(r, UrlSafe, 60) : "sq0csp-" + S(r, UrlSafe, 43)),
            r => Texts("square_token: EAAA" + S(r, Alnum, 20), "square_token: sq0atp-xxxxxxxxxxxxxxxxxxxxxx", "square_token: sq0xyz-" + S(r, Alnum, 22)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(7), 20, 3.5)),

        Rule(CredentialRules.BraintreeToken, "Braintree access token", ["access_token$"],
            P(@"(?<s>access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32})\b"),
            r => InContexts("braintree_token", () => "access_token$production$" + S(r, LowerDigits, 16) + "$" + Hex(r, 32)),
            r => Texts("braintree_token: access_token$production$", "braintree_token: access_token$production$" + S(r, LowerDigits, 16), "braintree_token: access_token$staging$" + S(r, LowerDigits, 16) + "$" + Hex(r, 32))),

        Rule(CredentialRules.DatadogApiKey, "Datadog key", ["datadog", "dd_api", "dd_app", "dd-api", "dd-app", "ddapi"],
            P(@"(?<k>(?:datadog|dd)[_.\-]?(?:api|app(?:lication)?)[_.\-]?key)[""']?\s*(?:=>|[:=])\s*[""']?(?<s>[a-f0-9]{32}(?:[a-f0-9]{8})?)\b", ignoreCase: true),
            r => InContexts("dd_api_key", () => Hex(r, 32)),
            r => Texts("dd_api_key: ${DD_API_KEY}", "dd_api_key: " + Hex(r, 20), "api_key: " + Hex(r, 32) + "  # not datadog", "dd_api_key: 00000000000000000000000000000000"),
            validator: static (s, _) => SecretFormats.LooksRandom(s, 32, 3.0)),

        Rule(CredentialRules.NewRelicKey, "New Relic key", ["NRAK-", "NRII-", "NRJS-"],
            P(@"\b(?<s>NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9_\-]{32})" + End),
            r => InContexts("newrelic_key", () => "NRAK-" + S(r, UpperDigits, 27)),
            r => Texts("newrelic_key: NRAK-" + S(r, UpperDigits, 10), "newrelic_key: NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX", "newrelic_key: NRXX-" + S(r, UpperDigits, 27)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(5), 19, 3.0)),

        Rule(CredentialRules.SentryDsn, "Sentry DSN key", ["sentry", "ingest"],
            P(@"https://(?<s>[0-9a-f]{32})(?::[0-9a-f]{32})?@[a-z0-9.\-]+(?::[0-9]+)?/[0-9]+"),
            r => InContexts("sentry_dsn", () => Hex(r, 32)).Select(x => x with { Text = x.Text.Replace(x.Secret!, "https://" + x.Secret + "@o" + S(r, Digits, 6) + ".ingest.sentry.io/" + S(r, Digits, 7), StringComparison.Ordinal) }),
            r => Texts("sentry_dsn: https://examplePublicKey@o0.ingest.sentry.io/0", "sentry_dsn: https://" + Hex(r, 32) + "@sentry.example.com", "sentry_dsn: https://00000000000000000000000000000000@o1.ingest.sentry.io/1"),
            validator: static (s, _) => SecretFormats.LooksRandom(s, 32, 3.0)),

        Rule(CredentialRules.HerokuApiKey, "Heroku API key", ["HRKU-"],
            P(@"\b(?<s>HRKU-[A-Za-z0-9_\-]{60})" + End),
            r => InContexts("heroku_api_key", () => "HRKU-" + S(r, UrlSafe, 60)),
            r => Texts("heroku_api_key: HRKU-" + S(r, Alnum, 20), "heroku_api_key: HRKU-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "heroku_api_key: HRK-" + S(r, Alnum, 60)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(5), 40, 4.0)),

        Rule(CredentialRules.DigitalOceanToken, "DigitalOcean token", ["dop_v1_", "doo_v1_", "dor_v1_"],
            P(@"\b(?<s>do[opr]_v1_[a-f0-9]{64})\b"),
            r => InContexts("do_token", () => "dop_v1_" + Hex(r, 64)),
            r => Texts("do_token: dop_v1_" + Hex(r, 30), "do_token: dop_v1_" + new string('0', 64), "do_token: dox_v1_" + Hex(r, 64)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(7), 64, 3.5)),

        Rule(CredentialRules.VaultToken, "HashiCorp Vault token", ["hvs.", "hvb."],
            P(@"\b(?<s>hv[sb]\.[A-Za-z0-9_\-]{90,120})" + End),
            r => InContexts("vault_token", () => "hvs." + S(r, UrlSafe, 91)),
            r => Texts("vault_token: hvs." + S(r, Alnum, 24), "vault_token: hvs.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "vault_token: hvx." + S(r, Alnum, 91)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(4), 90, 4.0)),

        Rule(CredentialRules.TerraformToken, "Terraform Cloud token", ["atlasv1"],
            P(@"\b(?<s>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70})" + End),
            r => InContexts("tfe_token", () => S(r, Alnum, 14) + ".atlasv1." + S(r, UrlSafe, 67)),
            r => Texts("tfe_token: " + S(r, Alnum, 14) + ".atlasv1.", "tfe_token: xxxxxxxxxxxxxx.atlasv1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "tfe_token: " + S(r, Alnum, 14) + ".atlasv2." + S(r, Alnum, 67)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(23), 60, 4.0)),

        Rule(CredentialRules.OpenAiApiKey, "OpenAI API key", ["T3BlbkFJ"],
            P(@"\b(?<s>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,74}T3BlbkFJ[A-Za-z0-9_\-]{20,74})" + End),
            r => InContexts("openai_api_key", () => "sk-proj-" + S(r, UrlSafe, 58) + "T3BlbkFJ" + S(r, UrlSafe, 58)),
            r => Texts("openai_api_key: sk-" + S(r, Alnum, 48), "openai_api_key: sk-...T3BlbkFJ...", "openai_api_key: pk-" + S(r, Alnum, 20) + "T3BlbkFJ" + S(r, Alnum, 20))),

        Rule(CredentialRules.AnthropicApiKey, "Anthropic API key", ["sk-ant-"],
            P(@"\b(?<s>sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA)" + End),
            r => InContexts("anthropic_api_key", () => "sk-ant-api03-" + S(r, UrlSafe, 93) + "AA"),
            r => Texts("anthropic_api_key: sk-ant-api03-" + S(r, Alnum, 40), "anthropic_api_key: sk-ant-api03-...", "anthropic_api_key: sk-ant-xyz99-" + S(r, Alnum, 93) + "AA"),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(13), 90, 4.0)),

        Rule(CredentialRules.GcpApiKey, "Google API key", ["AIza"],
            P(@"\b(?<s>AIza[0-9A-Za-z_\-]{35})" + End),
            r => InContexts("google_api_key", () => "AIza" + S(r, UrlSafe, 35)),
            r => Texts("google_api_key: AIza" + S(r, Alnum, 20), "google_api_key: AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "google_api_key: AIzb" + S(r, Alnum, 35)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(4), 30, 3.5)),

        Rule(CredentialRules.GcpServiceAccountKey, "Google Cloud service-account private key", ["\"private_key\""],
            P(@"""private_key""\s*:\s*""(?<s>-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\n|[A-Za-z0-9+/=])+-----END (?:RSA )?PRIVATE KEY-----)(?:\\n)?"""),
            r => Enumerable.Range(0, 3).Select(_ =>
            {
                var key = "-----BEGIN PRIVATE KEY-----\\n" + string.Join("\\n", Enumerable.Range(0, 6).Select(_ => Base64(r, 48))) + "\\n-----END PRIVATE KEY-----";
                return At("deploy/sa.json", "{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"" + Hex(r, 40) + "\",\n  \"private_key\": \"" + key + "\\n\",\n  \"client_email\": \"svc@acme-prod.iam.gserviceaccount.com\"\n}\n", key);
            }),
            r => [At("deploy/sa.json", "{ \"type\": \"service_account\", \"private_key\": \"\" }\n"), At("deploy/sa.json", "{ \"private_key\": \"${GCP_PRIVATE_KEY}\" }\n"),
                  At("deploy/sa.json", "{ \"public_key\": \"-----BEGIN PUBLIC KEY-----\\n" + Base64(r, 60) + "\\n-----END PUBLIC KEY-----\" }\n")],
            specificity: 130),

        Rule(CredentialRules.AzureStorageKey, "Azure storage account key", ["AccountKey"],
            P(@"(?<k>AccountKey)\s*=\s*(?<s>[A-Za-z0-9+/]{86}==)", ignoreCase: true),
            r => Enumerable.Range(0, 3).Select(_ =>
            {
                var key = Base64(r, 64);
                return At("config/storage.config", $"DefaultEndpointsProtocol=https;AccountName=acme{S(r, LowerDigits, 6)};AccountKey={key};EndpointSuffix=core.windows.net\n", key);
            }),
            r => Texts("conn: DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
                "conn: AccountKey=${STORAGE_KEY}", "conn: AccountKey=" + Base64(r, 32)),
            validator: static (s, _) => SecretFormats.DecodeBase64(s) is { Length: 64 } && !s.StartsWith("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq", StringComparison.Ordinal),
            specificity: 130),

        Rule(CredentialRules.AzureSasToken, "Azure shared access signature", ["sig="],
            P(@"[?&;](?<k>sig)=(?<s>[A-Za-z0-9%/+]{40,120})"),
            r => Enumerable.Range(0, 3).Select(_ =>
            {
                var sig = Uri.EscapeDataString(Base64(r, 32));
                return At("config/blob.env", $"BLOB_URL=https://acme.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2027-01-01T00:00:00Z&spr=https&sig={sig}\n", sig);
            }),
            r => Texts("url: https://acme.blob.core.windows.net/c?sv=2022-11-02&sig=<signature>", "url: https://example.com/?sig=" + S(r, Alnum, 43) + "%3D",
                "url: https://acme.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=" + Base64(r, 16)),
            validator: static (s, line) => line.Contains("sv=", StringComparison.Ordinal)
                && SecretFormats.DecodeBase64(Uri.UnescapeDataString(s)) is { Length: 32 }),

        Rule(CredentialRules.AzureAdClientSecret, "Microsoft Entra ID client secret", ["Q~"],
            P(@"(?:^|[^A-Za-z0-9_~.\-])(?<s>[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|$)"),
            r => InContexts("client_secret", () => S(r, Alnum, 3) + r.Next(10) + "Q~" + S(r, Alnum + "_~.-", 34)),
            r => Texts("client_secret: abc8Q~" + S(r, Alnum, 10), "client_secret: abc8Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "client_secret: abcdQ~" + S(r, Alnum, 34)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(6), 30, 3.5)),

        Rule(CredentialRules.Jwt, "JSON Web Token", ["eyJ"],
            P(@"\b(?<s>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})", linear: true),
            r => InContexts("auth_token", () => Jwts.Signed(r)),
            r => Texts("auth_token: " + Jwts.Example, "auth_token: " + Jwts.Unsigned(r), "auth_token: " + Jwts.NoClaims(r), "auth_token: eyJhbGciOi.eyJzdWIiOi.sig"),
            validator: static (s, _) => Jwts.IsRealSignedToken(s)),

        Rule(CredentialRules.PasswordHash, "password hash", ["$apr1$", "$2y$", "$2a$", "$2b$", "$6$", "$5$", "$1$", "$y$", "{SHA}"],
            P(@"^(?<k>[A-Za-z0-9._\-]{1,32}):(?<s>\$(?:apr1|2[aby]|1|5|6|y)\$[./A-Za-z0-9$]{20,}|\{SHA\}[A-Za-z0-9+/]{27}=)"),
            r => [At("etc/nginx/.htpasswd", "admin:$apr1$" + S(r, Alnum, 8) + "$" + S(r, Alnum + "./", 22) + "\n", null),
                  At("etc/shadow", "deploy:$6$" + S(r, Alnum, 16) + "$" + S(r, Alnum + "./", 86) + ":19500:0:99999:7:::\n", null),
                  At("etc/nginx/.htpasswd", "ops:$2y$10$" + S(r, Alnum + "./", 53) + "\n", null)],
            r => [At("etc/shadow", "daemon:*:19500:0:99999:7:::\n"), At("etc/shadow", "nobody:!:19500:0:99999:7:::\n"), At("etc/nginx/.htpasswd", "# user:$apr1$salt$hash\n")]),

        Rule(CredentialRules.BasicAuthUrl, "password in a URL", ["://"],
            P(@"\b(?<k>[a-z][a-z0-9+.\-]{1,15})://(?<u>[^:/?#@\s""'<>]{1,64}):(?<s>[^@/?#\s""'<>]{3,128})@[A-Za-z0-9.\-\[\]]+", ignoreCase: true),
            r => InContexts("upstream", () => UrlPassword(r)).Select(x => x with { Text = x.Text.Replace(x.Secret!, "https://deploy:" + x.Secret + "@artifacts.acme.internal/repo", StringComparison.Ordinal) }),
            r => Texts("upstream: https://user:password@example.com/", "upstream: https://deploy:${REPO_PASSWORD}@artifacts.acme.internal/", "upstream: https://artifacts.acme.internal/repo", "upstream: git@github.com:acme/repo.git"),
            validator: static (s, _) => !Placeholders.IsPlaceholder(s) && !s.Contains('$', StringComparison.Ordinal),
            specificity: 50,
            // The pattern needs user:password@ after the scheme: no '@' on the line, no match (most logged URLs).
            mayMatch: static line => line.Contains('@')),

        Rule(CredentialRules.ConnectionStringPassword, "connection-string password", ["password", "pwd"],
            P(@"(?:^|[;""'\s])(?<k>Password|Pwd)\s*=\s*(?<s>[^;""'\r\n]{3,128})", ignoreCase: true),
            r => InContexts("ConnectionString", () => Password(r)).Select(x => x with { Text = x.Text.Replace(x.Secret!, "Server=db01.acme.internal;Database=Orders;User Id=orders_app;Password=" + x.Secret + ";", StringComparison.Ordinal) }),
            r => Texts("conn: Server=db;Database=Orders;Integrated Security=true;", "conn: Server=db;Database=Orders;User Id=sa;Password=${DB_PASSWORD};", "conn: Server=db;User Id=sa;Password=;", "note: password=hunter2 is weak"),
            validator: static (s, line) => line.Contains(';') && !Placeholders.IsPlaceholder(s.Trim()) && HasAny(line, "server=", "data source=", "host=", "database=", "initial catalog=", "user id=", "uid=", "driver=", "dsn=", "username="),
            specificity: 80),

        Rule(CredentialRules.DatabaseUrlPassword, "database URL password", ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroach"],
            P(@"\b(?<k>postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb)://(?<u>[^:/?#@\s""']*):(?<s>[^@/?#\s""']{3,128})@", ignoreCase: true),
            r => InContexts("database_url", () => UrlPassword(r)).Select((x, i) => x with
            {
                Text = x.Text.Replace(x.Secret!, new[] { "postgresql://app:", "mongodb+srv://svc:", "redis://:" }[i] + x.Secret + new[] { "@db.acme.internal:5432/app", "@cluster0.acme.internal/app", "@cache.acme.internal:6379/0" }[i], StringComparison.Ordinal),
            }),
            r => Texts("database_url: postgresql://app:${DB_PASSWORD}@db/app", "database_url: postgresql://db.acme.internal:5432/app", "database_url: mongodb://user:<password>@host/db", "database_url: redis://cache:6379/0"),
            validator: static (s, _) => !Placeholders.IsPlaceholder(s) && !s.Contains('$', StringComparison.Ordinal),
            specificity: 120),

        Rule(CredentialRules.JdbcPassword, "JDBC password", ["jdbc:"],
            P(@"jdbc:[a-z0-9]+:[^\s""']*?[?;&:](?<k>password)=(?<s>[^;&\s""']{3,128})", ignoreCase: true, linear: true),
            r => InContexts("jdbc_url", () => Password(r).Replace(";", "", StringComparison.Ordinal)).Select(x => x with { Text = x.Text.Replace(x.Secret!, "jdbc:sqlserver://db01:1433;databaseName=orders;user=app;password=" + x.Secret, StringComparison.Ordinal) }),
            r => Texts("jdbc_url: jdbc:postgresql://db:5432/app?user=app&password=${DB_PASS}", "jdbc_url: jdbc:postgresql://db:5432/app?user=app", "jdbc_url: jdbc:mysql://db/app?password="),
            validator: NotPlaceholder,
            specificity: 120),

        Rule(CredentialRules.LibpqKeywordPassword, "libpq connection password", ["dbname=", "host="],
            P(@"(?:^|[\s""'])(?<k>password)\s*=\s*(?<s>'[^']{3,128}'|[^\s'""]{3,128})"),
            r => InContexts("pg_conn", () => Password(r)).Select(x => x with { Text = x.Text.Replace(x.Secret!, "host=db.acme.internal port=5432 dbname=app user=app password=" + x.Secret + " sslmode=require", StringComparison.Ordinal) }),
            r => Texts("pg_conn: host=db dbname=app user=app", "pg_conn: host=db dbname=app user=app password=$PGPASSWORD", "pg_conn: host=db dbname=app password=''"),
            validator: static (s, line) => !line.Contains(';') && !Placeholders.IsPlaceholder(s.Trim('\'')) && HasAny(line, "dbname=", "host=") && HasAny(line, "user="),
            specificity: 110),

        Rule(CredentialRules.CurlBasicAuth, "curl password", ["curl"],
            P(@"\bcurl\b[^\r\n]*?\s(?:-u|--user)(?:\s+|=)[""']?(?<u>[^:\s""']+):(?<s>[^\s""']{3,128})", linear: true),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("scripts/upload.sh", $"curl -sS -u deploy:{p} -T build.tgz https://artifacts.acme.internal/upload\n", p); }),
            r => [At("scripts/upload.sh", "curl -u deploy:$ARTIFACT_PASSWORD https://artifacts/\n"), At("scripts/upload.sh", "curl -u \"$USER:$PASS\" https://artifacts/\n"), At("scripts/upload.sh", "curl --netrc https://artifacts/\n")],
            validator: NotPlaceholder, specificity: 110, inBinaries: false),

        Rule(CredentialRules.SshpassPassword, "sshpass password", ["sshpass"],
            P(@"\bsshpass\b[^\r\n]*?\s-p\s*[""']?(?<s>[^\s""']{3,128})", linear: true),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("scripts/sync.sh", $"sshpass -p '{p}' ssh deploy@app01 'systemctl restart acme'\n", p); }),
            r => [At("scripts/sync.sh", "sshpass -e ssh deploy@app01\n"), At("scripts/sync.sh", "sshpass -p \"$SSHPASS\" ssh deploy@app01\n"), At("scripts/sync.sh", "sshpass -f /run/secrets/ssh ssh deploy@app01\n")],
            validator: NotPlaceholder, specificity: 110, inBinaries: false),

        Rule(CredentialRules.DockerLoginPassword, "docker login password", ["docker"],
            P(@"\bdocker\s+login\b[^\r\n]*?\s(?:-p|--password)(?:\s+|=)[""']?(?<s>[^\s""']{3,128})"),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("scripts/push.sh", $"docker login -u ci -p {p} registry.acme.internal\n", p); }),
            r => [At("scripts/push.sh", "echo \"$TOKEN\" | docker login -u ci --password-stdin registry\n"), At("scripts/push.sh", "docker login -u ci -p $REGISTRY_PASSWORD registry\n"), At("scripts/push.sh", "docker login registry.acme.internal\n")],
            validator: NotPlaceholder, specificity: 110, inBinaries: false),

        Rule(CredentialRules.NpmrcAuthToken, ".npmrc credential", ["_auth", "_password"],
            P(@"(?<k>_authToken|_auth|_password)\s*=\s*[""']?(?<s>[^\s""']{8,})"),
            r => Enumerable.Range(0, 3).Select(_ => { var t = S(r, Alnum, 36); return At(".npmrc", $"registry=https://npm.acme.internal/\n//npm.acme.internal/:_authToken={t}\n", t); }),
            r => [At(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"), At(".npmrc", "registry=https://npm.acme.internal/\n"), At(".npmrc", "//registry.npmjs.org/:_authToken=\n")],
            validator: static (s, _) => !Placeholders.IsPlaceholder(s), path: static p => FileNamed(p, ".npmrc", ".yarnrc", ".yarnrc.yml"), specificity: 90, inBinaries: false),

        Rule(CredentialRules.PypircPassword, ".pypirc password", ["password"],
            P(@"^\s*(?<k>password)\s*[:=]\s*(?<s>\S{3,})"),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At(".pypirc", $"[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.acme.internal/\nusername = deploy\npassword = {p}\n", p); }),
            r => [At(".pypirc", "[pypi]\nusername = __token__\npassword = <your-token>\n"), At(".pypirc", "[pypi]\nusername = deploy\n"), At(".pypirc", "[pypi]\npassword = ${PYPI_PASSWORD}\n")],
            validator: NotPlaceholder, path: static p => FileNamed(p, ".pypirc"), specificity: 90, inBinaries: false),

        Rule(CredentialRules.NetrcPassword, ".netrc password", ["password"],
            P(@"\bpassword\s+(?<s>\S{3,})"),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("home/deploy/.netrc", $"machine artifacts.acme.internal\n  login deploy\n  password {p}\n", p); }),
            r => [At("home/deploy/.netrc", "machine artifacts.acme.internal login deploy\n"), At("home/deploy/.netrc", "machine a login b password $NETRC_PASSWORD\n"), At("home/deploy/.netrc", "# password goes here\n")],
            validator: static (s, _) => !Placeholders.IsPlaceholder(s) && !s.Equals("goes", StringComparison.Ordinal), path: static p => FileNamed(p, ".netrc", "_netrc"), specificity: 90, inBinaries: false),

        Rule(CredentialRules.NuGetConfigPassword, "NuGet.config password", ["ClearTextPassword"],
            P(@"(?<k>ClearTextPassword)[""']\s+value\s*=\s*[""'](?<s>[^""']+)[""']", ignoreCase: true),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("NuGet.config", $"<configuration>\n  <packageSourceCredentials>\n    <acme>\n      <add key=\"Username\" value=\"ci\" />\n      <add key=\"ClearTextPassword\" value=\"{p}\" />\n    </acme>\n  </packageSourceCredentials>\n</configuration>\n", p); }),
            r => [At("NuGet.config", "<add key=\"ClearTextPassword\" value=\"%NUGET_PASSWORD%\" />\n"), At("NuGet.config", "<add key=\"Username\" value=\"ci\" />\n"), At("NuGet.config", "<add key=\"ClearTextPassword\" value=\"\" />\n")],
            validator: NotPlaceholder, specificity: 90),

        Rule(CredentialRules.GoogleOAuthClientSecret, "Google OAuth client secret", ["GOCSPX-"],
            P(@"\b(?<s>GOCSPX-[A-Za-z0-9_\-]{28})" + End),
            r => InContexts("google_client_secret", () => "GOCSPX-" + S(r, UrlSafe, 28)),
            r => Texts("google_client_secret: GOCSPX-" + S(r, Alnum, 10), "google_client_secret: GOCSPX-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "google_client_secret: GOCSPY-" + S(r, Alnum, 28)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(7), 28, 3.5)),

        Rule(CredentialRules.HuggingFaceToken, "Hugging Face token", ["hf_"],
            P(@"\b(?<s>hf_[A-Za-z]{34})\b"),
            r => InContexts("hf_token", () => "hf_" + S(r, Upper + Lower, 34)),
            r => Texts("hf_token: hf_" + S(r, Lower, 12), "hf_token: hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "hf_token: hf_" + S(r, Digits, 34)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(3), 34, 3.5) && SecretFormats.CharacterClasses(s.AsSpan(3)) >= 2),

        Rule(CredentialRules.MailchimpApiKey, "Mailchimp API key", ["-us"],
            P(@"\b(?<s>[0-9a-f]{32}-us[0-9]{1,2})\b"),
            r => InContexts("mailchimp_key", () => Hex(r, 32) + "-us" + r.Next(1, 21)),
            r => Texts("mailchimp_key: " + Hex(r, 32), "mailchimp_key: 00000000000000000000000000000000-us1", "mailchimp_key: " + Hex(r, 32) + "-eu1"),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(0, 32), 32, 3.0)),

        Rule(CredentialRules.DatabricksToken, "Databricks token", ["dapi"],
            P(@"\b(?<s>dapi[0-9a-f]{32}(?:-[0-9])?)\b"),
            r => InContexts("databricks_token", () => "dapi" + Hex(r, 32)),
            r => Texts("databricks_token: dapi" + Hex(r, 16), "databricks_token: dapi00000000000000000000000000000000", "databricks_token: dapx" + Hex(r, 32)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(4, 32), 32, 3.0)),

        Rule(CredentialRules.PostmanApiKey, "Postman API key", ["PMAK-"],
            P(@"\b(?<s>PMAK-[0-9a-f]{24}-[0-9a-f]{34})\b"),
            r => InContexts("postman_key", () => "PMAK-" + Hex(r, 24) + "-" + Hex(r, 34)),
            r => Texts("postman_key: PMAK-" + Hex(r, 24), "postman_key: PMAK-000000000000000000000000-0000000000000000000000000000000000", "postman_key: PMAX-" + Hex(r, 24) + "-" + Hex(r, 34)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(5), 40, 3.0)),

        Rule(CredentialRules.GrafanaToken, "Grafana token", ["glsa_", "glc_"],
            P(@"\b(?<s>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})"),
            r => InContexts("grafana_token", () => "glsa_" + S(r, Alnum, 32) + "_" + Hex(r, 8)),
            r => Texts("grafana_token: glsa_" + S(r, Alnum, 20), "grafana_token: glsa_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_00000000", "grafana_token: glsb_" + S(r, Alnum, 32) + "_" + Hex(r, 8)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(s.IndexOf('_') + 1), 30, 3.5)),

        Rule(CredentialRules.AgeSecretKey, "age secret key", ["AGE-SECRET-KEY-1"],
            P(@"\b(?<s>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b"),
            r => InContexts("age_key", () => "AGE-SECRET-KEY-1" + S(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
            r => Texts("age_key: AGE-SECRET-KEY-1" + S(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 20), "age_key: age1" + S(r, "qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58), "age_key: AGE-SECRET-KEY-1" + new string('Q', 58)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(16), 58, 3.5)),

        Rule(CredentialRules.TelegramBotToken, "Telegram bot token", [":AA"],
            P(@"\b(?<s>[0-9]{8,10}:AA[0-9A-Za-z_\-]{33})" + End),
            r => InContexts("telegram_token", () => S(r, Digits, 10) + ":AA" + S(r, UrlSafe, 33)),
            r => Texts("telegram_token: " + S(r, Digits, 10) + ":AA" + S(r, Alnum, 10), "telegram_token: 123456789:AAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "time: 12345678:AB" + S(r, Alnum, 33)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(s.IndexOf(':') + 3), 30, 3.5)),

        Rule(CredentialRules.PulumiToken, "Pulumi access token", ["pul-"],
            P(@"\b(?<s>pul-[a-f0-9]{40})\b"),
            r => InContexts("pulumi_token", () => "pul-" + Hex(r, 40)),
            r => Texts("pulumi_token: pul-" + Hex(r, 20), "pulumi_token: pul-0000000000000000000000000000000000000000", "pulumi_token: pulx-" + Hex(r, 40)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(4), 40, 3.0)),

        Rule(CredentialRules.DopplerToken, "Doppler token", ["dp.st.", "dp.pt.", "dp.sa.", "dp.ct."],
            P(@"\b(?<s>dp\.(?:st|pt|sa|ct)\.[A-Za-z0-9_\-]{40,44})" + End),
            r => InContexts("doppler_token", () => "dp.st." + S(r, UrlSafe, 43)),
            r => Texts("doppler_token: dp.st." + S(r, Alnum, 10), "doppler_token: dp.st.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "doppler_token: dp.zz." + S(r, Alnum, 43)),
            validator: static (s, _) => SecretFormats.LooksRandom(s.AsSpan(6), 40, 3.5)),

        Rule(CredentialRules.NetworkCredentialPassword, "NetworkCredential password", ["NetworkCredential"],
            P(@"NetworkCredential\s*\(\s*[@$]?""[^""]*""\s*,\s*@?""(?<s>[^""]{3,128})"""),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("scripts/Send-Report.ps1", $"$cred = New-Object System.Net.NetworkCredential(\"svc-report\", \"{p}\")\n", p); }),
            r => [At("scripts/Send-Report.ps1", "$cred = New-Object System.Net.NetworkCredential($user, $password)\n"), At("scripts/Send-Report.ps1", "$cred = New-Object System.Net.NetworkCredential(\"svc\", \"\")\n"), At("scripts/Send-Report.ps1", "$cred = New-Object System.Net.NetworkCredential(\"svc\", \"${env:PASS}\")\n")],
            validator: NotPlaceholder, specificity: 110),

        Rule(CredentialRules.PowerShellPlainTextSecureString, "plain-text SecureString", ["ConvertTo-SecureString"],
            P(@"ConvertTo-SecureString\s+(?:-String\s+)?[""'](?<s>[^""']{3,128})[""']\s+-AsPlainText", ignoreCase: true),
            r => Enumerable.Range(0, 3).Select(_ => { var p = Password(r); return At("scripts/install.ps1", $"$secure = ConvertTo-SecureString \"{p}\" -AsPlainText -Force\n", p); }),
            r => [At("scripts/install.ps1", "$secure = ConvertTo-SecureString $env:SVC_PASSWORD -AsPlainText -Force\n"), At("scripts/install.ps1", "$secure = Read-Host -AsSecureString\n"), At("scripts/install.ps1", "$secure = ConvertTo-SecureString \"$($cfg.Password)\" -AsPlainText -Force\n")],
            validator: NotPlaceholder, specificity: 110, inBinaries: false),
    ];

    private static bool HasAny(ReadOnlySpan<char> line, params string[] words)
    {
        foreach (var w in words)
            if (line.Contains(w, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

/// <summary>JWT structure: decoded, only signed tokens with real claims count.</summary>
internal static class Jwts
{
    /// <summary>The token jwt.io shows as its example; documentation, not a credential.</summary>
    public const string Example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    private static readonly string[] Claims = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "scp", "azp", "client_id", "tid", "oid", "roles", "email", "upn"];

    public static bool IsRealSignedToken(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[2].Length < 16) return false;
        var header = SecretFormats.DecodeBase64Text(parts[0]);
        var payload = SecretFormats.DecodeBase64Text(parts[1]);
        if (header is null || payload is null) return false;
        try
        {
            using var h = JsonDocument.Parse(header);
            using var p = JsonDocument.Parse(payload);
            if (h.RootElement.ValueKind != JsonValueKind.Object || p.RootElement.ValueKind != JsonValueKind.Object) return false;
            if (!h.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String
                || string.Equals(alg.GetString(), "none", StringComparison.OrdinalIgnoreCase)) return false;
            int claims = 0;
            foreach (var c in Claims)
                if (p.RootElement.TryGetProperty(c, out _)) claims++;
            if (claims < 2) return false;
            // Documentation tokens: jwt.io's John Doe, "1234567890" subjects, example domains.
            if (p.RootElement.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String && sub.GetString() is "1234567890" or "user123" or "test")
                return false;
            if (payload.Contains("example.com", StringComparison.OrdinalIgnoreCase) || payload.Contains("John Doe", StringComparison.Ordinal))
                return false;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Token(string header, string payload, string signature) =>
        SampleFactory.Base64UrlText(header) + "." + SampleFactory.Base64UrlText(payload) + "." + signature;

    public static string Signed(Random r) => Token("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + SampleFactory.Hex(r, 8) + "\"}",
        "{\"iss\":\"https://login.acme.internal/\",\"sub\":\"svc-" + SampleFactory.Hex(r, 8) + "\",\"aud\":\"orders-api\",\"exp\":" + (1_900_000_000 + r.Next(1_000_000)) + ",\"iat\":1790000000}",
        SampleFactory.S(r, SampleFactory.UrlSafe, 86));

    public static string Unsigned(Random r) => Token("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"iss\":\"acme\",\"sub\":\"" + SampleFactory.Hex(r, 8) + "\",\"exp\":1900000000}", SampleFactory.S(r, SampleFactory.UrlSafe, 20));

    public static string NoClaims(Random r) => Token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"hello\":\"world\",\"n\":" + r.Next(100) + "}", SampleFactory.S(r, SampleFactory.UrlSafe, 43));
}
