// ElasticNetRegularizer.cs — L1 and L2 together: R(W) = λ₁ Σ |w| + λ₂ Σ w².
//
//   penalty  = λ₁ Σ |w| + λ₂ Σ w²
//   gradient = λ₁ sign(w) + 2λ₂ w
//
// The lectures write λ Σ (β w² + |w|): that is λ₁ = λ, λ₂ = λβ.
using System.Numerics.Tensors;

namespace Cortex.Losses;

/// <summary>
/// Elastic net: λ₁ Σ |w| + λ₂ Σ w² (the lectures' λ Σ (βw² + |w|) with λ₁ = λ, λ₂ = λβ).
/// The L2 part has no ½, as in <see cref="L2Regularizer"/>.
/// </summary>
/// <example><code>
/// var en = new ElasticNetRegularizer(l1: 0.1f, l2: 0.01f);
/// double r = en.Penalty(Tensor.FromArray(1f, -2f));   // 0.1 × 3 + 0.01 × 5 = 0.35
/// </code></example>
public sealed class ElasticNetRegularizer : Regularizer
{
    /// <summary>Creates the penalty λ₁ Σ |w| + λ₂ Σ w²; both strengths ≥ 0.</summary>
    public ElasticNetRegularizer(float l1, float l2)
    {
        L1Strength = CheckStrength(l1, nameof(ElasticNetRegularizer), nameof(l1));
        L2Strength = CheckStrength(l2, nameof(ElasticNetRegularizer), nameof(l2));
    }

    /// <summary>λ₁, the strength of Σ |w|.</summary>
    public float L1Strength { get; }

    /// <summary>λ₂, the strength of Σ w².</summary>
    public float L2Strength { get; }

    protected override double PenaltyOf(ReadOnlySpan<float> w) =>
        L1Strength * ChunkedSum(w, TensorPrimitives.SumOfMagnitudes) + L2Strength * ChunkedSum(w, TensorPrimitives.SumOfSquares);

    protected override void AddGradientOf(ReadOnlySpan<float> w, Span<float> g)
    {
        float l1 = L1Strength, twoL2 = 2f * L2Strength;
        for (int i = 0; i < w.Length; i++)
            g[i] += (w[i] > 0 ? l1 : w[i] < 0 ? -l1 : 0f) + twoL2 * w[i];   // λ₁ sign(w) + 2λ₂ w
    }

    public override string ToString() => $"ElasticNet(l1: {L1Strength}, l2: {L2Strength})";
}
