// ConvSuite.cs — `conv`: one convolution, forward and forward+backward, Cortex's Conv2d layer
// against libtorch's torch.nn.functional.conv2d, in GFLOP/s and as % of the machine's FP32 peak.
//
//   case                 x                 filters        y
//   LeNet-5 conv1        64×1×28×28        6@5×5 pad 2    64×6×28×28
//   LeNet-5 conv2        64×6×14×14        16@5×5         64×16×10×10
//   ResNet 3×3           128×64×32×32      64@3×3 pad 1   128×64×32×32
//   ImageNet 7×7/2 stem  32×3×224×224      64@7×7 /2 p 3  32×64×112×112
//
// Work: forward 2·N·FN·C·KH·KW·OH·OW FLOP (the multiply-adds; the bias is not counted); forward +
// backward three times that (dx and dW are each a product of the same size; db is not counted).
// Both sides get the same x, weights, bias and dy. libtorch's forward runs under no_grad; its
// forward+backward makes x, w and b require gradients and calls y.backward(dy), which computes
// dx, dW and db as Cortex's Conv2d.Backward does (both accumulate dW and db across calls).
// The check column compares the forward outputs (max |difference| / max |value|).
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Kernels;
using Cortex.Tensors;
using TorchSharp;
using CortexTensor = Cortex.Tensors.Tensor;

namespace Cortex.Bench.Suites;

/// <summary>Convolution GFLOP/s, forward and forward+backward, Cortex Conv2d vs libtorch conv2d.</summary>
public sealed class ConvSuite : Suite
{
    private const string Unit = "GFLOP/s";

    private static readonly ConvCase[] Cases =
    [
        new("LeNet-5 conv1", 64, 1, 28, 6, 5, 1, 2),
        new("LeNet-5 conv2", 64, 6, 14, 16, 5, 1, 0),
        new("ResNet 3×3 64→64", 128, 64, 32, 64, 3, 1, 1),
        new("ImageNet 7×7/2 stem", 32, 3, 224, 64, 7, 2, 3),
    ];

    /// <inheritdoc/>
    public override string Name => "conv";

    /// <inheritdoc/>
    public override string Description => "Convolution forward and forward+backward GFLOP/s: Cortex Conv2d vs libtorch conv2d, LeNet, ResNet and ImageNet-stem shapes.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        double peak = context.Peak.Total;
        _ = context.LibTorch;
        Parallelism.MaxDegree = context.Threads;
        foreach (var convCase in Cases)
        {
            yield return RunCase(context, convCase, peak, backward: false);
            yield return RunCase(context, convCase, peak, backward: true);
        }
    }

    private ResultRow RunCase(BenchContext context, ConvCase c, double peak, bool backward)
    {
        long started = Stopwatch.GetTimestamp();
        var random = new CortexRandom(11);
        var conv = new Layers.Conv2d(c.C, c.FN, c.K, stride: c.Stride, padding: c.Pad, random: random);
        Tensors.Tensor.RandomNormal(conv.Bias!.Value.Shape, random).Span.CopyTo(conv.Bias.Value.Span);
        var x = CortexTensor.RandomNormal(new Shape(c.N, c.C, c.H, c.H), random);
        var dy = CortexTensor.RandomNormal(new Shape(c.N, c.FN, c.OH, c.OH), random);

        using var tx = torch.tensor(x.Span.ToArray(), [c.N, c.C, c.H, c.H]).requires_grad_(backward);
        using var tw = torch.tensor(conv.Weight.Value.Span.ToArray(), [c.FN, c.C, c.K, c.K]).requires_grad_(backward);
        using var tb = torch.tensor(conv.Bias.Value.Span.ToArray(), [c.FN]).requires_grad_(backward);
        using var tdy = torch.tensor(dy.Span.ToArray(), [c.N, c.FN, c.OH, c.OH]);
        long[] stride = [c.Stride, c.Stride], padding = [c.Pad, c.Pad];

        void CortexForward() => conv.Forward(x, false);
        void CortexBoth()
        {
            conv.Forward(x, true);
            conv.Backward(dy);
        }
        void PeerForward()
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            torch.nn.functional.conv2d(tx, tw, tb, stride, padding);
        }
        void PeerBoth()
        {
            using var scope = torch.NewDisposeScope();
            var y = torch.nn.functional.conv2d(tx, tw, tb, stride, padding);
            y.backward([tdy]);
        }

        Action cortexCall = backward ? CortexBoth : CortexForward;
        Action peerCall = backward ? PeerBoth : PeerForward;
        var samples = Measure.Alternating([new Contender("Cortex", cortexCall), new Contender("libtorch", peerCall)], context.Settings);

        double check;
        using (torch.no_grad())
        {
            using var reference = torch.nn.functional.conv2d(tx, tw, tb, stride, padding);
            check = Compare.RelativeDifference(conv.Forward(x, false).Span, reference.data<float>().ToArray());
        }

        double flops = (backward ? 3 : 1) * c.Flops;
        string name = $"{c.Name} {(backward ? "fwd+bwd" : "fwd")}";
        var row = new ResultRow(Name, name, c.Details, Unit, HigherIsBetter: true,
            samples[0].Rate(flops).Scale(1e-9), samples[1].Rate(flops).Scale(1e-9), peak, check);
        NetworkSuites.Progress(context, row, started);
        return row;
    }

    private sealed record ConvCase(string Name, int N, int C, int H, int FN, int K, int Stride, int Pad)
    {
        public int OH => (H + 2 * Pad - K) / Stride + 1;

        public double Flops => 2.0 * N * FN * C * K * K * OH * OH;

        public string Details => $"{N}×{C}×{H}×{H}, {FN}@{K}×{K}" + (Stride > 1 ? $"/{Stride}" : "") + (Pad > 0 ? $" pad {Pad}" : "");
    }
}
