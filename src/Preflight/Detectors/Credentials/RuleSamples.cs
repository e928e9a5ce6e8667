using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Preflight.Findings;
using static Preflight.Detectors.Credentials.SampleFactory;

namespace Preflight.Detectors.Credentials;

/// <summary>Positive and negative samples of every rule: the typed rules' own, and those of the structural analyzers.</summary>
internal static class RuleSamples
{
    /// <summary>Samples per rule id.</summary>
    public static IReadOnlyList<(RuleDescriptor Rule, Func<Random, IEnumerable<RuleSample>> Positives, Func<Random, IEnumerable<RuleSample>> Negatives)> All { get; } =
    [
        .. TypedRules.All.Select(r => (r.Descriptor, r.Positives, r.Negatives)),
        (CredentialRules.PrivateKey, r => [Pem(r, "RSA PRIVATE KEY", "keys/server.key"), Pem(r, "PRIVATE KEY", "keys/tls.pem"), Pem(r, "EC PRIVATE KEY", "keys/ec.pem"), Pem(r, "ENCRYPTED PRIVATE KEY", "keys/enc.pem")],
            r => [At("keys/doc.md", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"), At("keys/pub.pem", "-----BEGIN PUBLIC KEY-----\n" + Base64(r, 90) + "\n-----END PUBLIC KEY-----\n"),
                  At("keys/cert.pem", "-----BEGIN CERTIFICATE-----\n" + Base64(r, 300) + "\n-----END CERTIFICATE-----\n"), At("keys/x.pem", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n")]),
        (CredentialRules.OpenSshPrivateKey, r => [OpenSsh(r, "none"), OpenSsh(r, "none"), OpenSsh(r, "aes256-ctr")],
            r => [At("home/.ssh/id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + S(r, Alnum, 43) + " deploy@build\n"),
                  At("home/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Base64(r, 120) + "\n-----END OPENSSH PRIVATE KEY-----\n"),
                  At("docs/ssh.md", "-----BEGIN OPENSSH PRIVATE KEY-----\n<your key here>\n-----END OPENSSH PRIVATE KEY-----\n")]),
        (CredentialRules.PuttyPrivateKey, r => [Putty(r, "none"), Putty(r, "none"), Putty(r, "aes256-cbc")],
            r => [At("keys/k.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\n"), At("keys/k.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n...\n"), At("docs/putty.md", "Save the PuTTY-User-Key-File-2 next to the config.\n")]),
        (CredentialRules.PgpPrivateKey, r => [Pgp(r, 0), Pgp(r, 0), Pgp(r, 254)],
            r => [At("keys/pub.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n" + Base64(r, 200) + "\n-----END PGP PUBLIC KEY BLOCK-----\n"),
                  At("keys/sec.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + Base64(r, 200) + "\n-----END PGP PRIVATE KEY BLOCK-----\n"),
                  At("keys/sec.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n...\n-----END PGP PRIVATE KEY BLOCK-----\n")]),
        (CredentialRules.KubernetesSecret, r => Enumerable.Range(0, 3).Select(i =>
            {
                var plain = Password(r);
                var value = i == 2 ? plain : Convert.ToBase64String(Encoding.UTF8.GetBytes(plain));
                var section = i == 2 ? "stringData" : "data";
                return At("deploy/secret.yaml", $"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\n{section}:\n  username: {(i == 2 ? "app" : "YXBw")}\n  password: {value}\n", value);
            }),
            r => [At("deploy/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${DB_PASSWORD}\n"),
                  At("deploy/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata: {}\n"),
                  At("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  password_file: /run/secrets/db\n  mode: " + S(r, Alnum, 20) + "\n")]),
        (CredentialRules.Pkcs12WithoutPassword, r => [Pfx(r, "", "certs/server.pfx"), Pfx(r, "", "certs/client.p12"), Pfx(r, "", "certs/other.pfx")],
            r => [Pfx(r, Password(r), "certs/server.pfx"), Pfx(r, Password(r), "certs/client.p12"), new RuleSample("certs/blob.pfx", "random bytes", null, RandomBytes(r))]),
        (CredentialRules.GenericSecret, r =>
            [
                At("config/app.yaml", "database:\n  password: " + Password(r) + "\n"),
                At("config/app.properties", "api.token=" + S(r, Alnum, 32) + "\n"),
                At("config/app.xml", "<settings><clientSecret>" + S(r, Alnum, 24) + "</clientSecret></settings>\n"),
                At("config/web.config", "<appSettings>\n  <add key=\"SmtpPassword\" value=\"" + Password(r) + "\" />\n</appSettings>\n"),
                At("scripts/setup.ps1", "$adminPassword = \"" + Password(r) + "\"\n"),
            ],
            r =>
            [
                At("config/app.yaml", "password: ${DB_PASSWORD}\n"), At("config/app.yaml", "password: changeme\n"), At("config/app.yaml", "api_key: <your-api-key>\n"),
                At("config/app.yaml", "token: {{ .Values.token }}\n"), At("config/app.json", "{ \"secret\": \"\" }\n"), At("config/app.ini", "password = %DB_PASSWORD%\n"),
                At("config/app.yaml", "client_secret: " + Uuid(r) + "\n"), At("config/app.yaml", "password_file: /run/secrets/db\n"), At("config/app.yaml", "token_url: https://login.acme.internal/token\n"),
                At("package-lock.json", "\"integrity\": \"sha512-" + Base64(r, 64) + "\",\n"), At("config/app.yaml", "password: REPLACE_ME\n"), At("config/app.yaml", "secret: xxxxxxxxxxxxxxxx\n"),
                At("config/app.yaml", "access_token: access_token\n"), At("src/a.py", "password = os.environ[\"DB_PASSWORD\"]\n"), At("config/app.yaml", "icon_token: data:image/png;base64,iVBORw0KGgo" + Base64(r, 40) + "\n"),
            ]),
        (CredentialRules.DotenvSecret, r => [At(".env", "DB_PASSWORD=" + Password(r) + "\n"), At("deploy/.env.production", "API_TOKEN=" + S(r, Alnum, 40) + "\n"), At("prod.env", "export SESSION_SECRET='" + S(r, Alnum, 48) + "'\n")],
            r => [At(".env", "DB_PASSWORD=\n"), At(".env", "DB_PASSWORD=${VAULT_DB_PASSWORD}\n"), At(".env", "API_TOKEN=your-token-here\n"), At(".env", "# SECRET=abc\n")]),
    ];

    /// <summary>A PEM private key with random DER-shaped content.</summary>
    public static RuleSample Pem(Random r, string label, string path)
    {
        var der = new byte[600];
        r.NextBytes(der);
        der[0] = 0x30;
        der[1] = 0x82;
        var body = string.Join('\n', Convert.ToBase64String(der).Chunk(64).Select(c => new string(c)));
        var headers = label == "RSA PRIVATE KEY" && r.Next(4) == 0 ? "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC," + Hex(r, 32).ToUpperInvariant() + "\n\n" : string.Empty;
        return At(path, $"-----BEGIN {label}-----\n{headers}{body}\n-----END {label}-----\n", body.Replace("\n", string.Empty, StringComparison.Ordinal));
    }

    private static byte[] RandomBytes(Random r)
    {
        var b = new byte[400];
        r.NextBytes(b);
        b[0] = 0x30;
        return b;
    }

    private static void SshString(MemoryStream s, ReadOnlySpan<byte> value)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, value.Length);
        s.Write(len);
        s.Write(value);
    }

    /// <summary>An <c>openssh-key-v1</c> container with random key material.</summary>
    public static RuleSample OpenSsh(Random r, string cipher)
    {
        using var s = new MemoryStream();
        s.Write("openssh-key-v1\0"u8);
        SshString(s, Encoding.ASCII.GetBytes(cipher));
        SshString(s, Encoding.ASCII.GetBytes(cipher == "none" ? "none" : "bcrypt"));
        SshString(s, cipher == "none" ? [] : RandomBytes(r).AsSpan(0, 24));
        s.Write([0, 0, 0, 1]);
        var material = new byte[330];
        r.NextBytes(material);
        SshString(s, material);
        var b64 = Convert.ToBase64String(s.ToArray());
        var body = string.Join('\n', b64.Chunk(70).Select(c => new string(c)));
        return At("home/deploy/.ssh/id_ed25519", $"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n", b64);
    }

    /// <summary>A PuTTY key file with random key lines.</summary>
    public static RuleSample Putty(Random r, string encryption)
    {
        var lines = Enumerable.Range(0, 2).Select(_ => Base64(r, 48)).ToArray();
        return At("keys/deploy.ppk", $"PuTTY-User-Key-File-2: ssh-rsa\nEncryption: {encryption}\nComment: deploy\nPublic-Lines: 1\n{Base64(r, 48)}\nPrivate-Lines: 2\n{lines[0]}\n{lines[1]}\nPrivate-MAC: {Hex(r, 40)}\n", lines[0] + lines[1]);
    }

    /// <summary>An armored OpenPGP v4 RSA secret-key packet with random MPIs and the given S2K usage octet.</summary>
    public static RuleSample Pgp(Random r, byte s2kUsage)
    {
        using var body = new MemoryStream();
        body.Write([4, 0x65, 0x00, 0x00, 0x00, 1]); // v4, created, RSA
        foreach (int bits in new[] { 2048, 17 })
        {
            body.Write([(byte)(bits >> 8), (byte)bits]);
            var mpi = new byte[(bits + 7) / 8];
            r.NextBytes(mpi);
            mpi[0] |= 0x80;
            if (bits == 17) mpi = [1, 0, 1];
            body.Write(mpi);
        }
        body.WriteByte(s2kUsage);
        var rest = new byte[300];
        r.NextBytes(rest);
        body.Write(rest);
        var packet = body.ToArray();
        var data = new byte[3 + packet.Length];
        data[0] = 0x95; // old format, tag 5, two-byte length
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(1), (ushort)packet.Length);
        packet.CopyTo(data, 3);
        var b64 = Convert.ToBase64String(data);
        var armored = string.Join('\n', b64.Chunk(64).Select(c => new string(c)));
        return At("keys/signing.asc", $"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: Sample\n\n{armored}\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----\n", b64);
    }

    /// <summary>A PKCS#12 store with one EC key and a self-signed certificate (fixed validity), protected by <paramref name="password"/>.</summary>
    public static RuleSample Pfx(Random r, string password, string path)
    {
        var generator = new ECKeyPairGenerator();
        var seed = new byte[32];
        r.NextBytes(seed);
        var random = SecureRandom.GetInstance("SHA256PRNG", false);
        random.SetSeed(seed);
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, random));
        AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();
        var cert = new X509V3CertificateGenerator();
        var name = new X509Name("CN=preflight-sample");
        cert.SetSerialNumber(BigInteger.ValueOf(r.Next(1, int.MaxValue)));
        cert.SetIssuerDN(name);
        cert.SetSubjectDN(name);
        cert.SetNotBefore(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        cert.SetNotAfter(new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        cert.SetPublicKey(pair.Public);
        var certificate = cert.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private, random));
        var store = new Pkcs12StoreBuilder().Build();
        store.SetKeyEntry("sample", new AsymmetricKeyEntry(pair.Private), [new X509CertificateEntry(certificate)]);
        using var s = new MemoryStream();
        store.Save(s, password.ToCharArray(), random);
        return new RuleSample(path, $"PKCS#12 ({(password.Length == 0 ? "empty" : "non-empty")} password)", null, s.ToArray());
    }
}
