// VerticalFlip.cs — mirror top ↔ bottom with probability p (Keras vertical_flip):
// y[c, i, j] = x[c, H − 1 − i, j]. Right for aerial or microscope images, wrong for cats.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Flips the image upside down with probability <see cref="Probability"/>.</summary>
/// <example><code>var flip = new VerticalFlip(probability: 0.5);</code></example>
public sealed class VerticalFlip : Transform
{
    /// <summary>A flip applied with probability <paramref name="probability"/> (1 always flips).</summary>
    public VerticalFlip(double probability = 0.5)
    {
        if (!(probability is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), $"VerticalFlip: expected a probability in [0, 1], got {probability}.");
        Probability = probability;
    }

    /// <summary>Chance of flipping.</summary>
    public double Probability { get; }

    /// <inheritdoc/>
    public override string Name => Probability == 0.5 ? "VerticalFlip" : $"VerticalFlip(p {Probability:0.##})";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, size);
        if (random.NextDouble() >= Probability)
        {
            source.CopyTo(destination);
            return;
        }
        int h = size.Height, w = size.Width;
        for (int c = 0; c < size.Channels; c++)
        {
            for (int i = 0; i < h; i++)
                source.Slice((c * h + h - 1 - i) * w, w).CopyTo(destination.Slice((c * h + i) * w, w));
        }
    }
}
