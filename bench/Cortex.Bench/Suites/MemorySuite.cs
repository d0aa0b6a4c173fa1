// MemorySuite.cs — `memory`: managed allocation per training step, and the process's peak
// working set.
//
// Per network (Network.Classic: LeNet-5, SimpleConvNet, the Keras CIFAR net; not the ResNets, whose
// 25 steps a side would take minutes), after 5 warm-up steps, around 20 more steps:
//   calling thread   GC.GetAllocatedBytesForCurrentThread() delta / steps — exact, this thread only
//   all threads      GC.GetTotalAllocatedBytes(precise: true) delta / steps — includes worker
//                    threads (and anything else the process allocates meanwhile, e.g. a timer)
// for Cortex and, on the peer side, for the TorchSharp training step: libtorch's own memory is
// native and not counted there; what is counted is the managed wrapper objects a TorchSharp step
// creates (tensor handles, dispose scopes), i.e. the garbage a .NET caller of libtorch makes.
// Cortex's goal is zero: its layers reuse their buffers.
//
// Peak working set: each side trains the network (LeNet-5, SimpleConvNet, the Keras net, ResNet-20)
// for 25 steps in a child process of its own (PeakMemoryChild), which reports
// Process.PeakWorkingSet64: .NET runtime, library, model, activations and workspaces, and for
// libtorch its native library and allocator.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Kernels;

namespace Cortex.Bench.Suites;

/// <summary>Managed bytes per training step (Cortex vs the TorchSharp caller) and the run's peak working set.</summary>
public sealed class MemorySuite : Suite
{
    private const int WarmUpSteps = 5;
    private const int Steps = 20;

    /// <inheritdoc/>
    public override string Name => "memory";

    /// <inheritdoc/>
    public override string Description => "Managed bytes allocated per training step after warm-up (Cortex vs the TorchSharp caller), and the peak working set of the run.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = context.LibTorch;
        Parallelism.MaxDegree = context.Threads;
        foreach (var network in Network.Classic)
        {
            long started = Stopwatch.GetTimestamp();
            using var cortex = new CortexRig(network, network.TrainBatch);
            using var peer = new TorchRig(network, network.TrainBatch);
            var (cortexThread, cortexAll) = Allocated(cortex.Train);
            var (peerThread, peerAll) = Allocated(peer.Train);
            string details = $"batch {network.TrainBatch}, {network.InputText}, {network.OptimizerText}";
            var thread = new ResultRow(Name, $"{network.Name} train step, calling thread", details, "bytes/step", HigherIsBetter: false,
                Single(cortexThread), Single(peerThread), Note: null);
            var all = new ResultRow(Name, $"{network.Name} train step, all threads", details, "bytes/step", HigherIsBetter: false,
                Single(cortexAll), Single(peerAll));
            NetworkSuites.Progress(context, thread, started);
            NetworkSuites.Progress(context, all, started);
            yield return thread;
            yield return all;
        }

        // Peak working set per side, each side training in a process of its own (PeakMemoryChild).
        foreach (var network in (Network[])[.. Network.Classic, Network.ResNets[0]])
        {
            long started = Stopwatch.GetTimestamp();
            double cortexPeak = PeakMemoryChild.Measure("cortex", network, context.Threads);
            double peerPeak = PeakMemoryChild.Measure("libtorch", network, context.Threads);
            var peak = new ResultRow(Name, $"{network.Name} training, peak working set", $"batch {network.TrainBatch}, {network.InputText}, own process per side",
                "MiB", HigherIsBetter: false, Single(cortexPeak), Single(peerPeak));
            NetworkSuites.Progress(context, peak, started);
            yield return peak;
        }
    }

    /// <summary>Managed bytes per step after warm-up: on the calling thread, and in the whole process.</summary>
    private static (double Thread, double All) Allocated(Action step)
    {
        for (int i = 0; i < WarmUpSteps; i++)
            step();
        long thread = GC.GetAllocatedBytesForCurrentThread();
        long all = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Steps; i++)
            step();
        long threadAfter = GC.GetAllocatedBytesForCurrentThread();
        long allAfter = GC.GetTotalAllocatedBytes(precise: true);
        return ((threadAfter - thread) / (double)Steps, (allAfter - all) / (double)Steps);
    }

    private static Statistic Single(double value) => new(value, value, value, 1);
}
