// Dropout.cs — inverted dropout (Srivastava et al. 2014), the lectures' regularizer.
//
//   training   mask_i = 1/(1 − p) with probability 1 − p, else 0;   y = x ⊙ mask
//   inference  y = x (the 1/(1 − p) scaling in training keeps E[y] equal, so nothing to undo)
//   backward   dx = dy ⊙ mask (training),  dx = dy (inference)
//
// Works on any shape. The mask comes from this layer's own CortexRandom, so a seeded layer drops
// the same units every run.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Inverted dropout: in training zeroes each element with probability p and scales the rest by 1/(1 − p); identity in inference.</summary>
/// <example><code>
/// var drop = new Dropout(0.5, new CortexRandom(7));
/// var y = drop.Forward(x, training: true);    // about half of x zeroed, the rest doubled
/// var z = drop.Forward(x, training: false);   // z is x
/// </code></example>
public sealed class Dropout : Layer, IStochasticLayer
{
    private readonly CortexRandom _random;
    private Tensor? _mask, _output, _inputGradient;
    private bool _lastTraining, _ran;

    /// <summary>
    /// Creates a dropout layer with drop probability <paramref name="p"/> in [0, 1]. The mask is drawn
    /// from <paramref name="random"/>, or from a generator forked off <see cref="CortexRandom.Global"/>.
    /// </summary>
    public Dropout(double p = 0.5, CortexRandom? random = null, string name = "dropout") : base(name)
    {
        if (!(p is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1], got {p}.");
        P = p;
        _random = random ?? CortexRandom.Global.Fork();
    }

    /// <summary>Creates a dropout layer whose masks come from a generator seeded with <paramref name="seed"/>.</summary>
    public Dropout(double p, ulong seed, string name = "dropout") : this(p, new CortexRandom(seed), name) { }

    /// <summary>The probability of dropping each element.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public bool FreezeRandomness { get; set; }

    /// <inheritdoc/>
    public CortexRandom Random => _random;

    public override Shape OutputShape(Shape input) => input;

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ran = true;
        _lastTraining = training;
        if (!training || P == 0)
        {
            _lastTraining = false;
            return input;                                   // identity: no copy
        }
        bool redraw = !FreezeRandomness || _mask is null || _mask.Shape != input.Shape;
        var mask = Reuse(ref _mask, input.Shape);
        if (redraw)
            DrawMask(mask.Span, P, _random);
        var y = Reuse(ref _output, input.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(input.Span, mask.Span, y.Span);   // y = x ⊙ mask
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        if (!_lastTraining)
            return outputGradient;                          // dx = dy
        var mask = _mask!;
        if (outputGradient.Shape != mask.Shape)
            throw OutputGradientShapeError(mask.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, mask.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient.Span, mask.Span, dx.Span);   // dx = dy ⊙ mask
        return dx;
    }

    /// <summary>Fills <paramref name="mask"/> with 0 (probability p) or 1/(1 − p).</summary>
    internal static void DrawMask(Span<float> mask, double p, CortexRandom random)
    {
        float keep = p >= 1 ? 0f : (float)(1.0 / (1.0 - p));
        for (int i = 0; i < mask.Length; i++)
            mask[i] = random.NextDouble() < p ? 0f : keep;
    }
}
