using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class SequentialTests
{
    [Fact]
    public void OutputShape_ChainsThroughTheLayers()
    {
        var model = new Sequential(new ZeroPad2d(1), new Flatten(), new Dense(2 * 5 * 6, 7), new Maxout(7));
        Assert.Equal(new Shape(4, 1), model.OutputShape(new Shape(4, 2, 3, 4)));
        Assert.Equal(new Shape(4, 1), model.Forward(new Tensor(4, 2, 3, 4), training: false).Shape);
    }

    [Fact]
    public void Keys_AreIndicesOrGivenNames_AndBecomeParameterPaths()
    {
        var model = new Sequential(new Dense(3, 4), new ReLU());
        model.Add("head", new Dense(4, 2));
        Assert.Equal(["0", "1", "head"], model.Children.Select(c => c.Name));
        Assert.Equal(["0.weight", "0.bias", "head.weight", "head.bias"], model.NamedParameters().Select(p => p.Key));
        Assert.Equal("head", model["head"].Path);
        Assert.Same(model[2], model["head"]);
        Assert.Equal(3, model.Count);
    }

    [Fact]
    public void NestedPaths_NameTheLayer()
    {
        var root = new Sequential().Add("features", new Sequential(new Dense(3, 3), new Tanh()));
        Assert.Equal("features.1 (Tanh)", ((Sequential)root["features"])[1].Describe());
    }

    [Fact]
    public void Gradients_MatchCentralDifferences_WholeModel()
    {
        var rng = new CortexRandom(21);
        var model = new Sequential(
            new Dense(5, 6, random: rng), new Tanh(),
            new BatchNorm1d(6),
            new Dense(6, 8, random: rng), new Maxout(2),
            new Dropout(0.3, rng.Fork()),
            new Dense(4, 3, random: rng), new Softmax());
        var report = AssertGradients(model, Random(22, 4, 5));
        Assert.Contains(report.Entries, e => e.Name == "2.weight");
        Assert.Equal(9, report.Entries.Count);   // input + 4 layers × 2
    }

    // A batch norm followed by a ReLU runs as one pass; the chain computes what the two layers do one after the other.
    [Fact]
    public void BatchNormThenReLU_AsOnePass_MatchesTheLayersRunSeparately()
    {
        Sequential Make() => new(new Conv2d(2, 3, 3, padding: 1, random: new CortexRandom(4)), new BatchNorm2d(3), new ReLU(), new Flatten(), new Dense(3 * 6 * 6, 4, random: new CortexRandom(5)));
        var chain = Make();
        var parts = Make().Children.Select(c => c.Layer).ToArray();
        var x = Random(6, 5, 2, 6, 6);
        var dy = Random(7, 5, 4);

        var expected = x;
        foreach (var layer in parts)
            expected = layer.Forward(expected, true);
        Assert.Equal(expected.ToArray(), chain.Forward(x, true).ToArray());

        var dxExpected = dy;
        foreach (var layer in parts.Reverse())
            dxExpected = layer.Backward(dxExpected);
        var dx = chain.Backward(dy);
        Assert.All(dx.ToArray().Zip(dxExpected.ToArray()), p => Assert.Equal(p.Second, p.First, 1e-5));
        foreach (var (a, b) in chain.AllParameters().Zip(parts.SelectMany(p => p.AllParameters())))
            Assert.All(a.Gradient.ToArray().Zip(b.Gradient.ToArray()), p => Assert.Equal(p.Second, p.First, 1e-4));
    }

    [Fact]
    public void ErrorsAndMisuse()
    {
        var model = new Sequential(new Dense(3, 3));
        Assert.Throws<ArgumentException>(() => model.Add("0", new ReLU()));          // duplicate key
        Assert.Throws<ArgumentException>(() => model.Add("a.b", new ReLU()));        // dot in key
        Assert.Throws<ArgumentException>(() => model.Add(model[0]));                 // same instance twice
        var other = new Sequential();
        var e = Assert.Throws<InvalidOperationException>(() => other.Add(model[0]));  // belongs elsewhere
        AssertContainsAll(e.Message, "0 (Dense)", "already belongs");
        Assert.Throws<KeyNotFoundException>(() => model["missing"]);
        Assert.Throws<InvalidOperationException>(() => new Sequential(new ReLU()).Backward(new Tensor(1, 1)));
    }

    [Fact]
    public void Empty_IsIdentity()
    {
        var x = Random(1, 2, 3);
        var empty = new Sequential();
        Assert.Same(x, empty.Forward(x, training: true));
        Assert.Equal(new Shape(2, 3), empty.OutputShape(new Shape(2, 3)));
    }

    [Fact]
    public void TrainingStep_AllocatesNothingAfterWarmUp()
    {
        var rng = new CortexRandom(5);
        var model = new Sequential(
            new Flatten(), new ReLU(),
            new BatchNorm1d(20), new Dropout(0.5, rng.Fork()),
            new Residual(new Sequential(new LeakyReLU(), new Tanh()), activation: new ELU()),
            new Concat(new Maxout(2), new Sigmoid()),
            new Maxout(3), new Softmax());
        AssertNoAllocationAfterWarmUp(model, Random(6, 8, 20), Random(7, 8, 10));

        var images = new Sequential(
            new ReplicationPad2d(1), new BatchNorm2d(3), new LocalResponseNorm(3), new Dropout2d(0.3, rng.Fork()),
            new Maxout(3), new ZeroPad2d(1, 0, 0, 1), new Flatten());
        AssertNoAllocationAfterWarmUp(images, Random(8, 2, 3, 4, 5), Random(9, 2, 56));
    }

    [Fact]
    public void DenseTrainingStep_AllocatesNothingAfterWarmUp()
    {
        var model = new Sequential(new Dense(20, 16, random: new CortexRandom(5)), new ReLU(), new Dense(16, 10, random: new CortexRandom(6)));
        AssertNoAllocationAfterWarmUp(model, Random(6, 8, 20), Random(7, 8, 10));
    }

    private static void AssertNoAllocationAfterWarmUp(Layer model, Tensor x, Tensor dy)
    {
        for (int warmUp = 0; warmUp < 2; warmUp++)
        {
            model.Forward(x, training: true);
            model.Backward(dy);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 3; step++)
        {
            model.Forward(x, training: true);
            model.Backward(dy);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    // Turning the input gradient off reaches the first layer only; its parameter gradients stay
    // exactly what they were, and the skipped dL/dx comes back as the empty NoInputGradient.
    [Fact]
    public void InputGradientRequired_Off_SkipsOnlyTheFirstLayersInputGradient()
    {
        var random = new CortexRandom(3);
        Sequential Build() => new(
            new Conv2d(2, 3, 3, padding: 1, random: new CortexRandom(5)), new ReLU(),
            new Flatten(), new Dense(3 * 5 * 5, 4, random: new CortexRandom(6)));
        var x = Tensor.RandomNormal(new Shape(2, 2, 5, 5), random);
        var dy = Tensor.RandomNormal(new Shape(2, 4), random);

        var full = Build();
        full.Forward(x, training: true);
        var dx = full.Backward(dy);
        Assert.Equal(x.Shape, dx.Shape);

        var skipping = Build();
        skipping.InputGradientRequired = false;
        Assert.False(skipping[0].InputGradientRequired);
        Assert.True(skipping[3].InputGradientRequired);
        skipping.Forward(x, training: true);
        var skipped = skipping.Backward(dy);
        Assert.Same(Layer.NoInputGradient, skipped);
        Assert.Equal(0, skipped.Span.Length);
        foreach (var ((key, a), (_, b)) in full.NamedParameters().Zip(skipping.NamedParameters()))
            Assert.True(a.Gradient.Span.SequenceEqual(b.Gradient.Span), $"{key} gradient changed");

        skipping.InputGradientRequired = true;
        skipping.Forward(x, training: true);
        Assert.True(dx.Span.SequenceEqual(skipping.Backward(dy).Span));
    }

    [Fact]
    public void InputGradientRequired_Off_ReachesALayerAddedLater()
    {
        var model = new Sequential { InputGradientRequired = false };
        var dense = new Dense(3, 2);
        model.Add(dense).Add(new ReLU());
        Assert.False(dense.InputGradientRequired);
        var x = Tensor.RandomNormal(new Shape(4, 3), new CortexRandom(1));
        model.Forward(x, training: true);
        Assert.Same(Layer.NoInputGradient, model.Backward(Tensor.RandomNormal(new Shape(4, 2), new CortexRandom(2))));
    }
}
