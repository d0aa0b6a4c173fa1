// BinaryCrossEntropy.cs — the loss of a network with one sigmoid output (cats vs dogs), in two forms:
//
// fromLogits: true (default) — the output x is the raw score of Dense(1); the sigmoid is fused in:
//   L_e   = −[t·log σ(x) + (1 − t)·log(1 − σ(x))] = max(x, 0) − x·t + log(1 + exp(−|x|))
//   dL/dx = (σ(x) − t) / M
//   The rewritten form never exponentiates a positive number, so x = ±1000 gives a finite loss.
//
// fromLogits: false — the output p is already a probability (Keras's Dense(1, activation='sigmoid')):
//   p̂     = clamp(p, ε, 1 − ε)
//   L_e   = −[t·log p̂ + (1 − t)·log(1 − p̂)]
//   dL/dp = (p̂ − t) / (p̂·(1 − p̂)) / M
//   The clamp keeps log finite at p = 0 or 1; the gradient there is the one at the clamp (not 0),
//   so a saturated wrong answer still gets pushed back.
//
// output: (N) or (N, 1) — or any shape for multi-label outputs;  target: same size, 0/1 or a
// probability in [0, 1]. M = number of elements (= N for one output per sample): the mean over
// the batch, as PyTorch's BCEWithLogitsLoss / Keras's binary_crossentropy.
using Cortex.Tensors;

namespace Cortex.Losses;

/// <summary>
/// Binary cross-entropy for a sigmoid output, either fused with the sigmoid from raw scores
/// (<c>fromLogits: true</c>, the stable form and the default) or on probabilities already through
/// a sigmoid (<c>fromLogits: false</c>, clamped to [ε, 1 − ε]). Returns the mean over the batch.
/// </summary>
/// <remarks>
/// Prefer the fused form: a Cortex model for two classes ends in <c>Dense(1)</c> and this loss
/// applies the sigmoid itself, which stays exact for scores of any size. The probability form is
/// for networks that end in <c>Dense(1)</c> + sigmoid, Keras-style, like the lectures'
/// cats-vs-dogs network.
/// </remarks>
/// <example><code>
/// var bce = new BinaryCrossEntropy();                       // from logits
/// float l = bce.Forward(logits, labels);                    // logits (N, 1), labels (N) of 0/1
/// var bceP = new BinaryCrossEntropy(fromLogits: false);     // output already through a sigmoid
/// </code></example>
public sealed class BinaryCrossEntropy : Loss
{
    private Tensor? _output;
    private Tensor? _target;

    /// <summary>
    /// Creates the loss. <paramref name="fromLogits"/>: whether the output is a raw score (true) or a
    /// probability (false). <paramref name="epsilon"/>: the clamp of the probability form, in (0, 0.5).
    /// </summary>
    public BinaryCrossEntropy(bool fromLogits = true, float epsilon = 1e-7f)
    {
        if (!(epsilon > 0f && epsilon < 0.5f))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"BinaryCrossEntropy: expected epsilon in (0, 0.5), got {Format(epsilon)}. Keras uses 1e-7.");
        FromLogits = fromLogits;
        Epsilon = epsilon;
    }

    /// <summary>True when the output is a raw score and the sigmoid is applied inside the loss.</summary>
    public bool FromLogits { get; }

    /// <summary>The clamp ε of the probability form: probabilities are kept in [ε, 1 − ε].</summary>
    public float Epsilon { get; }

    /// <summary>The name errors use: <c>BinaryCrossEntropy(fromLogits)</c> or <c>BinaryCrossEntropy(probabilities)</c>.</summary>
    public override string Name => FromLogits ? "BinaryCrossEntropy(fromLogits)" : "BinaryCrossEntropy(probabilities)";

    private protected override double ComputeLoss(Tensor output, Tensor target)
    {
        RequireMatchingTarget(output, target);
        ReadOnlySpan<float> x = output.Span;
        ReadOnlySpan<float> t = target.Span;
        for (int e = 0; e < t.Length; e++)
        {
            if (!(t[e] >= 0f && t[e] <= 1f))
                throw new ArgumentException($"{Name}: expected targets in [0, 1] (0/1 labels or probabilities), got target[{e}] = {Format(t[e])}. Binary labels are 0 or 1.", nameof(target));
        }
        if (!FromLogits)
        {
            // A value outside [0, 1] is a raw score passed to the probability form: say so rather
            // than clamp it silently. (NaN falls through to the finite-loss check.)
            for (int e = 0; e < x.Length; e++)
            {
                if (x[e] < 0f || x[e] > 1f)
                    throw new ArgumentException($"{Name}: expected probabilities in [0, 1] (the output of a sigmoid), got output[{e}] = {Format(x[e])}. For raw scores use new BinaryCrossEntropy(fromLogits: true).", nameof(output));
            }
        }
        _output = output;                                         // cached for the gradient
        _target = target;

        double total = 0;
        if (FromLogits)
        {
            for (int e = 0; e < x.Length; e++)
            {
                double v = x[e];
                // max(v, 0) − v·t + log(1 + exp(−|v|))
                total += Math.Max(v, 0) - v * t[e] + double.LogP1(Math.Exp(-Math.Abs(v)));
            }
        }
        else
        {
            for (int e = 0; e < x.Length; e++)
            {
                double p = Clamp(x[e]);
                total -= t[e] * Math.Log(p) + (1 - t[e]) * Math.Log(1 - p);
            }
        }
        return total / x.Length;
    }

    private protected override void ComputeGradient(Span<float> gradient)
    {
        ReadOnlySpan<float> x = _output!.Span;
        ReadOnlySpan<float> t = _target!.Span;
        double invM = 1.0 / x.Length;
        if (FromLogits)
        {
            for (int e = 0; e < x.Length; e++)
                gradient[e] = (float)((Sigmoid(x[e]) - t[e]) * invM);   // (σ(x) − t) / M
        }
        else
        {
            for (int e = 0; e < x.Length; e++)
            {
                double p = Clamp(x[e]);
                gradient[e] = (float)((p - t[e]) / (p * (1 - p)) * invM); // (p̂ − t) / (p̂(1 − p̂)) / M
            }
        }
    }

    private double Clamp(float p) => Math.Clamp(p, (double)Epsilon, 1.0 - Epsilon);

    /// <summary>σ(v) without overflow: for v &lt; 0 it is computed as e^v / (1 + e^v).</summary>
    private static double Sigmoid(double v)
    {
        if (v >= 0)
            return 1 / (1 + Math.Exp(-v));
        double e = Math.Exp(v);
        return e / (1 + e);
    }
}
