// IDataset.cs — what the trainer needs from a labelled image set. Cortex.Data's ImageDataset
// implements it; anything else that can copy a batch of images and labels can too.
using Cortex.Tensors;

namespace Cortex.Training;

/// <summary>A labelled set of samples that can copy any batch of them into caller-owned memory.</summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>The shape of one sample, e.g. (1, 28, 28).</summary>
    Shape SampleShape { get; }

    /// <summary>Number of classes; labels lie in [0, NumClasses).</summary>
    int NumClasses { get; }

    /// <summary>
    /// Copies the samples at <paramref name="indices"/> into <paramref name="images"/> (shape (B, ..SampleShape))
    /// and their labels into <paramref name="labels"/>. Must not allocate.
    /// </summary>
    void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels);
}
