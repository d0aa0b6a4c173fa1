// RandomShift.cs — ConvNetJS's augmentation: move the image by dx, dy whole pixels, each uniform
// in [−s, s] (its CIFAR-10 demo uses s = 2), filling the uncovered border with 0:
//   y[c, i, j] = x[c, i − dy, j − dx].
// The size is kept (the same as RandomCrop(H, W, padding: s)).
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Shifts the image by a random whole number of pixels in each direction.</summary>
/// <example><code>var shift = new RandomShift(2);   // ConvNetJS</code></example>
public sealed class RandomShift : Transform
{
    /// <summary>A shift of up to <paramref name="maxShift"/> pixels each way, the uncovered border filled by <paramref name="fill"/>.</summary>
    public RandomShift(int maxShift = 2, FillMode fill = FillMode.Constant, float fillValue = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        (MaxShift, Fill, FillValue) = (maxShift, fill, fillValue);
    }

    /// <summary>Largest shift in pixels.</summary>
    public int MaxShift { get; }

    /// <summary>How the uncovered border is filled.</summary>
    public FillMode Fill { get; }

    /// <summary>The border value for <see cref="FillMode.Constant"/>.</summary>
    public float FillValue { get; }

    /// <inheritdoc/>
    public override string Name => $"RandomShift(±{MaxShift}px)";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, size);
        int dy = random.NextInt(-MaxShift, MaxShift + 1);
        int dx = random.NextInt(-MaxShift, MaxShift + 1);
        Translation.Copy(source, size, destination, size.Height, size.Width, -dy, -dx, Fill, FillValue);
    }
}
