// Regularizer.cs — a penalty λR(W) added to the data loss (the lectures' L = (1/N) Σ Lᵢ + λR(W)),
// applied to a group of parameters: usually the weights and not the biases, with one λ per group.
//
//   reported loss  += Penalty(group)        λR(W), summed over the group's trainable parameters
//   gradients      += AddGradients(group)   λ dR/dW, added (+=) into each Parameter.Gradient
//
// Call AddGradients after the model's Backward and before the optimizer step. Frozen parameters
// (Trainable == false) are skipped by both. Sums are carried in double across tensors.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Losses;

/// <summary>
/// A weight penalty over a group of parameters: its value to add to the reported loss and its
/// gradient to add into the parameters' gradients. Use one regularizer per group for a λ per group.
/// </summary>
/// <example><code>
/// var l2 = Regularizer.L2(5e-4f);
/// var weights = ParameterGroups.Weights(model);            // every "weight", no biases
/// float loss = lossFn.Forward(model.Forward(x, true), y);
/// double reported = loss + l2.Penalty(weights);
/// model.Backward(lossFn.Backward());
/// l2.AddGradients(weights);                               // grad += λ dR/dW
/// </code></example>
public abstract class Regularizer
{
    /// <summary>L1: λ Σ |w|.</summary>
    public static L1Regularizer L1(float lambda) => new(lambda);

    /// <summary>L2: λ Σ w² (no ½; see <see cref="L2Regularizer"/>).</summary>
    public static L2Regularizer L2(float lambda) => new(lambda);

    /// <summary>Elastic net: λ₁ Σ |w| + λ₂ Σ w².</summary>
    public static ElasticNetRegularizer ElasticNet(float l1, float l2) => new(l1, l2);

    /// <summary>The penalty of <paramref name="parameters"/>' values (trainable ones only), to add to the reported loss.</summary>
    public double Penalty(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double total = 0;
        foreach (var p in parameters)
        {
            if (p.Trainable)
                total += PenaltyOf(p.Value.Span);
        }
        return total;
    }

    /// <summary>Adds (+=) the penalty's gradient into each trainable parameter's <see cref="Parameter.Gradient"/>.</summary>
    public void AddGradients(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters)
        {
            if (p.Trainable)
                AddGradientOf(p.Value.Span, p.Gradient.Span);
        }
    }

    /// <summary>The penalty of one tensor of weights.</summary>
    public double Penalty(Tensor weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return PenaltyOf(weights.Span);
    }

    /// <summary>Adds (+=) the penalty's gradient at <paramref name="weights"/> into <paramref name="gradient"/> (same shape).</summary>
    public void AddGradient(Tensor weights, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(gradient);
        if (weights.Shape != gradient.Shape)
            throw new ArgumentException($"{GetType().Name}: expected a gradient of the weights' shape {weights.Shape}, got {gradient.Shape}.", nameof(gradient));
        AddGradientOf(weights.Span, gradient.Span);
    }

    /// <summary>R of one tensor's values, λ included.</summary>
    protected abstract double PenaltyOf(ReadOnlySpan<float> w);

    /// <summary>g += λ dR/dw for one tensor.</summary>
    protected abstract void AddGradientOf(ReadOnlySpan<float> w, Span<float> g);

    /// <summary>
    /// Σ f(w) in chunks: each chunk summed in float by TensorPrimitives (SIMD), the chunks in double,
    /// so that a penalty over millions of weights keeps its digits without a scalar double loop.
    /// </summary>
    private protected static double ChunkedSum(ReadOnlySpan<float> w, SpanSum sum)
    {
        const int Chunk = 4096;
        double total = 0;
        for (int start = 0; start < w.Length; start += Chunk)
            total += sum(w.Slice(start, Math.Min(Chunk, w.Length - start)));
        return total;
    }

    /// <summary>A float reduction over a span (TensorPrimitives.SumOfSquares, SumOfMagnitudes).</summary>
    private protected delegate float SpanSum(ReadOnlySpan<float> values);

    /// <summary>Checks a strength λ: finite and ≥ 0.</summary>
    private protected static float CheckStrength(float lambda, string who, string parameterName)
    {
        if (!(lambda >= 0f && float.IsFinite(lambda)))
            throw new ArgumentOutOfRangeException(parameterName, $"{who}: expected a finite strength {parameterName} ≥ 0, got {lambda.ToString(System.Globalization.CultureInfo.InvariantCulture)}. Typical values are 1e-5 to 1e-3.");
        return lambda;
    }
}
