// CatsDogs.cs — the lectures' cats-vs-dogs network (Chollet, "Deep Learning with Python", §5.2, in
// Keras): four 3×3 convolutions (32, 64, 128, 128 filters, ReLU, no padding), each followed by 2×2
// max pooling, on 150×150×3 images; flatten; dense 512 ReLU; dense 1. 3,453,121 parameters, as
// the lectures' model.summary() prints.
//
// The last layer is Dense(1) without the sigmoid: train it with BinaryCrossEntropy() (fromLogits:
// true, the default), which fuses the sigmoid into the loss and stays exact for large scores; apply
// a sigmoid to its output for a probability. (The lectures' Keras model ends in Dense(1,
// activation='sigmoid') with binary_crossentropy on probabilities: the same function.)
//
// Options: dropout=true (or a probability) adds the book's Dropout(0.5) before the dense 512 layer
// (§5.2.5, used with data augmentation); seed=N; init=SPEC (an Init.Parse spec; default: each layer's, He normal).
// Keys: features.{0,3,6,9}.weight, classifier.{0,2}.weight (classifier.{1,3} with dropout).
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builder for the lectures' cats-vs-dogs network.</summary>
public static class CatsDogs
{
    internal static void Register() =>
        ModelZoo.Register(new ModelInfo("catsdogs", "The lectures' cats-vs-dogs Keras network: conv 32-64-128-128, dense 512, 1 logit",
            new Shape(3, 150, 150), 1, Create, new Shape(3, 48, 48)));

    /// <summary>Builds the network for <paramref name="spec"/>'s input; NumClasses is the number of logits (1 for cats vs dogs).</summary>
    public static Sequential Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var random = new CortexRandom((ulong)spec.Number("seed", 0));
        var init = spec.WeightInit;
        var features = new Sequential("features");
        int inChannels = spec.Input[0];
        foreach (int filters in (int[])[32, 64, 128, 128])
        {
            features.Add(new Conv2d(inChannels, filters, 3, random: random, weightInit: init));
            features.Add(new ReLU());
            features.Add(new MaxPool2d(2));
            inChannels = filters;
        }
        int flat = features.OutputShape(new Shape([1, .. spec.Input.Dimensions])).SizeFrom(1);
        double dropout = spec.Option("dropout") switch
        {
            null or "false" => 0,
            "true" => 0.5,
            _ => spec.Number("dropout", 0.5),
        };
        var classifier = new Sequential("classifier");
        if (dropout > 0)
            classifier.Add(new Dropout(dropout, random.Fork()));
        classifier.Add(new Dense(flat, 512, random: random, weightInit: init));
        classifier.Add(new ReLU());
        classifier.Add(new Dense(512, spec.NumClasses, random: random, weightInit: init));   // a logit: the sigmoid is in the loss
        return new Sequential(spec.Model)
            .Add("features", features)
            .Add("flatten", new Flatten())
            .Add("classifier", classifier);
    }
}
