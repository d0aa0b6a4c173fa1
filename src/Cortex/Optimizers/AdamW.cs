// AdamW.cs — Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled weight decay
// regularization", ICLR 2019): before the Adam update, w ← w − lr·λ·w, and λ·w is NOT added to
// the gradient (so it is not rescaled by 1/√v̂). PyTorch's AdamW form, default λ = 0.01.
using Cortex.Layers;

namespace Cortex.Optimizers;

/// <summary>AdamW: <c>w ← (1 − lr·λ)·w</c>, then the Adam step on the raw gradient.</summary>
/// <example><code>var opt = new AdamW(model.AllParameters(), learningRate: 1e-3f, weightDecay: 0.05f);</code></example>
public sealed class AdamW : Adam
{
    /// <summary>Creates the rule; <paramref name="weightDecay"/> is λ (≥ 0), also settable later through <see cref="Optimizer.WeightDecay"/>.</summary>
    public AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(parameters, learningRate, beta1, beta2, epsilon, decoupledWeightDecay: true) => WeightDecay = weightDecay;
}
