// InferSuite.cs — `infer`: inference throughput in images/s of whole networks (Network.All: LeNet-5,
// SimpleConvNet, the Keras CIFAR net, ResNet-20, ResNet-18 at 32×32) at batch 1 and batch 64,
// Cortex (Forward with training: false) against the same architecture in libtorch (eval mode,
// no_grad), on random inputs. Batch 1 is latency-bound (per-layer overhead, thread hand-offs);
// batch 64 is throughput-bound. Before timing a network, ArchitectureCheck proves
// the two definitions agree (same parameter shapes, same outputs); the row's details show the shared
// parameter count and its `check` column the output difference.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Kernels;
using Spectre.Console;

namespace Cortex.Bench.Suites;

/// <summary>Inference images/s at batch 1 and 64, Cortex vs libtorch.</summary>
public sealed class InferSuite : Suite
{
    private const string Unit = "images/s";

    /// <inheritdoc/>
    public override string Name => "infer";

    /// <inheritdoc/>
    public override string Description => "Inference images/s at batch 1 and 64: Cortex vs libtorch (eval, no_grad), same architecture.";

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
        context.Console.MarkupLine("  [grey]ResNet-50 batch-1 latency at 224×224: not measured yet[/]");
    }

    private ResultRow RunCase(BenchContext context, Network network, int batch, ArchitectureCheck check)
    {
        long started = Stopwatch.GetTimestamp();
        using var cortex = new CortexRig(network, batch);
        using var peer = new TorchRig(network, batch);
        var samples = Measure.Alternating([new Contender("Cortex", cortex.Infer), new Contender("libtorch", peer.Infer)], context.Settings);
        var row = new ResultRow(Name, $"{network.Name}, batch {batch}", $"batch {batch}, {network.InputText}, {check.ParametersText}", Unit, HigherIsBetter: true,
            samples[0].Rate(batch), samples[1].Rate(batch), Check: check.Difference);
        NetworkSuites.Progress(context, row, started);
        return row;
    }
}
