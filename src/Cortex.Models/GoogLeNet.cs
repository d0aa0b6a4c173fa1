// GoogLeNet.cs — Inception v1 (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015),
// Table 1 as the lectures reproduce it, in torchvision's key names (without its batch norm):
//
//   conv1 7×7/2 64 – maxpool 3/2 – LRN – conv2 1×1 64 – conv3 3×3 192 – LRN – maxpool 3/2
//   inception 3a, 3b – maxpool 3/2 – 4a, 4b, 4c, 4d, 4e – maxpool 3/2 – 5a, 5b
//   global average pool (7×7 at 224) – dropout 40 % – fc classes
//
// An inception module runs four branches on its input and concatenates them (Concat):
//   branch1 1×1 | branch2 1×1 reduce → 3×3 | branch3 1×1 reduce → 5×5 | branch4 3×3/1 max pool → 1×1 proj
// every convolution followed by ReLU. Without the auxiliary heads: 6,998,552 parameters.
//
// Option aux_logits=true adds the two auxiliary classifiers of §5 after 4a and 4d (AuxiliaryClassifier:
// the identity on the main path, in training also the head avg pool 5×5/3 – conv 1×1 128 – fc 1024 –
// dropout 70 % – fc classes; its scores in .Output, its loss weighted 0.3 by the training loop). The
// heads need a 14×14-ish map at 4a (inputs of at least 80×80). Option seed=N; init=SPEC (an Init.Parse spec; default: each layer's, He normal).
// The pools use padding 1 where Caffe rounds up (the same 56, 28, 14, 7 at 224×224).
// Keys: conv1.conv.weight, inception3a.branch2.1.conv.weight, aux1.fc1.weight, fc.weight.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builder for GoogLeNet (Inception v1).</summary>
public static class GoogLeNet
{
    // Table 1: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj
    private static readonly (string Name, int In, int C1, int R3, int C3, int R5, int C5, int Proj)[] Modules =
    [
        ("inception3a", 192, 64, 96, 128, 16, 32, 32),
        ("inception3b", 256, 128, 128, 192, 32, 96, 64),
        ("inception4a", 480, 192, 96, 208, 16, 48, 64),
        ("inception4b", 512, 160, 112, 224, 24, 64, 64),
        ("inception4c", 512, 128, 128, 256, 24, 64, 64),
        ("inception4d", 512, 112, 144, 288, 32, 64, 64),
        ("inception4e", 528, 256, 160, 320, 32, 128, 128),
        ("inception5a", 832, 256, 160, 320, 32, 128, 128),
        ("inception5b", 832, 384, 192, 384, 48, 128, 128),
    ];

    internal static void Register() =>
        ModelZoo.Register(new ModelInfo("googlenet", "GoogLeNet (Inception v1): 9 inception modules, global average pooling (Szegedy et al. 2015); aux_logits=true for the side heads",
            new Shape(3, 224, 224), 1000, Create, new Shape(3, 32, 32)));

    /// <summary>Builds GoogLeNet for <paramref name="spec"/>'s input and classes.</summary>
    public static Sequential Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.WeightInit;
        bool aux = spec.Flag("aux_logits");
        Sequential Conv(int inC, int outC, int k, int stride = 1) =>
            new Sequential("conv").Add("conv", new Conv2d(inC, outC, k, stride: stride, padding: k / 2, random: random, weightInit: init)).Add("relu", new ReLU());
        static LocalResponseNorm Lrn() => new(size: 5, alpha: 1e-4f, beta: 0.75f, k: 2f);

        var model = new Sequential(spec.Model)
            .Add("conv1", Conv(spec.Input[0], 64, 7, stride: 2))
            .Add("maxpool1", new MaxPool2d(3, stride: 2, padding: 1))
            .Add("lrn1", Lrn())
            .Add("conv2", Conv(64, 64, 1))
            .Add("conv3", Conv(64, 192, 3))
            .Add("lrn2", Lrn())
            .Add("maxpool2", new MaxPool2d(3, stride: 2, padding: 1));
        foreach (var m in Modules)
        {
            var inception = new Concat(m.Name)
                .Add("branch1", Conv(m.In, m.C1, 1))
                .Add("branch2", new Sequential("branch2", Conv(m.In, m.R3, 1), Conv(m.R3, m.C3, 3)))
                .Add("branch3", new Sequential("branch3", Conv(m.In, m.R5, 1), Conv(m.R5, m.C5, 5)))
                .Add("branch4", new Sequential("branch4", new MaxPool2d(3, stride: 1, padding: 1), Conv(m.In, m.Proj, 1)));
            model.Add(m.Name, inception);
            if (m.Name == "inception3b")
                model.Add("maxpool3", new MaxPool2d(3, stride: 2, padding: 1));
            if (m.Name == "inception4e")
                model.Add("maxpool4", new MaxPool2d(3, stride: 2, padding: 1));
            if (aux && m.Name is "inception4a" or "inception4d")
            {
                string name = m.Name == "inception4a" ? "aux1" : "aux2";
                int channels = m.C1 + m.C3 + m.C5 + m.Proj;
                var map = model.OutputShape(new Shape([1, .. spec.Input.Dimensions]));
                if (map[2] < 5 || map[3] < 5)
                    throw new ArgumentException($"GoogLeNet: the auxiliary heads pool 5×5 windows of the {m.Name} map, which is {map[2]}×{map[3]} for the input {spec.Input}; use an input of at least 80×80 or aux_logits=false.", nameof(spec));
                int ph = ((map[2] - 5) / 3) + 1, pw = ((map[3] - 5) / 3) + 1;
                model.Add(name, new AuxiliaryClassifier(name,
                    ("pool", new AvgPool2d(5, stride: 3)),
                    ("conv", Conv(channels, 128, 1)),
                    ("flatten", new Flatten()),
                    ("fc1", new Dense(128 * ph * pw, 1024, random: random, weightInit: init)),
                    ("relu", new ReLU()),
                    ("dropout", new Dropout(0.7, random.Fork())),
                    ("fc2", new Dense(1024, spec.NumClasses, random: random, weightInit: init))));
            }
        }
        return model
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("dropout", new Dropout(0.4, random.Fork()))
            .Add("fc", new Dense(1024, spec.NumClasses, random: random, weightInit: init));
    }
}
