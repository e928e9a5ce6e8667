using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Preflight.Content;

namespace Preflight.Benchmarks.Micro;

/// <summary>Indexing the lines of a log-like text and walking every line as a span, as a detector does.</summary>
[MemoryDiagnoser]
public class LineIndexBenchmarks
{
    private string _text = string.Empty;

    [Params(64 * 1024, 4 * 1024 * 1024)]
    public int Chars { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var text = new StringBuilder(Chars + 200);
        var time = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        while (text.Length < Chars)
        {
            time = time.AddMilliseconds(random.Next(1, 5000));
            text.Append(CultureInfo.InvariantCulture, $"{time:yyyy-MM-ddTHH:mm:ss.fffZ} INFO  [worker-{random.Next(16)}] processed order {random.Next(1_000_000)} in {random.Next(1, 999)} ms\n");
        }
        _text = text.ToString(0, Chars);
    }

    [Benchmark]
    public int Build() => new LineIndex(_text).Count;

    [Benchmark]
    public int BuildAndWalkLines()
    {
        var lines = new LineIndex(_text);
        int nonEmpty = 0;
        for (int i = 1; i <= lines.Count; i++)
            if (!lines[i].IsWhiteSpace()) nonEmpty++;
        return nonEmpty;
    }
}
