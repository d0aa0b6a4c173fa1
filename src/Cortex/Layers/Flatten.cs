// Flatten.cs — (N, C, H, W) → (N, C·H·W): a view of the same storage, never a copy.
//
//   forward   y  = x viewed as (N, rest)
//   backward  dx = dy viewed as x's shape
//
// The views are cached by input identity: a previous layer that reuses its buffers hands us the
// same tensor every batch, so after the first batch no view object is allocated either.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Flattens every axis after the batch axis: (N, d1, d2, …) → (N, d1·d2·…). No copy.</summary>
/// <example><code>
/// var model = new Sequential(new Flatten(), new Dense(28 * 28, 10));   // x: (64, 1, 28, 28)
/// </code></example>
public sealed class Flatten(string name = "flatten") : Layer(name)
{
    private Tensor? _input, _output, _outputGradient, _inputGradient;
    private Shape _inputShape;

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank < 2)
            throw InputShapeError("[N, …] with at least 2 axes", input, "Flatten keeps the batch axis and joins the rest.");
        return new Shape(input[0], input.SizeFrom(1));
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!ReferenceEquals(input, _input) || _output is null)
        {
            _output = input.Reshape(OutputShape(input.Shape));
            _input = input;
        }
        _inputShape = input.Shape;
        return _output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_output is null)
            throw BackwardBeforeForward();
        if (outputGradient.Shape != _output.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        if (!ReferenceEquals(outputGradient, _outputGradient) || _inputGradient is null || _inputGradient.Shape != _inputShape)
        {
            _inputGradient = outputGradient.Reshape(_inputShape);
            _outputGradient = outputGradient;
        }
        return _inputGradient;
    }
}
