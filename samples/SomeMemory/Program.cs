// Cython's SomeMemory class in C#: the constructor allocates, Resize reallocates, Dispose frees.
using LeakScope.Allocator;
using LeakScope.Samples;

using (var memory = new SomeMemory(10))
{
    for (int i = 0; i < memory.Data.Length; i++)
    {
        memory.Data[i] = i * 0.5;
    }

    Console.WriteLine($"SomeMemory(10): sum {memory.Data.ToArray().Sum()}");

    memory.Resize(1_000);
    memory.Data[10..].Fill(1.0);
    Console.WriteLine($"resize(1000): sum {memory.Data.ToArray().Sum()} (the first 10 values survived the move)");

    memory.Resize(4);
    Console.WriteLine($"resize(4): [{string.Join(", ", memory.Data.ToArray())}]");
}

// Many short-lived instances, each freed deterministically by `using`.
double total = 0;
for (int round = 0; round < 1_000; round++)
{
    using var scratch = new SomeMemory((nuint)(1 + (round % 64)));
    scratch.Data.Fill(1.0);
    total += scratch.Data.Length;
}

Console.WriteLine($"1000 scratch instances: {total} values written");

HeapSnapshot stats = HeapStats.Capture();
Console.WriteLine($"HeapStats: {stats}");
return stats.LiveBlocks == 0 && stats.MisuseCount == 0 ? 0 : 1;
