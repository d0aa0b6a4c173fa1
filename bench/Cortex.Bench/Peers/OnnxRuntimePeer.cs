// OnnxRuntimePeer.cs — ONNX Runtime (NuGet Microsoft.ML.OnnxRuntime, CPU execution provider) running
// Cortex's own model exported by OnnxExporter: what a .NET developer would deploy a trained Cortex
// network with. The session uses the bench's thread count for its intra-op pool (one inter-op
// thread, sequential execution) and every graph optimization (ORT_ENABLE_ALL, its default, which
// also fuses batch norms and activations into the convolutions); Cortex's side runs the same model
// with its batch norms folded (CortexRig with inference: true).
using Cortex.Bench.Suites;
using Cortex.Layers;
using Cortex.Onnx;
using Cortex.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using CortexTensor = Cortex.Tensors.Tensor;

namespace Cortex.Bench.Peers;

/// <summary>ONNX Runtime's side of an inference comparison: Cortex's exported model in an InferenceSession.</summary>
public sealed class OnnxRuntimeRig : INetworkRig
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly NamedOnnxValue[] _inputs;

    /// <summary>Exports <paramref name="network"/>'s Cortex model and opens it for batches of <paramref name="batch"/> on <paramref name="threads"/> threads.</summary>
    public OnnxRuntimeRig(Network network, int batch, int threads)
    {
        ArgumentNullException.ThrowIfNull(network);
        Layer model = network.CreateCortex();
        var input = new Shape(network.Channels, network.Size, network.Size);
        byte[] onnx = OnnxExporter.ToBytes(model, new OnnxExportOptions(input));
        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _session = new InferenceSession(onnx, _options);
        var x = CortexTensor.RandomNormal(new Shape(batch, network.Channels, network.Size, network.Size), new CortexRandom(7));
        _inputs = [NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x.ToArray(), x.Shape.Dimensions.ToArray()))];

        // The check: ONNX Runtime's output against Cortex's on the same batch (largest difference relative to the largest output).
        var expected = model.Forward(x, training: false);
        using var results = _session.Run(_inputs);
        Difference = Compare.RelativeDifference(expected.Span, results[0].AsTensor<float>().ToArray());
    }

    /// <summary>max |y_ort − y_cortex| / max |y_cortex| on the rig's batch.</summary>
    public double Difference { get; }

    /// <summary>Not measured here: ONNX Runtime is an inference engine.</summary>
    public void Train() => throw new NotSupportedException("OnnxRuntimeRig: ONNX Runtime (inference build) does not train.");

    /// <inheritdoc/>
    public void Infer()
    {
        using var results = _session.Run(_inputs);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
