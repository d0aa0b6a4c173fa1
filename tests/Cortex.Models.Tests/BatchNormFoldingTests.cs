using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models.Tests;

public class BatchNormFoldingTests
{
    // Batch norms with statistics and affine parameters far from their initial 0/1, so folding them wrongly shows.
    private static void RandomizeNorms(Layer model, ulong seed)
    {
        var random = new CortexRandom(seed);
        foreach (var norm in model.Descendants().OfType<BatchNorm>())
        {
            Tensor.RandomNormal(norm.RunningMean.Shape, random).Span.CopyTo(norm.RunningMean.Span);
            var variance = norm.RunningVar.Span;
            var draws = Tensor.RandomNormal(norm.RunningVar.Shape, random).Span;
            for (int i = 0; i < variance.Length; i++)
                variance[i] = 0.5f + draws[i] * draws[i];
            Tensor.RandomNormal(norm.Weight.Value.Shape, random).Span.CopyTo(norm.Weight.Value.Span);
            Tensor.RandomNormal(norm.Bias.Value.Shape, random).Span.CopyTo(norm.Bias.Value.Span);
        }
    }

    [Theory]
    [InlineData("resnet20", 32, 19)]      // 19 convolutions, each followed by a batch norm (option A shortcuts have none)
    [InlineData("resnet18", 64, 20)]      // 17 in the blocks and stem + 3 projection shortcuts
    [InlineData("resnet50", 64, 53)]      // 49 + 4 projection shortcuts
    public void Fold_KeepsInferenceOutputs(string name, int size, int pairs)
    {
        var model = ModelZoo.Create(name);
        RandomizeNorms(model, 3);
        var x = Tensor.RandomNormal(new Shape(2, 3, size, size), new CortexRandom(5));
        var before = model.Forward(x, training: false).Span.ToArray();

        Assert.Equal(pairs, BatchNormFolding.Fold(model));
        var after = model.Forward(x, training: false).Span.ToArray();

        double scale = before.Max(MathF.Abs);
        for (int i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(before[i] - after[i]) <= 1e-4 * scale, $"{name} output {i}: {before[i]} before folding, {after[i]} after");
        Assert.Equal(0, BatchNormFolding.Fold(model));                  // already folded: nothing left
        Assert.All(model.Descendants().OfType<BatchNorm2d>(), n => Assert.True(n.IsFolded));
    }

    [Fact]
    public void FoldedModel_RefusesToTrain_AndSaysWhy()
    {
        var model = ModelZoo.Create("resnet20");
        BatchNormFolding.Fold(model);
        var x = Tensor.RandomNormal(new Shape(2, 3, 32, 32), new CortexRandom(1));
        var e = Assert.Throws<InvalidOperationException>(() => model.Forward(x, training: true));
        Assert.Contains("folded into", e.Message, StringComparison.Ordinal);
        Assert.Contains("can no longer train", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fold_InASequential_GivesTheConvolutionABias_AndSkipsANormNotAfterAConvolution()
    {
        var conv = new Conv2d(2, 3, 3, padding: 1, bias: false, random: new CortexRandom(2));
        var afterConv = new BatchNorm2d(3);
        var afterRelu = new BatchNorm2d(3);
        var model = new Sequential(conv, afterConv, new ReLU(), afterRelu);
        RandomizeNorms(model, 9);
        var x = Tensor.RandomNormal(new Shape(2, 2, 5, 5), new CortexRandom(4));
        var before = model.Forward(x, training: false).Span.ToArray();

        Assert.Equal(1, BatchNormFolding.Fold(model));
        Assert.NotNull(conv.Bias);
        Assert.True(afterConv.IsFolded);
        Assert.False(afterRelu.IsFolded);
        var after = model.Forward(x, training: false).Span.ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(before[i], after[i], 1e-4);
    }
}
