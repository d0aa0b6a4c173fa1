// Cutout.cs — DeVries & Taylor 2017, "Improved Regularization of Convolutional Neural Networks
// with Cutout": zero a size×size square whose centre is uniform over the image (so it may be
// partly outside, as in the paper's code). On normalized data 0 is the mean, as the paper intends;
// on [0, 1] data pass the fill value you want. CIFAR-10: size 16.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Masks one random square (all channels) with a constant.</summary>
/// <example><code>var cutout = new Cutout(16);   // CIFAR-10</code></example>
public sealed class Cutout : Transform
{
    /// <summary>A <paramref name="size"/>×size square filled with <paramref name="fillValue"/>, with probability <paramref name="probability"/>.</summary>
    public Cutout(int size, float fillValue = 0f, double probability = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(probability is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), $"Cutout: expected a probability in [0, 1], got {probability}.");
        (Size, FillValue, Probability) = (size, fillValue, probability);
    }

    /// <summary>Side of the square.</summary>
    public int Size { get; }

    /// <summary>Value written into the square.</summary>
    public float FillValue { get; }

    /// <summary>Chance of applying the mask.</summary>
    public double Probability { get; }

    /// <inheritdoc/>
    public override string Name => $"Cutout({Size}×{Size})";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, size);
        source.CopyTo(destination);
        if (random.NextDouble() >= Probability)
            return;
        int cy = random.NextInt(size.Height), cx = random.NextInt(size.Width);
        int top = Math.Max(0, cy - Size / 2), bottom = Math.Min(size.Height, cy - Size / 2 + Size);
        int left = Math.Max(0, cx - Size / 2), right = Math.Min(size.Width, cx - Size / 2 + Size);
        Erase(destination, size, top, left, bottom - top, right - left, FillValue);
    }

    internal static void Erase(Span<float> image, ImageSize size, int top, int left, int height, int width, float value)
    {
        if (height <= 0 || width <= 0)
            return;
        for (int c = 0; c < size.Channels; c++)
        {
            for (int i = top; i < top + height; i++)
                image.Slice((c * size.Height + i) * size.Width + left, width).Fill(value);
        }
    }
}
