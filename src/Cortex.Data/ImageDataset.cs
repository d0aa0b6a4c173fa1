// ImageDataset.cs — labelled images held in memory: a (N, C, H, W) float32 tensor and N labels.
//
// Pixels are in [0, 1] (byte / 255) when built from bytes; no other normalization is applied
// here (mean/std normalization and augmentation are transforms, applied later per batch).
// Labels are class indices in [0, NumClasses). The trainer calls CopyBatch once per mini-batch
// with a reused tensor and label buffer, so batching allocates nothing.
// Take, Skip and the unshuffled Split are views onto the same image storage; Subset copies.
using Cortex.Tensors;
using Cortex.Training;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Cortex.Data;

/// <summary>An in-memory, labelled image classification data set.</summary>
/// <example><code>
/// DatasetSplit data = DataSources.Load("digits");
/// ImageDataset train = data.Train;                        // 8,000 images, SampleShape [1, 28, 28]
/// var x = new Tensor(64, 1, 28, 28);
/// var y = new int[64];
/// int[] order = new CortexRandom(1).Permutation(train.Count);
/// train.CopyBatch(order.AsSpan(0, 64), x, y);              // x, y now hold one shuffled batch
/// </code></example>
public sealed class ImageDataset : IDataset
{
    private readonly int[] _labels;
    private readonly string[] _classNames;

