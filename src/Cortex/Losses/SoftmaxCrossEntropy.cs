// SoftmaxCrossEntropy.cs — softmax and cross-entropy fused into one numerically stable loss
// (the lectures' "Softmax Loss", the SoftmaxWithLoss layer of the deck's Python code).
//
//   scores s: (N, K)   labels y: (N) class indices as floats
//   p_ik  = exp(s_ik − m_i) / Σ_j exp(s_ij − m_i)          m_i = max_j s_ij (so exp never overflows)
//   L_i   = log Σ_j exp(s_ij) − s_iy = m_i + log Σ_j exp(s_ij − m_i) − s_iy     (natural log)
//   L     = (1/N) Σ_i L_i
//   dL/ds = (p − onehot(y)) / N
//
// With label smoothing ε the one-hot target becomes q = (1 − ε)·onehot + ε/K, the loss
// −Σ_k q_k log p_k and the gradient (p − q)/N.
using Cortex.Tensors;

namespace Cortex.Losses;

/// <summary>
/// Softmax followed by cross-entropy against integer class labels, fused and numerically stable
/// (the row maximum is subtracted before exponentiating: log-sum-exp). The network ends in raw
/// scores (logits); no softmax layer goes before this loss.
/// </summary>
/// <remarks>
/// <para>
/// The lectures' worked example: scores (cat 3.2, car 5.1, frog −1.7) for an image of a cat.
/// Exponentiated they are 24.5, 164.0, 0.18; normalized, the probabilities are 0.13, 0.87, 0.00,
/// and the loss is −ln(0.13) = 2.04. The slide prints 0.89 for the same loss: that is −log₁₀(0.13),
/// a base-10 logarithm. Cortex, like PyTorch and Keras, uses the natural logarithm, so the loss
/// of that example is 2.04 here.
/// </para>
/// <para>
/// <see cref="Loss.Forward"/> returns the mean over the batch; <see cref="Loss.Backward"/> returns
/// (softmax − onehot)/N. <see cref="Probabilities"/> keeps the softmax of the last Forward.
/// </para>
/// </remarks>
/// <example><code>
/// var loss = new SoftmaxCrossEntropy();
/// var scores = Tensor.FromArray(new float[,] { { 3.2f, 5.1f, -1.7f } });
/// float l = loss.Forward(scores, Tensor.FromArray(0f));   // 2.04 (= −ln 0.13)
/// Tensor dScores = loss.Backward();                        // [0.13 − 1, 0.87, 0.00]
/// </code></example>
public sealed class SoftmaxCrossEntropy : Loss
{
    private int[]? _labels;
    private Tensor? _probabilities;
    private int _n, _k;

    /// <summary>Creates the loss, with optional label smoothing ε in [0, 1) (0 = plain one-hot targets).</summary>
    public SoftmaxCrossEntropy(float labelSmoothing = 0f)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing < 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"SoftmaxCrossEntropy: expected label smoothing in [0, 1), got {Format(labelSmoothing)}. 0.1 is a common choice; 0 turns it off.");
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>The label smoothing ε: the target puts 1 − ε + ε/K on the true class and ε/K on each other.</summary>
    public float LabelSmoothing { get; }

    /// <summary>The softmax probabilities (N, K) of the last Forward; reused by the next call of the same shape.</summary>
    public Tensor? Probabilities => _probabilities;

    private protected override double ComputeLoss(Tensor output, Tensor target)
    {
        int k = ReadClassLabels(output, target, ref _labels);
        int n = output.Shape[0];
        // The scores are (N, K) (checked above): compare with their shape, not a new Shape (which
        // allocates its dimensions), so a step of an unchanged batch shape allocates nothing.
        if (_probabilities is null || _probabilities.Shape != output.Shape)
            _probabilities = new Tensor(output.Shape);
        _n = n;
        _k = k;

        ReadOnlySpan<float> s = output.Span;
        Span<float> p = _probabilities.Span;
        int[] labels = _labels!;
        double eps = LabelSmoothing;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var row = s.Slice(i * k, k);
            var prow = p.Slice(i * k, k);
            double max = row[0];
            for (int j = 1; j < k; j++)
                max = Math.Max(max, row[j]);

            double sumExp = 0;                                  // Σ exp(s_j − m) ∈ [1, K]
            for (int j = 0; j < k; j++)
                sumExp += Math.Exp(row[j] - max);
            double logZ = max + Math.Log(sumExp);              // log Σ exp(s_j), without overflow
            for (int j = 0; j < k; j++)
                prow[j] = (float)Math.Exp(row[j] - logZ);

            // L_i = logZ − Σ_j q_j s_j with q = (1 − ε)·onehot + ε/K
            double targetScore = row[labels[i]];
            if (eps > 0)
            {
                double sumScores = 0;
                for (int j = 0; j < k; j++)
                    sumScores += row[j];
                targetScore = (1 - eps) * targetScore + eps / k * sumScores;
            }
            total += logZ - targetScore;
        }
        return total / n;
    }

    private protected override void ComputeGradient(Span<float> gradient)
    {
        // dL/ds = (p − q) / N
        ReadOnlySpan<float> p = _probabilities!.Span;
        int[] labels = _labels!;
        int n = _n, k = _k;
        float invN = 1f / n;
        float offTarget = LabelSmoothing / k;
        float onTarget = 1f - LabelSmoothing + offTarget;
        for (int i = 0; i < n; i++)
        {
            int row = i * k;
            for (int j = 0; j < k; j++)
                gradient[row + j] = (p[row + j] - offTarget) * invN;
            gradient[row + labels[i]] = (p[row + labels[i]] - onTarget) * invN;
        }
    }
}
