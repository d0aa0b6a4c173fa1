// FeatureDataset.cs — samples already in memory as one tensor (N, ..sample) with their labels:
// what FeatureExtraction.Extract produces from a frozen body, and what the head then trains on.
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Transfer;

/// <summary>An in-memory <see cref="IDataset"/> of precomputed features and labels.</summary>
/// <example><code>
/// var cached = FeatureExtraction.Extract(body, train);    // cached.SampleShape: e.g. (16, 7, 7)
/// trainer.Fit(cached);
/// </code></example>
public sealed class FeatureDataset : IDataset
{
    private readonly int[] _labels;
    private readonly int _sampleSize;

    /// <summary>Wraps <paramref name="features"/> (N, ..sample) and N <paramref name="labels"/> in [0, <paramref name="numClasses"/>).</summary>
    public FeatureDataset(Tensor features, ReadOnlySpan<int> labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        if (features.Shape.Rank < 2 || features.Shape[0] != labels.Length)
            throw new ArgumentException($"FeatureDataset: expected features (N, ...) with N = {labels.Length} labels, got {features.Shape}.", nameof(features));
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)numClasses)
                throw new ArgumentException($"FeatureDataset: expected labels in [0, {numClasses}), got {label}.", nameof(labels));
        }
        Features = features;
        _labels = labels.ToArray();
        NumClasses = numClasses;
        SampleShape = new Shape(features.Shape.Dimensions[1..]);
        _sampleSize = SampleShape.Size;
    }

    /// <summary>All the features, (N, ..sample).</summary>
    public Tensor Features { get; }

    /// <summary>The label of every sample.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    public int Count => _labels.Length;

    public Shape SampleShape { get; }

    public int NumClasses { get; }

    public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        var source = Features.Span;
        var target = images.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            source.Slice(indices[i] * _sampleSize, _sampleSize).CopyTo(target.Slice(i * _sampleSize, _sampleSize));
            labels[i] = _labels[indices[i]];
        }
    }
}
