// Tanh.cs — tanh(x), squashing to (−1, 1): zero-centred, but it saturates like the sigmoid.
using System.Numerics.Tensors;

namespace Cortex.Layers;

/// <summary>The hyperbolic tangent, element-wise.</summary>
/// <example><code>var act = new Tanh();</code></example>
public sealed class Tanh(string name = "tanh") : Activation(name)
{
    // y = tanh(x)
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    // dy/dx = 1 − tanh²(x) = 1 − y²
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++)
            dx[i] = dy[i] * (1f - y[i] * y[i]);
    }
}
