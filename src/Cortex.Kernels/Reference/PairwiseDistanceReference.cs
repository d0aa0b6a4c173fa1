// PairwiseDistanceReference.cs — the naive double loops that define PairwiseDistance: the squared
// L2 distance summed directly as Σ (x − y)² (not through the norm identity) and the L1 distance
// Σ |x − y|, both in double. Slow on purpose; tests compare the fast kernels against these.
namespace Cortex.Kernels.Reference;

/// <summary>Naive pairwise distances between the rows of x (m × d) and y (n × d); the specification for <see cref="PairwiseDistance"/>.</summary>
public static class PairwiseDistanceReference
{
    /// <summary>dist[i, j] = Σ_p (x[i, p] − y[j, p])².</summary>
    public static void SquaredL2(ReadOnlySpan<float> x, int m, ReadOnlySpan<float> y, int n, int d, Span<float> dist, int ldd)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < d; p++)
                {
                    double diff = (double)x[i * d + p] - y[j * d + p];
                    sum += diff * diff;
                }
                dist[i * ldd + j] = (float)sum;
            }
        }
    }

    /// <summary>dist[i, j] = Σ_p |x[i, p] − y[j, p]|.</summary>
    public static void L1(ReadOnlySpan<float> x, int m, ReadOnlySpan<float> y, int n, int d, Span<float> dist, int ldd)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < d; p++)
                    sum += Math.Abs((double)x[i * d + p] - y[j * d + p]);
                dist[i * ldd + j] = (float)sum;
            }
        }
    }
}
