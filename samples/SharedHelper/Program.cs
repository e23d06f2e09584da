// Three callers reach one helper (Tensor.Create). Only two leak: LoadWeights keeps its tensors, PrefetchAsync forgets
// one per request; Scratch frees everything. A report that names only the helper's line cannot tell them apart; with
// --stacks it can: leakscope trace --stacks all -- dotnet SharedHelper.dll
//   SharedHelper [rounds] [--wait-for-tracer]   (waiting: one round runs first, so its code is compiled before the attach)
using System.Runtime.CompilerServices;
using LeakScope.Samples;
using LeakScope.Samples.Shared;

int scale = args.Length > 0 && int.TryParse(args[0], out int n) && n > 0 ? n : 1;
var kept = new List<Tensor>();
if (args.Contains("--wait-for-tracer"))
{
    Paths.LoadWeights(kept, 10);
    await Paths.PrefetchAsync(3);
    Paths.Scratch(20);
    Console.WriteLine("READY");
    TracerWait.WaitForTracer();
}

for (int round = 0; round < scale; round++)
{
    Paths.LoadWeights(kept, 10);
    await Paths.PrefetchAsync(3);
    Paths.Scratch(20);
}

Console.WriteLine($"SharedHelper: {kept.Count} weight tensors kept, prefetch buffers forgotten, scratch freed");

namespace LeakScope.Samples
{
    internal static class Paths
    {
        /// <summary>Leaks: 1,000-byte tensors kept forever.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void LoadWeights(List<Tensor> kept, int count)
        {
            for (int i = 0; i < count; i++)
            {
                // The size stays on the evaluation stack into the next statement (the compiler drops the local), so the
                // runtime's IL map marks no boundary there: the call's line must come from the call itself.
                int bytes = WeightBytes();
                Keep(Tensor.Create(bytes), kept); // CALL:weights
            }
        }

        private static int WeightBytes() => 1_000;

        private static void Keep(Tensor tensor, List<Tensor> kept) => kept.Add(tensor);

        /// <summary>Leaks: an async path that forgets a 500-byte buffer per request.</summary>
        public static async Task PrefetchAsync(int requests)
        {
            for (int i = 0; i < requests; i++)
            {
                await Task.Yield();
                Tensor.Create(500); // CALL:prefetch
            }
        }

        /// <summary>Does not leak: 700-byte tensors freed after use.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Scratch(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Tensor t = Tensor.Create(700); // CALL:scratch
                t.Free();
            }
        }
    }
}
