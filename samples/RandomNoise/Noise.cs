using LeakScope.Allocator;

namespace LeakScope.Samples;

/// <summary>The <c>try/finally</c> idiom: a C-family block that never outlives the call, even when the call fails.</summary>
internal static unsafe class Noise
{
    private static readonly Random Random = new(20240601);

    /// <summary>Draws <paramref name="number"/> samples of N(0, 1) into a malloc'd array and returns them as managed doubles.</summary>
    public static double[] RandomNoise(int number = 1, int failAfter = -1)
    {
        double* myArray = (double*)RawHeap.Malloc((nuint)number * sizeof(double));
        if (myArray == null)
        {
            throw new OutOfMemoryException();
        }

        try
        {
            for (int i = 0; i < number; i++)
            {
                if (i == failAfter)
                {
                    throw new InvalidOperationException($"stopped at sample {i}");
                }

                myArray[i] = NormalVariate(0, 1);
            }

            return new ReadOnlySpan<double>(myArray, number).ToArray();
        }
        finally
        {
            RawHeap.Free(myArray);
        }
    }

    /// <summary>Python's <c>random.normalvariate(mu, sigma)</c>, by the Box–Muller transform.</summary>
    private static double NormalVariate(double mu, double sigma)
    {
        double u1 = 1.0 - Random.NextDouble();
        double u2 = Random.NextDouble();
        return mu + (sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
