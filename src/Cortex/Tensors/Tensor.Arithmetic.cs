// Tensor.Arithmetic.cs — element-wise arithmetic, reductions, argmax and matrix product.
// Element-wise work goes through TensorPrimitives (SIMD at every vector width); operators
// allocate their result, the *InPlace methods do not.
using System.Numerics.Tensors;
using Cortex.Kernels;

namespace Cortex.Tensors;

public sealed partial class Tensor
{
    // ---- element-wise, new result ---------------------------------------------------------

    public static Tensor operator +(Tensor a, Tensor b) => Binary(a, b, "Add", TensorPrimitives.Add);
    public static Tensor operator -(Tensor a, Tensor b) => Binary(a, b, "Subtract", TensorPrimitives.Subtract);
    public static Tensor operator *(Tensor a, Tensor b) => Binary(a, b, "Multiply", TensorPrimitives.Multiply);
    public static Tensor operator /(Tensor a, Tensor b) => Binary(a, b, "Divide", TensorPrimitives.Divide);

    public static Tensor operator +(Tensor a, float s) => Scalar(a, s, TensorPrimitives.Add);
    public static Tensor operator -(Tensor a, float s) => Scalar(a, -s, TensorPrimitives.Add);
    public static Tensor operator *(Tensor a, float s) => Scalar(a, s, TensorPrimitives.Multiply);
    public static Tensor operator /(Tensor a, float s) => Scalar(a, s, TensorPrimitives.Divide);
    public static Tensor operator *(float s, Tensor a) => a * s;
    public static Tensor operator +(float s, Tensor a) => a + s;

    public static Tensor operator -(Tensor a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = new Tensor(a.Shape);
        TensorPrimitives.Negate(a.Span, y.Span);
        return y;
    }

    /// <summary>Element-wise sum (same shapes).</summary>
    public Tensor Add(Tensor other) => this + other;

    /// <summary>Element-wise difference (same shapes).</summary>
    public Tensor Subtract(Tensor other) => this - other;

    /// <summary>Element-wise (Hadamard) product (same shapes).</summary>
    public Tensor Multiply(Tensor other) => this * other;

    /// <summary>Element-wise quotient (same shapes).</summary>
    public Tensor Divide(Tensor other) => this / other;

    /// <summary>A new tensor with <paramref name="function"/> applied to every element.</summary>
    public Tensor Map(Func<float, float> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var y = new Tensor(Shape);
        var src = Span;
        var dst = y.Span;
        for (int i = 0; i < src.Length; i++)
            dst[i] = function(src[i]);
        return y;
    }

    // ---- element-wise, in place -----------------------------------------------------------

    /// <summary>this += other.</summary>
    public Tensor AddInPlace(Tensor other)
    {
        RequireSameShape(other, nameof(AddInPlace));
        TensorPrimitives.Add(Span, other.Span, Span);
        return this;
    }

    /// <summary>this -= other.</summary>
    public Tensor SubtractInPlace(Tensor other)
    {
        RequireSameShape(other, nameof(SubtractInPlace));
        TensorPrimitives.Subtract(Span, other.Span, Span);
        return this;
    }

    /// <summary>this *= other (element-wise).</summary>
    public Tensor MultiplyInPlace(Tensor other)
    {
        RequireSameShape(other, nameof(MultiplyInPlace));
        TensorPrimitives.Multiply(Span, other.Span, Span);
        return this;
    }

    /// <summary>this += alpha · other (the BLAS axpy).</summary>
    public Tensor AddScaledInPlace(float alpha, Tensor other)
    {
        RequireSameShape(other, nameof(AddScaledInPlace));
        TensorPrimitives.MultiplyAdd(other.Span, alpha, Span, Span);
        return this;
    }

    /// <summary>this *= s.</summary>
    public Tensor ScaleInPlace(float s)
    {
        TensorPrimitives.Multiply(Span, s, Span);
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public Tensor Fill(float value)
    {
        Span.Fill(value);
        return this;
    }

    /// <summary>Sets every element to zero.</summary>
    public Tensor Clear()
    {
        Span.Clear();
        return this;
    }

    /// <summary>Copies the elements of <paramref name="source"/> (same size) into this tensor.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Size != Size)
            throw new ArgumentException($"Tensor.CopyFrom: cannot copy {source.Shape} ({source.Size} elements) into {Shape} ({Size} elements).", nameof(source));
        source.Span.CopyTo(Span);
        return this;
    }

    // ---- reductions -----------------------------------------------------------------------

    /// <summary>Sum of all elements.</summary>
    public float Sum() => TensorPrimitives.Sum<float>(Span);

    /// <summary>Mean of all elements (NaN for an empty tensor).</summary>
    public float Mean() => Size == 0 ? float.NaN : Sum() / Size;

    /// <summary>Largest element.</summary>
    public float Max() => Size == 0 ? throw EmptyReduction(nameof(Max)) : TensorPrimitives.Max<float>(Span);

