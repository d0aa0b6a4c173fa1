// AdaDelta.cs — Zeiler, "ADADELTA: An adaptive learning rate method", arXiv:1212.5701 (2012),
// Algorithm 1; the default trainer of the lectures' ConvNetJS CIFAR-10 demo:
//   a ← ρ·a + (1−ρ)·g²                       accumulated gradient  E[g²]
//   Δ = −√(d + ε) / √(a + ε) · g             the update, in the units of w
//   d ← ρ·d + (1−ρ)·Δ²                       accumulated update    E[Δx²]
//   w ← w + lr·Δ
// Defaults ρ = 0.95, ε = 1e-6 (the paper's and ConvNetJS's demo). lr = 1 is the paper's method
// (no learning rate); it exists, as in PyTorch, so schedules can still scale the step. The
// accumulator d stores the unscaled Δ (PyTorch's convention).
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>AdaDelta. State: <c>square_avg</c> (a = E[g²]) and <c>acc_delta</c> (d = E[Δx²]), both starting at 0.</summary>
/// <example><code>var opt = new AdaDelta(model.AllParameters());   // ρ 0.95, ε 1e-6, lr 1</code></example>
public sealed class AdaDelta : Optimizer
{
    /// <summary>Creates the rule; <paramref name="rho"/> in [0, 1), <paramref name="epsilon"/> &gt; 0.</summary>
    public AdaDelta(IEnumerable<Parameter> parameters, float learningRate = 1f, float rho = 0.95f, float epsilon = 1e-6f)
        : base(parameters, learningRate, "square_avg", "acc_delta")
    {
        Require(rho is >= 0f and < 1f, Name, "rho must be in [0, 1)", rho, nameof(rho));
        Require(epsilon > 0f, Name, "epsilon must be > 0", epsilon, nameof(epsilon));
        Rho = rho;
        Epsilon = epsilon;
    }

    /// <summary>ρ, the decay rate of both running averages.</summary>
    public float Rho { get; }

    /// <summary>ε, inside both square roots.</summary>
    public float Epsilon { get; }

    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1)
    {
        int n = value.Length;
        var a = state[0].Span.Slice(offset, n);
        var d = state[1].Span.Slice(offset, n);
        TensorPrimitives.Multiply(gradient, 1f - Rho, scratch0);              // a = ρ·a + (1−ρ)·g·g
        TensorPrimitives.Multiply(a, Rho, a);
        TensorPrimitives.MultiplyAdd(scratch0, gradient, a, a);

        TensorPrimitives.Add(a, Epsilon, scratch0);                           // u = √((d+ε)/(a+ε))·g  (= −Δ)
        TensorPrimitives.Add(d, Epsilon, scratch1);
        TensorPrimitives.Divide(scratch1, scratch0, scratch0);
        TensorPrimitives.Sqrt(scratch0, scratch0);
        TensorPrimitives.Multiply(scratch0, gradient, scratch0);

        TensorPrimitives.Multiply(scratch0, 1f - Rho, scratch1);              // d = ρ·d + (1−ρ)·u·u
        TensorPrimitives.Multiply(d, Rho, d);
        TensorPrimitives.MultiplyAdd(scratch1, scratch0, d, d);

        TensorPrimitives.MultiplyAdd(scratch0, -StepLearningRate, value, value);  // w = w − lr·u
    }
}
