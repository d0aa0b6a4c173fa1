// XavierUniform.cs — Glorot & Bengio 2010, eq. 16, the uniform form with the same variance:
//   U(−a, a),  a = gain · √(6 / (fan_in + fan_out))
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Xavier/Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)).</summary>
/// <example><code>XavierUniform.Instance.Initialize(w, rng);</code></example>
public sealed class XavierUniform : Initializer
{
    /// <summary>The instance with gain 1.</summary>
    public static XavierUniform Instance { get; } = new();

    /// <summary>Creates the initializer; <paramref name="gain"/> &gt; 0 scales the limit.</summary>
    public XavierUniform(float gain = 1f)
    {
        if (!(gain > 0f) || !float.IsFinite(gain))
            throw new ArgumentOutOfRangeException(nameof(gain), $"XavierUniform: gain must be finite and > 0, got {gain}.");
        Gain = gain;
    }

    /// <summary>The gain multiplying the limit.</summary>
    public float Gain { get; }

    /// <summary>The limit a used for <paramref name="fans"/>.</summary>
    public double LimitFor(Fans fans) => Gain * Math.Sqrt(6.0 / ((double)fans.FanIn + fans.FanOut));

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random)
    {
        float a = (float)LimitFor(fans);
        random.FillUniform(values, -a, a);
    }

    public override string ToString() => Gain == 1f ? "xavier_uniform" : string.Create(CultureInfo.InvariantCulture, $"xavier_uniform:{Gain:R}");
}
