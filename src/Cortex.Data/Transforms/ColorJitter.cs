// ColorJitter.cs — the lectures' "simple" colour augmentation: randomly jitter brightness and
// contrast (torchvision's ColorJitter semantics, for images in [0, 1]):
//   brightness  x ← β·x,                β ~ U(max(0, 1 − b), 1 + b)
//   contrast    x ← γ·(x − m) + m,       γ ~ U(max(0, 1 − c), 1 + c), m = the image's mean grey
//                                        (BT.601 luma for colour images, the plain mean for grey)
// then clamped to [0, 1]. Apply it before Normalize (the clamp assumes [0, 1] pixels).
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Random brightness and contrast changes.</summary>
/// <example><code>var jitter = new ColorJitter(brightness: 0.2, contrast: 0.2);</code></example>
public sealed class ColorJitter : Transform
{
    /// <summary>Brightness factor in [1 − <paramref name="brightness"/>, 1 + b], contrast factor in [1 − <paramref name="contrast"/>, 1 + c].</summary>
    public ColorJitter(double brightness = 0.2, double contrast = 0.2)
    {
        if (!(brightness >= 0) || !(contrast >= 0))
            throw new ArgumentOutOfRangeException(nameof(brightness), $"ColorJitter: expected non-negative ranges, got brightness {brightness}, contrast {contrast}.");
        (Brightness, Contrast) = (brightness, contrast);
    }

    /// <summary>Brightness range b.</summary>
    public double Brightness { get; }

    /// <summary>Contrast range c.</summary>
    public double Contrast { get; }

    /// <inheritdoc/>
    public override string Name => $"ColorJitter(brightness ±{Brightness:0.##}, contrast ±{Contrast:0.##})";

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, size);
        float beta = (float)Factor(random, Brightness);
        float gamma = (float)Factor(random, Contrast);
        int plane = size.PlaneLength;
        // The grey mean after the brightness change is β times the one before.
        double grey = 0;
        if (size.Channels == 3)
        {
            for (int p = 0; p < plane; p++)
                grey += 0.299 * source[p] + 0.587 * source[plane + p] + 0.114 * source[2 * plane + p];
            grey /= plane;
        }
        else
        {
            for (int i = 0; i < source.Length; i++)
                grey += source[i];
            grey /= source.Length;
        }
        float m = (float)(beta * grey);
        for (int i = 0; i < source.Length; i++)
            destination[i] = Math.Clamp(gamma * (beta * source[i] - m) + m, 0f, 1f);
    }

    private static double Factor(CortexRandom random, double range) => Math.Max(0, 1 - range) + (1 + range - Math.Max(0, 1 - range)) * random.NextDouble();
}
