using System.Diagnostics.Tracing;
using LeakScope.Tracer.Decoding;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>The EventPipe session LeakScope asks for: its own provider only, every per-operation keyword, no stacks, no runtime rundown.</summary>
internal static class SessionConfiguration
{
    public static EventPipeSessionConfiguration Create(TraceOptions options)
    {
        var provider = new EventPipeProvider(AllocatorSchema.ProviderName, EventLevel.Verbose, AllocatorSchema.PerOperationKeywords);

        // The four-argument overload: the short ones turn stack walks on (≈ +900 ns per event).
        return new EventPipeSessionConfiguration([provider], options.BufferSizeMB, requestRundown: false, requestStackwalk: false);
    }
}
