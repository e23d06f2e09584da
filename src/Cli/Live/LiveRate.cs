using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Live;

/// <summary>Events per second between two looks at the monitor: the front end owns the clock, not the engine.</summary>
internal sealed class LiveRate
{
    private long _lastEvents;
    private TimeSpan _lastTime;

    public double Update(LiveSnapshot? snapshot, TimeSpan now)
    {
        long events = snapshot?.EventsRead ?? 0;
        double seconds = (now - _lastTime).TotalSeconds;
        double rate = seconds > 0 ? Math.Max(0, events - _lastEvents) / seconds : 0;
        _lastEvents = events;
        _lastTime = now;
        return rate;
    }
}
