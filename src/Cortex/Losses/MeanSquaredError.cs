// MeanSquaredError.cs — squared error between the output and a target of the same shape.
//
// Default (PyTorch's MSELoss, reduction 'mean'; Keras's mean_squared_error):
//   L     = (1/M) Σ_e (y_e − t_e)²            M = number of elements (N × the rest)
//   dL/dy = 2 (y − t) / M
//
// halfSumOfSquares: true (the lectures' backprop example, Mazur's E_total = Σ ½(target − out)²):
//   L     = (1/N) Σ_i Σ_k ½ (y_ik − t_ik)²    per-sample half sum, mean over the N samples
//   dL/dy = (y − t) / N
// For one sample this is exactly E_total; the ½ cancels the 2 of the derivative.
//
// target: same shape as output; (N) and (N, 1) count as the same shape.
using Cortex.Tensors;

namespace Cortex.Losses;

/// <summary>
/// Squared error. By default the mean over every element (PyTorch's default reduction); with
/// <c>halfSumOfSquares: true</c>, ½ Σ (y − t)² per sample averaged over the batch — the convention
/// of the lectures' step-by-step backpropagation example.
/// </summary>
/// <example><code>
/// var mse = new MeanSquaredError();
/// float l = mse.Forward(Tensor.FromArray(1f, 2f), Tensor.FromArray(0f, 0f));   // (1 + 4) / 2 = 2.5
/// var half = new MeanSquaredError(halfSumOfSquares: true);
/// float e = half.Forward(Tensor.FromArray(new float[,] { { 1f, 2f } }), Tensor.FromArray(new float[,] { { 0f, 0f } })); // ½(1 + 4) = 2.5
/// </code></example>
public sealed class MeanSquaredError : Loss
{
    private Tensor? _output;
    private Tensor? _target;

    /// <summary>
    /// Creates the loss: the mean of (y − t)² over all elements, or, with
    /// <paramref name="halfSumOfSquares"/>, ½ Σ (y − t)² per sample, averaged over the batch.
    /// </summary>
    public MeanSquaredError(bool halfSumOfSquares = false) => HalfSumOfSquares = halfSumOfSquares;

    /// <summary>True for the ½ Σ (y − t)² per-sample convention; false for the mean over all elements.</summary>
    public bool HalfSumOfSquares { get; }

    private protected override double ComputeLoss(Tensor output, Tensor target)
    {
        RequireMatchingTarget(output, target);
        _output = output;                                         // cached for the gradient
        _target = target;
        ReadOnlySpan<float> y = output.Span;
        ReadOnlySpan<float> t = target.Span;
        double sum = 0;
        for (int e = 0; e < y.Length; e++)
        {
            double d = (double)y[e] - t[e];
            sum += d * d;
        }
        return HalfSumOfSquares ? 0.5 * sum / output.Shape[0] : sum / y.Length;
    }

    private protected override void ComputeGradient(Span<float> gradient)
    {
        ReadOnlySpan<float> y = _output!.Span;
        ReadOnlySpan<float> t = _target!.Span;
        double scale = HalfSumOfSquares ? 1.0 / _output.Shape[0] : 2.0 / y.Length;
        for (int e = 0; e < y.Length; e++)
            gradient[e] = (float)(((double)y[e] - t[e]) * scale);
    }
}
