// GemmSuite.cs — `gemm`: single-precision matrix multiply, Cortex's Gemm.Multiply against
// libtorch's torch.mm, on square sizes and on the shapes convolutions lower to (GemmCase).
//
// Both sides get the same random inputs and the same thread count. Cortex writes into a
// preallocated C (beta = 0); torch.mm returns a new tensor, which is disposed after each call —
// that allocation is part of what a libtorch user pays. After timing, the two results are
// compared (largest |difference| relative to the largest |value|), so a fast wrong answer shows.
// A side whose single call is predicted to exceed --max-call-seconds is skipped for that case.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Kernels;
using Spectre.Console;
using TorchSharp;

namespace Cortex.Bench.Suites;

/// <summary>GEMM throughput of Cortex and libtorch, side by side.</summary>
public sealed class GemmSuite : Suite
{
    private const string Unit = "GFLOP/s";

    /// <inheritdoc/>
    public override string Name => "gemm";

    /// <inheritdoc/>
    public override string Description => "FP32 GEMM: Cortex Gemm.Multiply vs libtorch torch.mm, square sizes and convolution shapes.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        double peak = context.Peak.Total;
        _ = context.LibTorch;                       // load and configure libtorch before any case
        Parallelism.MaxDegree = context.Threads;

        var cortexSpeed = new SpeedEstimate();
        foreach (var gemmCase in GemmCase.Standard)
            yield return RunCase(context, gemmCase, peak, cortexSpeed);
    }

    private ResultRow RunCase(BenchContext context, GemmCase gemmCase, double peak, SpeedEstimate cortexSpeed)
    {
        long started = Stopwatch.GetTimestamp();
        var (m, n, k) = (gemmCase.M, gemmCase.N, gemmCase.K);
        var random = new Random(1234);
        float[] a = RandomMatrix(random, m * k), b = RandomMatrix(random, k * n), c = new float[m * n];

        using var ta = torch.tensor(a, [m, k]);
        using var tb = torch.tensor(b, [k, n]);

        string? note = null;
        var contenders = new List<Contender>();
        double? predicted = cortexSpeed.Seconds(gemmCase.Flops);
        if (predicted > context.MaxCallSeconds)
            note = $"Cortex skipped: one call predicted to take ~{predicted:0} s (limit --max-call-seconds {context.MaxCallSeconds:0.#})";
        else
            contenders.Add(new Contender("Cortex", () => Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n)));
        contenders.Add(new Contender("libtorch", () => torch.mm(ta, tb).Dispose()));

        var samples = Measure.Alternating(contenders, context.Settings);
        var cortex = samples.FirstOrDefault(s => s.Name == "Cortex");
        var peer = samples.Single(s => s.Name == "libtorch");
        if (cortex is not null)
            cortexSpeed.Observe(gemmCase.Flops, cortex.Seconds.Median);

        double? check = null;
        if (cortex is not null)
        {
            using var reference = torch.mm(ta, tb);
            check = Compare.RelativeDifference(c, reference.data<float>().ToArray());
        }

        var row = new ResultRow(Name, gemmCase.Name, gemmCase.Shape, Unit, HigherIsBetter: true,
            cortex?.Rate(gemmCase.Flops).Scale(1e-9), peer.Rate(gemmCase.Flops).Scale(1e-9), peak, check, note);
        context.Console.MarkupLineInterpolated(
            $"  {gemmCase.Name,-32} {gemmCase.Shape,-22} Cortex {ResultsTable.Side(row.Cortex, note),-22} libtorch {ResultsTable.Side(row.Peer, null),-22} {Unit}  [grey]({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)[/]");
        return row;
    }

    private static float[] RandomMatrix(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = random.NextSingle() * 2 - 1;
        return values;
    }
}
