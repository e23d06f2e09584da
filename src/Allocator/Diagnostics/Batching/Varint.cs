using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>Unsigned LEB128, the varint of the batch records.</summary>
internal static unsafe class Varint
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Write(byte* p, ulong value)
    {
        while (value >= 0x80)
        {
            *p++ = (byte)(value | 0x80);
            value >>= 7;
        }

        *p++ = (byte)value;
        return p;
    }
}
