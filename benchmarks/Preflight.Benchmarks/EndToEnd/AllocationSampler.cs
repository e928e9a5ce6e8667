using System.Diagnostics.Tracing;

namespace Preflight.Benchmarks.EndToEnd;

/// <summary>
/// Samples the runtime's allocations in this process by type: the collector raises an <c>AllocationTick</c> event
/// about every 100 KB allocated, naming the type of the object that crossed the mark, so each event stands for about
/// 100 KB of that type (a sample, not a count). Used by <c>split --allocations</c> to say which types the collections
/// are made of.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly Dictionary<string, (long Events, long Bytes)> _byType = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null) return;
        int typeAt = eventData.PayloadNames.IndexOf("TypeName");
        int amountAt = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (typeAt < 0 || eventData.Payload is null) return;
        var type = eventData.Payload[typeAt] as string ?? "?";
        long bytes = amountAt >= 0 && eventData.Payload[amountAt] is ulong amount ? (long)amount : 100_000;
        lock (_gate)
        {
            var (events, total) = _byType.GetValueOrDefault(type);
            _byType[type] = (events + 1, total + bytes);
        }
    }

    /// <summary>The types sampled most, with the bytes their samples stand for.</summary>
    public IReadOnlyList<(string Type, long Events, long Bytes)> Top(int count)
    {
        lock (_gate) return [.. _byType.OrderByDescending(p => p.Value.Bytes).Take(count).Select(p => (p.Key, p.Value.Events, p.Value.Bytes))];
    }
}
