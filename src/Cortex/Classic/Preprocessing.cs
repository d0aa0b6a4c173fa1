// Preprocessing.cs — the two data steps the lectures use before a linear classifier or k-NN:
//
//   MeanImage         μ = (1/N) Σ_i x_i          one image, the shape of a sample
//   SubtractMean      x_i ← x_i − μ              "zero-centred data" (μ from the training set only)
//   ScaleToUnitRange  x ← x / max                raw 0..255 pixels to [0, 1]
//
// Cortex's loaders already scale pixels to [0, 1] (ImageDataset.FromBytes), so ScaleToUnitRange is
// for tensors built from raw bytes. Sums are in double.
using System.Numerics.Tensors;
using Shape = Cortex.Tensors.Shape;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Classic;

/// <summary>Mean-image subtraction and scaling to [0, 1].</summary>
/// <example><code>
/// Tensor mean = Preprocessing.MeanImage(train.Images);        // (C, H, W)
/// Tensor centred = Preprocessing.SubtractMean(test.Images, mean);
/// </code></example>
public static class Preprocessing
{
    /// <summary>The mean of the samples (N, …) of <paramref name="samples"/>, shaped like one sample.</summary>
    /// <exception cref="ArgumentException">No samples.</exception>
    public static Tensor MeanImage(Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Rank < 2 || samples.Shape[0] == 0)
            throw new ArgumentException($"Preprocessing.MeanImage: expected samples (N, …) with N ≥ 1, got {samples.Shape}.", nameof(samples));
        int n = samples.Shape[0], d = samples.Size / n;
        var sums = new double[d];
        var x = samples.Span;
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            for (int p = 0; p < d; p++)
                sums[p] += row[p];
        }
        var dims = new int[samples.Rank - 1];
        for (int a = 1; a < samples.Rank; a++)
            dims[a - 1] = samples.Shape[a];
        var mean = new Tensor(new Shape(dims));
        var m = mean.Span;
        for (int p = 0; p < d; p++)
            m[p] = (float)(sums[p] / n);
        return mean;
    }

    /// <summary>A new tensor holding every sample of <paramref name="samples"/> minus <paramref name="mean"/>.</summary>
    /// <exception cref="ArgumentException">The mean's size is not one sample's.</exception>
    public static Tensor SubtractMean(Tensor samples, Tensor mean)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(mean);
        int n = samples.Rank == 0 ? 0 : samples.Shape[0];
        if (n == 0 || samples.Size / n != mean.Size)
            throw new ArgumentException($"Preprocessing.SubtractMean: expected samples (N, …) of {mean.Size} values each like the mean {mean.Shape}, got {samples.Shape}.", nameof(samples));
        var result = new Tensor(samples.Shape);
        int d = mean.Size;
        for (int i = 0; i < n; i++)
            TensorPrimitives.Subtract(samples.Span.Slice(i * d, d), mean.Span, result.Span.Slice(i * d, d));
        return result;
    }

    /// <summary>A new tensor <paramref name="samples"/> / <paramref name="max"/> (255 for 8-bit pixels), so values lie in [0, 1].</summary>
    public static Tensor ScaleToUnitRange(Tensor samples, float max = 255f)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (!(max > 0f) || !float.IsFinite(max))
            throw new ArgumentOutOfRangeException(nameof(max), $"Preprocessing.ScaleToUnitRange: expected a finite max > 0, got {max}.");
        var result = new Tensor(samples.Shape);
        TensorPrimitives.Divide(samples.Span, max, result.Span);
        return result;
    }
}
