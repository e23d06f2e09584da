using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// The one owner of the high-rate protocol (docs/batch-format.md): which <see cref="BatchingState"/> it is in, every
/// thread's <see cref="BatchWriter"/>, where their batches go, the session generation that tells a writer its records and
/// folds are stale, the signal that tells owners something they act on changed, and the fold floors a rundown raises.
/// Writers read only their own signal on their hot path (<see cref="SignalWriters"/>), once per record step.
/// <para>
/// Transitions: <see cref="Start"/> (Off or Batching → Batching: a session starts; what writers left unpublished is
/// dropped), <see cref="Stop"/> (→ Off), <see cref="BeginWalk"/> (Batching → Walking: nothing folds, pending allocations
/// are published) and <see cref="EndWalk"/> (Walking → Batching: pending allocations published again, fold floors raised
/// to every writer's next id, folding resumes), <see cref="BeginExit"/> (any → Exiting: batches go to the exit file; final).
/// A walk that a <see cref="Stop"/> interrupts ends in Off; nothing leaves Exiting.
/// </para>
/// <para>
/// It also owns the operation boundary of a detach cut (<see cref="BeginCut"/>, <see cref="OperationCut"/>): owners read
/// their signal in every record step, and while a cut is being taken each owner waits at the end of one, once.
/// </para>
/// <see cref="Shared"/> is the process's; tests build their own with their own output and drive it step by step.
/// </summary>
internal sealed class BatchingSession
{
    /// <summary>The process's protocol: batches go to the event source.</summary>
    public static readonly BatchingSession Shared = new(new EventSourceBatchOutput());

    private readonly Lock _lock = new();
    private readonly List<BatchWriter> _writers = new();
    private IBatchOutput _output;
    private int _state;

    /// <summary>Bumped when a session starts: records and folds of an earlier one are dropped.</summary>
    private long _generation = 1;

    /// <summary>The cut being taken (0: none), and the thread taking it (which never waits at its own cut).</summary>
    private long _cutEpoch;
    private long _cuts;
    private int _cutThread;

    /// <summary>
    /// How long an owner waits at a cut at most: far beyond what a cut takes (it gives up after
    /// <see cref="OperationCut.Patience"/>), so only a cut whose thread stopped running releases its owners this way.
    /// </summary>
    internal static readonly TimeSpan WaitAtCutLimit = TimeSpan.FromSeconds(3);

    public BatchingSession(IBatchOutput output) => _output = output;

    /// <summary>
    /// After every change an owner acts on — a session start, a publish-all (a heartbeat went by), a detach cut beginning,
    /// every state transition — the session moves each registered writer's signal (<see cref="BatchWriter.Signal"/>), the
    /// one field an owner reads in a record step, in its own writer: while it stays what the owner last acted on, nothing
    /// changed that the owner must act on. Each change is made first and the signals moved after it (interlocked adds,
    /// full fences), so an owner that reads its signal and then the session's fields sees at least the changes that value
    /// stands for. A writer registered later starts with a signal it has not acted on. This replaced a stamp read on
    /// every allocation, a boundary read at the end of every step and a state read on every fold, each a chain of loads
    /// writer → session → field (bench/README.md, traced, issue 15, fifth pass).
    /// </summary>
    private void SignalWriters()
    {
        lock (_lock)
        {
            SignalWritersLocked();
        }
    }

    private void SignalWritersLocked()
    {
        foreach (BatchWriter writer in _writers)
        {
            writer.Signal();
        }
    }

    /// <summary>The cut being taken now, or 0.</summary>
    public long CutEpoch => Volatile.Read(ref _cutEpoch);

    /// <summary>
    /// A detach cut begins (docs/reliability.md, "Detach"): from now on every owner that ends a record step waits there,
    /// once, until <see cref="EndCut"/>. The epoch is published before the signal moves, so an owner that sees the new
    /// signal sees the cut. One cut at a time (the heartbeat thread takes them).
    /// </summary>
    public OperationCut BeginCut()
    {
        Volatile.Write(ref _cutThread, Environment.CurrentManagedThreadId);
        Volatile.Write(ref _cutEpoch, Interlocked.Increment(ref _cuts));
        SignalWriters();
        return new OperationCut(this);
    }

    /// <summary>The cut is taken and its heartbeat written: owners waiting at it go on.</summary>
    public void EndCut() => Volatile.Write(ref _cutEpoch, 0);

