// RmsProp.cs — AdaGrad with a leaky (exponentially decaying) average of squared gradients
// (Tieleman & Hinton, Coursera lecture 6.5, 2012), as the lectures write it:
//   cache = decay_rate * cache + (1 - decay_rate) * dx**2
//   x += - learning_rate * dx / (np.sqrt(cache) + 1e-7)
// Defaults: decay ρ = 0.99 (the lectures' / "Deep Learning from Scratch"'s decay_rate, and
// PyTorch's alpha), ε = 1e-7 (the lectures'; PyTorch 1e-8), lr 0.01. No momentum, not centered.
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>RMSProp: <c>h ← ρ·h + (1−ρ)·g²;  w ← w − lr·g/(√h + ε)</c>. State: <c>square_avg</c> (h, starts at 0).</summary>
/// <example><code>var opt = new RmsProp(model.AllParameters(), learningRate: 1e-3f, decay: 0.9f);</code></example>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates the rule; <paramref name="decay"/> is ρ in [0, 1), <paramref name="epsilon"/> &gt; 0.</summary>
    public RmsProp(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float decay = 0.99f, float epsilon = 1e-7f)
        : base(parameters, learningRate, "square_avg")
    {
        Require(decay is >= 0f and < 1f, Name, "decay (rho) must be in [0, 1)", decay, nameof(decay));
        Require(epsilon > 0f, Name, "epsilon must be > 0", epsilon, nameof(epsilon));
        Decay = decay;
        Epsilon = epsilon;
    }

    /// <summary>ρ, the decay rate of the squared-gradient average.</summary>
    public float Decay { get; }

    /// <summary>ε, added to √h.</summary>
    public float Epsilon { get; }

    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1)
    {
        var h = state[0].Span.Slice(offset, value.Length);
        TensorPrimitives.Multiply(gradient, 1f - Decay, scratch0);              // h = ρ·h + (1−ρ)·g·g
        TensorPrimitives.Multiply(h, Decay, h);
        TensorPrimitives.MultiplyAdd(scratch0, gradient, h, h);
        TensorPrimitives.Sqrt(h, scratch0);                                     // s = g / (√h + ε)
        TensorPrimitives.Add(scratch0, Epsilon, scratch0);
        TensorPrimitives.Divide(gradient, scratch0, scratch0);
        TensorPrimitives.MultiplyAdd(scratch0, -StepLearningRate, value, value);    // w = w − lr·s
    }
}
