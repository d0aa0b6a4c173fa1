// LeNet5.cs — LeNet-5 (LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to
// document recognition", Proc. IEEE 1998), in two forms:
//
//   lenet5          the modern form: conv 6@5×5 (pad 2 on 28×28) – ReLU – max pool 2 – conv 16@5×5
//                   – ReLU – max pool 2 – fc 120 – ReLU – fc 84 – ReLU – fc classes
//   lenet5-classic  the 1998 form: 32×32 input (28×28 digits zero-padded by 2), tanh and 2×2 average
//                   pooling (the paper's trainable subsampling without its coefficient), the same sizes
//
// With full C3 connectivity (the paper connects each C3 map to a subset of S2's maps) both have
// 61,706 parameters. Keys: features.{0,3}.weight, classifier.{0,2,4}.weight.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builders for LeNet-5.</summary>
public static class LeNet5
{
    internal static void Register()
    {
        ModelZoo.Register(new ModelInfo("lenet5", "LeNet-5, modern: ReLU and max pooling (LeCun et al. 1998)", new Shape(1, 28, 28), 10, spec => Create(spec, classic: false)));
        ModelZoo.Register(new ModelInfo("lenet5-classic", "LeNet-5 as in 1998: tanh and average pooling on a 32×32 input", new Shape(1, 28, 28), 10, spec => Create(spec, classic: true)));
    }

    /// <summary>Builds LeNet-5 for <paramref name="spec"/>'s input (C, H, W) and classes.</summary>
    public static Sequential Create(ModelSpec spec, bool classic)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int c = spec.Input[0], h = spec.Input[1], w = spec.Input[2];
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var features = new Sequential("features");
        int pad = classic ? 0 : 2;
        if (classic && (h < 32 || w < 32))
        {
            // The paper's input is 32×32: the 28×28 digits centred in a blank border.
            int ph = Math.Max(0, 32 - h), pw = Math.Max(0, 32 - w);
            features.Add("pad", new ZeroPad2d(pw / 2, pw - pw / 2, ph / 2, ph - ph / 2));
            h += ph;
            w += pw;
        }
        features.Add("0", new Conv2d(c, 6, 5, padding: pad, random: random));
        features.Add("1", classic ? new Tanh() : new ReLU());
        features.Add("2", classic ? new AvgPool2d(2) : new MaxPool2d(2));
        features.Add("3", new Conv2d(6, 16, 5, random: random));
        features.Add("4", classic ? new Tanh() : new ReLU());
        features.Add("5", classic ? new AvgPool2d(2) : new MaxPool2d(2));

        int oh = ((h + 2 * pad - 4) / 2 - 4) / 2, ow = ((w + 2 * pad - 4) / 2 - 4) / 2;
        var classifier = new Sequential("classifier",
            new Dense(16 * oh * ow, 120, random: random),
            classic ? new Tanh() : new ReLU(),
            new Dense(120, 84, random: random),
            classic ? new Tanh() : new ReLU(),
            new Dense(84, spec.NumClasses, random: random));
        return new Sequential(classic ? "lenet5-classic" : "lenet5")
            .Add("features", features)
            .Add("flatten", new Flatten())
            .Add("classifier", classifier);
    }
}
