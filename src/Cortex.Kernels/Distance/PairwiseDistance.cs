// PairwiseDistance.cs — every distance between the rows of two matrices, for nearest-neighbour
// search (the lectures' k-NN):
//
//   x: (m, d)   y: (n, d)   dist: (m, n) with row stride ldd ≥ n   all row-major
//   SquaredL2   dist[i, j] = Σ_p (x[i, p] − y[j, p])²  =  ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j
//   L1          dist[i, j] = Σ_p |x[i, p] − y[j, p]|
//
// SquaredL2 is the lectures' "no-loop" form: one GEMM (alpha = −2, X·Yᵀ) and then the two norms
// added row by row (each row is finished while it is still in L1 cache), clamped at 0 because the
// identity cancels in floating point: two near-equal rows can come out a few ulps below zero.
// The caller passes the squared row norms (RowSquaredNorms), so a training set's are computed once.
// The cancellation also means a distance carries an absolute error of about 1e-7·(‖x‖² + ‖y‖²),
// not the relative error of the direct sum; ranking neighbours is unaffected except among near ties.
//
// L1 has no GEMM form. Its kernel takes four rows of y against one row of x at a time (x's vector
// is loaded once for four accumulators), 512 → 256 → 128-bit with a scalar tail, and splits rows
// of x across threads. The naive twins are in Reference/PairwiseDistanceReference.cs.
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cortex.Kernels;

/// <summary>All pairwise L1 or squared-L2 distances between the rows of two row-major matrices.</summary>
/// <example><code>
/// // x: (m, d) queries, y: (n, d) references
/// var xn = new float[m]; var yn = new float[n]; var dist = new float[m * n];
/// PairwiseDistance.RowSquaredNorms(x, m, d, xn);
/// PairwiseDistance.RowSquaredNorms(y, n, d, yn);
/// PairwiseDistance.SquaredL2(x, xn, m, y, yn, n, d, dist, n);   // dist[i*n + j] = ‖x_i − y_j‖²
/// </code></example>
public static class PairwiseDistance
{
    /// <summary>norms[i] = Σ_p x[i, p]² for the <paramref name="rows"/> rows of x (rows × d, row-major).</summary>
    /// <exception cref="ArgumentException">A span is shorter than the shape needs.</exception>
    public static void RowSquaredNorms(ReadOnlySpan<float> x, int rows, int d, Span<float> norms)
    {
        CheckMatrix("RowSquaredNorms", "x", x.Length, rows, d);
        if (norms.Length < rows)
            throw new ArgumentException($"PairwiseDistance.RowSquaredNorms: expected norms of length ≥ {rows}, got {norms.Length}.", nameof(norms));
        for (int i = 0; i < rows; i++)
            norms[i] = TensorPrimitives.SumOfSquares(x.Slice(i * d, d));
    }

    /// <summary>
    /// dist[i, j] = max(0, ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j), the squared Euclidean distance, through one GEMM.
    /// <paramref name="xNorms"/> and <paramref name="yNorms"/> are the rows' squared norms (<see cref="RowSquaredNorms"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape, or <paramref name="ldd"/> &lt; n.</exception>
    public static void SquaredL2(
        ReadOnlySpan<float> x, ReadOnlySpan<float> xNorms, int m,
        ReadOnlySpan<float> y, ReadOnlySpan<float> yNorms, int n, int d,
        Span<float> dist, int ldd)
    {
        CheckShapes("SquaredL2", x.Length, m, y.Length, n, d, dist.Length, ldd);
        if (xNorms.Length < m || yNorms.Length < n)
            throw new ArgumentException($"PairwiseDistance.SquaredL2: expected {m} x norms and {n} y norms, got {xNorms.Length} and {yNorms.Length}. Compute them with RowSquaredNorms.", nameof(xNorms));
        if (m == 0 || n == 0)
            return;
        if (d == 0)
        {
            for (int i = 0; i < m; i++)
                dist.Slice(i * ldd, n).Clear();
            return;
        }
        Gemm.Multiply(false, true, m, n, d, -2f, x, d, y, d, 0f, dist, ldd);   // dist = −2·X·Yᵀ
        var yn = yNorms[..n];
        for (int i = 0; i < m; i++)
        {
            var row = dist.Slice(i * ldd, n);
            TensorPrimitives.Add(row, yn, row);                                 // + ‖y_j‖²
            TensorPrimitives.Max(row, -xNorms[i], row);                         // clamp before the shift: −2x·y + ‖y‖² ≥ −‖x‖²
            TensorPrimitives.Add(row, xNorms[i], row);                          // + ‖x_i‖²
        }
    }

    /// <summary>dist[i, j] = Σ_p |x[i, p] − y[j, p]|, the L1 (Manhattan) distance, on up to <see cref="Parallelism.MaxDegree"/> threads.</summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape, or <paramref name="ldd"/> &lt; n.</exception>
    public static void L1(ReadOnlySpan<float> x, int m, ReadOnlySpan<float> y, int n, int d, Span<float> dist, int ldd)
    {
        CheckShapes("L1", x.Length, m, y.Length, n, d, dist.Length, ldd);
        if (m == 0 || n == 0)
            return;
        unsafe
        {
            fixed (float* px = x)
            fixed (float* py = y)
            fixed (float* pd = dist)
            {
                var work = new L1Rows(px, py, pd, m, n, d, ldd);
                int blocks = (m + L1Rows.RowsPerBlock - 1) / L1Rows.RowsPerBlock;
                if ((long)m * n * d < 1 << 18)
                    for (int b = 0; b < blocks; b++) work.Execute(b);          // too small to hand off
                else
                    Parallelism.For(blocks, work);
            }
        }
    }

