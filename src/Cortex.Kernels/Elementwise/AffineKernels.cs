// AffineKernels.cs — per-element affine maps in one pass, for batch normalization:
//
//   ScaleShift       y[i] = a·x[i] + b                   (normalize: a = γ/σ, b = β − a·μ)
//   ScaleShift2      y[i] = a·u[i] + b·v[i] + c          (its input gradient: u = dy, v = x)
//   ScaleShiftRelu   y[i] = max(a·x[i] + b, 0)           (normalize, then ReLU, in the same pass)
//   GatedSums        Σ g[i], Σ g[i]·x[i]  with  g[i] = a·x[i] + b > 0 ? dy[i] : 0
//   GatedScaleShift2 y[i] = a·g[i] + b·v[i] + c, g as above with the gate's own a, b
//
// The gated forms are batch norm's backward through the ReLU that follows it: the ReLU's gradient
// mask is recomputed from x with the same fused multiply-add the forward used, so it matches the
// forward bit for bit, and neither the ReLU's output nor its gradient is ever stored.
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

    /// <summary>y[i] = max(a·x[i] + b, 0), the affine value as a fused multiply-add. The spans have one length; y may alias x.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void ScaleShiftRelu(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"AffineKernels.ScaleShiftRelu: expected x and y of one length, got {x.Length} and {y.Length}.", nameof(y));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(a), vb = Vector512.Create(b);
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
                Vector512.Max(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, i), va, vb), Vector512<float>.Zero).StoreUnsafe(ref ys, i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vb = Vector256.Create(b);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
                Vector256.Max(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xs, i), va, vb), Vector256<float>.Zero).StoreUnsafe(ref ys, i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref ys, i) = MathF.Max(MathF.FusedMultiplyAdd(Unsafe.Add(ref xs, i), a, b), 0f);
    }

    /// <summary>
    /// (Σ g[i], Σ g[i]·x[i]) with g[i] = dy[i] where a·x[i] + b &gt; 0 (the ReLU after <see cref="ScaleShiftRelu"/>
    /// passed it), else 0. Float sums: callers sum blocks of a few thousand and add the blocks in double.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static (float SumGradient, float SumGradientX) GatedSums(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float a, float b)
    {
        if (dy.Length != x.Length)
            throw new ArgumentException($"AffineKernels.GatedSums: expected dy and x of one length, got {dy.Length} and {x.Length}.", nameof(x));
        ref float ds = ref MemoryMarshal.GetReference(dy);
        ref float xs = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        float sum = 0f, sumX = 0f;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(a), vb = Vector512.Create(b), s = default, sx = default;
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var xv = Vector512.LoadUnsafe(ref xs, i);
                var g = Vector512.GreaterThan(Vector512.FusedMultiplyAdd(xv, va, vb), Vector512<float>.Zero) & Vector512.LoadUnsafe(ref ds, i);
                s += g;
                sx = Vector512.FusedMultiplyAdd(g, xv, sx);
            }
            sum += Vector512.Sum(s);
            sumX += Vector512.Sum(sx);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vb = Vector256.Create(b), s = default, sx = default;
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var xv = Vector256.LoadUnsafe(ref xs, i);
                var g = Vector256.GreaterThan(Vector256.FusedMultiplyAdd(xv, va, vb), Vector256<float>.Zero) & Vector256.LoadUnsafe(ref ds, i);
                s += g;
                sx = Vector256.FusedMultiplyAdd(g, xv, sx);
            }
            sum += Vector256.Sum(s);
            sumX += Vector256.Sum(sx);
        }
        for (; i < n; i++)
        {
            float xi = Unsafe.Add(ref xs, i);
            float g = MathF.FusedMultiplyAdd(xi, a, b) > 0f ? Unsafe.Add(ref ds, i) : 0f;
            sum += g;
            sumX += g * xi;
        }
        return (sum, sumX);
    }

    /// <summary>
    /// y[i] = a·g[i] + b·v[i] + c with g[i] = u[i] where gateA·v[i] + gateB &gt; 0, else 0: <see cref="ScaleShift2"/>
    /// on the gradient that passed the ReLU after <see cref="ScaleShiftRelu"/>(v, gateA, gateB). y may alias u or v.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void GatedScaleShift2(ReadOnlySpan<float> u, float a, ReadOnlySpan<float> v, float b, float c, float gateA, float gateB, Span<float> y)
    {
        if (u.Length != y.Length || v.Length != y.Length)
            throw new ArgumentException($"AffineKernels.GatedScaleShift2: expected u, v and y of one length, got {u.Length}, {v.Length} and {y.Length}.", nameof(y));
        ref float us = ref MemoryMarshal.GetReference(u);
        ref float vs = ref MemoryMarshal.GetReference(v);
        ref float ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(a), vb = Vector512.Create(b), vc = Vector512.Create(c), ga = Vector512.Create(gateA), gb = Vector512.Create(gateB);
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var vv = Vector512.LoadUnsafe(ref vs, i);
                var g = Vector512.GreaterThan(Vector512.FusedMultiplyAdd(vv, ga, gb), Vector512<float>.Zero) & Vector512.LoadUnsafe(ref us, i);
                Vector512.FusedMultiplyAdd(g, va, Vector512.FusedMultiplyAdd(vv, vb, vc)).StoreUnsafe(ref ys, i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vb = Vector256.Create(b), vc = Vector256.Create(c), ga = Vector256.Create(gateA), gb = Vector256.Create(gateB);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var vv = Vector256.LoadUnsafe(ref vs, i);
                var g = Vector256.GreaterThan(Vector256.FusedMultiplyAdd(vv, ga, gb), Vector256<float>.Zero) & Vector256.LoadUnsafe(ref us, i);
                Vector256.FusedMultiplyAdd(g, va, Vector256.FusedMultiplyAdd(vv, vb, vc)).StoreUnsafe(ref ys, i);
            }
        }
        for (; i < n; i++)
        {
            float vi = Unsafe.Add(ref vs, i);
            float g = MathF.FusedMultiplyAdd(vi, gateA, gateB) > 0f ? Unsafe.Add(ref us, i) : 0f;
            Unsafe.Add(ref ys, i) = MathF.FusedMultiplyAdd(g, a, MathF.FusedMultiplyAdd(vi, b, c));
        }
    }
}
