using System.Globalization;
using System.Runtime.InteropServices;

namespace Preflight.Benchmarks.Throughput;

/// <summary>What the numbers were measured on, and the process's peak resident set (Linux <c>/proc</c>).</summary>
internal static class Machine
{
    public static string Describe()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        return $"{Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, server GC {System.Runtime.GCSettings.IsServerGC}";
    }

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+: write 5 to clear_refs); silently does nothing elsewhere.</summary>
    public static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>VmHWM of this process, in bytes, or null where /proc is not there.</summary>
    public static long? PeakRssBytes() => ReadStatusKiB("/proc/self/status", "VmHWM:") * 1024;

    /// <summary>A kB field of a /proc status file, or null.</summary>
    public static long? ReadStatusKiB(string statusPath, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                var value = line[field.Length..].Trim();
                if (value.EndsWith(" kB", StringComparison.Ordinal)) value = value[..^3];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
