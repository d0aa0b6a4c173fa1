// ELU.cs — exponential linear unit (Clevert et al. 2016): x for x > 0, α(eˣ − 1) otherwise.
// Smooth for α = 1, with mean activations closer to zero than ReLU's.
namespace Cortex.Layers;

/// <summary>The exponential linear unit, element-wise: <c>y = x</c> for x &gt; 0, <c>α(eˣ − 1)</c> otherwise.</summary>
/// <example><code>var act = new ELU(alpha: 1f);</code></example>
public sealed class ELU : Activation
{
    /// <summary>Creates the layer; <paramref name="alpha"/> is the value approached as x → −∞ (negated), default 1.</summary>
    public ELU(float alpha = 1f, string name = "elu") : base(name)
    {
        if (!float.IsFinite(alpha) || alpha < 0f)
            throw new ArgumentOutOfRangeException(nameof(alpha), $"ELU: alpha must be finite and ≥ 0, got {alpha}.");
        Alpha = alpha;
    }

    /// <summary>The saturation value for negative inputs.</summary>
    public float Alpha { get; }

    // y = x > 0 ? x : α(eˣ − 1)
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
            y[i] = x[i] > 0f ? x[i] : Alpha * (MathF.Exp(x[i]) - 1f);
    }

    // dy/dx = 1 if x > 0 else αeˣ (= y + α, but that cancels badly as y → −α)
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++)
            dx[i] = x[i] > 0f ? dy[i] : dy[i] * Alpha * MathF.Exp(x[i]);
    }
}
