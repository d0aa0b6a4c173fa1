// HeUniform.cs — He et al. 2015 with a uniform distribution of the same variance:
//   U(−b, b),  b = gain · √(3 / fan),  gain = √(2 / (1 + a²))   → b = √(6/fan) for ReLU.
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>He/Kaiming uniform: U(−b, b) with b = √(6/((1 + a²)·fan)).</summary>
/// <example><code>HeUniform.Instance.Initialize(w, rng);</code></example>
public sealed class HeUniform : Initializer
{
    /// <summary>The fan-in, ReLU instance.</summary>
    public static HeUniform Instance { get; } = new();

    /// <summary>Creates the initializer for a fan <paramref name="mode"/> and a leaky-ReLU <paramref name="negativeSlope"/> (≥ 0; 0 is ReLU).</summary>
    public HeUniform(FanMode mode = FanMode.FanIn, float negativeSlope = 0f)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), $"HeUniform: expected FanIn or FanOut, got {mode}.");
        if (!(negativeSlope >= 0f) || !float.IsFinite(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"HeUniform: negativeSlope must be finite and ≥ 0, got {negativeSlope}.");
        Mode = mode;
        NegativeSlope = negativeSlope;
    }

    /// <summary>Which fan the variance is scaled by.</summary>
    public FanMode Mode { get; }

    /// <summary>a, the leaky-ReLU slope the gain is computed for.</summary>
    public float NegativeSlope { get; }

    /// <summary>The limit b used for <paramref name="fans"/>.</summary>
    public double LimitFor(Fans fans) => Math.Sqrt(6.0 / (1.0 + (double)NegativeSlope * NegativeSlope) / fans.Select(Mode));

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random)
    {
        float b = (float)LimitFor(fans);
        random.FillUniform(values, -b, b);
    }

    public override string ToString() => HeSpec.Format("he_uniform", Mode, NegativeSlope);
}
