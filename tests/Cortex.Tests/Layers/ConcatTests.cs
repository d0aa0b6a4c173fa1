using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class ConcatTests
{
    [Fact]
    public void Forward_JoinsAlongChannels_InBranchOrder()
    {
        var concat = new Concat(new ZeroPad2d(0), new Maxout(2));
        var x = Random(1, 2, 4, 2, 3);
        var y = concat.Forward(x, training: false);
        Assert.Equal(new Shape(2, 6, 2, 3), y.Shape);
        Assert.Equal(x[1, 3, 1, 2], y[1, 3, 1, 2]);                               // branch 0: channels 0..3
        Assert.Equal(Math.Max(x[1, 2, 0, 1], x[1, 3, 0, 1]), y[1, 5, 0, 1]);      // branch 1: channels 4..5
    }

    [Fact]
    public void Gradients_FanOutAndFanIn()
    {
        var rng = new CortexRandom(8);
        var concat = new Concat(new Dense(5, 3, random: rng), new Sequential(new Dense(5, 4, random: rng), new Tanh()), new Sigmoid());
        Assert.Equal(new Shape(2, 12), concat.OutputShape(new Shape(2, 5)));
        var report = AssertGradients(concat, Random(9, 2, 5));
        Assert.Equal(["input", "0.weight", "0.bias", "1.0.weight", "1.0.bias"], report.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Gradients_OnFeatureMaps()
    {
        var concat = new Concat("mixed")
            .Add("branch1", new LocalResponseNorm(3, alpha: 0.5f))
            .Add("branch2", new Maxout(2))
            .Add("branch3", new Sequential(new ZeroPad2d(0), new Tanh()));
        AssertGradients(concat, Distinct(10, 0.05f, 2, 4, 2, 3));
    }

    [Fact]
    public void BranchesDisagreeing_NamesBranchesAndShapes()
    {
        var root = new Sequential().Add("inception", new Concat(new ZeroPad2d(1), new ReLU()));
        var e = Assert.Throws<ArgumentException>(() => root.Forward(new Tensor(2, 3, 4, 4), training: true));
        AssertContainsAll(e.Message, "inception (Concat)", "branch 1", "[2, 3, 4, 4]", "branch 0", "[2, 3, 6, 6]");
    }

    [Fact]
    public void EmptyOrMisused_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new Concat().Forward(new Tensor(1, 2), training: false));
        Assert.Throws<InvalidOperationException>(() => new Concat(new ReLU()).Backward(new Tensor(1, 2)));
        var relu = new ReLU();
        Assert.Throws<ArgumentException>(() => new Concat(relu, relu));
    }
}
