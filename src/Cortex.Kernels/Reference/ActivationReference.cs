// ActivationReference.cs — the naive twins of ActivationKernels: the definitions, one element at a time.
namespace Cortex.Kernels.Reference;

/// <summary>Scalar reference for <see cref="ActivationKernels"/>.</summary>
public static class ActivationReference
{
    /// <summary>dx[i] = x[i] &gt; 0 ? dy[i] : 0.</summary>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++)
            dx[i] = x[i] > 0f ? dy[i] : 0f;
    }
}
