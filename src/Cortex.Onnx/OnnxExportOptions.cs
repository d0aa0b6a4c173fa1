// OnnxExportOptions.cs — what OnnxExporter needs besides the model: the input shape, and choices.
using Cortex.Tensors;

namespace Cortex.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
/// <param name="Input">The input of one example, without the batch axis: (C, H, W) for images, (features) for vectors.</param>
/// <example><code>
/// var options = new OnnxExportOptions(new Shape(1, 28, 28)) { FoldBatchNorm = true };
/// OnnxExporter.Save(model, "lenet5.onnx", options);
/// </code></example>
public sealed record OnnxExportOptions(Shape Input)
{
    /// <summary>
    /// Fold every batch norm that directly follows a convolution into that convolution's weights and bias
    /// (inference only; the model itself is not changed). Default false: batch norms stay BatchNormalization nodes.
    /// </summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>The graph input's name (default <c>input</c>), shape (N, …input) with N a symbolic batch dimension.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name (default <c>output</c>).</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>The symbolic name of the batch dimension (default <c>N</c>).</summary>
    public string BatchDimension { get; init; } = "N";

    /// <summary>The graph's name (default: the model's name).</summary>
    public string? GraphName { get; init; }
}
