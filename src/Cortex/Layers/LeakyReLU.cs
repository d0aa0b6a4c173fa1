// LeakyReLU.cs — max(αx, x) for 0 ≤ α < 1: a small slope for x < 0 so units never die.
//
// Default α = 0.01 (PyTorch's nn.LeakyReLU); the lectures write max(0.1x, x), i.e. α = 0.1.
namespace Cortex.Layers;

/// <summary>Leaky ReLU, element-wise: <c>y = x</c> for x &gt; 0, <c>αx</c> otherwise.</summary>
/// <example><code>var act = new LeakyReLU(0.1f);   // the lectures' max(0.1x, x)</code></example>
public sealed class LeakyReLU : Activation
{
    /// <summary>Creates the layer with negative slope <paramref name="alpha"/> (finite; usually small and positive).</summary>
    public LeakyReLU(float alpha = 0.01f, string name = "leaky_relu") : base(name)
    {
        if (!float.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), $"LeakyReLU: alpha must be finite, got {alpha}.");
        Alpha = alpha;
    }

    /// <summary>The slope for negative inputs.</summary>
    public float Alpha { get; }

    // y = x > 0 ? x : αx
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < y.Length; i++)
            y[i] = x[i] > 0f ? x[i] : Alpha * x[i];
    }

    // dy/dx = 1 if x > 0 else α
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++)
            dx[i] = x[i] > 0f ? dy[i] : Alpha * dy[i];
    }
}
