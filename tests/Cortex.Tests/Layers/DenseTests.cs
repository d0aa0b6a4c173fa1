using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class DenseTests
{
    [Fact]
    public void Forward_IsXTimesWTransposedPlusBias()
    {
        var dense = new Dense(3, 2);
        Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }).Span.CopyTo(dense.Weight.Value.Span);
        Tensor.FromArray(0.5f, -1f).Span.CopyTo(dense.Bias!.Value.Span);
        var x = Tensor.FromArray(new float[,] { { 1, 0, -1 }, { 2, 1, 0 } });

        var y = dense.Forward(x, training: false);

        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([1 - 3 + 0.5f, 4 - 6 - 1f, 2 + 2 + 0.5f, 8 + 5 - 1f], y.ToArray());
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(4, 13, 2)]
    public void Gradients_MatchCentralDifferences(int n, int inFeatures, int outFeatures)
    {
        var dense = new Dense(inFeatures, outFeatures, random: new CortexRandom(3));
        dense.Bias!.Value.CopyFrom(Random(4, outFeatures));
        var report = AssertGradients(dense, Random(5, n, inFeatures));
        Assert.Equal(["input", "weight", "bias"], report.Entries.Select(e => e.Name));
    }

    [Fact]
    public void NoBias_HasOnlyWeight_AndPassesGradientCheck()
    {
        var dense = new Dense(4, 3, bias: false, random: new CortexRandom(1));
        Assert.Null(dense.Bias);
        Assert.Single(dense.Parameters);
        AssertGradients(dense, Random(2, 2, 4));
    }

    [Fact]
    public void Backward_AccumulatesIntoGradients()
    {
        var dense = new Dense(3, 2, random: new CortexRandom(1));
        var x = Random(2, 4, 3);
        var dy = Random(3, 4, 2);
        dense.Forward(x, training: true);
        dense.Backward(dy);
        var once = dense.Weight.Gradient.Clone();
        dense.Backward(dy);
        var twice = dense.Weight.Gradient.ToArray();
        for (int i = 0; i < twice.Length; i++)
            Assert.Equal(2 * once.Span[i], twice[i], 5);
    }

    [Fact]
    public void FrozenWeight_GetsNoGradient()
    {
        var dense = new Dense(3, 2, random: new CortexRandom(1));
        dense.Weight.Trainable = false;
        dense.Forward(Random(2, 4, 3), training: true);
        dense.Backward(Random(3, 4, 2));
        Assert.All(dense.Weight.Gradient.ToArray(), g => Assert.Equal(0f, g));
        Assert.NotEqual(0f, dense.Bias!.Gradient.SumOfSquares());
    }

    [Fact]
    public void Initialization_IsDeterministicGivenAGenerator()
    {
        var a = new Dense(20, 10, random: new CortexRandom(9));
        var b = new Dense(20, 10, random: new CortexRandom(9));
        Assert.Equal(a.Weight.Value.ToArray(), b.Weight.Value.ToArray());
        float limit = MathF.Sqrt(6f / 20);
        Assert.All(a.Weight.Value.ToArray(), w => Assert.InRange(w, -limit, limit));
        Assert.All(a.Bias!.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Initialization_WithStd_IsNormal()
    {
        var dense = new Dense(100, 100, random: new CortexRandom(9), weightInit: Init.Normal(0.01f));
        float std = MathF.Sqrt(dense.Weight.Value.SumOfSquares() / dense.Weight.Value.Size);
        Assert.InRange(std, 0.0095f, 0.0105f);
    }

    [Fact]
    public void OutputShape_WithoutRunning()
    {
        Assert.Equal(new Shape(64, 10), new Dense(120, 10).OutputShape(new Shape(64, 120)));
    }

    [Fact]
    public void WrongInputSize_InsideSequential_NamesPathAndBothShapes()
    {
        var model = new Sequential();
        var features = new Sequential(new Dense(10, 84), new ReLU(), new Dense(84, 84), new Dense(120, 10));
        model.Add("features", features);

        var e = Assert.Throws<ArgumentException>(() => model.Forward(new Tensor(64, 10), training: true));

        Assert.Equal("features.3 (Dense): expected input [N, 120], got [64, 84]. Check the previous layer's output size.", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => model.OutputShape(new Shape(64, 10)));
        Assert.Equal(e.Message, e2.Message);
    }

    [Fact]
    public void ImageInput_SuggestsFlatten()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dense(784, 10).Forward(new Tensor(2, 1, 28, 28), training: false));
        AssertContainsAll(e.Message, "dense (Dense)", "[N, 784]", "[2, 1, 28, 28]", "Flatten");
    }

    [Fact]
    public void BackwardBeforeForward_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Dense(3, 2).Backward(new Tensor(1, 2)));
        AssertContainsAll(e.Message, "dense (Dense)", "before Forward");
    }

    [Fact]
    public void WrongOutputGradientShape_Throws()
    {
        var dense = new Dense(3, 2);
        dense.Forward(new Tensor(4, 3), training: true);
        var e = Assert.Throws<ArgumentException>(() => dense.Backward(new Tensor(4, 3)));
        AssertContainsAll(e.Message, "[4, 2]", "[4, 3]");
    }

    [Fact]
    public void Constructor_RejectsBadSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(3, -1));
    }
}
