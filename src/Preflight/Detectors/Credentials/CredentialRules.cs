using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>The <c>credentials</c> detector's rules (PF3xx): keys, tokens, passwords and private keys.</summary>
public static class CredentialRules
{
    /// <summary>The detector id.</summary>
    public const string DetectorId = "credentials";

    private static RuleDescriptor R(string id, string name, Severity severity, string summary, string help) =>
        new(id, name, DetectorId, severity, summary, help);
    /// <summary>PF301 aws-access-key.</summary>
    public static readonly RuleDescriptor AwsAccessKey = R("PF301", "aws-access-key", Severity.High,
        "An AWS access key id (AKIA/ASIA…).",
        "An access key id alone identifies the key; with its secret it signs AWS requests. Deactivate the key in IAM, rotate it, and load keys from the environment, an instance role or a secrets manager.");
    /// <summary>PF302 aws-secret-key.</summary>
    public static readonly RuleDescriptor AwsSecretKey = R("PF302", "aws-secret-key", Severity.Critical,
        "An AWS secret access key assigned next to an AWS key name.",
        "Whoever reads the package can sign AWS requests as this key's principal. Deactivate and rotate the key pair; use instance roles or a secrets manager instead.");
    /// <summary>PF303 aws-session-token.</summary>
    public static readonly RuleDescriptor AwsSessionToken = R("PF303", "aws-session-token", Severity.High,
        "An AWS session token.",
        "Session tokens are short-lived but grant the role's permissions until they expire. Remove it and obtain temporary credentials at run time.");
    /// <summary>PF304 github-pat.</summary>
    public static readonly RuleDescriptor GitHubPat = R("PF304", "github-pat", Severity.High,
        "A GitHub classic personal access token (ghp_, checksum verified).",
        "Revoke the token in GitHub settings and use a GitHub App or a fine-grained token supplied at run time.");
    /// <summary>PF305 github-fine-grained-pat.</summary>
    public static readonly RuleDescriptor GitHubFineGrainedPat = R("PF305", "github-fine-grained-pat", Severity.High,
        "A GitHub fine-grained personal access token (github_pat_).",
        "Revoke the token and supply it at run time from a secret store.");
    /// <summary>PF306 github-oauth-token.</summary>
    public static readonly RuleDescriptor GitHubOAuthToken = R("PF306", "github-oauth-token", Severity.High,
        "A GitHub OAuth access token (gho_, checksum verified).",
        "Revoke the OAuth authorization and never ship user tokens in a package.");
    /// <summary>PF307 github-app-token.</summary>
    public static readonly RuleDescriptor GitHubAppToken = R("PF307", "github-app-token", Severity.High,
        "A GitHub App user-to-server or installation token (ghu_/ghs_, checksum verified).",
        "Revoke the token; installation tokens should be minted at run time from the app's key.");
    /// <summary>PF308 github-refresh-token.</summary>
    public static readonly RuleDescriptor GitHubRefreshToken = R("PF308", "github-refresh-token", Severity.High,
        "A GitHub refresh token (ghr_, checksum verified).",
        "Revoke the authorization; refresh tokens mint new access tokens.");
    /// <summary>PF309 gitlab-pat.</summary>
    public static readonly RuleDescriptor GitLabPat = R("PF309", "gitlab-pat", Severity.High,
        "A GitLab personal, project or group access token (glpat-).",
        "Revoke the token in GitLab and supply it from CI variables or a secret store.");
    /// <summary>PF310 gitlab-runner-token.</summary>
    public static readonly RuleDescriptor GitLabRunnerToken = R("PF310", "gitlab-runner-token", Severity.High,
        "A GitLab runner authentication or registration token.",
        "Reset the runner token; a leaked one lets anyone register runners that receive jobs and their secrets.");
    /// <summary>PF311 gitlab-trigger-token.</summary>
    public static readonly RuleDescriptor GitLabTriggerToken = R("PF311", "gitlab-trigger-token", Severity.Medium,
        "A GitLab pipeline trigger token (glptt-).",
        "Revoke the trigger; it starts pipelines with the project's variables.");
    /// <summary>PF312 bitbucket-app-password.</summary>
    public static readonly RuleDescriptor BitbucketAppPassword = R("PF312", "bitbucket-app-password", Severity.High,
        "An Atlassian Bitbucket app password (ATBB…).",
        "Revoke the app password in Bitbucket settings.");
    /// <summary>PF313 npm-token.</summary>
    public static readonly RuleDescriptor NpmToken = R("PF313", "npm-token", Severity.High,
        "An npm access token (npm_, checksum verified).",
        "Revoke the token with `npm token revoke` and inject it in CI only.");
    /// <summary>PF314 nuget-api-key.</summary>
    public static readonly RuleDescriptor NuGetApiKey = R("PF314", "nuget-api-key", Severity.High,
        "A nuget.org API key (oy2…).",
        "Regenerate or delete the key on nuget.org; a leaked key can push packages under your id.");
    /// <summary>PF315 pypi-token.</summary>
    public static readonly RuleDescriptor PyPiToken = R("PF315", "pypi-token", Severity.High,
        "A PyPI API token (pypi-AgEIcHlwaS5vcmc…).",
        "Remove the token on pypi.org; use trusted publishing from CI instead.");
    /// <summary>PF316 dockerhub-token.</summary>
    public static readonly RuleDescriptor DockerHubToken = R("PF316", "dockerhub-token", Severity.High,
        "A Docker Hub personal access token (dckr_pat_).",
        "Revoke the token in Docker Hub's security settings.");
    /// <summary>PF317 slack-token.</summary>
    public static readonly RuleDescriptor SlackToken = R("PF317", "slack-token", Severity.High,
        "A Slack bot, user or app token (xoxb-/xoxp-/xapp-).",
        "Revoke the token in the Slack app's settings and rotate it.");
    /// <summary>PF318 slack-webhook.</summary>
    public static readonly RuleDescriptor SlackWebhook = R("PF318", "slack-webhook", Severity.Medium,
        "A Slack incoming-webhook URL.",
        "Anyone holding the URL can post to the channel. Regenerate the webhook and keep it in configuration outside the package.");
    /// <summary>PF319 teams-webhook.</summary>
    public static readonly RuleDescriptor TeamsWebhook = R("PF319", "teams-webhook", Severity.Medium,
        "A Microsoft Teams incoming-webhook URL.",
        "Remove and recreate the connector; keep the URL out of the package.");
    /// <summary>PF320 discord-webhook.</summary>
    public static readonly RuleDescriptor DiscordWebhook = R("PF320", "discord-webhook", Severity.Medium,
        "A Discord webhook URL with its token.",
        "Delete the webhook in the channel settings and create a new one.");
    /// <summary>PF321 stripe-key.</summary>
    public static readonly RuleDescriptor StripeKey = R("PF321", "stripe-key", Severity.High,
        "A Stripe secret or restricted key (sk_/rk_); test keys are low.",
        "Roll the key in the Stripe dashboard. Only publishable keys (pk_) belong in shipped code.");
    /// <summary>PF322 twilio-api-key.</summary>
    public static readonly RuleDescriptor TwilioApiKey = R("PF322", "twilio-api-key", Severity.High,
        "A Twilio API key SID or auth token.",
        "Delete the API key (or rotate the auth token) in the Twilio console.");
    /// <summary>PF323 sendgrid-api-key.</summary>
    public static readonly RuleDescriptor SendGridApiKey = R("PF323", "sendgrid-api-key", Severity.High,
        "A SendGrid API key (SG.…).",
        "Delete the key in SendGrid and create one with least privilege, supplied at run time.");
    /// <summary>PF324 mailgun-api-key.</summary>
    public static readonly RuleDescriptor MailgunApiKey = R("PF324", "mailgun-api-key", Severity.High,
        "A Mailgun API key.",
        "Rotate the key in the Mailgun control panel.");
    /// <summary>PF325 shopify-token.</summary>
    public static readonly RuleDescriptor ShopifyToken = R("PF325", "shopify-token", Severity.High,
        "A Shopify access token or shared secret (shpat_/shpca_/shppa_/shpss_).",
        "Rotate the app's credentials in the Shopify partner dashboard.");
    /// <summary>PF326 square-token.</summary>
    public static readonly RuleDescriptor SquareToken = R("PF326", "square-token", Severity.High,
        "A Square access token or OAuth secret (EAAA…/sq0atp-/sq0csp-).",
        "Revoke the token in the Square developer dashboard.");
    /// <summary>PF327 braintree-token.</summary>
    public static readonly RuleDescriptor BraintreeToken = R("PF327", "braintree-token", Severity.High,
        "A PayPal Braintree access token.",
        "Revoke the token in the Braintree control panel.");
    /// <summary>PF328 datadog-api-key.</summary>
    public static readonly RuleDescriptor DatadogApiKey = R("PF328", "datadog-api-key", Severity.High,
        "A Datadog API or application key next to a Datadog key name.",
        "Revoke the key in Datadog's organisation settings; agents read keys from their own configuration.");
    /// <summary>PF329 new-relic-key.</summary>
    public static readonly RuleDescriptor NewRelicKey = R("PF329", "new-relic-key", Severity.High,
        "A New Relic user, ingest or browser key (NRAK-/NRII-/NRJS-).",
        "Delete the key in New Relic's API keys UI.");
    /// <summary>PF330 sentry-dsn.</summary>
    public static readonly RuleDescriptor SentryDsn = R("PF330", "sentry-dsn", Severity.Low,
        "A Sentry DSN with its key.",
        "A DSN lets anyone send events to the project. Server-side DSNs belong in configuration; rotate the client key if abused.");
    /// <summary>PF331 heroku-api-key.</summary>
    public static readonly RuleDescriptor HerokuApiKey = R("PF331", "heroku-api-key", Severity.High,
        "A Heroku API key (HRKU- or a key next to a Heroku key name).",
        "Regenerate the key with `heroku authorizations:revoke`.");
    /// <summary>PF332 digitalocean-token.</summary>
    public static readonly RuleDescriptor DigitalOceanToken = R("PF332", "digitalocean-token", Severity.High,
        "A DigitalOcean personal, OAuth or refresh token (dop_v1_/doo_v1_/dor_v1_).",
        "Revoke the token in the DigitalOcean control panel.");
    /// <summary>PF333 vault-token.</summary>
    public static readonly RuleDescriptor VaultToken = R("PF333", "vault-token", Severity.High,
        "A HashiCorp Vault service or batch token (hvs./hvb.).",
        "Revoke the token with `vault token revoke` and use short-lived auth methods.");
    /// <summary>PF334 terraform-token.</summary>
    public static readonly RuleDescriptor TerraformToken = R("PF334", "terraform-token", Severity.High,
        "A Terraform Cloud / Enterprise API token (….atlasv1.…).",
        "Revoke the token in Terraform Cloud's user settings.");
    /// <summary>PF335 openai-api-key.</summary>
    public static readonly RuleDescriptor OpenAiApiKey = R("PF335", "openai-api-key", Severity.High,
        "An OpenAI API key (sk-…T3BlbkFJ…).",
        "Revoke the key in the OpenAI dashboard; never ship it in client code.");
    /// <summary>PF336 anthropic-api-key.</summary>
    public static readonly RuleDescriptor AnthropicApiKey = R("PF336", "anthropic-api-key", Severity.High,
        "An Anthropic API key (sk-ant-…).",
        "Revoke the key in the Anthropic console.");
    /// <summary>PF337 gcp-api-key.</summary>
    public static readonly RuleDescriptor GcpApiKey = R("PF337", "gcp-api-key", Severity.High,
        "A Google Cloud API key (AIza…).",
        "Restrict or delete the key in the Google Cloud console.");
    /// <summary>PF338 gcp-service-account-key.</summary>
    public static readonly RuleDescriptor GcpServiceAccountKey = R("PF338", "gcp-service-account-key", Severity.Critical,
        "A Google Cloud service-account JSON key with its private key.",
        "Delete the key in IAM; use workload identity instead of key files.");
    /// <summary>PF339 azure-storage-key.</summary>
    public static readonly RuleDescriptor AzureStorageKey = R("PF339", "azure-storage-key", Severity.Critical,
        "An Azure storage account key (AccountKey=…).",
        "Rotate the storage account key; use managed identities or SAS with short expiry.");
    /// <summary>PF340 azure-sas-token.</summary>
    public static readonly RuleDescriptor AzureSasToken = R("PF340", "azure-sas-token", Severity.High,
        "An Azure shared access signature (sv=…&sig=…).",
        "Revoke by rotating the signing key or the stored access policy; issue short-lived SAS at run time.");
    /// <summary>PF341 azure-ad-client-secret.</summary>
    public static readonly RuleDescriptor AzureAdClientSecret = R("PF341", "azure-ad-client-secret", Severity.High,
        "A Microsoft Entra ID (Azure AD) application client secret (…Q~…).",
        "Delete the secret from the app registration; prefer certificates or managed identities.");
    /// <summary>PF342 jwt.</summary>
    public static readonly RuleDescriptor Jwt = R("PF342", "jwt", Severity.High,
        "A signed JSON Web Token with real claims.",
        "A bearer token is as good as the session it stands for. Remove it; issue tokens at run time.");
    /// <summary>PF343 private-key.</summary>
    public static readonly RuleDescriptor PrivateKey = R("PF343", "private-key", Severity.Critical,
        "A PEM private key (RSA, EC, DSA, PKCS#8); encrypted keys are medium.",
        "Anyone with the package can impersonate the key's owner. Replace the key and its certificates; ship keys separately, encrypted, or generate them at install.");
    /// <summary>PF344 openssh-private-key.</summary>
    public static readonly RuleDescriptor OpenSshPrivateKey = R("PF344", "openssh-private-key", Severity.Critical,
        "An OpenSSH private key; keys with a passphrase are medium.",
        "Remove the key, replace it in every authorized_keys it is in.");
    /// <summary>PF345 putty-private-key.</summary>
    public static readonly RuleDescriptor PuttyPrivateKey = R("PF345", "putty-private-key", Severity.Critical,
        "A PuTTY private key file (.ppk); encrypted keys are medium.",
        "Remove the key and replace it wherever it is authorised.");
    /// <summary>PF346 pgp-private-key.</summary>
    public static readonly RuleDescriptor PgpPrivateKey = R("PF346", "pgp-private-key", Severity.Critical,
        "An OpenPGP secret key block; protected keys are medium.",
        "Revoke the key and publish the revocation certificate.");
    /// <summary>PF347 pkcs12-without-password.</summary>
    public static readonly RuleDescriptor Pkcs12WithoutPassword = R("PF347", "pkcs12-without-password", Severity.High,
        "A PKCS#12 (.pfx/.p12) key store that opens with an empty password.",
        "Its private keys are readable by anyone. Re-export it with a strong password, or ship only the certificate.");
    /// <summary>PF348 password-hash.</summary>
    public static readonly RuleDescriptor PasswordHash = R("PF348", "password-hash", Severity.Medium,
        "An htpasswd or shadow-style password hash.",
        "Password hashes can be cracked offline. Create accounts at install time and never ship hashes of real passwords.");
    /// <summary>PF349 basic-auth-url.</summary>
    public static readonly RuleDescriptor BasicAuthUrl = R("PF349", "basic-auth-url", Severity.High,
        "A URL with a user name and password (scheme://user:pass@host).",
        "Credentials in URLs end up in logs and process lists. Move the password to a secret store.");
    /// <summary>PF350 connection-string-password.</summary>
    public static readonly RuleDescriptor ConnectionStringPassword = R("PF350", "connection-string-password", Severity.High,
        "An ADO.NET / ODBC connection string with a password (Password=/Pwd=).",
        "Use integrated authentication or managed identities, or read the password from a secret store at run time.");
    /// <summary>PF351 database-url-password.</summary>
    public static readonly RuleDescriptor DatabaseUrlPassword = R("PF351", "database-url-password", Severity.High,
        "A database or broker URL with a password (postgres, mysql, mongodb, redis, amqp).",
        "Move the password out of the URL into a secret store.");
    /// <summary>PF352 jdbc-password.</summary>
    public static readonly RuleDescriptor JdbcPassword = R("PF352", "jdbc-password", Severity.High,
        "A JDBC URL with a password parameter.",
        "Move the password into the data source's secret configuration.");
    /// <summary>PF353 libpq-keyword-password.</summary>
    public static readonly RuleDescriptor LibpqKeywordPassword = R("PF353", "libpq-keyword-password", Severity.High,
        "A libpq keyword connection string with password=.",
        "Use a .pgpass file outside the package or a secret store.");
    /// <summary>PF354 curl-basic-auth.</summary>
    public static readonly RuleDescriptor CurlBasicAuth = R("PF354", "curl-basic-auth", Severity.High,
        "curl -u user:password with a literal password.",
        "Use a netrc file outside the package or a variable filled at run time.");
    /// <summary>PF355 sshpass-password.</summary>
    public static readonly RuleDescriptor SshpassPassword = R("PF355", "sshpass-password", Severity.High,
        "sshpass -p with a literal password.",
        "Use SSH keys or sshpass -e with the password in the environment.");
    /// <summary>PF356 docker-login-password.</summary>
    public static readonly RuleDescriptor DockerLoginPassword = R("PF356", "docker-login-password", Severity.High,
        "docker login -p with a literal password.",
        "Use --password-stdin from a secret store.");
    /// <summary>PF357 npmrc-auth-token.</summary>
    public static readonly RuleDescriptor NpmrcAuthToken = R("PF357", "npmrc-auth-token", Severity.High,
        "An .npmrc _authToken/_auth/_password with a literal value.",
        "Reference ${NPM_TOKEN} instead and set it in CI.");
    /// <summary>PF358 pypirc-password.</summary>
    public static readonly RuleDescriptor PypircPassword = R("PF358", "pypirc-password", Severity.High,
        "A .pypirc password.",
        "Use keyring or trusted publishing.");
    /// <summary>PF359 netrc-password.</summary>
    public static readonly RuleDescriptor NetrcPassword = R("PF359", "netrc-password", Severity.High,
        "A .netrc machine entry with a password.",
        "Keep .netrc in the user's home, never in a package.");
    /// <summary>PF360 nuget-config-password.</summary>
    public static readonly RuleDescriptor NuGetConfigPassword = R("PF360", "nuget-config-password", Severity.High,
        "A NuGet.config package source with a ClearTextPassword.",
        "Use a credential provider or %ENV% references.");
    /// <summary>PF361 kubernetes-secret.</summary>
    public static readonly RuleDescriptor KubernetesSecret = R("PF361", "kubernetes-secret", Severity.High,
        "A Kubernetes Secret manifest with literal data.",
        "Create secrets at deploy time (sealed-secrets, external-secrets, a vault) instead of shipping them.");
    /// <summary>PF362 dotenv-secret.</summary>
    public static readonly RuleDescriptor DotenvSecret = R("PF362", "dotenv-secret", Severity.Medium,
        "A .env file assigns a literal secret.",
        "Ship a .env.example with placeholders; real values belong to the deployment.");
    /// <summary>PF363 google-oauth-client-secret.</summary>
    public static readonly RuleDescriptor GoogleOAuthClientSecret = R("PF363", "google-oauth-client-secret", Severity.High,
        "A Google OAuth client secret (GOCSPX-).",
        "Reset the client secret in the Google Cloud console.");
    /// <summary>PF364 huggingface-token.</summary>
    public static readonly RuleDescriptor HuggingFaceToken = R("PF364", "huggingface-token", Severity.High,
        "A Hugging Face access token (hf_).",
        "Revoke the token in Hugging Face settings.");
    /// <summary>PF365 mailchimp-api-key.</summary>
    public static readonly RuleDescriptor MailchimpApiKey = R("PF365", "mailchimp-api-key", Severity.High,
        "A Mailchimp API key (…-usNN).",
        "Disable the key in Mailchimp's account settings.");
    /// <summary>PF366 databricks-token.</summary>
    public static readonly RuleDescriptor DatabricksToken = R("PF366", "databricks-token", Severity.High,
        "A Databricks personal access token (dapi…).",
        "Revoke the token in the Databricks workspace.");
    /// <summary>PF367 postman-api-key.</summary>
    public static readonly RuleDescriptor PostmanApiKey = R("PF367", "postman-api-key", Severity.High,
        "A Postman API key (PMAK-).",
        "Revoke the key in Postman.");
    /// <summary>PF368 grafana-token.</summary>
    public static readonly RuleDescriptor GrafanaToken = R("PF368", "grafana-token", Severity.High,
        "A Grafana service-account or cloud token (glsa_/glc_).",
        "Delete the token in Grafana.");
    /// <summary>PF369 age-secret-key.</summary>
    public static readonly RuleDescriptor AgeSecretKey = R("PF369", "age-secret-key", Severity.Critical,
        "An age encryption secret key (AGE-SECRET-KEY-1…).",
        "Everything encrypted to this key is readable. Generate a new identity and re-encrypt.");
    /// <summary>PF370 telegram-bot-token.</summary>
    public static readonly RuleDescriptor TelegramBotToken = R("PF370", "telegram-bot-token", Severity.High,
        "A Telegram bot token.",
        "Revoke the token with BotFather.");
    /// <summary>PF371 pulumi-token.</summary>
    public static readonly RuleDescriptor PulumiToken = R("PF371", "pulumi-token", Severity.High,
        "A Pulumi access token (pul-).",
        "Delete the token in the Pulumi console.");
    /// <summary>PF372 doppler-token.</summary>
    public static readonly RuleDescriptor DopplerToken = R("PF372", "doppler-token", Severity.High,
        "A Doppler service token (dp.st./dp.pt.).",
        "Revoke the token in Doppler.");
    /// <summary>PF373 network-credential-password.</summary>
    public static readonly RuleDescriptor NetworkCredentialPassword = R("PF373", "network-credential-password", Severity.High,
        "new NetworkCredential(user, \"literal\") in code.",
        "Read the password from configuration or a secret store at run time.");
    /// <summary>PF374 powershell-plaintext-secure-string.</summary>
    public static readonly RuleDescriptor PowerShellPlainTextSecureString = R("PF374", "powershell-plaintext-secure-string", Severity.High,
        "ConvertTo-SecureString with a literal -AsPlainText password.",
        "Use Get-Credential, a SecretManagement vault or an encrypted credential file outside the package.");
    /// <summary>PF390 generic-secret.</summary>
    public static readonly RuleDescriptor GenericSecret = R("PF390", "generic-secret", Severity.Medium,
        "A literal value assigned to a password/secret/token/api-key-like name.",
        "Move the value out of the package into a secret store or the deployment's environment; template files (.example/.sample/.template/.dist) report low.");
    /// <summary>All PF3xx rules, in id order.</summary>
    public static IReadOnlyList<RuleDescriptor> All { get; } =
    [
        AwsAccessKey,
        AwsSecretKey,
        AwsSessionToken,
        GitHubPat,
        GitHubFineGrainedPat,
        GitHubOAuthToken,
        GitHubAppToken,
        GitHubRefreshToken,
        GitLabPat,
        GitLabRunnerToken,
        GitLabTriggerToken,
        BitbucketAppPassword,
        NpmToken,
        NuGetApiKey,
        PyPiToken,
        DockerHubToken,
        SlackToken,
        SlackWebhook,
        TeamsWebhook,
        DiscordWebhook,
        StripeKey,
        TwilioApiKey,
        SendGridApiKey,
        MailgunApiKey,
        ShopifyToken,
        SquareToken,
        BraintreeToken,
        DatadogApiKey,
        NewRelicKey,
        SentryDsn,
        HerokuApiKey,
        DigitalOceanToken,
        VaultToken,
        TerraformToken,
        OpenAiApiKey,
        AnthropicApiKey,
        GcpApiKey,
        GcpServiceAccountKey,
        AzureStorageKey,
        AzureSasToken,
        AzureAdClientSecret,
        Jwt,
        PrivateKey,
        OpenSshPrivateKey,
        PuttyPrivateKey,
        PgpPrivateKey,
        Pkcs12WithoutPassword,
        PasswordHash,
        BasicAuthUrl,
        ConnectionStringPassword,
        DatabaseUrlPassword,
        JdbcPassword,
        LibpqKeywordPassword,
        CurlBasicAuth,
        SshpassPassword,
        DockerLoginPassword,
        NpmrcAuthToken,
        PypircPassword,
        NetrcPassword,
        NuGetConfigPassword,
        KubernetesSecret,
        DotenvSecret,
        GoogleOAuthClientSecret,
        HuggingFaceToken,
        MailchimpApiKey,
        DatabricksToken,
        PostmanApiKey,
        GrafanaToken,
        AgeSecretKey,
        TelegramBotToken,
        PulumiToken,
        DopplerToken,
        NetworkCredentialPassword,
        PowerShellPlainTextSecureString,
        GenericSecret,
    ];
}
