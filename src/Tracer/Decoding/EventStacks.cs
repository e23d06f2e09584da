using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Diagnostics.Tracing;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// The stack EventPipe walked for an event. TraceEvent's <see cref="EventPipeEventSource"/> hands it over the way ETW does,
/// as a <c>STACK_TRACE64</c> (or 32) extended-data item of the event record, but exposes it publicly only through
/// <c>TraceLog</c>; this reads the record directly (its layout is Windows' <c>EVENT_RECORD</c>, which TraceEvent mirrors).
/// </summary>
internal static unsafe class EventStacks
{
    private const int ExtendedDataCountOffset = 84;
    private const int ExtendedDataOffset = 88;
    private const int ItemSize = 16;
    private const ushort StackTrace32 = 5;
    private const ushort StackTrace64 = 6;

    private static readonly Func<TraceEvent, IntPtr> s_record = RecordGetter();

    /// <summary>True when the TraceEvent in use has the event record this reads (checked once; a test pins it).</summary>
    public static bool Available { get; } = s_record is not null;

    /// <summary>The event's return addresses, innermost first, into <paramref name="addresses"/> (cleared first); false without a stack.</summary>
    public static bool TryRead(TraceEvent data, List<ulong> addresses)
    {
        addresses.Clear();
        if (!Available)
        {
            return false;
        }

        byte* record = (byte*)s_record(data);
        if (record is null)
        {
            return false;
        }

        ushort count = *(ushort*)(record + ExtendedDataCountOffset);
        byte* items = *(byte**)(record + ExtendedDataOffset);
        for (int i = 0; i < count && items is not null; i++)
        {
            byte* item = items + (i * ItemSize);
            ushort type = *(ushort*)(item + 2);
            ushort size = *(ushort*)(item + 6);
            byte* stack = (byte*)*(ulong*)(item + 8);
            if (stack is null || size < 8)
            {
                continue;
            }

            // STACK_TRACE64 / 32: a 64-bit match id, then the addresses.
            if (type == StackTrace64)
            {
                for (int offset = 8; offset + 8 <= size; offset += 8)
                {
                    addresses.Add(*(ulong*)(stack + offset));
                }

                return addresses.Count > 0;
            }

            if (type == StackTrace32)
            {
                for (int offset = 8; offset + 4 <= size; offset += 4)
                {
                    addresses.Add(*(uint*)(stack + offset));
                }

                return addresses.Count > 0;
            }
        }

        return false;
    }

    private static Func<TraceEvent, IntPtr> RecordGetter()
    {
        FieldInfo? field = typeof(TraceEvent).GetField("eventRecord", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field is null || !field.FieldType.IsPointer)
        {
            return null!;
        }

        var method = new DynamicMethod("EventRecord", typeof(IntPtr), [typeof(TraceEvent)], typeof(TraceEvent).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<TraceEvent, IntPtr>>();
    }
}
