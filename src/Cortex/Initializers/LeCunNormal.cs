// LeCunNormal.cs — LeCun, Bottou, Orr & Müller, "Efficient BackProp", 1998: std = √(1/fan_in).
// This is what "Deep Learning from Scratch" (the lectures' Python code) calls 'xavier'/'sigmoid'
// (scale = np.sqrt(1.0 / n) with n the previous layer's size), and SELU's initializer.
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>LeCun normal: N(0, 1/fan_in).</summary>
/// <example><code>LeCunNormal.Instance.Initialize(w, rng);</code></example>
public sealed class LeCunNormal : Initializer
{
    /// <summary>The one instance.</summary>
    public static LeCunNormal Instance { get; } = new();

    /// <summary>The standard deviation used for <paramref name="fans"/>.</summary>
    public static double StdFor(Fans fans) => Math.Sqrt(1.0 / fans.FanIn);

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => random.FillNormal(values, 0f, (float)StdFor(fans));

    public override string ToString() => "lecun_normal";
}
