using System.Diagnostics;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// A detach cut (docs/reliability.md, "Detach"): the counts a confirming heartbeat carries, taken so that they hold exactly
/// what the records published before it hold. An operation is counted by its thread (the heap's counters) and then recorded
/// (its writer); the cut agrees with every writer on an operation boundary instead of hoping no thread is in between:
/// <list type="number">
/// <item><see cref="BatchingSession.BeginCut"/>: every owner that ends a record step from now on waits there, once, so
/// busy threads stop at a boundary instead of outrunning the cut;</item>
/// <item>wait until every writer is <em>between operations</em>: its owner's counters equal the copy it took at the end of
/// its last record step (<see cref="BatchWriter.Counted"/>). An owner that counted an operation and has not recorded it
/// yet (caught between the two, or descheduled there) differs, and the cut waits for it;</item>
/// <item><see cref="ReadBefore"/> the counters, take the snapshot, publish every writer, <see cref="ReadAfter"/>: if no
/// owner's counters moved in between and all were between operations at both reads, every operation in the snapshot has
/// its record in what was published, and nothing else was recorded — the cut holds. Otherwise (an owner began an
/// operation meanwhile; it now waits at the boundary) it is taken again.</item>
/// </list>
/// Across threads the cut is consistent too: a block freed on one thread was recorded by the thread that allocated it
/// before it could be handed over, and that allocation is counted in the same snapshot.
/// <para>
/// Not covered: an owner whose counters are not comparable — a thread that has recorded nothing since the session started
/// (its copy is of an earlier session, or it has no writer yet) — is taken as it reads, unchanged between the two reads;
/// if its first operation of the session is counted and not yet recorded across the whole cut, the heartbeat is one
/// operation ahead and the tracer's check says INCOMPLETE.
/// </para>
/// </summary>
internal sealed class OperationCut : IDisposable
{
    /// <summary>How long <see cref="Take{T}"/> keeps trying; well inside the tracer's wait for the answer (5 s).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    private readonly BatchingSession _session;
    private BatchWriter[] _writers = [];
    private FamilyCounters[] _before = [];
    private bool[] _comparable = [];
    private bool _beforeQuiet;

    internal OperationCut(BatchingSession session) => _session = session;

    /// <summary>The last <see cref="Take{T}"/> ended with a cut that holds (false: it gave up after <see cref="Patience"/>).</summary>
    public bool Held { get; private set; }

    /// <summary>How many times the cut was taken before it held (or gave up).</summary>
    public int Attempts { get; private set; }

    /// <summary>
    /// Takes the cut: waits for every writer to be between operations, then <paramref name="capture"/> (the counts the
    /// heartbeat carries) and a publish of every writer, again until they agree or <paramref name="patience"/> runs out
    /// (then the last capture is returned and <see cref="Held"/> is false: the tracer's check decides).
    /// </summary>
    public T Take<T>(Func<T> capture, TimeSpan patience)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            var spinner = default(SpinWait);
            while (!AllBetweenOperations() && Stopwatch.GetElapsedTime(started) < patience)
            {
                spinner.SpinOnce();
            }

            ReadBefore();
            T snapshot = capture();
            if (_session.State != BatchingState.Off)
            {
                // As the heartbeat does: while no session asks for batches, records of an earlier one wait for the next start to drop them.
                _session.PublishAll();
            }

            Attempts++;
            Held = ReadAfter();
            if (Held || Stopwatch.GetElapsedTime(started) >= patience)
            {
                return snapshot;
            }

            Thread.Yield();
        }
    }

    /// <summary>True when every writer whose counters are comparable has its counters equal to its last record step's copy.</summary>
    public bool AllBetweenOperations()
    {
        Span<FamilyCounters> counted = stackalloc FamilyCounters[FamilySlots.Count];
        Span<FamilyCounters> counters = stackalloc FamilyCounters[FamilySlots.Count];
        foreach (BatchWriter writer in _session.Writers)
        {
            if (writer.ReadBoundary(counted, counters) && !Same(counted, counters))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Before the snapshot: every writer, its owner's counters, and whether it was between operations.</summary>
    public void ReadBefore()
    {
        _writers = _session.Writers;
        _before = new FamilyCounters[_writers.Length * FamilySlots.Count];
        _comparable = new bool[_writers.Length];
        _beforeQuiet = true;
        Span<FamilyCounters> counted = stackalloc FamilyCounters[FamilySlots.Count];
        for (int w = 0; w < _writers.Length; w++)
        {
            Span<FamilyCounters> counters = _before.AsSpan(w * FamilySlots.Count, FamilySlots.Count);
            _comparable[w] = _writers[w].ReadBoundary(counted, counters);
            _beforeQuiet &= !_comparable[w] || Same(counted, counters);
        }
    }

    /// <summary>
    /// After the snapshot and the publish: true when the writers are the same, every owner's counters are as they were
    /// before, and every comparable owner was between operations at both reads.
    /// </summary>
    public bool ReadAfter()
    {
        BatchWriter[] now = _session.Writers;
        if (!_beforeQuiet || now.Length != _writers.Length)
        {
            return false;
        }

        Span<FamilyCounters> counted = stackalloc FamilyCounters[FamilySlots.Count];
        Span<FamilyCounters> counters = stackalloc FamilyCounters[FamilySlots.Count];
        for (int w = 0; w < _writers.Length; w++)
        {
            if (!ReferenceEquals(now[w], _writers[w]))
            {
                return false;
            }

            bool comparable = _writers[w].ReadBoundary(counted, counters);
            if (comparable != _comparable[w]
                || !Same(counters, _before.AsSpan(w * FamilySlots.Count, FamilySlots.Count))
                || (comparable && !Same(counted, counters)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Same(ReadOnlySpan<FamilyCounters> left, ReadOnlySpan<FamilyCounters> right)
    {
        for (int f = 0; f < left.Length; f++)
        {
            if (left[f].LiveBytes != right[f].LiveBytes || left[f].Allocations != right[f].Allocations || left[f].Frees != right[f].Frees)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Ends the cut: owners waiting at the boundary go on. Call after the heartbeat is written.</summary>
    public void Dispose() => _session.EndCut();
}
