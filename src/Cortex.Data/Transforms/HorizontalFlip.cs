// HorizontalFlip.cs — mirror left ↔ right with probability p (Keras horizontal_flip, AlexNet's
// "horizontal reflections"): y[c, i, j] = x[c, i, W − 1 − j].
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Flips the image left–right with probability <see cref="Probability"/>.</summary>
/// <example><code>var flip = new HorizontalFlip(); // p = 0.5</code></example>
public sealed class HorizontalFlip : Transform
{
    /// <summary>A flip applied with probability <paramref name="probability"/> (1 always flips).</summary>
    public HorizontalFlip(double probability = 0.5)
    {
        if (!(probability is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), $"HorizontalFlip: expected a probability in [0, 1], got {probability}.");
        Probability = probability;
    }

    /// <summary>Chance of flipping.</summary>
    public double Probability { get; }

    /// <inheritdoc/>
    public override string Name => Probability == 0.5 ? "HorizontalFlip" : $"HorizontalFlip(p {Probability:0.##})";

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
        Mirror(source, size, destination);
    }

    /// <summary>Writes the left–right mirror image of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Mirror(ReadOnlySpan<float> source, ImageSize size, Span<float> destination)
    {
        int w = size.Width;
        for (int row = 0; row < size.Channels * size.Height; row++)
        {
            var input = source.Slice(row * w, w);
            var output = destination.Slice(row * w, w);
            for (int j = 0; j < w; j++)
                output[j] = input[w - 1 - j];
        }
    }
}
