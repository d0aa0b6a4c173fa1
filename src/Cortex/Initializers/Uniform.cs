// Uniform.cs — U[low, high) samples, independent of the fans.
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Uniform samples in [<see cref="Low"/>, <see cref="High"/>).</summary>
/// <example><code>new Uniform(-0.05f, 0.05f).Initialize(w, rng);</code></example>
public sealed class Uniform : Initializer
{
    /// <summary>Creates the initializer; requires <paramref name="low"/> ≤ <paramref name="high"/>, both finite.</summary>
    public Uniform(float low, float high)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || !(low <= high))
            throw new ArgumentOutOfRangeException(nameof(high), $"Uniform: expected finite low ≤ high, got [{low}, {high}).");
        Low = low;
        High = high;
    }

    /// <summary>The lower bound (inclusive).</summary>
    public float Low { get; }

    /// <summary>The upper bound (exclusive).</summary>
    public float High { get; }

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => random.FillUniform(values, Low, High);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"uniform:{Low:R},{High:R}");
}
