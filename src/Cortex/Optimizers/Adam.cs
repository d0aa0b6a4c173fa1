// Adam.cs — adaptive moment estimation (Kingma & Ba, "Adam: A method for stochastic
// optimization", ICLR 2015), Algorithm 1 with its bias correction:
//   m ← β1·m + (1−β1)·g              first moment (momentum-like)
//   v ← β2·v + (1−β2)·g²             second moment (RMSProp-like)
//   m̂ = m/(1−β1ᵗ),  v̂ = v/(1−β2ᵗ)    t = this parameter's step count, from 1
//   w ← w − lr·m̂/(√v̂ + ε)
// Defaults are the paper's: lr 0.001, β1 0.9, β2 0.999, ε 1e-8. (The lectures' slide drops the
// bias correction and uses ε 1e-7; the paper's form is the one every framework ships.)
// Computed as w ← w − (lr/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε), which is the same expression.
//
// biasCorrection: false gives the slide's form (cs231n lecture 7), kept as an option:
//   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  w ← w − lr·m/(√v + ε)
// Its first steps are small (m starts at 0, so step 1 moves by about lr·(1−β1)/√(1−β2) ≈ 3.2·lr·sign(g)
// when |g| ≫ ε, and shrinks towards the corrected form as t grows); OptimizerCatalog's "adam:nobias"
// builds it with the slide's ε = 1e-7.
//
// Weight decay: coupled (g + λ·w, PyTorch's Adam(weight_decay=λ)) unless decoupledWeightDecay is
// set, which gives AdamW (see AdamW.cs).
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>
/// Adam, with bias correction (the paper's, the default) or without it (the lectures' slide). State: <c>exp_avg</c> (m) and <c>exp_avg_sq</c> (v), both starting at 0.
/// </summary>
/// <example><code>var opt = new Adam(model.AllParameters(), learningRate: 1e-3f);</code></example>
public class Adam : Optimizer
{
    private readonly bool _decoupled;

    /// <summary>Creates the rule.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">lr (the paper's α), default 0.001.</param>
    /// <param name="beta1">β1 in [0, 1), default 0.9.</param>
    /// <param name="beta2">β2 in [0, 1), default 0.999.</param>
    /// <param name="epsilon">ε &gt; 0, default 1e-8.</param>
    /// <param name="decoupledWeightDecay">True applies <see cref="Optimizer.WeightDecay"/> as w ← w − lr·λ·w (AdamW) instead of adding λ·w to the gradient.</param>
    /// <param name="biasCorrection">True (default) divides m by 1−β1ᵗ and v by 1−β2ᵗ as the paper does; false steps by lr·m/(√v + ε) as the lectures' slide writes it.</param>
    /// <example><code>var slide = new Adam(model.AllParameters(), learningRate: 1e-3f, epsilon: 1e-7f, biasCorrection: false);</code></example>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, bool decoupledWeightDecay = false, bool biasCorrection = true)
        : base(parameters, learningRate, "exp_avg", "exp_avg_sq")
    {
        Require(beta1 is >= 0f and < 1f, Name, "beta1 must be in [0, 1)", beta1, nameof(beta1));
        Require(beta2 is >= 0f and < 1f, Name, "beta2 must be in [0, 1)", beta2, nameof(beta2));
        Require(epsilon > 0f, Name, "epsilon must be > 0", epsilon, nameof(epsilon));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _decoupled = decoupledWeightDecay;
        BiasCorrection = biasCorrection;
    }

    /// <summary>Whether m and v are divided by 1−β1ᵗ and 1−β2ᵗ (the paper's Adam) or used as they are (the slide's).</summary>
    public bool BiasCorrection { get; }

    /// <summary>β1, the decay rate of the first-moment average.</summary>
    public float Beta1 { get; }

    /// <summary>β2, the decay rate of the second-moment average.</summary>
    public float Beta2 { get; }

    /// <summary>ε, added to √v̂.</summary>
    public float Epsilon { get; }

    /// <summary>Whether weight decay is decoupled (AdamW) rather than added to the gradient.</summary>
    public bool DecoupledWeightDecay => _decoupled;

    protected sealed override bool DecouplesWeightDecay => _decoupled;

    protected sealed override void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1)
    {
        int n = value.Length;
        var m = state[0].Span.Slice(offset, n);
        var v = state[1].Span.Slice(offset, n);
        double correction1 = BiasCorrection ? 1.0 - Math.Pow(Beta1, step) : 1.0;     // 1 − β1ᵗ (1 without correction)
        double correction2 = BiasCorrection ? 1.0 - Math.Pow(Beta2, step) : 1.0;     // 1 − β2ᵗ

        TensorPrimitives.Multiply(m, Beta1, m);                               // m = β1·m + (1−β1)·g
        TensorPrimitives.MultiplyAdd(gradient, 1f - Beta1, m, m);
        TensorPrimitives.Multiply(gradient, 1f - Beta2, scratch0);            // v = β2·v + (1−β2)·g·g
        TensorPrimitives.Multiply(v, Beta2, v);
        TensorPrimitives.MultiplyAdd(scratch0, gradient, v, v);

        TensorPrimitives.Sqrt(v, scratch0);                                   // s = √v̂ + ε = √v/√(1−β2ᵗ) + ε
        TensorPrimitives.Multiply(scratch0, (float)(1.0 / Math.Sqrt(correction2)), scratch0);
        TensorPrimitives.Add(scratch0, Epsilon, scratch0);
        TensorPrimitives.Divide(m, scratch0, scratch0);                       // s = m / s
        TensorPrimitives.MultiplyAdd(scratch0, (float)(-StepLearningRate / correction1), value, value); // w −= lr·m̂/(√v̂+ε)
    }
}
