using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class ResidualTests
{
    [Fact]
    public void IdentityShortcut_AddsTheInput()
    {
        var body = new Dense(3, 3, random: new CortexRandom(1));
        var block = new Residual(body);
        var x = Random(2, 2, 3);
        var expected = new Dense(3, 3, random: new CortexRandom(1)).Forward(x, false).ToArray();
        var y = block.Forward(x, training: false).ToArray();
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(expected[i] + x.Span[i], y[i], 5);
    }

    [Fact]
    public void IdentityShortcut_GradientsOfBothPathsAdd()
    {
        var rng = new CortexRandom(3);
        var block = new Residual(new Sequential(new Dense(4, 4, random: rng), new Tanh(), new Dense(4, 4, random: rng)), activation: new Sigmoid());
        var report = AssertGradients(block, Random(4, 3, 4));
        Assert.Equal(["input", "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"], report.Entries.Select(e => e.Name));
    }

    [Fact]
    public void IdentityBodyOfZeros_GivesGradientThroughTheShortcut()
    {
        var body = new Dense(2, 2, weightInit: Init.Zeros);           // F(x) = 0
        var block = new Residual(body);
        block.Forward(Random(1, 1, 2), training: true);
        Assert.Equal([5f, 7f], block.Backward(Tensor.FromArray(new float[,] { { 5, 7 } })).ToArray());
    }

    [Fact]
    public void ProjectionShortcut_Gradients()
    {
        var rng = new CortexRandom(5);
        var block = new Residual(
            new Sequential(new Dense(6, 4, random: rng), new ELU()),
            shortcut: new Dense(6, 4, bias: false, random: rng),
            activation: new Tanh());
        Assert.Equal(new Shape(3, 4), block.OutputShape(new Shape(3, 6)));
        var report = AssertGradients(block, Random(6, 3, 6));
        Assert.Contains(report.Entries, e => e.Name == "shortcut.weight");
    }

    [Fact]
    public void ShapeMismatch_NamesBlockAndBothShapes()
    {
        var root = new Sequential().Add("layer1", new Residual(new Dense(6, 4)));
        var e = Assert.Throws<ArgumentException>(() => root.Forward(new Tensor(2, 6), training: true));
        AssertContainsAll(e.Message, "layer1 (Residual)", "[2, 4]", "[2, 6]", "projection");
        Assert.Throws<ArgumentException>(() => root.OutputShape(new Shape(2, 6)));
    }

    [Fact]
    public void BackwardBeforeForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new Residual(new ReLU()).Backward(new Tensor(1, 2)));
}
