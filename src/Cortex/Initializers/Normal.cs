// Normal.cs — N(mean, std²) samples, independent of the fans: the lectures'
//   W = weight_init_std * np.random.randn(...)      with weight_init_std = 0.01
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Normal samples with a fixed standard deviation (default 0.01, the lectures' <c>weight_init_std</c>).</summary>
/// <example><code>new Normal(0.01f).Initialize(w, rng);</code></example>
public sealed class Normal : Initializer
{
    /// <summary>Creates the initializer; <paramref name="std"/> ≥ 0.</summary>
    public Normal(float std = 0.01f, float mean = 0f)
    {
        if (!(std >= 0f) || !float.IsFinite(std))
            throw new ArgumentOutOfRangeException(nameof(std), $"Normal: std must be finite and ≥ 0, got {std}.");
        if (!float.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), $"Normal: mean must be finite, got {mean}.");
        Std = std;
        Mean = mean;
    }

    /// <summary>The standard deviation.</summary>
    public float Std { get; }

    /// <summary>The mean.</summary>
    public float Mean { get; }

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => random.FillNormal(values, Mean, Std);

    public override string ToString() => Mean == 0f
        ? string.Create(CultureInfo.InvariantCulture, $"normal:{Std:R}")
        : string.Create(CultureInfo.InvariantCulture, $"normal:{Mean:R},{Std:R}");
}
