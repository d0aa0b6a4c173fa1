// InferSuite.cs — `infer`: inference of whole networks, Cortex (Forward with training: false, batch
// norms folded into their convolutions by BatchNormFolding, as `cortex eval`/`predict` run a model)
// against the same architecture in libtorch (eval mode, no_grad), on random inputs:
//
//   throughput   images/s of Network.All (LeNet-5, SimpleConvNet, the Keras CIFAR net, ResNet-20,
//                ResNet-18 at 32×32) at batch 1 and batch 64. Batch 1 is latency-bound (per-layer
//                overhead, thread hand-offs); batch 64 is throughput-bound.
//   latency      ResNet-50 at 3×224×224, batch 1: milliseconds per image (lower is better), Cortex's
//                ModelZoo "resnet50" against TorchResNets.ResNet50.
//
//   ONNX Runtime the same cases against ONNX Runtime (CPU, the bench's threads) running Cortex's own
//                model exported by OnnxExporter (Peers/OnnxRuntimePeer.cs): rows with the peer "ONNX Runtime",
//                their `check` the largest difference of its output from Cortex's.
//
// Before timing a network, ArchitectureCheck proves the two definitions agree (same parameter shapes,
// same outputs); the row's details show the shared parameter count and its `check` column the output
// difference.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Bench.Peers;
using Cortex.Kernels;

namespace Cortex.Bench.Suites;

/// <summary>Inference images/s at batch 1 and 64, and ResNet-50 batch-1 latency, Cortex vs libtorch.</summary>
public sealed class InferSuite : Suite
{
    private const string Unit = "images/s";
    private const string LatencyUnit = "ms/image";

    /// <inheritdoc/>
    public override string Name => "infer";

    /// <inheritdoc/>
    public override string Description => "Inference images/s at batch 1 and 64, and ResNet-50 batch-1 latency at 224×224: Cortex vs libtorch (eval, no_grad), same architecture, and vs ONNX Runtime running Cortex's exported model.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = context.LibTorch;
        Parallelism.MaxDegree = context.Threads;
        foreach (var network in Network.All)
        {
            var check = NetworkSuites.Check(context, network);
            foreach (int batch in (int[])[1, 64])
                yield return RunCase(context, network, batch, check);
        }
        yield return RunLatency(context, Network.ResNet50, NetworkSuites.Check(context, Network.ResNet50));
        foreach (var network in Network.All)
        {
            foreach (int batch in (int[])[1, 64])
                yield return RunOnnxRuntime(context, network, batch);
        }
        yield return RunOnnxRuntimeLatency(context, Network.ResNet50);
    }

    private ResultRow RunOnnxRuntime(BenchContext context, Network network, int batch)
    {
        long started = Stopwatch.GetTimestamp();
        using var cortex = new CortexRig(network, batch, inference: true);
        using var peer = new OnnxRuntimeRig(network, batch, context.Threads);
        var samples = Measure.Alternating([new Contender("Cortex", cortex.Infer), new Contender(OnnxRuntimePeerName, peer.Infer)], context.Settings);
        var row = new ResultRow(Name, $"{network.Name}, batch {batch}", $"batch {batch}, {network.InputText}, Cortex's model exported to ONNX (opset 13)", Unit, HigherIsBetter: true,
            samples[0].Rate(batch), samples[1].Rate(batch), Check: peer.Difference)
        { PeerName = OnnxRuntimePeerName };
        NetworkSuites.Progress(context, row, started);
        return row;
    }

    private ResultRow RunOnnxRuntimeLatency(BenchContext context, Network network)
    {
        long started = Stopwatch.GetTimestamp();
        using var cortex = new CortexRig(network, 1, inference: true);
        using var peer = new OnnxRuntimeRig(network, 1, context.Threads);
        var samples = Measure.Alternating([new Contender("Cortex", cortex.Infer), new Contender(OnnxRuntimePeerName, peer.Infer)], context.Settings);
        var row = new ResultRow(Name, $"{network.Name} latency, batch 1", $"batch 1, {network.InputText}, Cortex's model exported to ONNX (opset 13)", LatencyUnit, HigherIsBetter: false,
            samples[0].Seconds.Scale(1000), samples[1].Seconds.Scale(1000), Check: peer.Difference,
            Note: "a time: lower is better, and Cortex/ONNX Runtime above 1 means Cortex is slower")
        { PeerName = OnnxRuntimePeerName };
        NetworkSuites.Progress(context, row, started);
        return row;
    }

    private const string OnnxRuntimePeerName = "ONNX Runtime";

    private ResultRow RunCase(BenchContext context, Network network, int batch, ArchitectureCheck check)
    {
        long started = Stopwatch.GetTimestamp();
        using var cortex = new CortexRig(network, batch, inference: true);
        using var peer = new TorchRig(network, batch);
        var samples = Measure.Alternating([new Contender("Cortex", cortex.Infer), new Contender("libtorch", peer.Infer)], context.Settings);
        var row = new ResultRow(Name, $"{network.Name}, batch {batch}", $"batch {batch}, {network.InputText}, {check.ParametersText}", Unit, HigherIsBetter: true,
            samples[0].Rate(batch), samples[1].Rate(batch), Check: check.Difference);
        NetworkSuites.Progress(context, row, started);
        return row;
    }

    // One image per call; the median time per call in milliseconds.
    private ResultRow RunLatency(BenchContext context, Network network, ArchitectureCheck check)
    {
        long started = Stopwatch.GetTimestamp();
        using var cortex = new CortexRig(network, 1, inference: true);
        using var peer = new TorchRig(network, 1);
        var samples = Measure.Alternating([new Contender("Cortex", cortex.Infer), new Contender("libtorch", peer.Infer)], context.Settings);
        var row = new ResultRow(Name, $"{network.Name} latency, batch 1", $"batch 1, {network.InputText}, {check.ParametersText}", LatencyUnit, HigherIsBetter: false,
            samples[0].Seconds.Scale(1000), samples[1].Seconds.Scale(1000), Check: check.Difference,
            Note: "a time: lower is better, and Cortex/libtorch above 1 means Cortex is slower");
        NetworkSuites.Progress(context, row, started);
        return row;
    }
}
