// RandomErasing.cs — Zhong et al. 2017, "Random Erasing Data Augmentation" (torchvision's
// RandomErasing): with probability p, pick a rectangle of area fraction s ~ U(0.02, 0.33) of the
// image and aspect ratio r log-uniform in [0.3, 3.3], place it uniformly inside the image, and
// fill it with a constant (or, with randomValues, with N(0, 1) noise as the paper's "random"
// variant on normalized data). Up to 10 draws are tried; if none fits, the image is unchanged.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Erases a random rectangle of the image.</summary>
/// <example><code>var erase = new RandomErasing(probability: 0.5);</code></example>
public sealed class RandomErasing : Transform
{
    /// <summary>Erases with probability <paramref name="probability"/> an area fraction in [min, max] with aspect ratio in [ratio, 1/ratio].</summary>
    public RandomErasing(double probability = 0.5, double minArea = 0.02, double maxArea = 0.33, double minRatio = 0.3, float fillValue = 0f, bool randomValues = false)
    {
        if (!(probability is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), $"RandomErasing: expected a probability in [0, 1], got {probability}.");
        if (!(minArea > 0 && minArea <= maxArea && maxArea <= 1))
            throw new ArgumentOutOfRangeException(nameof(minArea), $"RandomErasing: expected 0 < minArea ≤ maxArea ≤ 1, got [{minArea}, {maxArea}].");
        if (!(minRatio is > 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(minRatio), $"RandomErasing: expected a minimum aspect ratio in (0, 1], got {minRatio}.");
        (Probability, MinArea, MaxArea, MinRatio, FillValue, RandomValues) = (probability, minArea, maxArea, minRatio, fillValue, randomValues);
    }

    /// <summary>Chance of erasing.</summary>
    public double Probability { get; }

    /// <summary>Smallest erased area fraction.</summary>
    public double MinArea { get; }

    /// <summary>Largest erased area fraction.</summary>
    public double MaxArea { get; }

    /// <summary>Smallest aspect ratio (the largest is its inverse).</summary>
    public double MinRatio { get; }

    /// <summary>The constant written (when not <see cref="RandomValues"/>).</summary>
    public float FillValue { get; }

    /// <summary>Fill with N(0, 1) noise instead of a constant.</summary>
    public bool RandomValues { get; }

    /// <inheritdoc/>
    public override string Name => $"RandomErasing(p {Probability:0.##}, area [{MinArea:0.##}, {MaxArea:0.##}])";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, size);
        source.CopyTo(destination);
        if (random.NextDouble() >= Probability)
            return;
        double area = (double)size.Height * size.Width;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinArea + (MaxArea - MinArea) * random.NextDouble());
            double ratio = Math.Exp(Math.Log(MinRatio) * (1 - 2 * random.NextDouble()));
            int h = (int)Math.Round(Math.Sqrt(target * ratio)), w = (int)Math.Round(Math.Sqrt(target / ratio));
            if (h < 1 || w < 1 || h > size.Height || w > size.Width)
                continue;
            int top = random.NextInt(size.Height - h + 1), left = random.NextInt(size.Width - w + 1);
            if (!RandomValues)
            {
                Cutout.Erase(destination, size, top, left, h, w, FillValue);
                return;
            }
            for (int c = 0; c < size.Channels; c++)
            {
                for (int i = top; i < top + h; i++)
                    random.FillNormal(destination.Slice((c * size.Height + i) * size.Width + left, w));
            }
            return;
        }
    }
}
