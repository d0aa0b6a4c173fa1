// BenchContext.cs — what every suite shares during one run of the bench program: the console,
// the thread count both sides use, the timing budget, the machine's measured FMA peak and the
// libtorch peer (both measured/loaded once, on first use).
using Cortex.Bench.Machine;
using Cortex.Bench.Peers;
using Spectre.Console;

namespace Cortex.Bench.Harness;

/// <summary>Shared state of one bench run.</summary>
public sealed class BenchContext(IAnsiConsole console, int threads, MeasureSettings settings, double maxCallSeconds)
{
    private MachinePeak? _peak;
    private LibTorchPeer? _libTorch;

    /// <summary>Where progress and tables go.</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>Threads for Cortex (<c>Parallelism.MaxDegree</c>) and for the peer (<c>torch.set_num_threads</c>).</summary>
    public int Threads { get; } = threads;

    /// <summary>Warm-up, sample and round budget for <see cref="Measure.Alternating"/>.</summary>
    public MeasureSettings Settings { get; } = settings;

    /// <summary>A side whose single call is predicted to take longer than this is skipped for that case.</summary>
    public double MaxCallSeconds { get; } = maxCallSeconds;

    /// <summary>The FP32 FMA peak of this machine, measured on first use.</summary>
    public MachinePeak Peak => _peak ??= MeasurePeak();

    /// <summary>libtorch, patched, loaded and set to <see cref="Threads"/> threads on first use.</summary>
    public LibTorchPeer LibTorch => _libTorch ??= LoadLibTorch();

    private MachinePeak MeasurePeak()
    {
        var peak = FmaPeak.Measure(Threads);
        Console.MarkupLineInterpolated(
            $"FP32 peak ({peak.Instruction}, register-only FMA loop): [bold]{peak.PerThread:0.0}[/] GFLOP/s per thread, [bold]{peak.Total:0.0}[/] GFLOP/s on {peak.Threads} threads");
        return peak;
    }

    private LibTorchPeer LoadLibTorch()
    {
        var peer = LibTorchPeer.Load(Threads);
        foreach (var line in peer.Report)
            Console.MarkupLineInterpolated($"[grey]{line}[/]");
        Console.MarkupLineInterpolated($"Peer: libtorch {peer.Version} via TorchSharp {peer.TorchSharpVersion}, {peer.Threads} threads");
        return peer;
    }
}
