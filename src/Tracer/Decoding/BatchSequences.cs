namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Which batches of each writer (one per target thread) have arrived, by the sequence number in their header
/// (1, 2, … per writer and session). It tells a batch replayed by the exit file that the stream already delivered
/// from one the stream lost, and counts the numbers never seen: batches lost without EventPipe noticing. Writers
/// deliver in order, so each keeps a watermark and, only after a gap, the few numbers seen above it.
/// </summary>
internal sealed class BatchSequences
{
    private readonly Dictionary<long, Writer> _writers = new();

    /// <summary>Records the batch; false when it was seen before.</summary>
    public bool FirstTime(long writer, long sequence)
    {
        if (!_writers.TryGetValue(writer, out Writer? state))
        {
            state = new Writer();
            _writers.Add(writer, state);
        }

        return state.Add(sequence);
    }

    /// <summary>Numbers below the highest seen of each writer that never arrived.</summary>
    public long Missing()
    {
        long missing = 0;
        foreach (Writer writer in _writers.Values)
        {
            missing += writer.Missing;
        }

        return missing;
    }

    private sealed class Writer
    {
        /// <summary>Every number up to here has arrived.</summary>
        private long _contiguous;
        private SortedSet<long>? _ahead;

        public long Missing => _ahead is { Count: > 0 } ahead ? ahead.Max - _contiguous - ahead.Count : 0;

        public bool Add(long sequence)
        {
            if (sequence <= _contiguous)
            {
                return false;
            }

            if (sequence != _contiguous + 1)
            {
                _ahead ??= new SortedSet<long>();
                return _ahead.Add(sequence);
            }

            _contiguous = sequence;
            while (_ahead is { Count: > 0 } ahead && ahead.Min == _contiguous + 1)
            {
                ahead.Remove(ahead.Min);
                _contiguous++;
            }

            return true;
        }
    }
}
