namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One managed frame: <c>Namespace.Type.Method</c> as the user wrote it (an async state machine's <c>MoveNext</c> reads as its
/// method), and the source file and line when a PDB was found. <see cref="File"/> is null and <see cref="Line"/> 0 without one.
/// </summary>
public sealed record CallFrame(string Method, string? File = null, int Line = 0)
{
    /// <summary><c>Method (File:Line)</c>, or the method alone.</summary>
    public override string ToString() => File is null ? Method : $"{Method} ({File}:{Line})";
}
