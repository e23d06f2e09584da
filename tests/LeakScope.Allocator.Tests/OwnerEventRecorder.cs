using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>One event as an in-process listener saw it.</summary>
internal sealed record RecordedEvent(int Id, string Name, int Version, IReadOnlyList<string> PayloadNames, IReadOnlyList<object?> Payload)
{
    public long Long(string name) => Convert.ToInt64(Payload[IndexOf(name)], System.Globalization.CultureInfo.InvariantCulture);

    private int IndexOf(string name)
    {
        for (int i = 0; i < PayloadNames.Count; i++)
        {
            if (PayloadNames[i] == name)
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"Event {Name} has no payload field {name}; it has {string.Join(", ", PayloadNames)}.");
    }

    public override string ToString() => $"{Name}({string.Join(", ", PayloadNames.Zip(Payload, (n, v) => $"{n}={v}"))})";
}

/// <summary>
/// Records the LeakScope-Allocator events (allocations, views, misuse, owners) written in this process while it lives.
/// The source is process-wide: filter what it returns by the ids your test created.
/// </summary>
internal sealed class OwnerEventRecorder : EventListener
{
    private const EventKeywords Keywords =
        AllocatorEventSource.Keywords.Allocations | AllocatorEventSource.Keywords.Views |
        AllocatorEventSource.Keywords.Misuse | AllocatorEventSource.Keywords.Owners;

    private readonly ConcurrentQueue<RecordedEvent> _events = new();
    private readonly Arrivals _arrivals = new();

    public IReadOnlyList<RecordedEvent> Events => _events.ToArray();

    /// <summary>Events with one of <paramref name="ids"/> whose <paramref name="field"/> is <paramref name="value"/>, in order.</summary>
    public IReadOnlyList<RecordedEvent> Where(string field, long value, params int[] ids) =>
        Events.Where(e => ids.Contains(e.Id) && e.PayloadNames.Contains(field) && e.Long(field) == value).ToList();

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds over the events received, looking again at each arrival; fails otherwise.</summary>
    public void WaitUntil(Func<IReadOnlyList<RecordedEvent>, bool> condition, string what, TimeSpan timeout) =>
        Assert.True(_arrivals.WaitUntil(() => condition(Events), timeout), $"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == AllocatorEventSource.SourceName)
        {
            EnableEvents(eventSource, EventLevel.Verbose, Keywords);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name == AllocatorEventSource.SourceName)
        {
            _events.Enqueue(new RecordedEvent(
                eventData.EventId,
                eventData.EventName ?? "",
                eventData.Version,
                eventData.PayloadNames?.ToArray() ?? [],
                eventData.Payload?.ToArray() ?? []));
            _arrivals.Arrived();
        }
    }
}
