// XavierNormal.cs — Glorot & Bengio, "Understanding the difficulty of training deep feedforward
// neural networks", AISTATS 2010: keep the variance of activations and of gradients alike by
//   std = gain · √(2 / (fan_in + fan_out))
// The lectures recommend it for sigmoid/tanh networks ("use Xavier init"). ("Deep Learning from
// Scratch"'s 'xavier' option uses √(1/fan_in) instead: that is LeCunNormal here.)
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Xavier/Glorot normal: N(0, gain²·2/(fan_in + fan_out)).</summary>
/// <example><code>XavierNormal.Instance.Initialize(w, rng);</code></example>
public sealed class XavierNormal : Initializer
{
    /// <summary>The instance with gain 1.</summary>
    public static XavierNormal Instance { get; } = new();

    /// <summary>Creates the initializer; <paramref name="gain"/> &gt; 0 scales the std (PyTorch's <c>gain</c>).</summary>
    public XavierNormal(float gain = 1f)
    {
        if (!(gain > 0f) || !float.IsFinite(gain))
            throw new ArgumentOutOfRangeException(nameof(gain), $"XavierNormal: gain must be finite and > 0, got {gain}.");
        Gain = gain;
    }

    /// <summary>The gain multiplying the standard deviation.</summary>
    public float Gain { get; }

    /// <summary>The standard deviation used for <paramref name="fans"/>.</summary>
    public double StdFor(Fans fans) => Gain * Math.Sqrt(2.0 / ((double)fans.FanIn + fans.FanOut));

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => random.FillNormal(values, 0f, (float)StdFor(fans));

    public override string ToString() => Gain == 1f ? "xavier_normal" : string.Create(CultureInfo.InvariantCulture, $"xavier_normal:{Gain:R}");
}
