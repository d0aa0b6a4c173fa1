// CifarBatch.cs — the records of one or more CIFAR binary files: pixels (N, 3, 32, 32) as bytes
// and labels. For CIFAR-100, Labels are the fine labels (the usual 100-class target) and
// CoarseLabels the 20 superclasses; for CIFAR-10 CoarseLabels is null.

namespace Cortex.Data.Cifar;

/// <summary>CIFAR images as bytes, (N, 3, 32, 32) row-major (red plane, green plane, blue plane), with their labels.</summary>
public sealed class CifarBatch
{
    /// <summary>Wraps the arrays (not copied): N × 3072 pixel bytes, N labels, and for CIFAR-100 N coarse labels.</summary>
    public CifarBatch(byte[] pixels, byte[] labels, byte[]? coarseLabels = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixels.Length != (long)labels.Length * CifarReader.ImageBytes)
            throw new ArgumentException(
                $"CifarBatch: expected {labels.Length} × {CifarReader.ImageBytes} pixel bytes, got {pixels.Length}.", nameof(pixels));
        if (coarseLabels is not null && coarseLabels.Length != labels.Length)
            throw new ArgumentException(
                $"CifarBatch: expected {labels.Length} coarse labels, got {coarseLabels.Length}.", nameof(coarseLabels));
        Pixels = pixels;
        Labels = labels;
        CoarseLabels = coarseLabels;
    }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Pixel bytes, (N, 3, 32, 32).</summary>
    public byte[] Pixels { get; }

    /// <summary>The class of each image (CIFAR-10 label, or CIFAR-100 fine label).</summary>
    public byte[] Labels { get; }

    /// <summary>CIFAR-100 superclass of each image; null for CIFAR-10.</summary>
    public byte[]? CoarseLabels { get; }

    /// <summary>Joins batches in order (the five CIFAR-10 training files make one training set).</summary>
    public static CifarBatch Concat(IReadOnlyList<CifarBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        long total = batches.Sum(b => (long)b.Count);
        if (total * CifarReader.ImageBytes > Array.MaxLength)
            throw new ArgumentException($"CifarBatch.Concat: expected at most {Array.MaxLength / CifarReader.ImageBytes} images, got {total}.", nameof(batches));
        bool coarse = batches.Count > 0 && batches.All(b => b.CoarseLabels is not null);
        var pixels = new byte[total * CifarReader.ImageBytes];
        var labels = new byte[total];
        var coarseLabels = coarse ? new byte[total] : null;
        int at = 0;
        foreach (var batch in batches)
        {
            batch.Pixels.CopyTo(pixels, (long)at * CifarReader.ImageBytes);
            batch.Labels.CopyTo(labels, at);
            batch.CoarseLabels?.CopyTo(coarseLabels!, at);
            at += batch.Count;
        }
        return new CifarBatch(pixels, labels, coarseLabels);
    }

    /// <summary>The images as an <see cref="ImageDataset"/> with pixels scaled to [0, 1].</summary>
    public ImageDataset ToDataset(IReadOnlyList<string> classNames, string name) =>
        ImageDataset.FromBytes(Pixels, Labels, CifarReader.SampleShape, classNames, name);
}
