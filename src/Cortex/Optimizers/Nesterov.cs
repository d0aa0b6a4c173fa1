// Nesterov.cs — Nesterov's accelerated gradient as momentum SGD (Nesterov 1983; Sutskever et al.,
// "On the importance of initialization and momentum in deep learning", ICML 2013).
//
// Formulation: cs231n's "look-ahead" form with lr inside the velocity, as in Momentum.cs:
//   v_prev = v
//   v = mu * v - learning_rate * dx
//   x += -mu * v_prev + (1 + mu) * v
// which simplifies (substitute v) to the form coded below:
//   v ← μ·v − lr·g;   w ← w + μ·v − lr·g
// For a constant lr this is exactly PyTorch's SGD(nesterov=True) (buf = μ·buf + g;
// w −= lr·(g + μ·buf), with v = −lr·buf). ("Deep Learning from Scratch"'s Nesterov class adds
// μ²·v_new instead of μ²·v_prev and so differs slightly; we follow cs231n/PyTorch.)
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>Nesterov momentum: <c>v ← μ·v − lr·g;  w ← w + μ·v − lr·g</c>. State: <c>momentum_buffer</c>.</summary>
/// <example><code>var opt = new Nesterov(model.AllParameters(), learningRate: 0.01f);</code></example>
public sealed class Nesterov : Optimizer
{
    private float _mu;

    /// <summary>Creates the rule; <paramref name="mu"/> is the momentum coefficient μ in [0, 1).</summary>
    public Nesterov(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float mu = 0.9f)
        : base(parameters, learningRate, "momentum_buffer") => Mu = mu;

    /// <summary>The momentum coefficient μ.</summary>
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
        float lr = StepLearningRate;
        var v = state[0].Span.Slice(offset, value.Length);
        TensorPrimitives.Multiply(v, _mu, v);                       // v = μ·v − lr·g
        TensorPrimitives.MultiplyAdd(gradient, -lr, v, v);
        TensorPrimitives.MultiplyAdd(v, _mu, value, value);         // w = w + μ·v
        TensorPrimitives.MultiplyAdd(gradient, -lr, value, value);  //       − lr·g
    }
}
