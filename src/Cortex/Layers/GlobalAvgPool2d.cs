// GlobalAvgPool2d.cs — the mean of each feature map (NIN, GoogLeNet and ResNet heads), PyTorch's
// nn.AdaptiveAvgPool2d(1).
//
//   x: (N, C, H, W)   y: (N, C, 1, 1)
//   y[n, c, 0, 0] = mean over H·W of x[n, c]        dx[n, c, h, w] = dy[n, c, 0, 0] / (H·W)
//
// The output keeps rank 4 ((N, C, 1, 1), as PyTorch's AdaptiveAvgPool2d(1)), so a Flatten follows
// before a Dense head. Any H×W works: this is what lets ResNet take inputs of any size.
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>Global average pooling: (N, C, H, W) → (N, C, 1, 1).</summary>
/// <example><code>
/// var gap = new GlobalAvgPool2d();
/// Tensor y = gap.Forward(features, training: true);   // (64, 512, 7, 7) → (64, 512, 1, 1)
/// </code></example>
public sealed class GlobalAvgPool2d(string name = "pool") : Layer(name)
{
    private Tensor? _output;
    private Tensor? _inputGradient;
    private Shape _inputShape;

    public override Shape OutputShape(Shape input)
    {
        Check(input);
        return new Shape(input[0], input[1], 1, 1);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = input.Shape;
        Check(s);
        var y = ConvolutionSupport.Reuse(ref _output, [s[0], s[1], 1, 1]);
        GlobalAveragePooling2d.Forward(s[0], s[1], s[2], s[3], input.Span, y.Span);   // y = mean over H·W
        _inputShape = s;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_output is null)
            throw BackwardBeforeForward();
        if (outputGradient.Shape != _output.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        var s = _inputShape;
        var dx = Reuse(ref _inputGradient, s);
        dx.Span.Clear();
        GlobalAveragePooling2d.Backward(s[0], s[1], s[2], s[3], outputGradient.Span, dx.Span);   // dx = dy / (H·W)
        return dx;
    }

    private void Check(Shape input)
    {
        if (input.Rank != 4)
            throw new ArgumentException($"{Describe()}: expects input [N, C, H, W] (rank 4), got {input} (rank {input.Rank}).", nameof(input));
        if (input[1] < 1 || input[2] < 1 || input[3] < 1)
            throw new ArgumentException($"{Describe()}: expects at least one channel and a 1×1 image, got {input}.", nameof(input));
    }
}
