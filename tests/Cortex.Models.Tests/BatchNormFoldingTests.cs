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
    [InlineData("resnet20", 32, 19, 10)]  // 19 convolutions, each followed by a batch norm (option A shortcuts have none); ReLUs: stem + 1 per block
    [InlineData("resnet18", 64, 20, 9)]   // 17 in the blocks and stem + 3 projection shortcuts; ReLUs: stem + 1 per block
    [InlineData("resnet50", 64, 53, 33)]  // 49 + 4 projection shortcuts; ReLUs: stem + 2 per bottleneck
    public void Fold_KeepsInferenceOutputs(string name, int size, int norms, int relus)
    {
        var model = ModelZoo.Create(name);
        RandomizeNorms(model, 3);
        var x = Tensor.RandomNormal(new Shape(2, 3, size, size), new CortexRandom(5));
        var before = model.Forward(x, training: false).Span.ToArray();

        Assert.Equal(new FoldingResult(norms, relus), BatchNormFolding.Fold(model));
        var after = model.Forward(x, training: false).Span.ToArray();

        double scale = before.Max(MathF.Abs);
        for (int i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(before[i] - after[i]) <= 1e-4 * scale, $"{name} output {i}: {before[i]} before folding, {after[i]} after");
        Assert.Equal(new FoldingResult(0, 0), BatchNormFolding.Fold(model));   // already folded: nothing left
        Assert.All(model.Descendants().OfType<BatchNorm2d>(), n => Assert.True(n.IsFolded));
    }

    [Fact]
    public void FusedRelu_RefusesGradients_AndSaysWhy()
    {
        var model = new Sequential(new Conv2d(1, 2, 3, random: new CortexRandom(1)), new ReLU(), new Flatten());
        BatchNormFolding.Fold(model);
        var y = model.Forward(Tensor.RandomNormal(new Shape(1, 1, 4, 4), new CortexRandom(2)), training: false);
        Assert.All(y.Span.ToArray(), v => Assert.True(v >= 0f));
        var e = Assert.Throws<InvalidOperationException>(() => model.Backward(y));
        Assert.Contains("gradients through a folded model are not available", e.Message, StringComparison.Ordinal);
    }

    // A residual block runs relu1 inside bn1 and never calls the ReLU layer: the convolution that owns
    // the fused ReLU refuses, so a folded block cannot hand back gradients that skip the ReLU's mask.
    [Theory]
    [InlineData("basic")]
    [InlineData("bottleneck")]
    public void FoldedResidualBlock_RefusesGradients(string kind)
    {
        Layer block = kind == "basic" ? new BasicBlock(4, 4, random: new CortexRandom(3)) : new Bottleneck(4, 1, random: new CortexRandom(3));
        BatchNormFolding.Fold(block);
        var y = block.Forward(Tensor.RandomNormal(new Shape(2, 4, 5, 5), new CortexRandom(4)), training: false);
        var e = Assert.Throws<InvalidOperationException>(() => block.Backward(y));
        Assert.Contains("gradients through a folded model are not available", e.Message, StringComparison.Ordinal);
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

        Assert.Equal(new FoldingResult(1, 1), BatchNormFolding.Fold(model));   // the ReLU after the folded norm fuses too
        Assert.NotNull(conv.Bias);
        Assert.True(conv.FusedRelu);
        Assert.True(afterConv.IsFolded);
        Assert.False(afterRelu.IsFolded);
        var after = model.Forward(x, training: false).Span.ToArray();
        for (int i = 0; i < before.Length; i++)
            Assert.Equal(before[i], after[i], 1e-4);
    }
}
