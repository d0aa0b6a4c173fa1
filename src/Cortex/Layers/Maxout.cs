// Maxout.cs — maxout units (Goodfellow et al. 2013): the max of k consecutive features.
//
//   x: (N, C·k, d1, …)   y: (N, C, d1, …)   y[n, c, …] = max_{p<k} x[n, c·k + p, …]
//
// The lectures write maxout as max(w₁ᵀx + b₁, w₂ᵀx + b₂): put a Dense (or convolution) with
// k times the units before this layer and it takes the max over each group of k pieces.
//
//   backward  dx[arg max] = dy, every other piece gets 0 (ties go to the lowest piece)
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Maxout along axis 1: groups of <see cref="Pieces"/> consecutive features (or channels) reduced by max.</summary>
/// <example><code>
/// // max(w₁ᵀx + b₁, w₂ᵀx + b₂) for 50 units: 100 affine outputs, max over pairs
/// var model = new Sequential(new Dense(784, 100), new Maxout(2));
/// </code></example>
public sealed class Maxout : Layer
{
    private Tensor? _output, _inputGradient;
    private Shape _inputShape;
    private int[] _argMax = [];   // the winning piece of each output, cached for Backward

    /// <summary>Creates a maxout layer taking the max over <paramref name="pieces"/> consecutive features (k ≥ 1).</summary>
    public Maxout(int pieces, string name = "maxout") : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieces);
        Pieces = pieces;
    }

    /// <summary>k, the number of pieces per output unit.</summary>
    public int Pieces { get; }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank < 2 || input[1] % Pieces != 0)
            throw InputShapeError($"[N, C·{Pieces}, …] (axis 1 a multiple of {Pieces})", input, "Give the previous layer k times the units you want out.");
        return input.With(1, input[1] / Pieces);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShapeCached(input.Shape);
        var y = Reuse(ref _output, shape);
        if (_argMax.Length != shape.Size)
            _argMax = new int[shape.Size];
        int outer = shape[0], units = shape[1], inner = shape.SizeFrom(2), k = Pieces;
        var xs = input.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
        {
            for (int u = 0; u < units; u++)
            {
                int xBase = (o * units * k + u * k) * inner;   // x[o, u·k, 0]
                int yBase = (o * units + u) * inner;           // y[o, u, 0]
                for (int i = 0; i < inner; i++)
                {
                    int best = xBase + i;
                    for (int p = 1; p < k; p++)
                    {
                        int at = xBase + p * inner + i;
                        if (xs[at] > xs[best])
                            best = at;
                    }
                    ys[yBase + i] = xs[best];
                    _argMax[yBase + i] = best;
                }
            }
        }
        _inputShape = input.Shape;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var y = _output ?? throw BackwardBeforeForward();
        if (outputGradient.Shape != y.Shape)
            throw OutputGradientShapeError(y.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, _inputShape);
        var dxs = dx.Span;
        dxs.Clear();
        var dys = outputGradient.Span;
        for (int j = 0; j < dys.Length; j++)
            dxs[_argMax[j]] = dys[j];   // only the winning piece passes the gradient
        return dx;
    }
}
