namespace Preflight.Benchmarks;

/// <summary>Dispatches the benchmark commands.</summary>
public static class Program
{
    /// <summary>Entry point: the first argument names the command.</summary>
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "limbo": return Limbo.LimboRunner.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: Preflight.Benchmarks <command> [args]");
                return 2;
        }
    }
}
