using Preflight.Fuzz;
using SharpFuzz;

// Usage:
//   Preflight.Fuzz <target>                 run under AFL++ (input on stdin, SharpFuzz's fork server)
//   Preflight.Fuzz <target> --replay <dir>  run every file of a folder once (seeds, crashes, hangs) and report
//   Preflight.Fuzz --list                   print the target names
if (args.Length == 1 && args[0] == "--list")
{
    foreach (var name in Targets.All.Keys) Console.WriteLine(name);
    return 0;
}
if (args.Length == 0 || !Targets.All.ContainsKey(args[0]))
{
    Console.Error.WriteLine($"usage: Preflight.Fuzz <target> [--replay <dir>]; targets: {string.Join(", ", Targets.All.Keys)}");
    return 2;
}
string target = args[0];
if (args.Length == 3 && args[1] == "--replay")
{
    int failed = 0;
    foreach (var file in Directory.EnumerateFiles(args[2], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Targets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"ok     {watch.ElapsedMilliseconds,6} ms  {file}");
        }
        catch (Exception ex)
        {
            failed++;
            Console.WriteLine($"FAILED {watch.ElapsedMilliseconds,6} ms  {file}: {ex.GetType().Name}: {ex.Message}");
        }
    }
    return failed == 0 ? 0 : 1;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    Targets.Run(target, copy.ToArray());
});
return 0;
