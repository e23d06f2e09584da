namespace LeakScope.Tracer.Analysis;

/// <summary>The live blocks and bytes of both families: what a heartbeat's counts are compared with.</summary>
internal readonly record struct LiveState(long RawBlocks, long RawBytes, long PoolBlocks, long PoolBytes)
{
    public static LiveState operator +(LiveState a, LiveState b) =>
        new(a.RawBlocks + b.RawBlocks, a.RawBytes + b.RawBytes, a.PoolBlocks + b.PoolBlocks, a.PoolBytes + b.PoolBytes);

    public static LiveState operator -(LiveState a, LiveState b) =>
        new(a.RawBlocks - b.RawBlocks, a.RawBytes - b.RawBytes, a.PoolBlocks - b.PoolBlocks, a.PoolBytes - b.PoolBytes);
}
