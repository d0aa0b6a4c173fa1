// MulticlassSvm.cs — the multiclass SVM (hinge) loss of the lectures (Weston–Watkins form, as in
// CS231n): every wrong class whose score comes within Δ of the right one adds the shortfall.
//
//   scores s: (N, K)   labels y: (N) class indices as floats
//   L_i   = Σ_{j≠y_i} max(0, s_ij − s_iy_i + Δ)
//   L     = (1/N) Σ_i L_i
//   dL/ds_ij   = [s_ij − s_iy + Δ > 0] / N                   for j ≠ y_i
//   dL/ds_iy_i = −(number of j ≠ y_i with a positive margin) / N
// At a margin of exactly 0 the hinge has a kink; the subgradient taken there is 0.
using Cortex.Tensors;

namespace Cortex.Losses;

/// <summary>
/// The multiclass SVM (hinge) loss: Lᵢ = Σ_{j≠yᵢ} max(0, s_j − s_{yᵢ} + Δ), averaged over the batch,
/// with its subgradient.
/// </summary>
/// <remarks>
/// The lectures' example: three images (cat, car, frog) scored by some W. The cat image scores
/// cat 3.2, car 5.1, frog −1.7; the car image 1.3, 4.9, 2.0; the frog image 2.2, 2.5, −3.1.
/// With Δ = 1 the losses are 2.9, 0 and 12.9, and the mean is 15.8 / 3 = 5.27 (the slide's 5.26
/// truncates instead of rounding).
/// </remarks>
/// <example><code>
/// var svm = new MulticlassSvm();                 // Δ = 1
/// var scores = Tensor.FromArray(new float[,] { { 3.2f, 5.1f, -1.7f }, { 1.3f, 4.9f, 2.0f }, { 2.2f, 2.5f, -3.1f } });
/// float l = svm.Forward(scores, Tensor.FromArray(0f, 1f, 2f));   // 5.2667
/// </code></example>
public sealed class MulticlassSvm : Loss
{
    private int[]? _labels;
    private Tensor? _scores;
    private int _n, _k;

    /// <summary>Creates the loss with margin <paramref name="margin"/> (Δ, default 1; must be finite and ≥ 0).</summary>
    public MulticlassSvm(float margin = 1f)
    {
        if (!(margin >= 0f && float.IsFinite(margin)))
            throw new ArgumentOutOfRangeException(nameof(margin), $"MulticlassSvm: expected a finite margin Δ ≥ 0, got {Format(margin)}. The lectures use Δ = 1.");
        Margin = margin;
    }

    /// <summary>The margin Δ by which the right class's score should beat every other.</summary>
    public float Margin { get; }

    private protected override double ComputeLoss(Tensor output, Tensor target)
    {
        int k = ReadClassLabels(output, target, ref _labels);
        int n = output.Shape[0];
        _scores = output;                                        // cached for the gradient
        _n = n;
        _k = k;

        ReadOnlySpan<float> s = output.Span;
        int[] labels = _labels!;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var row = s.Slice(i * k, k);
            double correct = row[labels[i]];
            for (int j = 0; j < k; j++)
            {
                if (j != labels[i])
                    total += Math.Max(0, row[j] - correct + Margin);   // max(0, s_j − s_y + Δ)
            }
        }
        return total / n;
    }

    private protected override void ComputeGradient(Span<float> gradient)
    {
        ReadOnlySpan<float> s = _scores!.Span;
        int[] labels = _labels!;
        int n = _n, k = _k;
        float invN = 1f / n;
        for (int i = 0; i < n; i++)
        {
            int row = i * k, y = labels[i];
            double correct = s[row + y];
            int positive = 0;
            for (int j = 0; j < k; j++)
            {
                bool active = j != y && s[row + j] - correct + Margin > 0;
                gradient[row + j] = active ? invN : 0f;
                positive += active ? 1 : 0;
            }
            gradient[row + y] = -positive * invN;
        }
    }
}
