// L2Regularizer.cs — R(W) = λ Σ w², which prefers many small weights to a few large ones.
//
//   penalty  = λ Σ w²
//   gradient = 2λ w
//
// Convention: no ½. The lectures' example — w1 = [1, 0, 0, 0] and w2 = [0.25, 0.25, 0.25, 0.25]
// score x = [1, 1, 1, 1] the same, yet R(w1) = 1 and R(w2) = 0.25 — is Σ w², and so is this.
// Some texts write ½λ Σ w² so that the gradient is λw; that is what "weight decay" means in
// PyTorch's optimizers (weight_decay = wd adds wd·w to the gradient). So L2Regularizer(λ) equals
// an optimizer weight decay of 2λ, and a weight decay of wd (AlexNet's 5e-4) is L2Regularizer(wd / 2).
using System.Numerics.Tensors;

namespace Cortex.Losses;

/// <summary>
/// L2 regularization: λ Σ w² (no ½), with gradient 2λw. The lectures' w1 = [1, 0, 0, 0] has
/// Σ w² = 1 and w2 = [0.25, 0.25, 0.25, 0.25] has 0.25.
/// </summary>
/// <remarks>
/// Texts that write ½λ Σ w² get the gradient λw — PyTorch's <c>weight_decay</c>. An optimizer weight
/// decay wd is the same as <c>new L2Regularizer(wd / 2)</c>.
/// </remarks>
/// <example><code>
/// var l2 = new L2Regularizer(1f);
/// double r1 = l2.Penalty(Tensor.FromArray(1f, 0f, 0f, 0f));            // 1
/// double r2 = l2.Penalty(Tensor.FromArray(0.25f, 0.25f, 0.25f, 0.25f)); // 0.25
/// </code></example>
public sealed class L2Regularizer : Regularizer
{
    /// <summary>Creates the penalty λ Σ w² with strength <paramref name="lambda"/> ≥ 0.</summary>
    public L2Regularizer(float lambda) => Lambda = CheckStrength(lambda, nameof(L2Regularizer), nameof(lambda));

    /// <summary>The strength λ.</summary>
    public float Lambda { get; }

    protected override double PenaltyOf(ReadOnlySpan<float> w) => Lambda * ChunkedSum(w, TensorPrimitives.SumOfSquares);

    // g += 2λ w
    protected override void AddGradientOf(ReadOnlySpan<float> w, Span<float> g) =>
        TensorPrimitives.MultiplyAdd(w, 2f * Lambda, g, g);

    public override string ToString() => $"L2({Lambda})";
}
