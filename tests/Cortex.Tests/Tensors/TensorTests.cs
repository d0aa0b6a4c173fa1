using Cortex.Tensors;

namespace Cortex.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Zeros_HasShapeAndZeroValues()
    {
        var t = Tensor.Zeros(2, 3, 4);
        Assert.Equal(new Shape(2, 3, 4), t.Shape);
        Assert.Equal(24, t.Size);
        Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void FromArray2D_IsRowMajor()
    {
        var t = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new Shape(2, 3), t.Shape);
        Assert.Equal(6f, t[1, 2]);
        Assert.Equal(4f, t[1, 0]);
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.ToArray());
    }

    [Fact]
    public void FromArray_WrongCount_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2, 3], new Shape(2, 2)));
        Assert.Contains("[2, 2] needs 4 values, got 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reshape_SharesStorage()
    {
        var t = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        var flat = t.Reshape(-1);
        flat[3] = 40f;
        Assert.Equal(40f, t[1, 1]);
        Assert.Equal(new Shape(4), flat.Shape);
    }

    [Fact]
    public void SliceBatch_IsAViewOfTheRows()
    {
        var t = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), new Shape(4, 3));
        var middle = t.SliceBatch(1, 2);
        Assert.Equal(new Shape(2, 3), middle.Shape);
        Assert.Equal([3f, 4, 5, 6, 7, 8], middle.ToArray());
        middle[0, 0] = -1f;
        Assert.Equal(-1f, t[1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.SliceBatch(3, 2));
    }

    [Fact]
    public void Index_OutOfRange_NamesAxisAndShape()
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<IndexOutOfRangeException>(() => t[1, 3]);
        Assert.Contains("axis 1 of size 3", e.Message, StringComparison.Ordinal);
        var wrongRank = Assert.Throws<ArgumentException>(() => t[1]);
        Assert.Contains("needs 2 indices, got 1", wrongRank.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arithmetic_MatchesElementwiseDefinition()
    {
        var a = Tensor.FromArray(1f, 2, 3, 4);
        var b = Tensor.FromArray(10f, 20, 30, 40);
        Assert.Equal([11f, 22, 33, 44], (a + b).ToArray());
        Assert.Equal([9f, 18, 27, 36], (b - a).ToArray());
        Assert.Equal([10f, 40, 90, 160], (a * b).ToArray());
        Assert.Equal([10f, 10, 10, 10], (b / a).ToArray());
        Assert.Equal([3f, 5, 7, 9], (a * 2f + 1f).ToArray());
        Assert.Equal([-1f, -2, -3, -4], (-a).ToArray());
    }

    [Fact]
    public void Arithmetic_ShapeMismatch_NamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(3, 2));
        Assert.Contains("[2, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InPlace_DoesNotAllocateANewTensor()
    {
        var a = Tensor.FromArray(1f, 2, 3);
        var b = Tensor.FromArray(1f, 1, 1);
        Assert.Same(a, a.AddInPlace(b));
        Assert.Equal([2f, 3, 4], a.ToArray());
        a.AddScaledInPlace(-2f, b).ScaleInPlace(10f);
        Assert.Equal([0f, 10, 20], a.ToArray());
    }

    [Fact]
    public void Reductions()
    {
        var t = Tensor.FromArray(new float[,] { { 1, 5, 2 }, { 7, 0, 3 } });
        Assert.Equal(18f, t.Sum());
        Assert.Equal(3f, t.Mean());
        Assert.Equal(7f, t.Max());
        Assert.Equal(0f, t.Min());
        Assert.Equal([8f, 5, 5], t.Sum(0).ToArray());
        float[] rowMeans = t.Mean(1).ToArray();
        Assert.Equal(8.0 / 3, rowMeans[0], 1e-6);
        Assert.Equal(10.0 / 3, rowMeans[1], 1e-6);
        Assert.Equal(1f + 25 + 4 + 49 + 9, t.SumOfSquares());
    }

    [Fact]
    public void ArgMax_AlongEachAxis()
    {
        var t = Tensor.FromArray(new float[,] { { 1, 5, 2 }, { 7, 0, 3 } });
        Assert.Equal([1, 0], t.ArgMax(1));
        Assert.Equal([1, 0, 1], t.ArgMax(0));
        Assert.Equal([1, 0], t.ArgMax(-1));

        // A 3-D case: the middle axis, checked against a direct loop.
        var rng = new CortexRandom(7);
        var x = Tensor.RandomNormal(new Shape(3, 5, 4), rng);
        int[] got = x.ArgMax(1);
        for (int i = 0; i < 3; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                int best = 0;
                for (int j = 1; j < 5; j++)
                {
                    if (x[i, j, k] > x[i, best, k])
                        best = j;
                }
                Assert.Equal(best, got[i * 4 + k]);
            }
        }
    }

    [Fact]
    public void ArgMax_TiesGoToTheLowestIndex() =>
        Assert.Equal([1], Tensor.FromArray(new float[,] { { 0, 3, 3 } }).ArgMax(1));

    [Fact]
    public void MatMul_MatchesHandComputedProduct()
    {
        var a = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var b = Tensor.FromArray(new float[,] { { 7, 8 }, { 9, 10 }, { 11, 12 } });
        Assert.Equal([58f, 64, 139, 154], Tensor.MatMul(a, b).ToArray());
        // (Bᵀ·Aᵀ)ᵀ = A·B: the transposed product is the transpose of the plain one.
        var bt = Tensor.MatMul(b, a, transposeA: true, transposeB: true);
        Assert.Equal(new Shape(2, 2), bt.Shape);
        Assert.Equal([58f, 139, 64, 154], bt.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Tensor.MatMul(a, a));
        Assert.Contains("inner dimensions differ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomNormal_IsSeededAndHasTheRequestedMoments()
    {
        var a = Tensor.RandomNormal(new Shape(20000), new CortexRandom(1), mean: 2f, std: 0.5f);
        var b = Tensor.RandomNormal(new Shape(20000), new CortexRandom(1), mean: 2f, std: 0.5f);
        Assert.Equal(a.ToArray(), b.ToArray());
        float mean = a.Mean();
        float variance = (a - mean).SumOfSquares() / a.Size;
        Assert.InRange(mean, 1.98f, 2.02f);
        Assert.InRange(MathF.Sqrt(variance), 0.49f, 0.51f);
    }

    [Fact]
    public void RandomUniform_StaysInRange()
    {
        var u = Tensor.RandomUniform(new Shape(10000), new CortexRandom(3), -2f, 3f);
        Assert.InRange(u.Min(), -2f, 3f);
        Assert.True(u.Max() < 3f);
        Assert.InRange(u.Mean(), 0.4f, 0.6f);
    }
}
