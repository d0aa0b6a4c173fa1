// ReLU.cs — max(0, x): the lectures' default ("use ReLU; mind the learning rate").
using System.Numerics.Tensors;
using Cortex.Kernels;

namespace Cortex.Layers;

/// <summary>The rectified linear unit, element-wise: <c>y = max(0, x)</c>.</summary>
/// <example><code>var model = new Sequential(new Dense(784, 100), new ReLU(), new Dense(100, 10));</code></example>
public sealed class ReLU(string name = "relu") : Activation(name)
{
    // y = max(x, 0)
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    // dy/dx = 1 if x > 0 else 0 (the subgradient at 0 is taken as 0, as PyTorch does): dx = x > 0 ? dy : 0
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        ActivationKernels.ReluBackward(x, dy, dx);
}
