using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace LeakScope.Tracer.Stacks;

/// <summary>
/// Finds the call instruction a caller frame's return address returns from, in the method's IL. The runtime's IL-to-native
/// map only marks IL offsets where the evaluation stack is empty (and a few more): when the C# compiler keeps a value on
/// the stack from one statement into the next (<c>p = Malloc(…); Free(p);</c> compiles <c>p</c> away in Release), the
/// second statement has no mark of its own, and its call maps to the first statement's line. So the map gives a range of
/// IL (from its boundary to the next), and this reads the calls in that range: the one to the method the frame called
/// (the next frame in) is the call, and its IL offset gives the exact line. Each module is opened once.
/// </summary>
internal sealed class CallSites : IDisposable
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly Dictionary<string, PEReader?> _modules = new(StringComparer.Ordinal);

    /// <summary>
    /// The IL offset of the call in <c>[<paramref name="ilStart"/>, <paramref name="ilEnd"/>)</c> of method
    /// <paramref name="methodToken"/> to a method named <paramref name="callee"/> (the only call in the range when the callee
    /// is not known or not among them); <paramref name="ilStart"/> when the IL cannot be read or the call is ambiguous.
    /// </summary>
    public int CallIn(string modulePath, int methodToken, int ilStart, int ilEnd, string? callee)
    {
        if (ilStart < 0 || Module(modulePath) is not { } pe)
        {
            return ilStart;
        }

        try
        {
            MetadataReader reader = pe.GetMetadataReader();
            MethodDefinition method = reader.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(methodToken & 0x00FFFFFF));
            if (method.RelativeVirtualAddress == 0)
            {
                return ilStart;
            }

            byte[] il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes() ?? [];
            var calls = new List<(int Offset, string Name)>();
            int offset = 0;
            while (offset < il.Length && offset < ilEnd)
            {
                int at = offset;
                short code = il[offset++];
                if (code == 0xFE && offset < il.Length)
                {
                    code = unchecked((short)(0xFE00 | il[offset++]));
                }

                if (!Operands.TryGetValue(code, out OperandType operand))
                {
                    return ilStart; // not IL we can walk
                }

                if (at >= ilStart && code is 0x28 or 0x6F or 0x73 && offset + 4 <= il.Length)
                {
                    calls.Add((at, NameOf(reader, BitConverter.ToInt32(il, offset))));
                }

                offset += operand switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch when offset + 4 <= il.Length => 4 + (4 * BitConverter.ToInt32(il, offset)),
                    _ => 4,
                };
            }

            var named = callee is null ? [] : calls.Where(c => c.Name == callee).ToList();
            return named.Count == 1 ? named[0].Offset
                : named.Count == 0 && calls.Count == 1 ? calls[0].Offset
                : ilStart;
        }
        catch (Exception e) when (e is BadImageFormatException or ArgumentException or InvalidOperationException)
        {
            return ilStart;
        }
    }

    private static string NameOf(MetadataReader reader, int token)
    {
        EntityHandle handle = MetadataTokens.EntityHandle(token);
        return handle.Kind switch
        {
            HandleKind.MethodDefinition => reader.GetString(reader.GetMethodDefinition((MethodDefinitionHandle)handle).Name),
            HandleKind.MemberReference => reader.GetString(reader.GetMemberReference((MemberReferenceHandle)handle).Name),
            HandleKind.MethodSpecification => NameOf(reader, MetadataTokens.GetToken(reader.GetMethodSpecification((MethodSpecificationHandle)handle).Method)),
            _ => string.Empty,
        };
    }

    private PEReader? Module(string path)
    {
        if (_modules.TryGetValue(path, out PEReader? pe))
        {
            return pe;
        }

        try
        {
            pe = File.Exists(path) ? new PEReader(File.OpenRead(path)) : null;
            if (pe is not null && !pe.HasMetadata)
            {
                pe.Dispose();
                pe = null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            pe = null;
        }

        _modules[path] = pe;
        return pe;
    }

    public void Dispose()
    {
        foreach (PEReader? pe in _modules.Values)
        {
            pe?.Dispose();
        }

        _modules.Clear();
    }
}
