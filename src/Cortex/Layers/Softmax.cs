// Softmax.cs — the standalone softmax layer, along the feature/channel axis (axis 1).
//
//   x: (N, C) or (N, C, d1, …)     y: same shape, each of the N·d1·… fibres along C sums to 1
//
//   forward   y_c = e^(x_c − m) / Σ_j e^(x_j − m),  m = max_j x_j     (stable: no exp overflow)
//   backward  dx_c = y_c (dy_c − Σ_j dy_j y_j)                       (the softmax Jacobian times dy)
//
// Not here: the loss. Training a classifier should use the fused softmax-cross-entropy loss, which
// is both faster and more accurate than this layer followed by a log.
using System.Numerics.Tensors;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>Softmax along axis 1 (the class or channel axis), numerically stable.</summary>
/// <example><code>
/// var probabilities = new Softmax().Forward(scores, training: false);   // scores: (N, 10)
/// </code></example>
public sealed class Softmax(string name = "softmax") : Layer(name)
{
    private Tensor? _output, _inputGradient;

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank < 2)
            throw InputShapeError("[N, C, …] with at least 2 axes", input, "Softmax runs along axis 1; add the batch axis.");
        return input;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShape(input.Shape);
        var y = Reuse(ref _output, shape);
        int outer = shape[0], c = shape[1], inner = shape.SizeFrom(2);
        var xs = input.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
        {
            int start = o * c * inner;
            if (inner == 1)
            {
                var xRow = xs.Slice(start, c);
                var yRow = ys.Slice(start, c);
                float max = c == 0 ? 0f : TensorPrimitives.Max(xRow);
                TensorPrimitives.Subtract(xRow, max, yRow);      // x − m
                TensorPrimitives.Exp(yRow, yRow);                // e^(x − m)
                TensorPrimitives.Divide(yRow, TensorPrimitives.Sum<float>(yRow), yRow);
                continue;
            }
            for (int i = 0; i < inner; i++)                      // a strided fibre along C
            {
                int b = start + i;
                float max = float.NegativeInfinity;
                for (int j = 0; j < c; j++)
                    max = MathF.Max(max, xs[b + j * inner]);
                float sum = 0f;
                for (int j = 0; j < c; j++)
                {
                    float e = MathF.Exp(xs[b + j * inner] - max);
                    ys[b + j * inner] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int j = 0; j < c; j++)
                    ys[b + j * inner] *= inv;
            }
        }
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var y = _output ?? throw BackwardBeforeForward();
        if (outputGradient.Shape != y.Shape)
            throw OutputGradientShapeError(y.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, y.Shape);
        int outer = y.Shape[0], c = y.Shape[1], inner = y.Shape.SizeFrom(2);
        var ys = y.Span;
        var dys = outputGradient.Span;
        var dxs = dx.Span;
        for (int o = 0; o < outer; o++)
        {
            int start = o * c * inner;
            if (inner == 1)
            {
                var yRow = ys.Slice(start, c);
                var dxRow = dxs.Slice(start, c);
                float dot = TensorPrimitives.Dot(dys.Slice(start, c), yRow);   // Σ_j dy_j y_j
                TensorPrimitives.Subtract(dys.Slice(start, c), dot, dxRow);     // dy − Σ dy·y
                TensorPrimitives.Multiply(dxRow, yRow, dxRow);                  // y ⊙ (…)
                continue;
            }
            for (int i = 0; i < inner; i++)
            {
                int b = start + i;
                float dot = 0f;
                for (int j = 0; j < c; j++)
                    dot += dys[b + j * inner] * ys[b + j * inner];
                for (int j = 0; j < c; j++)
                    dxs[b + j * inner] = ys[b + j * inner] * (dys[b + j * inner] - dot);
            }
        }
        return dx;
    }
}
