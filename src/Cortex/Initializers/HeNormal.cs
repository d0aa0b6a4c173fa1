// HeNormal.cs — He, Zhang, Ren & Sun, "Delving deep into rectifiers", ICCV 2015 (Kaiming init):
// a ReLU zeroes half its inputs, so keep Var(w)·fan = 2:
//   std = gain / √fan,   gain = √(2 / (1 + a²))   (a = the leaky-ReLU negative slope, 0 for ReLU)
//   fan = fan_in (default: forward variance) or fan_out (torchvision's ResNet convolutions).
// The default for ReLU layers; the lectures' 'relu'/'he' option.
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>He/Kaiming normal: N(0, 2/((1 + a²)·fan)).</summary>
/// <example><code>HeNormal.Instance.Initialize(conv.Weight.Value, rng);  // std √(2/fan_in)</code></example>
public sealed class HeNormal : Initializer
{
    /// <summary>The fan-in, ReLU instance.</summary>
    public static HeNormal Instance { get; } = new();

    /// <summary>Creates the initializer for a fan <paramref name="mode"/> and a leaky-ReLU <paramref name="negativeSlope"/> (≥ 0; 0 is ReLU).</summary>
    public HeNormal(FanMode mode = FanMode.FanIn, float negativeSlope = 0f)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), $"HeNormal: expected FanIn or FanOut, got {mode}.");
        if (!(negativeSlope >= 0f) || !float.IsFinite(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"HeNormal: negativeSlope must be finite and ≥ 0, got {negativeSlope}.");
        Mode = mode;
        NegativeSlope = negativeSlope;
    }

    /// <summary>Which fan the variance is scaled by.</summary>
    public FanMode Mode { get; }

    /// <summary>a, the leaky-ReLU slope the gain is computed for.</summary>
    public float NegativeSlope { get; }

    /// <summary>The standard deviation used for <paramref name="fans"/>.</summary>
    public double StdFor(Fans fans) => Math.Sqrt(2.0 / (1.0 + (double)NegativeSlope * NegativeSlope) / fans.Select(Mode));

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => random.FillNormal(values, 0f, (float)StdFor(fans));

    public override string ToString() => HeSpec.Format("he_normal", Mode, NegativeSlope);
}

internal static class HeSpec
{
    public static string Format(string name, FanMode mode, float negativeSlope)
    {
        string fan = mode == FanMode.FanIn ? "fan_in" : "fan_out";
        if (negativeSlope != 0f)
            return string.Create(CultureInfo.InvariantCulture, $"{name}:{fan},{negativeSlope:R}");
        return mode == FanMode.FanIn ? name : $"{name}:{fan}";
    }
}
