// Cython's memory-allocation guide, first example, in C#:
//
//     def random_noise(int number=1):
//         cdef double *my_array = <double *> malloc(number * sizeof(double))
//         if not my_array:
//             raise MemoryError()
//         try:
//             ran = random.normalvariate
//             for i in range(number):
//                 my_array[i] = ran(0, 1)
//             return [x for x in my_array[:number]]
//         finally:
//             free(my_array)
//
// The block comes from RawHeap (the C family) and goes back to RawHeap in the finally, whatever happens in between.
using LeakScope.Allocator;
using LeakScope.Samples;

double[] noise = Noise.RandomNoise(10_000);
double mean = noise.Average();
double variance = noise.Sum(x => (x - mean) * (x - mean)) / noise.Length;
Console.WriteLine($"random_noise(10000): mean {mean:F3}, variance {variance:F3}, first {string.Join(", ", noise.Take(3).Select(x => x.ToString("F3")))}");

// The finally runs on the exceptional path too.
try
{
    Noise.RandomNoise(100, failAfter: 50);
}
catch (InvalidOperationException e)
{
    Console.WriteLine($"random_noise(100) failed half-way ({e.Message}); its block was still freed");
}

HeapSnapshot stats = HeapStats.Capture();
Console.WriteLine($"HeapStats: {stats}");
return stats.LiveBlocks == 0 && stats.MisuseCount == 0 ? 0 : 1;
