using Preflight.Detectors.Credentials;
using Preflight.Findings;

namespace Preflight.Cli;

/// <summary>A bad and a good example of one rule, as <c>preflight explain</c> prints them.</summary>
/// <param name="Bad">What the rule reports: a file (path, then content) or a situation.</param>
/// <param name="Good">The fixed or accepted form that the rule leaves alone.</param>
internal sealed record RuleExample(string Bad, string Good);

/// <summary>
/// The examples of <c>preflight explain</c>, by rule id. Credential rules take their bad example from the
/// samples their catalog test runs (<see cref="RuleSamples"/>: the first positive, generated with a fixed seed so
/// no live-looking key is committed, its secret redacted), and their good example is that file reading the
/// secret from the environment (or, for key files, leaving the file out). Every other rule has a
/// hand-written pair below; a test checks that every rule of the registry has both.
/// </summary>
internal static class RuleExamples
{
    private const int SampleSeed = 2026;

    /// <summary>The examples of <paramref name="ruleId"/>, or null when it has none.</summary>
    public static RuleExample? For(string ruleId) =>
        Written.TryGetValue(ruleId, out var written) ? written : FromSamples(ruleId);

    private static RuleExample? FromSamples(string ruleId)
    {
        foreach (var (rule, positives, _) in RuleSamples.All)
        {
            if (rule.Id != ruleId) continue;
            var bad = positives(new Random(SampleSeed)).FirstOrDefault();
            return bad is null ? null : new RuleExample(Show(bad), Fixed(bad, rule));
        }
        return null;
    }

    /// <summary>A sample as a file: its path, then its text with the secret redacted (line by line for a PEM body).</summary>
    private static string Show(RuleSample sample)
    {
        if (sample.Bytes is not null) return $"{sample.Path}: {sample.Text}";
        string text = sample.Text.TrimEnd('\n');
        if (sample.Secret is { Length: > 0 } secret)
        {
            text = text.Contains(secret, StringComparison.Ordinal)
                ? text.Replace(secret, Redaction.Secret(secret), StringComparison.Ordinal)
                : string.Join('\n', text.Split('\n').Select(line =>
                    line.Length >= 16 && secret.Contains(line, StringComparison.Ordinal) ? Redaction.Secret(line) : line));
        }
        return $"{sample.Path}:\n{text}";
    }

    /// <summary>
    /// The fix: the same file reading the secret from the environment at run time (a placeholder the rule
    /// leaves alone), or, for a key file or keystore, the file left out of the package.
    /// </summary>
    private static string Fixed(RuleSample sample, RuleDescriptor rule)
    {
        if (sample.Bytes is null && sample.Secret is { Length: > 0 } secret && sample.Text.Contains(secret, StringComparison.Ordinal))
        {
            string variable = rule.Name.Replace('-', '_').ToUpperInvariant();
            return $"{sample.Path}:\n{sample.Text.TrimEnd('\n').Replace(secret, "${" + variable + "}", StringComparison.Ordinal)}";
        }
        return $"{sample.Path}: not in the package; installed on the host from a secret store at deployment";
    }

    /// <summary>The rule ids with hand-written examples.</summary>
    internal static IEnumerable<string> WrittenIds => Written.Keys;

