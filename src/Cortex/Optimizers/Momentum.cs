// Momentum.cs — SGD with (heavy-ball) momentum, written as the lectures (cs231n) write it:
//   v = mu * v - learning_rate * dx    # integrate velocity
//   x += v                             # integrate position
// μ = 0.9 by default (AlexNet, the lectures). Polyak 1964; Sutskever et al. 2013.
//
// Note the learning rate sits inside the velocity here; PyTorch keeps it outside
// (buf = μ·buf + g; w −= lr·buf). The two agree while lr is constant; when a schedule changes
// lr, this form lets the old velocity carry the old rate for a few steps (as the lectures' code does).
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>Momentum SGD: <c>v ← μ·v − lr·g;  w ← w + v</c>. State: <c>momentum_buffer</c> (v, starts at 0).</summary>
/// <example><code>var opt = new Momentum(model.AllParameters(), learningRate: 0.01f, mu: 0.9f) { WeightDecay = 5e-4f };</code></example>
public sealed class Momentum : Optimizer
{
    private float _mu;

    /// <summary>Creates the rule; <paramref name="mu"/> is the momentum coefficient μ in [0, 1).</summary>
    public Momentum(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float mu = 0.9f)
        : base(parameters, learningRate, "momentum_buffer") => Mu = mu;

    /// <summary>The momentum coefficient μ (friction): how much of the velocity survives a step.</summary>
    public float Mu
    {
        get => _mu;
        set
        {
            Require(value is >= 0f and < 1f, Name, "mu (momentum) must be in [0, 1)", value, nameof(value));
            _mu = value;
        }
    }

    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1)
    {
        var v = state[0].Span.Slice(offset, value.Length);
        TensorPrimitives.Multiply(v, _mu, v);                           // v = μ·v
        TensorPrimitives.MultiplyAdd(gradient, -StepLearningRate, v, v);    //     − lr·g
        TensorPrimitives.Add(value, v, value);                          // w = w + v
    }
}
