using System.Diagnostics;
using LeakScope.Allocator;
using LeakScope.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LeakScope.Hosting;

/// <summary>
/// Samples per-site live bytes in-process (<see cref="HeapStats.CaptureSites"/>, no tracer), judges each site by the
/// growth rule over the most recent sample windows, publishes the top sites to the <c>LeakScope.Allocator</c> meter
/// (<see cref="SiteMetrics"/>) and logs a warning once per growth episode. <see cref="LeakScopeServiceCollectionExtensions.AddLeakScope"/>
/// registers one as a singleton and a hosted service that calls <see cref="Sample"/> every
/// <see cref="LeakScopeOptions.SampleInterval"/>; the <c>leakscope</c> health check reads <see cref="Latest"/>.
/// </summary>
public sealed class LeakScopeWatcher
{
    private static readonly Action<ILogger, string, string, string, double, long, double, Exception?> s_growing =
        LoggerMessage.Define<string, string, string, double, long, double>(
            LogLevel.Warning,
            new EventId(1, "SiteGrowing"),
            "LeakScope: site {Site} ({Member}, {Family}) is growing at {BytesPerSecond:F0} B/s: {LiveBytes} B live, up for {GrowingSeconds:F0} s");

    private readonly LeakScopeOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<SiteKey, SiteHistory> _sites = new();
    private readonly List<DateTimeOffset> _times = new();
    private LeakScopeSample? _latest;
    private long _samples;

    /// <summary>A watcher with these options, logging to <paramref name="logger"/>, stamping samples with <paramref name="timeProvider"/>.</summary>
    public LeakScopeWatcher(IOptions<LeakScopeOptions> options, ILogger<LeakScopeWatcher>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The options in force.</summary>
    public LeakScopeOptions Options => _options;

    /// <summary>The latest sample, or null before the first.</summary>
    public LeakScopeSample? Latest => Volatile.Read(ref _latest);

    /// <summary>
    /// Takes one sample now: walks the live heap, updates every site's recent windows, publishes the top sites and the
    /// flagged ones to the meter, logs each growth episode that has just begun, and returns the sample.
    /// </summary>
    public LeakScopeSample Sample()
    {
        lock (_lock)
        {
            long started = Stopwatch.GetTimestamp();
            IReadOnlyList<SiteUsage> sites = HeapStats.CaptureSites();
            DateTimeOffset now = _time.GetUtcNow();
            int keep = _options.RecentWindows + 1;
            _times.Add(now);
            if (_times.Count > keep)
            {
                _times.RemoveAt(0);
            }

            foreach (SiteUsage site in sites)
            {
                var key = new SiteKey(site.File, site.Line, site.Member, site.Family);
                if (!_sites.TryGetValue(key, out SiteHistory? history))
                {
                    // A site that appears after the first sample starts from 0, as in the tracer.
                    history = new SiteHistory(keep, startsFromZero: _samples > 0);
                    _sites.Add(key, history);
                }

                history.Record(site);
                history.LastSampleNumber = _samples;
            }

            var growing = new List<GrowingSite>();
            List<SiteKey>? gone = null;
            foreach ((SiteKey key, SiteHistory history) in _sites)
            {
                if (history.LastSampleNumber != _samples)
                {
                    // No live block left at this site: it reads 0, and is forgotten once all its recent samples do.
                    history.Record(new SiteUsage(key.File, key.Line, key.Member, key.Family, 0, 0));
                    history.LastSampleNumber = _samples;
                    if (history.AllZero)
                    {
                        (gone ??= new()).Add(key);
                        continue;
                    }
                }

                GrowingSite? flagged = Judge(history, now);
                if (flagged is not null)
                {
                    growing.Add(flagged);
                }
            }

            if (gone is not null)
            {
                foreach (SiteKey key in gone)
                {
                    _sites.Remove(key);
                }
            }

            SiteUsage[] top = sites.OrderByDescending(s => s.LiveBytes).ThenBy(s => s.File, StringComparer.Ordinal).ThenBy(s => s.Line).Take(_options.MaxSites).ToArray();
            GrowingSite[] flaggedTop = growing.OrderByDescending(g => g.BytesPerSecond).Take(_options.MaxSites).ToArray();
            SiteMetrics.Publish(top, flaggedTop.Select(g => g.Site));

            var sample = new LeakScopeSample(now, _samples, top, flaggedTop, sites.Count, Stopwatch.GetElapsedTime(started));
            _samples++;
            Volatile.Write(ref _latest, sample);
            return sample;
        }
    }

    /// <summary>Empties the per-site gauges (the hosted service calls it when it stops).</summary>
    internal static void Unpublish() => SiteMetrics.Clear();

    private GrowingSite? Judge(SiteHistory history, DateTimeOffset now)
    {
        ReadOnlySpan<long> bytes = history.Bytes;
        int rising = 0;
        int falling = 0;
        for (int i = 1; i < bytes.Length; i++)
        {
            rising += bytes[i] > bytes[i - 1] ? 1 : 0;
            falling += bytes[i] < bytes[i - 1] ? 1 : 0;
        }

        long first = bytes.Length == 0 ? 0 : bytes[0];
        long last = bytes.Length == 0 ? 0 : bytes[^1];
        if (!GrowthCriteria.IsGrowth(rising, falling, first, last, _options.MinRisingWindows, _options.MinGrowthBytes))
        {
            history.GrowingSince = null;
            return null;
        }

        // The windows span the last bytes.Length sample times (a site new since the first sample has fewer).
        DateTimeOffset windowStart = _times[Math.Max(0, _times.Count - bytes.Length)];
        double seconds = Math.Max((now - windowStart).TotalSeconds, 1e-3);
        var flagged = new GrowingSite(history.Current, history.GrowingSince ?? windowStart, last - first, (last - first) / seconds);
        if (history.GrowingSince is null)
        {
            history.GrowingSince = windowStart;
            s_growing(_logger, flagged.Site.Location, flagged.Site.Member, FamilyName(flagged.Site.Family), flagged.BytesPerSecond, flagged.Site.LiveBytes, (now - windowStart).TotalSeconds, null);
        }

        return flagged;
    }

    internal static string FamilyName(AllocationFamily family) => family.ToString().ToLowerInvariant();

    private readonly record struct SiteKey(string File, int Line, string Member, AllocationFamily Family);

    /// <summary>One (site, family)'s live bytes at the most recent samples, oldest first.</summary>
    private sealed class SiteHistory
    {
        private readonly long[] _bytes;
        private int _count;

        public SiteHistory(int capacity, bool startsFromZero)
        {
            _bytes = new long[capacity];
            if (startsFromZero)
            {
                _count = 1;
            }
        }

        public SiteUsage Current { get; private set; }

        public long LastSampleNumber { get; set; } = -1;

        public DateTimeOffset? GrowingSince { get; set; }

        public ReadOnlySpan<long> Bytes => _bytes.AsSpan(0, _count);

        public bool AllZero => !Bytes.ContainsAnyExcept(0L);

        public void Record(SiteUsage usage)
        {
            Current = usage;
            if (_count == _bytes.Length)
            {
                Array.Copy(_bytes, 1, _bytes, 0, _count - 1);
                _count--;
            }

            _bytes[_count++] = usage.LiveBytes;
        }
    }
}
