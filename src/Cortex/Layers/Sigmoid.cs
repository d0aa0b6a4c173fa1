// Sigmoid.cs — σ(x) = 1 / (1 + e^(−x)), squashing to (0, 1).
//
// The lectures' caveats hold: saturated units (|x| large) kill the gradient, outputs are not
// zero-centred, exp is costly. Kept for the classic examples and for gates.
using System.Numerics.Tensors;

namespace Cortex.Layers;

/// <summary>The logistic sigmoid, element-wise: <c>y = 1 / (1 + e^(−x))</c>.</summary>
/// <example><code>var model = new Sequential(new Dense(2, 2), new Sigmoid());</code></example>
public sealed class Sigmoid(string name = "sigmoid") : Activation(name)
{
    // y = σ(x)
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    // dy/dx = σ(x)(1 − σ(x)) = y(1 − y)
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++)
            dx[i] = dy[i] * y[i] * (1f - y[i]);
    }
}
