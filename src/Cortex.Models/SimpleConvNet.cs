// SimpleConvNet.cs — the lectures' SimpleConvNet (after 斎藤康毅, "Deep Learning from Scratch",
// ch. 7): conv 30@5×5 (stride 1, pad 0) – ReLU – max pool 2×2 – affine 100 – ReLU – affine classes,
// weights drawn from N(0, 0.01²) as the lectures' weight_init_std = 0.01. On 1×28×28 it has
// 433,890 parameters. Options: "init" (an Init.Parse spec, e.g. "he") replaces the 0.01 normal.
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builder for the lectures' SimpleConvNet.</summary>
public static class SimpleConvNet
{
    internal static void Register() =>
        ModelZoo.Register(new ModelInfo("simpleconvnet", "The lectures' SimpleConvNet: conv 30@5×5 – pool – affine 100 – affine 10",
            new Shape(1, 28, 28), 10, Create));

    /// <summary>Builds SimpleConvNet for <paramref name="spec"/>'s input and classes.</summary>
    public static Sequential Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int c = spec.Input[0], h = spec.Input[1], w = spec.Input[2];
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.Option("init") is { } text ? Init.Parse(text) : Init.Normal(0.01f);
        int ph = (h - 5 + 1) / 2, pw = (w - 5 + 1) / 2;
        return new Sequential("simpleconvnet")
            .Add("conv1", new Conv2d(c, 30, 5, random: random, weightInit: init))
            .Add("relu1", new ReLU())
            .Add("pool1", new MaxPool2d(2))
            .Add("flatten", new Flatten())
            .Add("affine1", new Dense(30 * ph * pw, 100, random: random, weightInit: init))
            .Add("relu2", new ReLU())
            .Add("affine2", new Dense(100, spec.NumClasses, random: random, weightInit: init));
    }
}
