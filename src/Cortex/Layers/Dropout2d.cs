// Dropout2d.cs — spatial dropout (Tompson et al. 2015): drops whole channels of (N, C, H, W).
//
// Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
// regularizes little; dropping the whole map does. One mask value per (n, c), scaled 1/(1 − p).
//
//   training   y[n, c, :, :] = x[n, c, :, :] · mask[n, c]
//   backward   dx[n, c, :, :] = dy[n, c, :, :] · mask[n, c]
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Channel-wise inverted dropout for (N, C, H, W) inputs (any rank ≥ 2: one draw per (n, c)).</summary>
/// <example><code>var drop = new Dropout2d(0.2, new CortexRandom(7));</code></example>
public sealed class Dropout2d : Layer, IStochasticLayer
{
    private readonly CortexRandom _random;
    private Tensor? _mask, _output, _inputGradient;
    private bool _lastTraining, _ran;

    /// <summary>Creates the layer with channel drop probability <paramref name="p"/> in [0, 1].</summary>
    public Dropout2d(double p = 0.5, CortexRandom? random = null, string name = "dropout") : base(name)
    {
        if (!(p is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout2d: p must be in [0, 1], got {p}.");
        P = p;
        _random = random ?? CortexRandom.Global.Fork();
    }

    /// <summary>The probability of dropping each channel.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public bool FreezeRandomness { get; set; }

    /// <inheritdoc/>
    public CortexRandom Random => _random;

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank < 2)
            throw InputShapeError("[N, C, H, W]", input, "Dropout2d drops whole channels; use Dropout for flat features.");
        return input;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShape(input.Shape);
        _ran = true;
        _lastTraining = training && P > 0;
        if (!_lastTraining)
            return input;
        bool fits = _mask is not null && _mask.Shape[0] == shape[0] && _mask.Shape[1] == shape[1];
        bool redraw = !FreezeRandomness || !fits;
        var mask = fits ? _mask! : Reuse(ref _mask, new Shape(shape[0], shape[1]));   // one value per (n, c)
        if (redraw)
            Dropout.DrawMask(mask.Span, P, _random);
        var y = Reuse(ref _output, shape);
        Scale(input.Span, mask.Span, y.Span, shape.SizeFrom(2));
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        if (!_lastTraining)
            return outputGradient;
        var y = _output!;
        if (outputGradient.Shape != y.Shape)
            throw OutputGradientShapeError(y.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, y.Shape);
        Scale(outputGradient.Span, _mask!.Span, dx.Span, y.Shape.SizeFrom(2));
        return dx;
    }

    // dst[(n, c), :] = src[(n, c), :] · mask[n, c]
    private static void Scale(ReadOnlySpan<float> src, ReadOnlySpan<float> mask, Span<float> dst, int plane)
    {
        for (int nc = 0; nc < mask.Length; nc++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(src.Slice(nc * plane, plane), mask[nc], dst.Slice(nc * plane, plane));
    }
}
