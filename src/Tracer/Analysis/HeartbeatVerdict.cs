namespace LeakScope.Tracer.Analysis;

/// <summary>What the heartbeats say about the tracer's live account at the end.</summary>
public enum HeartbeatVerdict
{
    /// <summary>No heartbeat was seen: nothing to check the account against.</summary>
    NoHeartbeat,

    /// <summary>The final heartbeat (or, when the tracer detached, a heartbeat near the end) equals the account.</summary>
    Verified,

    /// <summary>The account differs from the target's own counts.</summary>
    Mismatch,

    /// <summary>The stream was cut (target killed or crashed, or drain abandoned) before a final heartbeat: whatever was buffered is missing.</summary>
    NoFinalHeartbeat,
}
