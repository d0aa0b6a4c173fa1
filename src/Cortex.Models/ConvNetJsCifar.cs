// ConvNetJsCifar.cs — the small network of Karpathy's ConvNetJS CIFAR-10 demo, the browser demo the
// lectures end their CNN chapter with: three times conv 5×5 (pad 2, stride 1) – ReLU – max pool 2×2,
// with 16, 20 and 20 filters, then a dense layer to the classes (the demo's softmax layer, whose
// loss is Cortex's softmax cross-entropy). On 3×32×32: 19,256 parameters in the convolutions, 3,210 in
// the head, 22,466 in all.
// The demo trains it with Adadelta, batches of 4, L2 decay 1e-4, random flips and 2-pixel shifts;
// `cortex studio` offers that recipe when CIFAR-10 is present.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builder for the ConvNetJS CIFAR-10 demo network.</summary>
public static class ConvNetJsCifar
{
    internal static void Register() =>
        ModelZoo.Register(new ModelInfo("convnetjs-cifar", "ConvNetJS's CIFAR-10 demo network: 3 × (conv 5×5 – ReLU – pool 2×2) with 16, 20, 20 filters, softmax",
            new Shape(3, 32, 32), 10, Create));

    /// <summary>Builds the demo network for <paramref name="spec"/>'s input and classes.</summary>
    public static Sequential Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int c = spec.Input[0], h = spec.Input[1], w = spec.Input[2];
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.WeightInit;
        var model = new Sequential("convnetjs-cifar");
        int channels = c;
        int[] filters = [16, 20, 20];
        for (int i = 0; i < filters.Length; i++)
        {
            model.Add($"conv{i + 1}", new Conv2d(channels, filters[i], 5, padding: 2, random: random, weightInit: init))
                 .Add($"relu{i + 1}", new ReLU())
                 .Add($"pool{i + 1}", new MaxPool2d(2));
            channels = filters[i];
            h /= 2;
            w /= 2;
        }
        return model.Add("flatten", new Flatten())
                    .Add("fc", new Dense(channels * h * w, spec.NumClasses, random: random, weightInit: init));
    }
}