    /// <summary>
    /// A data set over <paramref name="images"/> (N, C, H, W), used without copying, and a copy of
    /// <paramref name="labels"/> (N values in [0, classNames.Count)).
    /// </summary>
    public ImageDataset(Tensor images, ReadOnlySpan<int> labels, IReadOnlyList<string> classNames, string name = "dataset")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(name);
        if (images.Rank != 4)
            throw new ArgumentException($"ImageDataset {name}: expected images of shape (N, C, H, W), got {images.Shape}.", nameof(images));
        if (images.Shape[0] != labels.Length)
            throw new ArgumentException(
                $"ImageDataset {name}: expected one label per image ({images.Shape[0]}), got {labels.Length} labels.", nameof(labels));
        if (classNames.Count == 0)
            throw new ArgumentException($"ImageDataset {name}: expected at least one class name, got none.", nameof(classNames));
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException(
                    $"ImageDataset {name}: expected labels in [0, {classNames.Count}), got {labels[i]} at index {i}. " +
                    "Check the class names match the labels.", nameof(labels));
        }
        Images = images;
        _labels = labels.ToArray();
        _classNames = [.. classNames];
        Name = name;
        SampleShape = new Shape(images.Shape[1], images.Shape[2], images.Shape[3]);
    }

    /// <summary>
    /// Builds a data set from unsigned bytes: <paramref name="pixels"/> holds N samples of
    /// <paramref name="sampleShape"/> (C, H, W) row-major, scaled here to [0, 1]; <paramref name="labels"/> holds N class indices.
    /// </summary>
    public static ImageDataset FromBytes(
        ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels, Shape sampleShape, IReadOnlyList<string> classNames, string name = "dataset")
    {
        if (sampleShape.Rank != 3)
            throw new ArgumentException($"ImageDataset {name}: expected a sample shape (C, H, W), got {sampleShape}.", nameof(sampleShape));
        long needed = (long)labels.Length * sampleShape.Size;
        if (pixels.Length != needed)
            throw new ArgumentException(
                $"ImageDataset {name}: expected {labels.Length} samples of {sampleShape} = {needed} pixel bytes, got {pixels.Length}.", nameof(pixels));
        var values = new float[pixels.Length];
        TensorPrimitives.ConvertTruncating(pixels, values.AsSpan()); // exact: every byte is a float
        TensorPrimitives.Divide(values, 255f, values);                // x = byte / 255, in [0, 1]
        var images = new Tensor(values, new Shape(labels.Length, sampleShape[0], sampleShape[1], sampleShape[2]));
        var ints = new int[labels.Length];
        for (int i = 0; i < ints.Length; i++)
            ints[i] = labels[i];
        return new ImageDataset(images, ints, classNames, name);
    }

    /// <summary>A short name used in messages, e.g. <c>digits/train</c>.</summary>
    public string Name { get; }

    /// <summary>All images, (N, C, H, W).</summary>
    public Tensor Images { get; }

    /// <summary>The class index of every image.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>Class names; label k means <c>ClassNames[k]</c>.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>Shape of one image, (C, H, W).</summary>
    public Shape SampleShape { get; }

    /// <summary>Number of classes.</summary>
    public int NumClasses => _classNames.Length;

    /// <summary>Image <paramref name="index"/> as a (1, C, H, W) view.</summary>
    public Tensor Image(int index)
    {
        CheckIndex(index, "index");
        return Images.SliceBatch(index, 1);
    }

    /// <summary>The label of image <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        CheckIndex(index, "index");
        return _labels[index];
    }

    /// <summary>How many images each class has.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[NumClasses];
        foreach (int label in _labels)
            counts[label]++;
        return counts;
    }

    /// <summary>
    /// Copies the images and labels at <paramref name="indices"/> into <paramref name="images"/>
    /// (B, C, H, W) and <paramref name="labels"/> (B), where B = indices.Length. Allocates nothing.
    /// </summary>
    public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.Shape; // compared dimension by dimension: building a Shape would allocate per batch
        if (shape.Rank != 4 || shape[0] != indices.Length || shape[1] != SampleShape[0] || shape[2] != SampleShape[1] || shape[3] != SampleShape[2])
            throw new ArgumentException(
                $"ImageDataset {Name}: expected a batch tensor {new Shape(indices.Length, SampleShape[0], SampleShape[1], SampleShape[2])} " +
                $"for {indices.Length} indices, got {shape}. " +
                "Slice the batch tensor to the batch size (Tensor.SliceBatch).", nameof(images));
        if (labels.Length != indices.Length)
            throw new ArgumentException(
                $"ImageDataset {Name}: expected a label buffer of {indices.Length}, got {labels.Length}.", nameof(labels));
        int sample = SampleShape.Size;
        Span<float> source = Images.Span;
        Span<float> target = images.Span;
        for (int b = 0; b < indices.Length; b++)
        {
            int i = indices[b];
            if ((uint)i >= (uint)Count)
                throw new ArgumentOutOfRangeException(
                    nameof(indices), $"ImageDataset {Name}: expected indices in [0, {Count}), got {i} at batch position {b}.");
            source.Slice(i * sample, sample).CopyTo(target.Slice(b * sample, sample));
            labels[b] = _labels[i];
        }
    }

    /// <summary>A new data set holding copies of the images at <paramref name="indices"/>, in that order.</summary>
    public ImageDataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var images = new Tensor(new Shape(indices.Length, SampleShape[0], SampleShape[1], SampleShape[2]));
        var labels = new int[indices.Length];
        CopyBatch(indices, images, labels);
        return new ImageDataset(images, labels, _classNames, name ?? $"{Name}[subset {indices.Length}]");
    }

    /// <summary>
    /// A class-balanced sample: <paramref name="perClass"/> images of every class (copies), drawn at
    /// random from <paramref name="random"/> (a fixed seed picks the same images every time) and kept
    /// in the data set's order: "100 images per class" for learning from little data.
    /// </summary>
    /// <exception cref="ArgumentException">A class has fewer than <paramref name="perClass"/> images.</exception>
    public ImageDataset PerClass(int perClass, CortexRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        ArgumentNullException.ThrowIfNull(random);
        var counts = ClassCounts();
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] < perClass)
                throw new ArgumentException($"ImageDataset {Name}: expected at least {perClass} images of every class, got {counts[c]} of '{_classNames[c]}'.", nameof(perClass));
        }
        var taken = new int[counts.Length];
        var chosen = new List<int>(perClass * counts.Length);
        foreach (int i in random.Permutation(Count))
        {
            if (taken[_labels[i]]++ < perClass)
                chosen.Add(i);
        }
        chosen.Sort();
        return Subset(chosen.ToArray(), $"{Name}[{perClass} per class]");
    }

    /// <summary>The first <paramref name="count"/> images (a view: the image storage is shared).</summary>
    public ImageDataset Take(int count)
    {
        CheckCount(count, nameof(count));
        return Range(0, count, $"{Name}[:{count}]");
    }

    /// <summary>All but the first <paramref name="count"/> images (a view: the image storage is shared).</summary>
    public ImageDataset Skip(int count)
    {
        CheckCount(count, nameof(count));
        return Range(count, Count - count, $"{Name}[{count}:]");
    }

    /// <summary>
    /// Splits off a validation set of round(Count × <paramref name="validationFraction"/>) images: the last ones
    /// (views) when <paramref name="random"/> is null, a random choice (copies) otherwise.
    /// </summary>
    public (ImageDataset Train, ImageDataset Validation) Split(double validationFraction, CortexRandom? random = null)
    {
        if (!(validationFraction is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(
                nameof(validationFraction), $"ImageDataset {Name}: expected a validation fraction in [0, 1], got {validationFraction}.");
        int validation = (int)Math.Round(Count * validationFraction, MidpointRounding.AwayFromZero);
        int train = Count - validation;
        if (random is null)
            return (Range(0, train, $"{Name}/train"), Range(train, validation, $"{Name}/validation"));
        int[] order = random.Permutation(Count);
        return (Subset(order.AsSpan(0, train), $"{Name}/train"), Subset(order.AsSpan(train), $"{Name}/validation"));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Count} images {SampleShape}, {NumClasses} classes";

    private ImageDataset Range(int start, int count, string name) =>
        new(Images.SliceBatch(start, count), _labels.AsSpan(start, count), _classNames, name);

    private void CheckIndex(int index, string parameter)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(parameter, $"ImageDataset {Name}: expected an index in [0, {Count}), got {index}.");
    }

    private void CheckCount(int count, string parameter)
    {
        if ((uint)count > (uint)Count)
            throw new ArgumentOutOfRangeException(parameter, $"ImageDataset {Name}: expected a count in [0, {Count}], got {count}.");
    }
}
