using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace LeakScope.Samples;

/// <summary>
/// An in-process listener (<c>--report-events</c>) that counts the LeakScope-Allocator events showing the planted
/// bugs: misuse, blocked resizes, leaked views and finalized owners. It proves the bugs are visible without a tracer.
/// </summary>
internal sealed class EventCounts : EventListener
{
    private const string SourceName = "LeakScope-Allocator";

    // Views | Misuse | Owners.
    private const EventKeywords Keywords = (EventKeywords)(0x2 | 0x4 | 0x20);

    private static readonly string[] Reported = ["Misuse", "ResizeBlocked", "ResizeBlockedView", "ViewLeaked", "OwnerFinalized"];

    private readonly ConcurrentDictionary<string, long> _counts = new();

    public override string ToString() =>
        string.Join(", ", Reported.Select(name => $"{name}={_counts.GetValueOrDefault(name)}"));

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Verbose, Keywords);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is string name)
        {
            _counts.AddOrUpdate(name, 1, (_, count) => count + 1);
        }
    }
}
