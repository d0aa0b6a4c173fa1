// AdaGrad.cs — per-element step sizes from the sum of squared gradients (Duchi, Hazan & Singer,
// "Adaptive subgradient methods…", JMLR 2011), as the lectures write it:
//   cache += dx**2
//   x += - learning_rate * dx / (np.sqrt(cache) + 1e-7)
// ε = 1e-7 (the lectures'; PyTorch uses 1e-10), added outside the square root.
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>AdaGrad: <c>h ← h + g²;  w ← w − lr·g/(√h + ε)</c>. State: <c>sum</c> (h, starts at 0).</summary>
/// <example><code>var opt = new AdaGrad(model.AllParameters(), learningRate: 0.01f);</code></example>
public sealed class AdaGrad : Optimizer
{
    /// <summary>Creates the rule; <paramref name="epsilon"/> (&gt; 0) keeps the division finite.</summary>
    public AdaGrad(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float epsilon = 1e-7f)
        : base(parameters, learningRate, "sum")
    {
        Require(epsilon > 0f, Name, "epsilon must be > 0", epsilon, nameof(epsilon));
        Epsilon = epsilon;
    }

    /// <summary>ε, added to √h.</summary>
    public float Epsilon { get; }

    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1)
    {
        var h = state[0].Span.Slice(offset, value.Length);
        TensorPrimitives.MultiplyAdd(gradient, gradient, h, h);                 // h = h + g²
        TensorPrimitives.Sqrt(h, scratch0);                                     // s = √h + ε
        TensorPrimitives.Add(scratch0, Epsilon, scratch0);
        TensorPrimitives.Divide(gradient, scratch0, scratch0);                  // s = g / s
        TensorPrimitives.MultiplyAdd(scratch0, -StepLearningRate, value, value);    // w = w − lr·s
    }
}
