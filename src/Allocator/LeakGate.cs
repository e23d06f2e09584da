using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>
/// An in-process leak gate for test suites: <c>using var gate = LeakGate.Begin();</c> … <c>gate.AssertNoLeaks();</c>
/// fails, naming each site (<c>file:line (member)</c>) and its bytes, when blocks allocated inside the scope are
/// still live. No tracer and no event session are needed.
/// </summary>
/// <remarks>
/// <para><b>Threads and async flows.</b> A scope follows the <em>async flow</em> that began it, like an
/// <see cref="AsyncLocal{T}"/>: it tracks blocks allocated on that flow and on everything that inherits its
/// <see cref="ExecutionContext"/> — <c>await</c> continuations, <c>Task.Run</c>, <c>Parallel.For</c>, new threads,
/// timers created inside it. Blocks allocated on other flows (a parallel test, a thread pool work item queued with
/// <c>UnsafeQueueUserWorkItem</c>, the finalizer thread) are not tracked, so tests running in parallel do not see
/// each other's blocks. A tracked block counts as freed whichever thread frees it. A block reallocated inside the
/// scope stays tracked under its new allocation id only if the scope tracked it before; a block allocated before
/// the scope and reallocated inside it is not the scope's.</para>
/// <para><b>Nesting.</b> Scopes nest: a block allocated inside an inner scope is tracked by the inner scope and by
/// every enclosing scope that is still open. Disposing a scope stops its tracking and makes its parent current again.</para>
/// <para><b>Scope of begin.</b> <see cref="Begin"/> sets the current scope of the calling flow. Called inside an
/// <c>async</c> method, the scope does not flow back to that method's caller (the usual <see cref="AsyncLocal{T}"/>
/// rule): begin the scope in the method that asserts.</para>
/// <para>An undisposed <see cref="NativeArray{T}"/> or <see cref="NativeBuffer{T}"/> is reported while its storage is
/// live; if the garbage collector has already finalized it, its storage is freed and the <c>OwnerFinalized</c> event,
/// not the gate, records the bug.</para>
/// </remarks>
public static class LeakGate
{
    /// <summary>Begins a scope on the calling async flow and makes it current; dispose it to end tracking.</summary>
    /// <param name="file">Caller info naming the scope in failure messages: leave it to the compiler.</param>
    /// <param name="line">Caller info: leave it to the compiler.</param>
    /// <param name="member">Caller info: leave it to the compiler.</param>
    public static LeakGateScope Begin([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        LeakGateObserver.Open(file, line, member);
}
