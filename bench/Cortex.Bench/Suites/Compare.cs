// Compare.cs — how two results are compared: max |x − y| / max |y| (0 when identical, ~1e-6 for
// correct FP32 arithmetic done in a different order).
namespace Cortex.Bench.Suites;

internal static class Compare
{
    /// <summary>max |x − y| / max |y|.</summary>
    public static double RelativeDifference(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double largest = 0, difference = 0;
        for (int i = 0; i < y.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(y[i]));
            difference = Math.Max(difference, Math.Abs((double)x[i] - y[i]));
        }
        return largest == 0 ? difference : difference / largest;
    }
}
