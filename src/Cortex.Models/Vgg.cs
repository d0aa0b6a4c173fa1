// Vgg.cs — VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
// Recognition", ICLR 2015), configurations A–E of Table 1 as data, in torchvision's layout:
// features (3×3 convolutions, stride 1, pad 1, each followed by ReLU; "M" = 2×2 max pool, stride 2),
// then classifier fc 4096 – ReLU – dropout – fc 4096 – ReLU – dropout – fc classes.
//
//   vgg11     A       11 weight layers   132,863,336 parameters (Table 2: 133M)
//   vgg11-lrn A-LRN   A + LRN after the first conv   132,863,336 (LRN has none)
//   vgg13     B       13                 133,047,848 (133M)
//   vgg16-c   C       16, with 1×1 convs in blocks 3–5   133,638,952 (134M)
//   vgg16     D       16                 138,357,544 (138M)
//   vgg19     E       19                 143,667,240 (144M)
//
// The classifier's first layer takes the flattened feature map of the given input (512·7·7 at
// 224×224); torchvision pools to 7×7 first instead, which we do not.
// Options: include_top=false keeps only `features` (Keras's include_top; VGG-16: 14,714,688
// parameters, the lectures' Keras summary); batch_norm=true puts BatchNorm2d after every conv, as
// torchvision's vgg16_bn (its convs keep their bias, as there); seed=N; init=SPEC (an Init.Parse spec; default: each layer's, He normal).
// Keys: features.0.weight … features.28.bias, classifier.{0,3,6}.weight.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builders for VGG A–E.</summary>
public static class Vgg
{
    /// <summary>
    /// The configurations of Table 1: a number is a 3×3 conv with that many filters, "N/1" a 1×1 conv,
    /// "M" a 2×2 max pool, "LRN" local response normalization (Krizhevsky et al.'s).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> Configurations { get; } = new Dictionary<string, string[]>
    {
        ["A"] = ["64", "M", "128", "M", "256", "256", "M", "512", "512", "M", "512", "512", "M"],
        ["A-LRN"] = ["64", "LRN", "M", "128", "M", "256", "256", "M", "512", "512", "M", "512", "512", "M"],
        ["B"] = ["64", "64", "M", "128", "128", "M", "256", "256", "M", "512", "512", "M", "512", "512", "M"],
        ["C"] = ["64", "64", "M", "128", "128", "M", "256", "256", "256/1", "M", "512", "512", "512/1", "M", "512", "512", "512/1", "M"],
        ["D"] = ["64", "64", "M", "128", "128", "M", "256", "256", "256", "M", "512", "512", "512", "M", "512", "512", "512", "M"],
        ["E"] = ["64", "64", "M", "128", "128", "M", "256", "256", "256", "256", "M", "512", "512", "512", "512", "M", "512", "512", "512", "512", "M"],
    };

    internal static void Register()
    {
        foreach (var (name, config, description) in (ReadOnlySpan<(string, string, string)>)
        [
            ("vgg11", "A", "VGG-11 (A): 8 conv + 3 FC (Simonyan & Zisserman 2015)"),
            ("vgg11-lrn", "A-LRN", "VGG-11 with LRN after the first conv (A-LRN)"),
            ("vgg13", "B", "VGG-13 (B): 10 conv + 3 FC"),
            ("vgg16-c", "C", "VGG-16 (C): 1×1 convs in blocks 3–5"),
            ("vgg16", "D", "VGG-16 (D): 13 conv + 3 FC; include_top=false for Keras's feature extractor"),
            ("vgg19", "E", "VGG-19 (E): 16 conv + 3 FC"),
        ])
        {
            string c = config;
            ModelZoo.Register(new ModelInfo(name, description, new Shape(3, 224, 224), 1000, spec => Create(spec, c), new Shape(3, 32, 32)));
        }
    }

    /// <summary>Builds configuration <paramref name="config"/> ("A", "A-LRN", "B", "C", "D", "E") for <paramref name="spec"/>.</summary>
    public static Sequential Create(ModelSpec spec, string config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!Configurations.TryGetValue(config, out var cfg))
            throw new ArgumentException($"Vgg: no configuration '{config}'; the configurations are {string.Join(", ", Configurations.Keys)}.", nameof(config));
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.WeightInit;
        bool batchNorm = spec.Flag("batch_norm");
        var features = new Sequential("features");
        int inChannels = spec.Input[0];
        foreach (string item in cfg)
        {
            if (item == "M")
            {
                features.Add(new MaxPool2d(2));
            }
            else if (item == "LRN")
            {
                features.Add(new LocalResponseNorm(size: 5, alpha: 1e-4f, beta: 0.75f, k: 2f, scaling: LrnScaling.SumOfSquares));
            }
            else
            {
                bool oneByOne = item.EndsWith("/1", StringComparison.Ordinal);
                int filters = int.Parse(oneByOne ? item[..^2] : item, System.Globalization.CultureInfo.InvariantCulture);
                features.Add(new Conv2d(inChannels, filters, oneByOne ? 1 : 3, padding: oneByOne ? 0 : 1, random: random, weightInit: init));
                if (batchNorm)
                    features.Add(new BatchNorm2d(filters));
                features.Add(new ReLU());
                inChannels = filters;
            }
        }
        var model = new Sequential(spec.Model).Add("features", features);
        if (!spec.Flag("include_top", true))
            return model;
        int flat = features.OutputShape(new Shape([1, .. spec.Input.Dimensions])).SizeFrom(1);
        var classifier = new Sequential("classifier",
            new Dense(flat, 4096, random: random, weightInit: init), new ReLU(), new Dropout(0.5, random.Fork()),
            new Dense(4096, 4096, random: random, weightInit: init), new ReLU(), new Dropout(0.5, random.Fork()),
            new Dense(4096, spec.NumClasses, random: random, weightInit: init));
        return model.Add("flatten", new Flatten()).Add("classifier", classifier);
    }
}
