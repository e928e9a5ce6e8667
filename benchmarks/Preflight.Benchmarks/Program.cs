using BenchmarkDotNet.Running;
using Preflight.Benchmarks.Generation;
using Preflight.Benchmarks.Throughput;

// dotnet run -c Release --project benchmarks/Preflight.Benchmarks -- <command> [options]
//   generate     writes a deterministic synthetic package (see Generation/GenerateCommand.cs)
//   throughput   times reading and scanning one package beside unzip -t / gzip -t
//   floor        inflates every entry of a zip with the BCL on two threads, nothing else (the decompression floor)
//   e2e          times floor, unzip -t and `preflight scan` on the same packages as separate processes
//   memory       one scan in process, sampling where the memory is (RSS, collector, large objects)
//   split        time per detector and kind of entry, on one thread
//   limbo        runs the x509-limbo conformance cases through the certificate-chain validator
//   anything else goes to BenchmarkDotNet (e.g. --filter '*' --job short)
switch (args.Length > 0 ? args[0] : string.Empty)
{
    case "generate":
        return await GenerateCommand.RunAsync(args[1..]);
    case "throughput":
        return await ThroughputCommand.RunAsync(args[1..]);
    case "floor":
        return Preflight.Benchmarks.EndToEnd.FloorCommand.Run(args[1..]);
    case "e2e":
        return await Preflight.Benchmarks.EndToEnd.EndToEndCommand.RunAsync(args[1..]);
    case "memory":
        return await MemoryCommand.RunAsync(args[1..]);
    case "split":
        return await Preflight.Benchmarks.EndToEnd.SplitCommand.RunAsync(args[1..]);
    case "limbo":
        return Preflight.Benchmarks.Limbo.LimboRunner.Run(args[1..]);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
}
