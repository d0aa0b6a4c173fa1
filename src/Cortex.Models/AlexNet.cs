// AlexNet.cs — Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep Convolutional
// Neural Networks", NIPS 2012, as the lectures' table lays it out (227×227×3 input):
//
//   conv1 96@11×11/4 – ReLU – LRN – max pool 3/2        55×55×96 → 27×27×96
//   conv2 256@5×5 pad 2 – ReLU – LRN – max pool 3/2     27×27×256 → 13×13×256
//   conv3 384@3×3 pad 1 – ReLU                          13×13×384
//   conv4 384@3×3 pad 1 – ReLU                          13×13×384
//   conv5 256@3×3 pad 1 – ReLU – max pool 3/2           13×13×256 → 6×6×256
//   fc6 4096 – ReLU – dropout 0.5 – fc7 4096 – ReLU – dropout 0.5 – fc8 1000
//
// 62,378,344 parameters. LRN as in the paper (§3.3): n = 5, α = 1e-4 on the sum of squares, β = 0.75,
// k = 2, after the ReLU and before the pooling (the lectures' table lists NORM after POOL).
//
// Option groups=2: the paper's two-GPU network, where conv2, conv4 and conv5 see only the maps on
// their own GPU (grouped convolutions; conv3 and the FC layers talk across): 60,965,224 parameters.
// Option seed=N; init=SPEC (an Init.Parse spec; default: each layer's, He normal). Keys: features.{0,4,8,10,12}.weight, classifier.{0,3,6}.weight.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builder for AlexNet.</summary>
public static class AlexNet
{
    internal static void Register() =>
        ModelZoo.Register(new ModelInfo("alexnet", "AlexNet as in the lectures' table: 5 conv (LRN), 3 FC, 227×227 (Krizhevsky et al. 2012); groups=2 for two towers",
            new Shape(3, 227, 227), 1000, Create, new Shape(3, 67, 67)));

    /// <summary>Builds AlexNet for <paramref name="spec"/>'s input and classes.</summary>
    public static Sequential Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.WeightInit;
        int groups = (int)spec.Number("groups", 1);
        if (groups is not (1 or 2))
            throw new ArgumentException($"AlexNet: option groups expects 1 or 2 (the two-GPU towers), got {groups}.", nameof(spec));
        static LocalResponseNorm Lrn() => new(size: 5, alpha: 1e-4f, beta: 0.75f, k: 2f, scaling: LrnScaling.SumOfSquares);
        var features = new Sequential("features",
            new Conv2d(spec.Input[0], 96, 11, stride: 4, random: random, weightInit: init), new ReLU(), Lrn(), new MaxPool2d(3, stride: 2),
            new Conv2d(96, 256, 5, padding: 2, groups: groups, random: random, weightInit: init), new ReLU(), Lrn(), new MaxPool2d(3, stride: 2),
            new Conv2d(256, 384, 3, padding: 1, random: random, weightInit: init), new ReLU(),
            new Conv2d(384, 384, 3, padding: 1, groups: groups, random: random, weightInit: init), new ReLU(),
            new Conv2d(384, 256, 3, padding: 1, groups: groups, random: random, weightInit: init), new ReLU(), new MaxPool2d(3, stride: 2));
        int flat = features.OutputShape(new Shape([1, .. spec.Input.Dimensions])).SizeFrom(1);
        var classifier = new Sequential("classifier",
            new Dense(flat, 4096, random: random, weightInit: init), new ReLU(), new Dropout(0.5, random.Fork()),
            new Dense(4096, 4096, random: random, weightInit: init), new ReLU(), new Dropout(0.5, random.Fork()),
            new Dense(4096, spec.NumClasses, random: random, weightInit: init));
        return new Sequential(spec.Model)
            .Add("features", features)
            .Add("flatten", new Flatten())
            .Add("classifier", classifier);
    }
}
