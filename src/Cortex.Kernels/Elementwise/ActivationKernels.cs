// ActivationKernels.cs — element-wise activation derivatives that TensorPrimitives has no single
// call for. Forward passes (max(x, 0) …) are TensorPrimitives calls in the layers.
//
//   ReluBackward   dx[i] = x[i] > 0 ? dy[i] : 0        (the subgradient at 0 is 0, as in PyTorch; NaN x gives 0)
//
// Why hand-written: the scalar loop branches on the sign of x, which on real activations is a coin
// toss — a mispredicted branch per element made ReLU's backward cost as much as LeNet's first
// convolution. The vector form is a compare and a mask: no branches. 512 → 256 → 128-bit paths,
// scalar tail. The naive twin is Reference/ActivationReference.cs.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cortex.Kernels;

/// <summary>Derivatives of element-wise activations over spans.</summary>
/// <example><code>
/// ActivationKernels.ReluBackward(x, dy, dx);   // dx = x > 0 ? dy : 0
/// </code></example>
public static class ActivationKernels
{
    /// <summary>dx[i] = x[i] &gt; 0 ? dy[i] : 0. All three spans have the same length; dx may alias dy.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (x.Length != dx.Length || dy.Length != dx.Length)
            throw new ArgumentException($"ActivationKernels.ReluBackward: expected x, dy and dx of one length, got {x.Length}, {dy.Length} and {dx.Length}.", nameof(dx));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float dys = ref MemoryMarshal.GetReference(dy);
        ref float dxs = ref MemoryMarshal.GetReference(dx);
        nuint n = (nuint)dx.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var mask = Vector512.GreaterThan(Vector512.LoadUnsafe(ref xs, i), Vector512<float>.Zero);
                (mask & Vector512.LoadUnsafe(ref dys, i)).StoreUnsafe(ref dxs, i);   // dy where x > 0, else +0
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref xs, i), Vector256<float>.Zero);
                (mask & Vector256.LoadUnsafe(ref dys, i)).StoreUnsafe(ref dxs, i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                var mask = Vector128.GreaterThan(Vector128.LoadUnsafe(ref xs, i), Vector128<float>.Zero);
                (mask & Vector128.LoadUnsafe(ref dys, i)).StoreUnsafe(ref dxs, i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref dxs, i) = Unsafe.Add(ref xs, i) > 0f ? Unsafe.Add(ref dys, i) : 0f;
    }
}
