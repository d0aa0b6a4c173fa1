using Cortex.Layers;
using Cortex.Tensors;
using Cortex.Transfer;

namespace Cortex.Tests.Transfer;

/// <summary>Small models and data for the transfer-learning tests.</summary>
internal static class TransferTesting
{
    /// <summary>A LeNet-shaped net on (1, 8, 8): features (conv, BN, ReLU, pool), flatten, classifier (dense, ReLU, dense).</summary>
    public static Sequential SmallNet(ulong seed, int classes = 3, bool batchNorm = true)
    {
        var random = new CortexRandom(seed);
        var features = new Sequential("features").Add(new Conv2d(1, 4, 3, padding: 1, random: random));
        if (batchNorm)
            features.Add(new BatchNorm2d(4));
        features.Add(new ReLU()).Add(new MaxPool2d(2));
        var classifier = new Sequential("classifier",
            new Dense(4 * 4 * 4, 6, random: random), new ReLU(), new Dense(6, classes, random: random));
        return new Sequential("net").Add("features", features).Add("flatten", new Flatten()).Add("classifier", classifier);
    }

    /// <summary>A labelled set of (1, 8, 8) images whose class is where their bright blob sits, plus noise.</summary>
    public static FeatureDataset Blobs(ulong seed, int count, int classes = 3)
    {
        var random = new CortexRandom(seed);
        var images = new Tensor(count, 1, 8, 8);
        var labels = new int[count];
        var s = images.Span;
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;
            labels[i] = label;
            for (int p = 0; p < 64; p++)
                s[i * 64 + p] = 0.2f * random.NextFloat();
            int row = 1 + 2 * label, column = 2 + (int)(random.NextFloat() * 3);
            s[i * 64 + row * 8 + column] += 1f;
            s[i * 64 + (row + 1) * 8 + column] += 1f;
        }
        return new FeatureDataset(images, labels, classes);
    }

    /// <summary>Every parameter and buffer value of <paramref name="model"/>, by key (copies).</summary>
    public static Dictionary<string, float[]> Snapshot(Layer model)
    {
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (key, value) in Cortex.Serialization.ModelFile.StateDict(model))
            values[key] = value.ToArray();
        return values;
    }
}
