using LeakScope.Tracer.Events;
using LeakScope.Tracer.Stacks;
using LeakScope.Wire;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// The TraceEvent side of stacks: from a stream that walked stacks (the tracer's second session, or a dotnet-trace
/// recording), takes the runtime's method and module loads and rundown into the <see cref="StackCollector"/>'s code map,
/// and every <c>LeakScope-Allocator</c> event that carries a stack and names a block — <c>StackSample</c> (29), and in a
/// per-operation recording <c>BlockAllocated</c> (2), <c>BlockReallocated</c> (4), <c>ViewAcquired</c> (20) and
/// <c>OwnerCreated</c> (25), <c>ResizeBlocked</c> (22) — and misuse (5) as samples.
/// </summary>
internal sealed class StackEventAdapter
{
    private readonly StackCollector _collector;
    private readonly List<ulong> _addresses = new(128);

    public StackEventAdapter(TraceEventDispatcher source, StackCollector collector)
    {
        _collector = collector;
        source.Clr.MethodLoadVerbose += OnMethod;
        source.Clr.MethodILToNativeMap += OnIlMap;
        source.Clr.LoaderModuleLoad += OnModule;
        var rundown = new ClrRundownTraceEventParser(source);
        rundown.MethodDCStartVerbose += OnMethod;
        rundown.MethodDCStopVerbose += OnMethod;
        rundown.MethodILToNativeMapDCStart += OnIlMap;
        rundown.MethodILToNativeMapDCStop += OnIlMap;
        rundown.LoaderModuleDCStart += OnModule;
        rundown.LoaderModuleDCStop += OnModule;
        source.AllEvents += OnEvent;
    }

    // The code map is read by the live view's thread while this one fills it (StackCollector.TopStack): both lock it.
    private void OnMethod(MethodLoadUnloadVerboseTraceData data)
    {
        lock (_collector.Code)
        {
            _collector.Code.MethodLoaded(data.MethodStartAddress, (uint)data.MethodSize, data.MethodID, data.ModuleID, data.MethodToken, data.MethodNamespace, data.MethodName);
        }
    }

    private void OnIlMap(MethodILToNativeMapTraceData data)
    {
        int n = data.CountOfMapEntries;
        var il = new int[n];
        var native = new uint[n];
        for (int i = 0; i < n; i++)
        {
            il[i] = data.ILOffset(i);
            native[i] = (uint)data.NativeOffset(i);
        }

        lock (_collector.Code)
        {
            _collector.Code.IlMapLoaded(data.MethodID, new IlMap(il, native));
        }
    }

    private void OnModule(ModuleLoadUnloadTraceData data)
    {
        lock (_collector.Code)
        {
            _collector.Code.ModuleLoaded(data.ModuleID, data.ModuleILPath);
        }
    }

    private unsafe void OnEvent(TraceEvent data)
    {
        if (data.ProviderGuid != AllocatorSchema.ProviderGuid
            && !string.Equals(data.ProviderName, AllocatorSchema.ProviderName, StringComparison.Ordinal))
        {
            return;
        }

        int id = (int)data.ID;
        if (id is not (WireSchema.EventIds.StackSample or WireSchema.EventIds.BlockAllocated or WireSchema.EventIds.BlockReallocated or WireSchema.EventIds.Misuse
            or WireSchema.EventIds.ViewAcquired or WireSchema.EventIds.OwnerCreated or WireSchema.EventIds.ResizeBlocked))
        {
            return;
        }

        if (!EventStacks.TryRead(data, _addresses))
        {
            return;
        }

        var reader = new PayloadReader(new ReadOnlySpan<byte>((void*)data.DataStart, data.EventDataLength));
        switch (id)
        {
            case WireSchema.EventIds.StackSample:
            {
                byte operation = reader.Byte();
                byte reason = reader.Byte();
                long allocationId = reader.Int64();
                long size = reader.Int64();
                int site = reader.Int32();
                long sampleBytes = reader.Int64();
                if (!reader.Failed)
                {
                    _collector.Sampled(new StackSampled((StackOperation)operation, (StackReason)reason, new AllocationId(allocationId), size, new SiteId(site), sampleBytes, _collector.Intern(_addresses.ToArray())));
                }

                break;
            }

            case WireSchema.EventIds.BlockAllocated:
            {
                long allocationId = reader.Int64();
                reader.Int64();
                long size = reader.Int64();
                int site = reader.Int32();
                if (!reader.Failed)
                {
                    _collector.Sampled(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(allocationId), size, new SiteId(site), 0, _collector.Intern(_addresses.ToArray())));
                }

                break;
            }

            case WireSchema.EventIds.BlockReallocated:
            {
                reader.Int64();
                reader.Int64();
                reader.Int64();
                reader.Byte();
                long newId = reader.Int64();
                reader.Int64();
                long newSize = reader.Int64();
                reader.Byte();
                int site = reader.Int32();
                if (!reader.Failed)
                {
                    _collector.Sampled(new StackSampled(StackOperation.Reallocate, StackReason.Every, new AllocationId(newId), newSize, new SiteId(site), 0, _collector.Intern(_addresses.ToArray())));
                }

                break;
            }

            case WireSchema.EventIds.ViewAcquired:
            {
                long viewId = reader.Int64();
                reader.Int64();
                int site = reader.Int32();
                if (!reader.Failed)
                {
                    _collector.Sampled(new StackSampled(StackOperation.AcquireView, StackReason.Every, new AllocationId(viewId), 0, new SiteId(site), 0, _collector.Intern(_addresses.ToArray())));
                }

                break;
            }

            case WireSchema.EventIds.ResizeBlocked:
            {
                long ownerId = reader.Int64();
                int site = reader.Int32();
                if (!reader.Failed)
                {
                    _collector.Sampled(new StackSampled(StackOperation.RefuseResize, StackReason.Every, new AllocationId(ownerId), 0, new SiteId(site), 0, _collector.Intern(_addresses.ToArray())));
                }

                break;
            }

            case WireSchema.EventIds.OwnerCreated:
            {
                long ownerId = reader.Int64();
                reader.Byte();
                int site = reader.Int32();
                if (!reader.Failed)
                {
                    _collector.Sampled(new StackSampled(StackOperation.CreateOwner, StackReason.Every, new AllocationId(ownerId), 0, new SiteId(site), 0, _collector.Intern(_addresses.ToArray())));
                }

                break;
            }

            default:
            {
                byte kind = reader.Byte();
                reader.Byte();
                reader.Byte();
                long allocationId = reader.Int64();
                reader.Int64();
                reader.Int64();
                int site = reader.Int32();
                if (!reader.Failed)
                {
                    _collector.MisuseStacked(new MisuseStacked((MisuseKind)kind, new AllocationId(allocationId), new SiteId(site), _collector.Intern(_addresses.ToArray())));
                }

                break;
            }
        }
    }
}
