// Activation.cs — the shared shape of element-wise activations: y = f(x), dx = f'(x) ⊙ dy.
//
// A subclass writes two span functions, the forward and its derivative side by side
// (micrograd style). This base caches x and y (both are handed to the derivative, which uses
// whichever is cheaper: σ' = y(1 − y), ReLU' = [x > 0]), reuses the output and gradient
// buffers, and checks shapes. Any input shape works; the output has the input's shape.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Base of element-wise activations (<see cref="ReLU"/>, <see cref="Sigmoid"/>, …): same shape in and out.</summary>
public abstract class Activation(string name) : Layer(name)
{
    private Tensor? _input, _output, _inputGradient;

    /// <summary>y = f(x), element by element.</summary>
    protected abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = f'(x) ⊙ dy, given the cached x and y = f(x).</summary>
    protected abstract void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    public override Shape OutputShape(Shape input) => input;

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = Reuse(ref _output, input.Shape);
        Apply(input.Span, y.Span);
        _input = input;                                   // cached for Backward
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = _input ?? throw BackwardBeforeForward();
        var y = _output!;
        if (outputGradient.Shape != y.Shape)
            throw OutputGradientShapeError(y.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, x.Shape);
        Derive(x.Span, y.Span, outputGradient.Span, dx.Span);
        return dx;
    }
}