    private static readonly Dictionary<string, RuleExample> Written = new(StringComparer.Ordinal)
    {
        // ------------------------------------------------------------------ package
        ["PF001"] = new("lib/app.dll: a zip entry whose stored CRC-32 does not match its data", "every entry inflates and matches its CRC-32 (rebuild the archive with the packaging tool)"),
        ["PF002"] = new("acme-5.0.tar.gz cut off in the middle of an entry (an interrupted upload)", "the archive as the build produced it, checked against its published SHA-256 before scanning"),
        ["PF003"] = new("zip entry named ../../etc/cron.d/update", "zip entry named etc/cron.d/update (relative, inside the package)"),
        ["PF004"] = new(@"zip entry named bin\tools\run.exe (backslashes) or one holding a NUL character", "zip entry named bin/tools/run.exe"),
        ["PF005"] = new("entries config/App.json and config/app.json in one package", "one entry config/app.json"),
        ["PF006"] = new("tar symlink opt/app/shadow -> /etc/shadow", "a regular file opt/app/app.conf shipped in the package (or a link to a path inside it)"),
        ["PF007"] = new("secrets.zip whose entries are encrypted with a password (nothing can be inspected)", "ship the files unencrypted and protect secrets at deployment (a secret store), not inside the package"),
        ["PF008"] = new("data/blob.bin: 10 KB compressed that inflates to 10 GB", "data/blob.bin that inflates at an ordinary ratio (a few times its compressed size)"),
        ["PF009"] = new("zip whose central directory points many entries at the same compressed data", "a zip written by a standard tool: each entry has its own data"),
        ["PF010"] = new("a 2 GB media/video.mp4 against a 512 MB per-entry limit", "split the content into smaller entries, or raise limits.maxEntryBytes in preflight.json for this package"),
        ["PF011"] = new("a package that decompresses to 6 GB against a 4 GB total limit", "ship large assets separately, or raise limits.maxTotalBytes in preflight.json"),
        ["PF012"] = new("node_modules with 300,000 files against a 200,000 entry limit", "bundle dependencies, or raise limits.maxEntries in preflight.json"),
        ["PF013"] = new("a zip in a tar in a zip … nested nine levels deep", "at most a few levels of nesting (a nupkg in a zip is fine)"),
        ["PF014"] = new("a package whose reading takes longer than the 10 minute budget", "a smaller package, or a larger limits.maxDuration for it in preflight.json"),
        ["PF015"] = new("a 200 MB dump.sql of which only the first 32 MiB were analysed", "keep large generated files out of the package, or raise limits.maxAnalyzedEntryBytes"),
        ["PF016"] = new("src/Generated.cs with an expression nested 50,000 parentheses deep", "generated code split into ordinary statements, or kept out of the package"),

        // ------------------------------------------------------------------ scheduled tasks
        ["PF101"] = new("etc/cron.d/backup:\n61 2 * * * root /opt/app/backup.sh", "etc/cron.d/backup:\n1 2 * * * root /opt/app/backup.sh"),
        ["PF102"] = new("etc/cron.d/app.backup (cron skips names with a dot)", "etc/cron.d/app-backup"),
        ["PF103"] = new("etc/cron.d/cleanup:\n*/5 * * * * root /tmp/cleanup.sh", "etc/cron.d/cleanup:\n*/5 * * * * root /opt/app/bin/cleanup.sh"),
        ["PF104"] = new("etc/cron.d/poll:\n* * * * * app /opt/app/poll.sh", "etc/cron.d/poll:\n*/15 * * * * app /opt/app/poll.sh"),
        ["PF105"] = new("etc/cron.d/init:\n@reboot root /opt/app/migrate.sh", "run the migration once from the installer, not at every boot"),
        ["PF106"] = new("etc/cron.d/vacuum:\n30 2 * * * postgres vacuumdb --all   (window 2026-11-28T02:00Z/PT1H)", "etc/cron.d/vacuum:\n30 4 * * * postgres vacuumdb --all   (after the window)"),
        ["PF107"] = new("Tasks/Update.xml: Task Scheduler XML with a <!DOCTYPE> and an external entity", "Tasks/Update.xml: plain Task Scheduler XML without a DTD"),

        // ------------------------------------------------------------------ endpoints
        ["PF201"] = new("config/app.ini:\nupdate_url = http://updates.example.com/feed", "config/app.ini:\nupdate_url = https://updates.example.com/feed"),
        ["PF202"] = new("config/app.ini:\nlicense_server = 198.51.100.23", "config/app.ini:\nlicense_server = license.example.com   (a name you can move and allowlist)"),
        ["PF203"] = new("scripts/init.sh:\ncurl http://169.254.169.254/latest/meta-data/iam/security-credentials/", "use the cloud SDK's credential provider, which uses IMDSv2 with a session token"),
        ["PF204"] = new("config/alerts.yaml:\nwebhook: https://hooks.slack.com/services/T000/B000/XXXX", "config/alerts.yaml:\nwebhook: ${ALERT_WEBHOOK_URL}"),
        ["PF205"] = new("config/app.ini:\ntelemetry = https://collect.tracker.example/v1", "the host in the allowlist of preflight.json (endpoints.allow), or removed"),

        // ------------------------------------------------------------------ service units
        ["PF401"] = new("acme-worker.service renamed to acme-jobs.service while scripts still run systemctl restart acme-worker", "acme-jobs.service:\n[Install]\nAlias=acme-worker.service"),
        ["PF402"] = new("acme-cache.service removed while acme-web.service still has Wants=acme-cache.service", "remove Wants=acme-cache.service from acme-web.service as well"),
        ["PF403"] = new("scripts/postinst:\nsystemctl restart acme-indexer.service   (no such unit anywhere)", "scripts/postinst:\nsystemctl restart acme-web.service   (shipped in the package)"),
        ["PF404"] = new("acme-report.timer:\n[Timer]\nUnit=acme-reports.service   (no such unit)", "acme-report.timer:\n[Timer]\nUnit=acme-report.service"),
        ["PF405"] = new("AcmeWorker renamed to AcmeJobs while install.ps1 still runs Stop-Service AcmeWorker", "install.ps1:\nStop-Service AcmeJobs   (and remove the old service on upgrade)"),
        ["PF406"] = new("acme-jobs.service with Alias=acme-worker.service (the old name still works)", "nothing to fix: the alias keeps the old name working; drop it once nothing uses the old name"),
        ["PF407"] = new("acme.service:\n[Service]\nExecStart /opt/acme/bin/acme   (no '=')", "acme.service:\n[Service]\nExecStart=/opt/acme/bin/acme"),

        // ------------------------------------------------------------------ migrations
        ["PF501"] = new("migrations/005.sql:\nCREATE INDEX orders_customer_idx ON orders (customer_id);", "migrations/005.sql:\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);"),
        ["PF502"] = new("migrations/006.sql:\nBEGIN;\nCREATE INDEX CONCURRENTLY orders_date_idx ON orders (created_at);\nCOMMIT;", "migrations/006.sql:\nCREATE INDEX CONCURRENTLY orders_date_idx ON orders (created_at);"),
        ["PF503"] = new("migrations/007.sql:\nALTER TABLE orders ADD COLUMN note text;", "migrations/007.sql:\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;"),
        ["PF504"] = new("migrations/008.sql:\nALTER TABLE orders ADD CONSTRAINT orders_qty_chk CHECK (qty > 0);", "migrations/008.sql:\nALTER TABLE orders ADD CONSTRAINT orders_qty_chk CHECK (qty > 0) NOT VALID;\n-- later, in its own transaction:\nALTER TABLE orders VALIDATE CONSTRAINT orders_qty_chk;"),
        ["PF505"] = new("migrations/009.sql:\nBEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;", "migrations/009.sql: the ADD ... NOT VALID in one migration, VALIDATE CONSTRAINT in the next"),
        ["PF506"] = new("migrations/010.sql:\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;", "migrations/010.sql:\nALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;"),
        ["PF507"] = new("migrations/011.sql:\nALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);", "migrations/011.sql: add a new column, backfill it in batches, switch readers, then drop the old column"),
        ["PF508"] = new("migrations/012.sql:\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();", "migrations/012.sql:\nALTER TABLE orders ADD COLUMN token uuid;   -- then backfill in batches and set the default"),
        ["PF509"] = new("migrations/013.sql:\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", "migrations/013.sql:\nCREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"),
        ["PF510"] = new("migrations/014.sql:\nDROP INDEX orders_old_idx;", "migrations/014.sql:\nDROP INDEX CONCURRENTLY orders_old_idx;"),
        ["PF511"] = new("migrations/015.sql:\nVACUUM FULL orders;", "migrations/015.sql: plain VACUUM (or pg_repack) outside the upgrade"),
        ["PF512"] = new("migrations/016.sql:\nALTER TABLE users RENAME COLUMN name TO full_name;", "migrations/016.sql:\nALTER TABLE users ADD COLUMN full_name text;   -- expand now, contract after every node runs the new version"),
        ["PF513"] = new("migrations/017.sql:\nUPDATE orders SET status = 'open';", "migrations/017.sql:\nUPDATE orders SET status = 'open' WHERE id BETWEEN 1 AND 10000;   -- in batches"),
        ["PF514"] = new("migrations/018.sql:\nBEGIN;\nALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = 'eu' WHERE region IS NULL;\nCOMMIT;", "migrations/018.sql: the ALTER in one migration; the backfill in batches in a later one"),
        ["PF515"] = new("migrations/019.sql:\n-- preflight-ignore PF513\nDELETE FROM sessions;", "migrations/019.sql:\n-- preflight-ignore PF513: sessions is a cache table, emptied at every deploy\nDELETE FROM sessions;"),
        ["PF516"] = new("migrations/020.sql:\nALTER TABLE orders ADD COLUMN region text NOT NULL;", "migrations/020.sql:\nALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';"),
        ["PF517"] = new("migrations/021.sql:\nINSERT INTO notes VALUES ('it''s open);", "migrations/021.sql:\nINSERT INTO notes VALUES ('it''s closed');"),
        ["PF518"] = new("scripts/migrate.sh:\nfor f in migrations/*.sql; do psql -f \"$f\"; done", "scripts/migrate.sh:\nflock /var/lock/acme-migrate sh -c 'for f in migrations/*.sql; do psql -f \"$f\"; done'"),
        ["PF519"] = new("migrations/022.sql:\nALTER TABLE dbo.Orders ALTER COLUMN Total decimal(12,2) NOT NULL;", "migrations/022.sql: add a new column, backfill it in batches, then switch to it"),
        ["PF520"] = new("migrations/023.sql:\nALTER TABLE dbo.Orders ADD CONSTRAINT CK_Qty CHECK (Qty > 0);", "migrations/023.sql:\nALTER TABLE dbo.Orders WITH NOCHECK ADD CONSTRAINT CK_Qty CHECK (Qty > 0);"),
        ["PF521"] = new("migrations/024.sql:\nALTER TABLE dbo.Orders ADD COLUMN Note nvarchar(200);   (T-SQL has no ADD COLUMN)", "migrations/024.sql:\nALTER TABLE dbo.Orders ADD Note nvarchar(200) NULL;"),
        ["PF522"] = new("migrations/025.sql:\nALTER TABLE orders ADD COLUMN note TEXT;", "migrations/025.sql:\nALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;"),

        // ------------------------------------------------------------------ certificates
        ["PF601"] = new("certs/server.crt: a PEM block whose base64 body was cut off", "certs/server.crt: the complete certificate as issued"),
        ["PF602"] = new("certs/api.crt: notAfter 2026-01-31, scanned on 2026-11-27", "certs/api.crt: renewed, notAfter 2027-02-28"),
        ["PF603"] = new("certs/api.crt: notBefore 2027-01-01, scanned on 2026-11-27", "certs/api.crt: a certificate already valid when the package is installed"),
        ["PF604"] = new("certs/api.crt: notAfter 2026-12-10, scanned on 2026-11-27 (within 30 days)", "certs/api.crt: renewed before the release, notAfter 2027-12-10"),
        ["PF605"] = new("certs/api.crt issued by 'Acme Internal CA', which no given trust bundle holds", "--trust acme-roots.pem holding Acme Root CA, with the intermediate shipped beside the leaf"),
        ["PF606"] = new("certs/api.crt issued by 'Acme Issuing CA 2', shipped without that intermediate", "certs/api-chain.pem: the leaf followed by 'Acme Issuing CA 2'"),
        ["PF607"] = new("certs/server.crt: subject = issuer, used as the TLS server certificate", "certs/server.crt: issued by the organisation's CA (or a public CA)"),
        ["PF608"] = new("certs/legacy.crt: RSA 1024-bit key", "certs/legacy.crt: RSA 3072-bit or ECDSA P-256 key"),
        ["PF609"] = new("certs/api.crt: signed with sha1WithRSAEncryption", "certs/api.crt: signed with sha256WithRSAEncryption"),
        ["PF610"] = new("certs/issuing-ca.crt: signs certificates but has no basicConstraints cA=TRUE", "certs/issuing-ca.crt: basicConstraints cA=TRUE and keyUsage keyCertSign"),
        ["PF611"] = new("certs/www.crt: TLS server certificate valid for 825 days", "certs/www.crt: valid for at most 398 days"),
        ["PF612"] = new("certs/api.crt and certs/api.key (its private key) both in the package", "certs/api.crt only; the key is provisioned on the host from a secret store"),
        ["PF613"] = new("certs/: thousands of cross-signed CA certificates with the same subject", "only the chain the application needs: leaf, intermediates, root"),
        ["PF614"] = new("certs/client.p12: a PKCS#12 with a private key and an empty password", "no keystore in the package; or a password-protected one whose password comes from a secret store"),
        ["PF615"] = new("preflight scan app.zip   (chains not validated: no trust bundle given)", "preflight scan app.zip --trust vendor-roots.pem"),
        ["PF616"] = new("app.tar.gz.sig that does not verify over app.tar.gz (the file changed after signing)", "re-sign the final artifact: the signature verifies over the file as shipped"),
        ["PF617"] = new("release/app.tar.gz.sig while release/app.tar.gz is not in the package", "release/app.tar.gz and release/app.tar.gz.sig side by side"),
        ["PF618"] = new("release/app.sig: a CMS signature without the signer's certificate", "release/app.sig: a CMS signature that includes the signer's certificate chain"),
        ["PF619"] = new("SHA256SUMS lists bin/app with a hash bin/app no longer has", "SHA256SUMS regenerated after the last change to bin/app"),
        ["PF620"] = new("SHA256SUMS lists bin/helper, which is not in the package", "SHA256SUMS lists exactly the files shipped"),
        ["PF621"] = new("bin/extra.so shipped in the folder SHA256SUMS covers, but not listed in it", "SHA256SUMS lists bin/extra.so too"),
        ["PF622"] = new("bin/agent.exe Authenticode-signed, bin/updater.exe beside it unsigned", "every executable of the package signed by the same publisher"),
    };
}
