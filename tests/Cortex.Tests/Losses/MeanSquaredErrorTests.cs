using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

public class MeanSquaredErrorTests
{
    [Fact]
    public void Mean_IsOverAllElements()
    {
        var y = Tensor.FromArray(new float[,] { { 1f, 2f }, { 0f, -1f } });
        var t = Tensor.FromArray(new float[,] { { 0f, 0f }, { 0f, 1f } });
        var mse = new MeanSquaredError();
        Assert.Equal((1 + 4 + 0 + 4) / 4.0, mse.Forward(y, t), 6);
        float[] expected = [0.5f, 1f, 0f, -1f];                   // 2(y − t)/4
        Assert.Equal(expected, mse.Backward().ToArray());
    }

    [Fact]
    public void HalfSumOfSquares_MatchesMazurBackpropExample()
    {
        // Mazur, "A step by step backpropagation example" (linked from the lectures): outputs
        // 0.75136507 and 0.772928465 against targets 0.01 and 0.99 give E_total = 0.298371109.
        var y = Tensor.FromArray(new float[,] { { 0.75136507f, 0.772928465f } });
        var t = Tensor.FromArray(new float[,] { { 0.01f, 0.99f } });
        var mse = new MeanSquaredError(halfSumOfSquares: true);
        Assert.Equal(0.298371109, mse.Forward(y, t), 6);
        var g = mse.Backward().ToArray();
        Assert.Equal(0.74136507, g[0], 6);                         // ∂E/∂out_o1 = out − target
        Assert.Equal(-0.217071535, g[1], 6);
    }

    [Fact]
    public void HalfSumOfSquares_IsMeanOverSamples()
    {
        var y = Tensor.FromArray(new float[,] { { 1f, 2f }, { 3f, 0f } });
        var t = new Tensor(2, 2);
        Assert.Equal((0.5 * 5 + 0.5 * 9) / 2, new MeanSquaredError(halfSumOfSquares: true).Forward(y, t), 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradient_MatchesCentralDifferences(bool half)
    {
        var random = new CortexRandom(half ? 3UL : 4UL);
        var y = Tensor.RandomNormal(new Shape(3, 5), random);
        var t = Tensor.RandomNormal(new Shape(3, 5), random);
        LossGradient.Check(new MeanSquaredError(half), y, t);
    }

    [Fact]
    public void ColumnOutput_AcceptsVectorTarget()
    {
        var y = Tensor.FromArray(new float[,] { { 1f }, { 3f } });
        var mse = new MeanSquaredError();
        Assert.Equal((1 + 1) / 2.0, mse.Forward(y, Tensor.FromArray(0f, 2f)), 6);
        Assert.Equal(y.Shape, mse.Backward().Shape);
    }

    [Fact]
    public void MeanSquaredError_NaNInTarget_Throws()
    {
        var e = Assert.Throws<NonFiniteLossException>(() => new MeanSquaredError().Forward(Tensor.FromArray(1f, 2f), Tensor.FromArray(0f, float.NaN)));
        Assert.Contains("MeanSquaredError: expected finite scores, got a loss of NaN (target[1] = NaN", e.Message, StringComparison.Ordinal);
    }
}
