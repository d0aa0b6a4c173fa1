// L1Regularizer.cs — R(W) = λ Σ |w|, which drives small weights to exactly zero (sparse weights).
//
//   penalty  = λ Σ |w|
//   gradient = λ sign(w)          the subgradient, 0 at w = 0
using System.Numerics.Tensors;

namespace Cortex.Losses;

/// <summary>L1 regularization: λ Σ |w|, with subgradient λ sign(w) (0 at w = 0).</summary>
/// <example><code>
/// var l1 = new L1Regularizer(0.1f);
/// double r = l1.Penalty(Tensor.FromArray(1f, -2f, 0f));   // 0.1 × 3 = 0.3
/// </code></example>
public sealed class L1Regularizer : Regularizer
{
    /// <summary>Creates the penalty λ Σ |w| with strength <paramref name="lambda"/> ≥ 0.</summary>
    public L1Regularizer(float lambda) => Lambda = CheckStrength(lambda, nameof(L1Regularizer), nameof(lambda));

    /// <summary>The strength λ.</summary>
    public float Lambda { get; }

    protected override double PenaltyOf(ReadOnlySpan<float> w) => Lambda * ChunkedSum(w, TensorPrimitives.SumOfMagnitudes);

    protected override void AddGradientOf(ReadOnlySpan<float> w, Span<float> g)
    {
        float lambda = Lambda;
        for (int i = 0; i < w.Length; i++)
            g[i] += w[i] > 0 ? lambda : w[i] < 0 ? -lambda : 0f;   // λ sign(w)
    }

    public override string ToString() => $"L1({Lambda})";
}
