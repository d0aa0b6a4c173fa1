// Sgd.cs — plain stochastic gradient descent, the lectures' first update rule:
//   x += - learning_rate * dx
// No state. With WeightDecay λ this is w ← w − lr·(g + λ·w).
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>Vanilla SGD: <c>w ← w − lr·g</c>.</summary>
/// <example><code>var sgd = new Sgd(model.AllParameters(), learningRate: 0.1f);</code></example>
public sealed class Sgd(IEnumerable<Parameter> parameters, float learningRate = 0.01f)
    : Optimizer(parameters, learningRate)
{
    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1)
    {
        TensorPrimitives.MultiplyAdd(gradient, -StepLearningRate, value, value);   // w = −lr·g + w
    }
}
