using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace LeakScope.Tracer.Stacks;

/// <summary>
/// File and line of an IL offset in a method, from the module's portable PDB: the one its debug directory names (beside the
/// assembly first, then the path it was built to) or the one embedded in it. Modules without a readable PDB give none.
/// Each module's PDB is opened once, on first use.
/// </summary>
internal sealed class SourceLines : IDisposable
{
    private readonly Dictionary<string, MetadataReaderProvider?> _pdbs = new(StringComparer.Ordinal);

    /// <summary>Modules whose PDB could not be found or read.</summary>
    public int ModulesWithoutPdb => _pdbs.Values.Count(p => p is null);

    public bool TryFind(string modulePath, int methodToken, int ilOffset, out string file, out int line)
    {
        file = string.Empty;
        line = 0;
        if (ilOffset < 0 || Pdb(modulePath) is not { } provider)
        {
            return false;
        }

        try
        {
            MetadataReader reader = provider.GetMetadataReader();
            var handle = MetadataTokens.MethodDefinitionHandle(methodToken & 0x00FFFFFF);
            MethodDebugInformation info = reader.GetMethodDebugInformation(handle);
            SequencePoint? best = null;
            foreach (SequencePoint point in info.GetSequencePoints())
            {
                if (point.IsHidden)
                {
                    continue;
                }

                if (point.Offset <= ilOffset)
                {
                    best = point;
                }
                else
                {
                    break;
                }
            }

            if (best is not { } found)
            {
                return false;
            }

            file = reader.GetString(reader.GetDocument(found.Document).Name);
            line = found.StartLine;
            return true;
        }
        catch (Exception e) when (e is BadImageFormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private MetadataReaderProvider? Pdb(string modulePath)
    {
        if (_pdbs.TryGetValue(modulePath, out MetadataReaderProvider? provider))
        {
            return provider;
        }

        _pdbs[modulePath] = provider = Open(modulePath);
        return provider;
    }

    private static MetadataReaderProvider? Open(string modulePath)
    {
        try
        {
            if (!File.Exists(modulePath))
            {
                return null;
            }

            using var pe = new PEReader(File.OpenRead(modulePath));
            return pe.TryOpenAssociatedPortablePdb(modulePath, OpenIfExists, out MetadataReaderProvider? provider, out _) ? provider : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static Stream? OpenIfExists(string path) => File.Exists(path) ? File.OpenRead(path) : null;

    public void Dispose()
    {
        foreach (MetadataReaderProvider? provider in _pdbs.Values)
        {
            provider?.Dispose();
        }

        _pdbs.Clear();
    }
}
