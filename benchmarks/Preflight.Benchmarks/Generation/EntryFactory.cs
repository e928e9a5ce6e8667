using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Preflight.Content;

namespace Preflight.Benchmarks.Generation;

/// <summary>
/// Makes the content of synthetic entries from a seeded <see cref="Random"/>: realistic-looking text that gives the
/// detectors work (hosts, schedules, SQL, service names), incompressible binaries, real .NET assemblies copied as
/// bytes from the running runtime's folder (never loaded), and nested tar.gz archives. Hosts are under example
/// domains. Same seed, same runtime: same bytes.
/// </summary>
internal sealed class EntryFactory
{
    private static readonly string[] Services = ["billing", "orders", "inventory", "gateway", "search", "reports", "auth", "notify", "ledger", "shipping"];
    private static readonly string[] Levels = ["INFO", "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR"];
    private static readonly string[] Messages =
    [
        "processed order {0} in {1} ms",
        "GET /api/v2/orders/{0} 200 {1}ms",
        "POST https://partner-{1}.example.net/hooks/status -> 202",
        "retrying job {0} (attempt {1} of 5)",
        "cache miss for customer {0}; loaded in {1} ms",
        "connection to db-{1}.internal.example:5432 re-established",
        "scheduled cleanup removed {0} files ({1} MiB)",
        "slow query took {1} ms: SELECT * FROM orders WHERE customer_id = {0}",
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<string> _assemblies;
    private readonly DateTimeOffset _timestamp;

    public EntryFactory(Random random, DateTimeOffset timestamp)
    {
        _random = random;
        _timestamp = timestamp;
        _assemblies = RuntimeAssemblies();
    }

    /// <summary>When set, every generated entry (assemblies excepted: they are copied as found) has this size.</summary>
    public int? FixedSize { get; init; }

    /// <summary>Size range (bytes) of one entry of each category; sizes are drawn log-uniformly.</summary>
    public static (int Min, int Max) SizeRange(EntryCategory category) => category switch
    {
        EntryCategory.Config => (2 * 1024, 48 * 1024),
        EntryCategory.Script => (2 * 1024, 48 * 1024),
        EntryCategory.Sql => (4 * 1024, 256 * 1024),
        EntryCategory.Log => (64 * 1024, 4 * 1024 * 1024),
        EntryCategory.Binary => (16 * 1024, 2 * 1024 * 1024),
        EntryCategory.Assembly => (8 * 1024, 1536 * 1024),
        EntryCategory.Nested => (256 * 1024, 6 * 1024 * 1024),
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    /// <summary>One entry: its path in the package, its bytes, and the uncompressed bytes it stands for (inner bytes for a nested archive).</summary>
    public (string Path, byte[] Bytes, long ContentBytes) Create(EntryCategory category, int index, int maxBytes)
    {
        var (min, max) = SizeRange(category);
        int size = Math.Max(256, Math.Min(maxBytes, FixedSize ?? LogUniform(min, max)));
        string service = Services[_random.Next(Services.Length)];
        switch (category)
        {
            case EntryCategory.Config:
                return _random.Next(3) switch
                {
                    0 => ($"etc/{service}/conf-{index:D5}.yaml", Yaml(service, size), size),
                    1 => ($"etc/{service}/conf-{index:D5}.json", Json(service, size), size),
                    _ => ($"etc/{service}/conf-{index:D5}.ini", Ini(service, size), size),
                };
            case EntryCategory.Script:
                return ($"scripts/{service}/step-{index:D5}.sh", Script(service, size), size);
            case EntryCategory.Sql:
                return ($"db/{service}/V{index:D5}__change.sql", Sql(service, index, size), size);
            case EntryCategory.Log:
                return ($"logs/{service}/{service}-{index:D5}.log", Log(service, size), size);
            case EntryCategory.Binary:
                bool elf = _random.Next(2) == 0;
                return (elf ? $"lib/native/lib{service}-{index:D5}.so" : $"data/{service}/blob-{index:D5}.bin", Binary(size, elf), size);
            case EntryCategory.Assembly:
                var (name, bytes) = Assembly();
                return ($"lib/net/{index:D5}/{name}", bytes, bytes.Length);
            case EntryCategory.Nested:
                var (archive, inner) = Nested(service, size);
                return ($"lib/bundles/{service}-bundle-{index:D5}.tar.gz", archive, inner);
            default:
                throw new ArgumentOutOfRangeException(nameof(category));
        }
    }

    private int LogUniform(int min, int max) =>
        (int)Math.Exp(Math.Log(min) + (_random.NextDouble() * (Math.Log(max) - Math.Log(min))));

    private byte[] Yaml(string service, int size)
    {
        var text = new StringBuilder(size + 256);
        text.Append(CultureInfo.InvariantCulture, $"# {service} service configuration\nservice:\n  name: {service}\n  replicas: {_random.Next(1, 9)}\n  listen: 0.0.0.0:{_random.Next(8000, 9000)}\n");
        text.Append(CultureInfo.InvariantCulture, $"upstream:\n  url: https://{service}-{_random.Next(100)}.svc.example.net:8443/api/v{_random.Next(1, 4)}\n  timeout_ms: {_random.Next(100, 30000)}\n");
        text.Append(CultureInfo.InvariantCulture, $"database:\n  host: db-{_random.Next(20)}.internal.example\n  user: svc_{service}\n  password: ${{DB_PASSWORD}}\nfeatures:\n");
        for (int i = 0; text.Length < size; i++)
            text.Append(CultureInfo.InvariantCulture, $"  flag_{service}_{i}: {(_random.Next(2) == 0 ? "true" : "false")}  # rollout {_random.Next(100)}%\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Json(string service, int size)
    {
        var text = new StringBuilder(size + 256);
        text.Append(CultureInfo.InvariantCulture, $"{{\n  \"service\": \"{service}\",\n  \"callbackUrl\": \"http://callbacks.example.org/{service}/{_random.Next(1000)}\",\n  \"settings\": {{\n");
        for (int i = 0; text.Length < size; i++)
            text.Append(CultureInfo.InvariantCulture, $"    \"{service}.key{i}\": {{ \"value\": {_random.Next()}, \"enabled\": {(_random.Next(2) == 0 ? "true" : "false")} }},\n");
        text.Append("    \"end\": null\n  }\n}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Ini(string service, int size)
    {
        var text = new StringBuilder(size + 256);
        for (int section = 0; text.Length < size; section++)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{service}.section{section}]\nendpoint = https://{service}.example.com:{_random.Next(1024, 65535)}/v1\n");
            for (int i = 0; i < 12; i++)
                text.Append(CultureInfo.InvariantCulture, $"option{i} = {_random.Next(100000)}\n");
            text.Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Script(string service, int size)
    {
        var text = new StringBuilder(size + 256);
        text.Append(CultureInfo.InvariantCulture, $"#!/bin/sh\n# upgrade step for {service}\nset -eu\n\n");
        for (int i = 0; text.Length < size; i++)
        {
            switch (_random.Next(6))
            {
                case 0: text.Append(CultureInfo.InvariantCulture, $"systemctl restart {service}-{i % 7}.service\n"); break;
                case 1: text.Append(CultureInfo.InvariantCulture, $"curl -fsS https://downloads.example.com/{service}/{_random.Next(1000)}.tgz -o /tmp/{service}-{i}.tgz\n"); break;
                case 2: text.Append(CultureInfo.InvariantCulture, $"echo '{_random.Next(60)} {_random.Next(24)} * * * root /opt/{service}/bin/job-{i}' > /etc/cron.d/{service}-job-{i}\n"); break;
                case 3: text.Append(CultureInfo.InvariantCulture, $"install -m 0644 \"$HERE/etc/{service}/conf-{i}.yaml\" /etc/{service}/\n"); break;
                case 4: text.Append(CultureInfo.InvariantCulture, $"if [ -f /var/lib/{service}/state-{i} ]; then\n    rm -f /var/lib/{service}/state-{i}\nfi\n"); break;
                default: text.Append(CultureInfo.InvariantCulture, $"echo \"step {i} of {service} done at $(date)\"\n"); break;
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Sql(string service, int index, int size)
    {
        var text = new StringBuilder(size + 256);
        string table = $"{service}_t{index}";
        text.Append(CultureInfo.InvariantCulture, $"-- migration {index} for {service}\nCREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric(12,2), created_at timestamptz NOT NULL DEFAULT now());\n");
        text.Append(CultureInfo.InvariantCulture, $"ALTER TABLE {service}_orders ADD COLUMN note_{index} text;\nCREATE INDEX idx_{table}_customer ON {table} (customer_id);\n");
        while (text.Length < size)
        {
            text.Append(CultureInfo.InvariantCulture, $"INSERT INTO {table} (id, customer_id, amount) VALUES");
            for (int i = 0; i < 20; i++)
                text.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? " " : ", ")}({_random.Next()}, {_random.Next(1_000_000)}, {_random.Next(100000) / 100.0:0.00})");
            text.Append(";\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Log(string service, int size)
    {
        var text = new StringBuilder(size + 256);
        var time = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(_random.Next(20 * 86400));
        while (text.Length < size)
        {
            time = time.AddMilliseconds(_random.Next(1, 5000));
            string message = string.Format(CultureInfo.InvariantCulture, Messages[_random.Next(Messages.Length)], _random.Next(1_000_000), _random.Next(1, 999));
            text.Append(CultureInfo.InvariantCulture, $"{time:yyyy-MM-ddTHH:mm:ss.fffZ} {Levels[_random.Next(Levels.Length)],-5} [{service}-worker-{_random.Next(16)}] {message}\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Binary(int size, bool elf)
    {
        var bytes = new byte[size];
        _random.NextBytes(bytes);
        if (elf && size >= 16)
        {
            // Just the ELF identification, so the sniffer calls it a native binary; the rest stays random.
            ReadOnlySpan<byte> ident = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            ident.CopyTo(bytes);
        }
        return bytes;
    }

    private (string Name, byte[] Bytes) Assembly()
    {
        if (_assemblies.Count == 0) return ("empty.dll", []);
        string path = _assemblies[_random.Next(_assemblies.Count)];
        return (System.IO.Path.GetFileName(path), File.ReadAllBytes(path));
    }

    private (byte[] Archive, long InnerBytes) Nested(string service, int size)
    {
        using var tar = new MemoryStream();
        long inner = 0;
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            for (int i = 0; inner < size; i++)
            {
                int left = (int)Math.Min(int.MaxValue, size - inner);
                var (path, bytes) = _random.Next(4) switch
                {
                    0 => ($"{service}/etc/conf-{i}.yaml", Yaml(service, Math.Min(left, LogUniform(1024, 16 * 1024)))),
                    1 => ($"{service}/bin/step-{i}.sh", Script(service, Math.Min(left, LogUniform(1024, 16 * 1024)))),
                    2 => ($"{service}/lib/native-{i}.so", Binary(Math.Max(16, Math.Min(left, LogUniform(16 * 1024, 512 * 1024))), elf: true)),
                    _ => ($"{service}/logs/{service}-{i}.log", Log(service, Math.Min(left, LogUniform(16 * 1024, 1024 * 1024)))),
                };
                using var data = new MemoryStream(bytes, writable: false);
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, path)
                {
                    ModificationTime = _timestamp,
                    Mode = path.EndsWith(".sh", StringComparison.Ordinal) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                    UserName = "root",
                    GroupName = "root",
                    DataStream = data,
                });
                inner += bytes.Length;
            }
        }
        tar.Position = 0;
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
            tar.CopyTo(gzip);
        return (gz.ToArray(), inner);
    }

    /// <summary>The .NET assemblies of the running runtime's folder, by name; read as bytes only, never loaded.</summary>
    private static List<string> RuntimeAssemblies()
    {
        var folder = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (folder is null) return [];
        var result = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            long length = new FileInfo(file).Length;
            if (length < 8 * 1024 || length > 1536 * 1024) continue;
            var prefix = new byte[Math.Min(length, ContentSniffer.PrefixLength)];
            using (var stream = File.OpenRead(file))
                stream.ReadExactly(prefix);
            if (ContentSniffer.IsCliImage(prefix)) result.Add(file);
        }
        return result;
    }
}