    /// <summary>One block of x rows against all of y. Pointers are pinned by the caller for the whole call.</summary>
    private sealed unsafe class L1Rows(float* x, float* y, float* dist, int m, int n, int d, int ldd) : IParallelWork
    {
        public const int RowsPerBlock = 8;
        private const int YBlock = 64;    // 64 rows of y (200 KB at d = 784) stay in L2 while the block's x rows pass over them

        public void Execute(int index)
        {
            int i0 = index * RowsPerBlock, i1 = Math.Min(m, i0 + RowsPerBlock);
            for (int j0 = 0; j0 < n; j0 += YBlock)
            {
                int j1 = Math.Min(n, j0 + YBlock);
                for (int i = i0; i < i1; i++)
                {
                    float* xi = x + (long)i * d;
                    float* di = dist + (long)i * ldd;
                    int j = j0;
                    for (; j + 4 <= j1; j += 4)
                        Four(xi, y + (long)j * d, d, di + j);
                    for (; j < j1; j++)
                        di[j] = One(xi, y + (long)j * d, d);
                }
            }
        }
    }

    // d0..d3 = Σ_p |x[p] − y_r[p]| for the four consecutive rows y_r = y + r·d.
    private static unsafe void Four(float* x, float* y, int d, float* result)
    {
        float* y0 = y, y1 = y + d, y2 = y + 2 * d, y3 = y + 3 * d;
        int p = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (Vector512.IsHardwareAccelerated && d >= Vector512<float>.Count)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; p + Vector512<float>.Count <= d; p += Vector512<float>.Count)
            {
                var xv = Vector512.Load(x + p);
                a0 += Vector512.Abs(xv - Vector512.Load(y0 + p));
                a1 += Vector512.Abs(xv - Vector512.Load(y1 + p));
                a2 += Vector512.Abs(xv - Vector512.Load(y2 + p));
                a3 += Vector512.Abs(xv - Vector512.Load(y3 + p));
            }
            s0 = Vector512.Sum(a0); s1 = Vector512.Sum(a1); s2 = Vector512.Sum(a2); s3 = Vector512.Sum(a3);
        }
        if (Vector256.IsHardwareAccelerated && d - p >= Vector256<float>.Count)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; p + Vector256<float>.Count <= d; p += Vector256<float>.Count)
            {
                var xv = Vector256.Load(x + p);
                a0 += Vector256.Abs(xv - Vector256.Load(y0 + p));
                a1 += Vector256.Abs(xv - Vector256.Load(y1 + p));
                a2 += Vector256.Abs(xv - Vector256.Load(y2 + p));
                a3 += Vector256.Abs(xv - Vector256.Load(y3 + p));
            }
            s0 += Vector256.Sum(a0); s1 += Vector256.Sum(a1); s2 += Vector256.Sum(a2); s3 += Vector256.Sum(a3);
        }
        if (Vector128.IsHardwareAccelerated && d - p >= Vector128<float>.Count)
        {
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; p + Vector128<float>.Count <= d; p += Vector128<float>.Count)
            {
                var xv = Vector128.Load(x + p);
                a0 += Vector128.Abs(xv - Vector128.Load(y0 + p));
                a1 += Vector128.Abs(xv - Vector128.Load(y1 + p));
                a2 += Vector128.Abs(xv - Vector128.Load(y2 + p));
                a3 += Vector128.Abs(xv - Vector128.Load(y3 + p));
            }
            s0 += Vector128.Sum(a0); s1 += Vector128.Sum(a1); s2 += Vector128.Sum(a2); s3 += Vector128.Sum(a3);
        }
        for (; p < d; p++)
        {
            float xp = x[p];
            s0 += MathF.Abs(xp - y0[p]); s1 += MathF.Abs(xp - y1[p]); s2 += MathF.Abs(xp - y2[p]); s3 += MathF.Abs(xp - y3[p]);
        }
        result[0] = s0; result[1] = s1; result[2] = s2; result[3] = s3;
    }

    // Σ_p |x[p] − y[p]| for one pair (the last n mod 4 rows of a block).
    private static unsafe float One(float* x, float* y, int d) =>
        Manhattan(new ReadOnlySpan<float>(x, d), new ReadOnlySpan<float>(y, d));

    private static float Manhattan(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Debug.Assert(a.Length == b.Length);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        nuint n = (nuint)a.Length, p = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> acc = default;
            for (; p + (nuint)Vector256<float>.Count <= n; p += (nuint)Vector256<float>.Count)
                acc += Vector256.Abs(Vector256.LoadUnsafe(ref ra, p) - Vector256.LoadUnsafe(ref rb, p));
            sum = Vector256.Sum(acc);
        }
        for (; p < n; p++)
            sum += MathF.Abs(Unsafe.Add(ref ra, p) - Unsafe.Add(ref rb, p));
        return sum;
    }

    private static void CheckShapes(string who, int xLength, int m, int yLength, int n, int d, int dist, int ldd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(d);
        CheckMatrix(who, "x", xLength, m, d);
        CheckMatrix(who, "y", yLength, n, d);
        if (ldd < n)
            throw new ArgumentException($"PairwiseDistance.{who}: expected a row stride ldd ≥ n = {n}, got {ldd}.", nameof(ldd));
        long needed = m == 0 ? 0 : (long)(m - 1) * ldd + n;
        if (dist < needed)
            throw new ArgumentException($"PairwiseDistance.{who}: expected dist of ≥ {needed} floats for ({m}, {n}) with ldd {ldd}, got {dist}.", nameof(dist));
    }

    private static void CheckMatrix(string who, string name, int length, int rows, int d)
    {
        if (length < (long)rows * d)
            throw new ArgumentException($"PairwiseDistance.{who}: expected {name} of ≥ {(long)rows * d} floats ({rows} rows of {d}), got {length}.", name);
    }
}
