using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>Everything the engine accumulates for one (allocating site, family), including its growth samples.</summary>
internal sealed class SiteAccount(int site, HeapFamily family)
{
    public int Site { get; } = site;

    public HeapFamily Family { get; } = family;

    public long LiveBlocks;
    public long LiveBytes;
    public long Allocations;
    public long AllocatedBytes;
    public long Frees;

    // Growth samples, taken at each heartbeat.
    private bool _sampled;
    private long _first;
    private long _last;
    private long _peak;
    private int _rises;
    private int _falls;
    private int _windows;

    /// <summary>Samples the live bytes at a heartbeat. A site first sampled after the session's first heartbeat starts from 0.</summary>
    public void Sample(bool firstHeartbeat)
    {
        long now = LiveBytes;
        if (!_sampled)
        {
            _sampled = true;
            _first = firstHeartbeat ? now : 0;
            _last = _first;
            _peak = _first;
            if (firstHeartbeat)
            {
                return;
            }
        }

        _windows++;
        if (now > _last)
        {
            _rises++;
        }
        else if (now < _last)
        {
            _falls++;
        }

        _last = now;
        _peak = Math.Max(_peak, now);
    }

    /// <summary>Live bytes at the site's first heartbeat sample (0 before any, or when it first appeared after the session's first heartbeat).</summary>
    public long FirstSampleBytes => _sampled ? _first : 0;

    public GrowthEvidence? Growth => _sampled ? new GrowthEvidence(_first, _last, _peak, _rises, _falls, _windows) : null;
}
