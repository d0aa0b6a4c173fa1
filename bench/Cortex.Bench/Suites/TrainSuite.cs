// TrainSuite.cs — `train`: training throughput in images/s of whole networks (Network.All: LeNet-5,
// SimpleConvNet, the Keras CIFAR net, ResNet-20, ResNet-18 at 32×32), Cortex against the same
// architecture in libtorch, one complete step per call: zero the gradients, forward, softmax
// cross-entropy, backward, optimizer step, on a random batch. Both sides use the same thread count;
// each step's work is the batch size in images. Before timing a network, ArchitectureCheck proves
// the two definitions agree (same parameter shapes, same outputs); the row's details show the
// shared parameter count and its `check` column the output difference.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Kernels;

namespace Cortex.Bench.Suites;

/// <summary>Training images/s of the small networks and two ResNets, Cortex vs libtorch.</summary>
public sealed class TrainSuite : Suite
{
    private const string Unit = "images/s";

    /// <inheritdoc/>
    public override string Name => "train";

    /// <inheritdoc/>
    public override string Description => "Training step images/s (zero grads, forward, loss, backward, optimizer step): Cortex vs libtorch, same architecture.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = context.LibTorch;
        Parallelism.MaxDegree = context.Threads;
        foreach (var network in Network.All)
            yield return RunCase(context, network, NetworkSuites.Check(context, network));
    }

    private ResultRow RunCase(BenchContext context, Network network, ArchitectureCheck check)
    {
        long started = Stopwatch.GetTimestamp();
        int batch = network.TrainBatch;
        using var cortex = new CortexRig(network, batch);
        using var peer = new TorchRig(network, batch);
        var samples = Measure.Alternating([new Contender("Cortex", cortex.Train), new Contender("libtorch", peer.Train)], context.Settings);
        string details = $"batch {batch}, {network.InputText}, {network.OptimizerText}, {check.ParametersText}";
        var row = new ResultRow(Name, network.Name, details, Unit, HigherIsBetter: true,
            samples[0].Rate(batch), samples[1].Rate(batch), Check: check.Difference);
        NetworkSuites.Progress(context, row, started);
        return row;
    }
}
