// Nin.cs — Network in Network (Lin, Chen & Yan, ICLR 2014), the CIFAR-10 model of the paper
// (the authors' Caffe definition): three MLPconv blocks — a spatial convolution followed by two
// 1×1 convolutions ("a micro MLP slid over the image"), each with ReLU — then global average
// pooling instead of fully connected layers: the last 1×1 conv makes one map per class and each
// map's average is that class's score.
//
//   block 1  conv 192@5×5 pad 2 – 160@1×1 – 96@1×1 – max pool 3/2 – dropout 0.5     32 → 16
//   block 2  conv 192@5×5 pad 2 – 192@1×1 – 192@1×1 – avg pool 3/2 – dropout 0.5    16 → 8
//   block 3  conv 192@3×3 pad 1 – 192@1×1 – classes@1×1 – global average pool         8 → 1
//
// 966,986 parameters for 10 classes on 3×32×32. The pools use padding 1 where Caffe rounds up
// (the same 16 and 8); the ReLU after the last 1×1 conv is the Caffe model's.
// Options: seed=N; init=SPEC (an Init.Parse spec; default: each layer's, He normal). Keys: features.{0,2,4,8,10,12,16,18,20}.weight.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builder for Network in Network (CIFAR-10 form).</summary>
public static class Nin
{
    internal static void Register() =>
        ModelZoo.Register(new ModelInfo("nin", "Network in Network, CIFAR-10: 3 MLPconv blocks, global average pooling (Lin et al. 2014)",
            new Shape(3, 32, 32), 10, Create, new Shape(3, 8, 8)));

    /// <summary>Builds NIN for <paramref name="spec"/>'s input and classes.</summary>
    public static Sequential Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.WeightInit;
        var features = new Sequential("features");
        void MlpConv(int inChannels, int filters, int kernel, int m1, int m2)
        {
            features.Add(new Conv2d(inChannels, filters, kernel, padding: kernel / 2, random: random, weightInit: init));
            features.Add(new ReLU());
            features.Add(new Conv2d(filters, m1, 1, random: random, weightInit: init));
            features.Add(new ReLU());
            features.Add(new Conv2d(m1, m2, 1, random: random, weightInit: init));
            features.Add(new ReLU());
        }
        MlpConv(spec.Input[0], 192, 5, 160, 96);
        features.Add(new MaxPool2d(3, stride: 2, padding: 1));
        features.Add(new Dropout(0.5, random.Fork()));
        MlpConv(96, 192, 5, 192, 192);
        features.Add(new AvgPool2d(3, stride: 2, padding: 1));
        features.Add(new Dropout(0.5, random.Fork()));
        MlpConv(192, 192, 3, 192, spec.NumClasses);
        return new Sequential(spec.Model)
            .Add("features", features)
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten());
    }
}