    /// <summary>
    /// An owner at the end of a record step whose boundary moved: if a cut is being taken (and this is not the thread taking
    /// it), wait until it is done, at most <see cref="WaitAtCutLimit"/>. The owner holds no lock of the allocator here.
    /// </summary>
    internal void WaitAtCut()
    {
        long cut = Volatile.Read(ref _cutEpoch);
        if (cut == 0 || Environment.CurrentManagedThreadId == Volatile.Read(ref _cutThread))
        {
            return;
        }

        long started = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _cutEpoch) == cut && Stopwatch.GetElapsedTime(started) < WaitAtCutLimit)
        {
            spinner.SpinOnce();
        }
    }

    public BatchingState State => (BatchingState)Volatile.Read(ref _state);

    /// <summary>Where batches go now: the event source, or the exit file once the runtime has shut sessions down.</summary>
    public IBatchOutput Output => Volatile.Read(ref _output);

    public long Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// False while a rundown walks the heap. An owner decides a fold by its writer's signal (unchanged since it saw folding
    /// allowed) or, when that moved, by this. Either is read after the heap has marked the block Freed, paired with
    /// <see cref="BeginWalk"/>, which sets Walking, moves the signals and then runs a process-wide barrier before it walks
    /// (the owner's side needs no fence of its own): either the walk sees the block Freed, or the owner sees the new signal
    /// and Walking — a walk that read a block as live is certain to see its free written as a record.
    /// </summary>
    public bool FoldingAllowed => Volatile.Read(ref _state) != (int)BatchingState.Walking;

    /// <summary>Every writer registered now (a copy).</summary>
    public BatchWriter[] Writers
    {
        get
        {
            lock (_lock)
            {
                return _writers.ToArray();
            }
        }
    }

    public void Register(BatchWriter writer)
    {
        lock (_lock)
        {
            if (!_writers.Contains(writer))
            {
                _writers.Add(writer);
            }
        }
    }

    public void Unregister(BatchWriter writer)
    {
        lock (_lock)
        {
            _writers.Remove(writer);
        }
    }

    /// <summary>A session has just enabled batching: forget whatever an earlier session left unpublished, number batches from 1.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (State == BatchingState.Exiting)
            {
                return;
            }

            Interlocked.Increment(ref _generation); // writers drop earlier folds and take their counters' copy again
            foreach (BatchWriter writer in _writers)
            {
                writer.Discard();
            }

            Output.SessionStarted();
            Volatile.Write(ref _state, (int)BatchingState.Batching);
            SignalWritersLocked();
        }
    }

    /// <summary>No session asks for batches any more.</summary>
    public void Stop() => Transition(from: null, to: BatchingState.Off);

    /// <summary>
    /// Before a rundown walks the heap: no pending allocation may fold from now on, and those pending now are published.
    /// Walking is set, then a process-wide barrier runs before the walk reads any block (<see cref="FoldingAllowed"/>).
    /// False (and nothing done) unless the protocol is batching.
    /// </summary>
    public bool BeginWalk()
    {
        if (!Transition(from: BatchingState.Batching, to: BatchingState.Walking))
        {
            return false;
        }

        // After the signal moved (Transition); PublishAll runs one too, this one does not depend on there being writers.
        Interlocked.MemoryBarrierProcessWide();
        PublishAll();
        return true;
    }

    /// <summary>
    /// After the walk: publishes the allocations still pending (the walk may have reported them), raises every writer's
    /// fold floor to the next id its owner will hand out (a block is live in the heap a moment before its allocation
    /// reaches the pending slot, so the walk may have reported a block that is not pending yet), then lets owners fold
    /// again — only blocks allocated after the walk.
    /// </summary>
    public void EndWalk()
    {
        PublishAll();
        foreach (BatchWriter writer in Writers)
        {
            writer.RaiseFoldFloor();
        }

        Transition(from: BatchingState.Walking, to: BatchingState.Batching);
    }

    /// <summary>At process exit: every batch from now on goes to <paramref name="output"/> (the exit file). Final.</summary>
    public void BeginExit(IBatchOutput output)
    {
        lock (_lock)
        {
            Volatile.Write(ref _output, output);
            Volatile.Write(ref _state, (int)BatchingState.Exiting);
            SignalWritersLocked();
        }
    }

    /// <summary>
    /// Publishes every writer's records; owners append their folded counters at the end of their next record step. Every take of
    /// a pending slot is announced, then one process-wide barrier serves them all (<see cref="BatchWriter.Publish"/>); it
    /// also orders this thread's earlier writes (a walk's Walking state) before whatever it reads after.
    /// </summary>
    public void PublishAll()
    {
        BatchWriter[] writers = Writers;
        foreach (BatchWriter writer in writers)
        {
            writer.TakeBegun();
        }

        Interlocked.MemoryBarrierProcessWide();
        foreach (BatchWriter writer in writers)
        {
            writer.PublishTaken();
        }

        SignalWriters();
    }

    private bool Transition(BatchingState? from, BatchingState to)
    {
        lock (_lock)
        {
            BatchingState now = State;
            if (now == BatchingState.Exiting || (from is { } expected && now != expected))
            {
                return false;
            }

            // An exchange, a full fence, then the signal: see FoldingAllowed.
            Interlocked.Exchange(ref _state, (int)to);
            SignalWritersLocked();
            return true;
        }
    }
}
