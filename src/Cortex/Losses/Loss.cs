// Loss.cs — the contract every loss follows, so that a trainer can use any of them:
//
//   L  = Forward(output, target)   the MEAN loss over the batch; caches what Backward needs
//   dL = Backward()                dL/d(output) of that mean, shaped like output
//
// The gradient tensor belongs to the loss and is reused by the next Backward of the same shape
// (a training step allocates nothing after the first batch): copy it to keep it.
//
// Target encodings (the batch axis is always first):
//   classification (SoftmaxCrossEntropy, MulticlassSvm)  class indices stored as floats, shape (N)
//   BinaryCrossEntropy                                   0/1 or probabilities, (N) or (N, 1)
//   MeanSquaredError                                     same shape as output
//
// Losses accumulate in double and return float. Not here: sample weights, class weights,
// reductions other than the mean (the trainer can scale the gradient if it needs a sum).
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Losses;

/// <summary>
/// A loss function: scores and targets in, the mean loss over the batch out, and the gradient of
/// that mean with respect to the scores.
/// </summary>
/// <example><code>
/// Loss loss = new SoftmaxCrossEntropy();
/// float l = loss.Forward(scores, labels);   // scores (N, K), labels (N) holding 0..K-1
/// Tensor dScores = loss.Backward();         // (N, K), reused by the next call
/// model.Backward(dScores);
/// </code></example>
public abstract class Loss
{
    private Tensor? _gradient;
    private bool _hasForward;

    /// <summary>The name errors use (the class name unless overridden).</summary>
    public virtual string Name => GetType().Name;

    /// <summary>
    /// Computes the mean loss over the batch of <paramref name="output"/> against
    /// <paramref name="target"/> and caches what <see cref="Backward"/> needs.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, a target is invalid, or the loss is not finite (NaN or infinity in the scores).</exception>
    public float Forward(Tensor output, Tensor target) => (float)ForwardExact(output, target);

    /// <summary>
    /// dL/d(output) for the mean loss of the last <see cref="Forward"/>, shaped like that output.
    /// The returned tensor is reused by the next call with the same shape.
    /// </summary>
    /// <exception cref="InvalidOperationException">No Forward came before.</exception>
    public Tensor Backward()
    {
        if (!_hasForward)
            throw new InvalidOperationException($"{Name}: expected Forward(output, target) before Backward, got none. There is nothing cached to differentiate.");
        var output = CachedOutputShape;
        if (_gradient is null || _gradient.Shape != output)
            _gradient = new Tensor(output);
        ComputeGradient(_gradient.Span);
        return _gradient;
    }

    /// <summary>Forward in double precision (what <see cref="Forward"/> rounds); tests check gradients against it.</summary>
    internal double ForwardExact(Tensor output, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        _hasForward = false;
        if (output.Rank == 0 || output.Shape[0] == 0)
            throw new ArgumentException($"{Name}: expected a non-empty batch (N ≥ 1 along the first axis), got output {output.Shape}.", nameof(output));
        double loss = ComputeLoss(output, target);
        if (!double.IsFinite(loss))
            throw NonFiniteLoss(output, target, loss);
        CachedOutputShape = output.Shape;
        _hasForward = true;
        return loss;
    }

    /// <summary>The shape of the output seen by the last successful Forward.</summary>
    private protected Shape CachedOutputShape { get; private set; }

    /// <summary>Validates, caches what <see cref="ComputeGradient"/> needs, and returns the mean loss.</summary>
    private protected abstract double ComputeLoss(Tensor output, Tensor target);

    /// <summary>Writes dL/d(output) of the cached Forward into <paramref name="gradient"/> (every element).</summary>
    private protected abstract void ComputeGradient(Span<float> gradient);

    // ---- shared validation -------------------------------------------------------------------

    /// <summary>
    /// Checks scores (N, K) — trailing axes of size 1 are allowed, e.g. (N, K, 1, 1) — against
    /// class labels (N) stored as floats, and writes the labels as integers into <paramref name="labels"/>
    /// (resized when needed). Returns K.
    /// </summary>
    private protected int ReadClassLabels(Tensor output, Tensor target, ref int[]? labels)
    {
        int n = output.Shape[0];
        bool scoresOk = output.Rank >= 2;
        for (int axis = 2; axis < output.Rank && scoresOk; axis++)
            scoresOk = output.Shape[axis] == 1;
        if (!scoresOk)
            throw new ArgumentException($"{Name}: expected scores [N, K], got {output.Shape}. Flatten the network's output before the loss.", nameof(output));
        int k = output.Shape[1];
        bool labelsOk = target.Size == n && (target.Rank == 1 || (target.Rank == 2 && target.Shape[1] == 1));
        if (!labelsOk)
            throw new ArgumentException($"{Name}: expected class labels of shape [{n}] for scores {output.Shape}, got {target.Shape}. Pass one class index per sample, not one-hot rows.", nameof(target));

        if (labels is null || labels.Length != n)
            labels = new int[n];
        var t = target.Span;
        for (int i = 0; i < n; i++)
        {
            float v = t[i];
            if (!(v == MathF.Round(v)))
                throw new ArgumentException($"{Name}: expected integer class labels in [0, {k}), got target[{i}] = {Format(v)}. Labels are class indices stored as floats.", nameof(target));
            if (v < 0 || v >= k)
                throw new ArgumentException($"{Name}: expected class labels in [0, {k}) for K = {k} classes, got target[{i}] = {Format(v)}. Check the number of output units against the dataset's classes.", nameof(target));
            labels[i] = (int)v;
        }
        return k;
    }

    /// <summary>
    /// Checks that <paramref name="target"/> has the shape of <paramref name="output"/>, treating (N)
    /// and (N, 1) as the same (a Dense(1) output against a vector of targets).
    /// </summary>
    private protected void RequireMatchingTarget(Tensor output, Tensor target)
    {
        if (output.Shape == target.Shape || (IsColumn(output.Shape) && IsColumn(target.Shape) && output.Shape[0] == target.Shape[0]))
            return;
        throw new ArgumentException($"{Name}: expected a target of shape {output.Shape} like the output, got {target.Shape}. The target needs one value per output element.", nameof(target));

        static bool IsColumn(Shape s) => s.Rank == 1 || (s.Rank == 2 && s[1] == 1);
    }

    private protected static string Format(float value) => value.ToString("G7", CultureInfo.InvariantCulture);

    private NonFiniteLossException NonFiniteLoss(Tensor output, Tensor target, double loss)
    {
        // Only on the error path: find the first offending element to name it.
        int bad = FirstNonFinite(output.Span);
        int badTarget = FirstNonFinite(target.Span);
        string where =
            bad >= 0 ? $"output[{IndexText(output.Shape, bad)}] = {Format(output.Span[bad])}" :
            badTarget >= 0 ? $"target[{IndexText(target.Shape, badTarget)}] = {Format(target.Span[badTarget])}" :
            "the scores are finite but too large";
        return new NonFiniteLossException(
            $"{Name}: expected finite scores, got a loss of {loss.ToString(CultureInfo.InvariantCulture)} ({where}, output {output.Shape}). " +
            "Training has probably diverged: lower the learning rate or check the layers' inputs.", nameof(output));
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return i;
        }
        return -1;
    }

    private static string IndexText(Shape shape, int flat)
    {
        var index = new int[shape.Rank];
        for (int axis = shape.Rank - 1; axis >= 0; axis--)
        {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return string.Join(", ", index);
    }
}
