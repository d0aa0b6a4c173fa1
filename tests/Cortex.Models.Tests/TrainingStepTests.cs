// Every zoo model runs forward and one training step. The big ones run at a reduced input, because a
// VGG-16 forward pass at 224×224 is 15.5 GMACs and the unit suite runs on two shared cores (every model
// is also built and shape-checked at its native size in NativeSizeTests). Sizes: VGG at 32×32 (the smallest its five pools accept),
// ImageNet ResNets at 32×32 (every stage still runs, layer4 at 1×1; at 16×16 layer3 is 1×1 too and
// its batch norm sees 2 values per channel, whose gradients explode through ResNet-101's 23 blocks),
// GoogLeNet at 16×16, GoogLeNet
// with its auxiliary heads at 80×80 (the heads pool 5×5 windows of 4a's map), AlexNet at 67×67 (the
// smallest its three 3/2 pools accept), cats-vs-dogs at 48×48 and the CIFAR nets at 8×8. The FC
// heads take the smaller flattened maps: the builders size them from the spec.
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;

namespace Cortex.Models.Tests;

[Collection(nameof(TrainingStepTests))]
public sealed class TrainingStepTests
{
    [Theory]
    [InlineData("catsdogs", "dropout=true", 48, 2)]
    [InlineData("catsdogs", "", 48, 2)]
    [InlineData("alexnet", "", 67, 1)]
    [InlineData("alexnet", "groups=2", 67, 1)]
    [InlineData("vgg11", "", 32, 1)]
    [InlineData("vgg11-lrn", "", 32, 1)]
    [InlineData("vgg13", "", 32, 1)]
    [InlineData("vgg16-c", "", 32, 1)]
    [InlineData("vgg16", "", 32, 1)]
    [InlineData("vgg19", "", 32, 1)]
    [InlineData("vgg16", "batch_norm=true", 32, 2)]
    [InlineData("nin", "", 8, 2)]
    [InlineData("googlenet", "", 16, 2)]
    [InlineData("resnet18", "", 32, 2)]
    [InlineData("resnet34", "", 32, 2)]
    [InlineData("resnet50", "", 32, 2)]
    [InlineData("resnet101", "", 32, 2)]
    [InlineData("resnet152", "", 32, 2)]
    [InlineData("resnet50", "stride_on=3x3", 32, 2)]
    [InlineData("plain18", "", 32, 2)]
    [InlineData("plain34", "", 32, 2)]
    [InlineData("resnet20", "", 8, 2)]
    [InlineData("resnet32", "", 8, 2)]
    [InlineData("resnet44", "", 8, 2)]
    [InlineData("resnet56", "", 8, 2)]
    [InlineData("resnet110", "", 8, 2)]
    [InlineData("resnet20", "shortcut=B", 8, 2)]
    [InlineData("plain20", "", 8, 2)]
    [InlineData("plain32", "", 8, 2)]
    [InlineData("plain44", "", 8, 2)]
    [InlineData("plain56", "", 8, 2)]
    [InlineData("plain110", "", 8, 2)]
    [InlineData("lenet5", "", 28, 2)]
    [InlineData("lenet5-classic", "", 28, 2)]
    [InlineData("simpleconvnet", "", 28, 2)]
    public void ReducedInput_ForwardAndOneStep_GivesFiniteNonZeroGradients(string name, string options, int size, int batch)
    {
        int classes = name == "catsdogs" ? 1 : 5;
        int channels = name.StartsWith("lenet", StringComparison.Ordinal) || name == "simpleconvnet" ? 1 : 3;
        var model = ModelZoo.Create(name, classes, new Shape(channels, size, size), NativeSizeTests.Options(options));
        var x = Tensor.RandomNormal(new Shape(batch, channels, size, size), new CortexRandom(1));
        var scores = model.Forward(x, training: true);
        Assert.Equal(new Shape(batch, classes), scores.Shape);
        Assert.Equal(scores.Shape, model.OutputShape(x.Shape));

        Loss loss = classes == 1 ? new BinaryCrossEntropy() : new SoftmaxCrossEntropy();
        var labels = classes == 1 ? Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % 2))]) : Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % classes))]);
        float value = loss.Forward(scores, labels);
        Assert.True(float.IsFinite(value), $"{name}: loss {value}");
        model.ZeroGradients();
        model.Backward(loss.Backward());

        var parameters = model.NamedParameters().ToList();
        foreach (var (key, p) in parameters)
            Assert.True(p.Gradient.ToArray().All(float.IsFinite), $"{name}: {key} has a non-finite gradient");
        // the first convolution sees every path to the loss: its gradient cannot be all zero
        var first = parameters.First(e => e.Parameter.Shape.Rank == 4).Parameter;
        Assert.Contains(first.Gradient.ToArray(), g => g != 0);
        var before = first.Value.ToArray();
        new Sgd(model.AllParameters(), 0.01f).Step();
        Assert.NotEqual(before, first.Value.ToArray());
    }

    // One small SGD step along the gradient lowers the loss on the same batch (dropout masks held fixed).
    [Theory]
    [InlineData("catsdogs", "dropout=true", 48)]
    [InlineData("nin", "", 8)]
    [InlineData("resnet20", "", 8)]
    [InlineData("plain20", "", 8)]
    public void ReducedInput_OneStep_LowersTheLoss(string name, string options, int size)
    {
        int classes = name == "catsdogs" ? 1 : 5;
        var model = ModelZoo.Create(name, classes, new Shape(3, size, size), NativeSizeTests.Options(options));
        var x = Tensor.RandomNormal(new Shape(2, 3, size, size), new CortexRandom(2));
        var labels = classes == 1 ? Tensor.FromArray(0f, 1f) : Tensor.FromArray(3f, 1f);
        Loss loss = classes == 1 ? new BinaryCrossEntropy() : new SoftmaxCrossEntropy();
        float before = loss.Forward(model.Forward(x, training: true), labels);
        foreach (var s in model.Descendants().OfType<IStochasticLayer>())
            s.FreezeRandomness = true;
        model.ZeroGradients();
        model.Backward(loss.Backward());
        double norm = Math.Sqrt(model.AllParameters().Sum(p => p.Gradient.ToArray().Sum(g => (double)g * g)));
        new Sgd(model.AllParameters(), (float)(0.05 / norm)).Step();   // a step of length 0.05 along −∇L
        float after = loss.Forward(model.Forward(x, training: true), labels);
        Assert.True(after < before, $"{name}: loss {before} → {after}");
    }

    [Fact]
    public void GoogLeNet_AuxiliaryHeads_RunInTrainingAndTheirGradientReachesTheStem()
    {
        // 80×80, the smallest the heads accept: they pool 5×5 windows of 4a's 5×5 map
        var model = ModelZoo.Create("googlenet", 4, new Shape(3, 80, 80), new Dictionary<string, string> { ["aux_logits"] = "true" });
        var heads = model.Descendants().OfType<AuxiliaryClassifier>().ToList();
        Assert.Equal(["aux1", "aux2"], heads.Select(h => h.Path));
        var x = Tensor.RandomNormal(new Shape(1, 3, 80, 80), new CortexRandom(3));
        var labels = Tensor.FromArray(2f);

        model.Forward(x, training: false);
        Assert.All(heads, h => Assert.Null(h.Output));                   // inference skips the heads

        var main = new SoftmaxCrossEntropy();
        main.Forward(model.Forward(x, training: true), labels);
        foreach (var head in heads)
        {
            Assert.Equal(new Shape(1, 4), head.Output!.Shape);
            var auxLoss = new SoftmaxCrossEntropy();
            auxLoss.Forward(head.Output, labels);
            var d = auxLoss.Backward().Clone();
            System.Numerics.Tensors.TensorPrimitives.Multiply(d.Span, 0.3f, d.Span);   // the paper's weight
            head.SetOutputGradient(d);
        }
        model.ZeroGradients();
        model.Backward(main.Backward());
        var fc1 = model.NamedParameters().First(p => p.Key == "aux1.fc1.weight").Parameter;
        Assert.Contains(fc1.Gradient.ToArray(), g => g != 0);
        Assert.All(model.AllParameters(), p => Assert.True(p.Gradient.ToArray().All(float.IsFinite)));
    }

    [Fact]
    public void GoogLeNet_AuxiliaryHeadsOnTooSmallAnInput_SayWhatToDo()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("googlenet", input: new Shape(3, 32, 32), options: new Dictionary<string, string> { ["aux_logits"] = "true" }));
        Assert.Contains("at least 80×80", e.Message, StringComparison.Ordinal);
    }
}
