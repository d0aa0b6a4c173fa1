// AffineKernels.cs — per-element affine maps in one pass, for batch normalization:
//
//   ScaleShift       y[i] = a·x[i] + b                   (normalize: a = γ/σ, b = β − a·μ)
//   ScaleShift2      y[i] = a·u[i] + b·v[i] + c          (its input gradient: u = dy, v = x)
//
// Why not TensorPrimitives: it has no (span, scalar, scalar) multiply-add, and two calls (multiply,
// then add) read and write every element twice; on a ResNet stage the tensors are larger than L2,
// so the second pass goes to memory again. Fused multiply-adds, 512 → 256 → 128-bit, scalar tail.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cortex.Kernels;

/// <summary>One-pass affine maps over spans (batch normalization's forward and input gradient).</summary>
/// <example><code>
/// AffineKernels.ScaleShift(x, gamma * invStd, beta - gamma * invStd * mean, y);   // y = γ (x − μ)/σ + β
/// </code></example>
public static class AffineKernels
{
    /// <summary>y[i] = a·x[i] + b. The spans have one length; y may alias x.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void ScaleShift(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"AffineKernels.ScaleShift: expected x and y of one length, got {x.Length} and {y.Length}.", nameof(y));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(a), vb = Vector512.Create(b);
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, i), va, vb).StoreUnsafe(ref ys, i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vb = Vector256.Create(b);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xs, i), va, vb).StoreUnsafe(ref ys, i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> va = Vector128.Create(a), vb = Vector128.Create(b);
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
                Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref xs, i), va, vb).StoreUnsafe(ref ys, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref ys, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref xs, i), a, b);
    }

    /// <summary>y[i] = a·u[i] + b·v[i] + c. The spans have one length; y may alias u or v.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void ScaleShift2(ReadOnlySpan<float> u, float a, ReadOnlySpan<float> v, float b, float c, Span<float> y)
    {
        if (u.Length != y.Length || v.Length != y.Length)
            throw new ArgumentException($"AffineKernels.ScaleShift2: expected u, v and y of one length, got {u.Length}, {v.Length} and {y.Length}.", nameof(y));
        ref float us = ref MemoryMarshal.GetReference(u);
        ref float vs = ref MemoryMarshal.GetReference(v);
        ref float ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(a), vb = Vector512.Create(b), vc = Vector512.Create(c);
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var t = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref vs, i), vb, vc);
                Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref us, i), va, t).StoreUnsafe(ref ys, i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vb = Vector256.Create(b), vc = Vector256.Create(c);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var t = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref vs, i), vb, vc);
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref us, i), va, t).StoreUnsafe(ref ys, i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> va = Vector128.Create(a), vb = Vector128.Create(b), vc = Vector128.Create(c);
            for (; i + (nuint)Vector128<float>.Count <= n; i += (nuint)Vector128<float>.Count)
            {
                var t = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref vs, i), vb, vc);
                Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref us, i), va, t).StoreUnsafe(ref ys, i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref ys, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref us, i), a, MathF.FusedMultiplyAdd(Unsafe.Add(ref vs, i), b, c));
    }
}
