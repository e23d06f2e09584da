using LeakScope.Allocator;

namespace LeakScope.Samples;

internal static class Show
{
    public static void Array(string label, NativeArray<int> array) =>
        Console.WriteLine($"{label}: [{string.Join(", ", array.AsSpan().ToArray())}] (length {array.Length}, capacity {array.Capacity})");

    public static long Sum(NativeArray<int> array)
    {
        long sum = 0;
        foreach (int value in array.AsSpan())
        {
            sum += value;
        }

        return sum;
    }
}