    /// <summary>Smallest element.</summary>
    public float Min() => Size == 0 ? throw EmptyReduction(nameof(Min)) : TensorPrimitives.Min<float>(Span);

    /// <summary>Sum of squares (the squared L2 norm).</summary>
    public float SumOfSquares() => TensorPrimitives.SumOfSquares<float>(Span);

    /// <summary>Sums along <paramref name="axis"/>; the result drops that axis.</summary>
    public Tensor Sum(int axis) => ReduceAxis(axis, mean: false);

    /// <summary>Means along <paramref name="axis"/>; the result drops that axis.</summary>
    public Tensor Mean(int axis) => ReduceAxis(axis, mean: true);

    /// <summary>
    /// Indices of the largest element along <paramref name="axis"/>, row-major over the remaining
    /// axes: for scores (N, K), <c>ArgMax(1)</c> gives the predicted class of each of the N rows.
    /// Ties go to the lowest index.
    /// </summary>
    public int[] ArgMax(int axis = -1)
    {
        var (outer, length, inner) = Split(axis);
        if (length == 0)
            throw EmptyReduction(nameof(ArgMax));
        var result = new int[outer * inner];
        var x = Span;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                result[o] = TensorPrimitives.IndexOfMax<float>(x.Slice(o * length, length));
                continue;
            }
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * length * inner + i;
                int best = 0;
                float bestValue = x[baseIndex];
                for (int j = 1; j < length; j++)
                {
                    float v = x[baseIndex + j * inner];
                    if (v > bestValue || (float.IsNaN(v) && !float.IsNaN(bestValue)))
                    {
                        best = j;
                        bestValue = v;
                    }
                }
                result[o * inner + i] = best;
            }
        }
        return result;
    }

    // ---- matrix product -------------------------------------------------------------------

    /// <summary>The matrix product of two 2-D tensors, (m×k)·(k×n) → (m×n), through <see cref="Gemm"/>.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2)
            throw new ArgumentException($"Tensor.MatMul: expected two 2-D tensors, got {a.Shape} and {b.Shape}.");
        int m = transposeA ? a.Shape[1] : a.Shape[0], ka = transposeA ? a.Shape[0] : a.Shape[1];
        int kb = transposeB ? b.Shape[1] : b.Shape[0], n = transposeB ? b.Shape[0] : b.Shape[1];
        if (ka != kb)
            throw new ArgumentException(
                $"Tensor.MatMul: inner dimensions differ: {Describe(a.Shape, transposeA)} · {Describe(b.Shape, transposeB)} ({ka} vs {kb}).");
        var c = new Tensor(m, n);
        Gemm.Multiply(transposeA, transposeB, m, n, ka, 1f, a.Span, a.Shape[1], b.Span, b.Shape[1], 0f, c.Span, n);
        return c;

        static string Describe(Shape s, bool t) => t ? $"{s}ᵀ" : s.ToString();
    }

    // ---- helpers --------------------------------------------------------------------------

    private delegate void BinarySpanOp(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);
    private delegate void ScalarSpanOp(ReadOnlySpan<float> x, float y, Span<float> destination);

    private static Tensor Binary(Tensor a, Tensor b, string name, BinarySpanOp op)
    {
        ArgumentNullException.ThrowIfNull(a);
        a.RequireSameShape(b, name);
        var y = new Tensor(a.Shape);
        op(a.Span, b.Span, y.Span);
        return y;
    }

    private static Tensor Scalar(Tensor a, float s, ScalarSpanOp op)
    {
        ArgumentNullException.ThrowIfNull(a);
        var y = new Tensor(a.Shape);
        op(a.Span, s, y.Span);
        return y;
    }

    private (int Outer, int Length, int Inner) Split(int axis)
    {
        int ax = Shape.NormalizeAxis(axis);
        int outer = 1;
        for (int i = 0; i < ax; i++)
            outer *= Shape[i];
        return (outer, Shape[ax], Shape.SizeFrom(ax + 1));
    }

    private Tensor ReduceAxis(int axis, bool mean)
    {
        int ax = Shape.NormalizeAxis(axis);
        var (outer, length, inner) = Split(ax);
        var dims = new int[Rank - 1];
        for (int i = 0, j = 0; i < Rank; i++)
        {
            if (i != ax)
                dims[j++] = Shape[i];
        }
        var y = new Tensor(new Shape(dims));
        var x = Span;
        var dst = y.Span;
        for (int o = 0; o < outer; o++)
        {
            var row = dst.Slice(o * inner, inner);
            for (int j = 0; j < length; j++)
                TensorPrimitives.Add(row, x.Slice((o * length + j) * inner, inner), row);
        }
        if (mean)
            TensorPrimitives.Multiply(dst, 1f / length, dst);
        return y;
    }

    private InvalidOperationException EmptyReduction(string operation) =>
        new($"Tensor.{operation}: the tensor {Shape} has no elements.");
}
