// Convolution2d.cs — 2-D convolution as im2col + GEMM, forward and backward, one image at a time.
//
//   x: (N, C, H, W)   w: (FN, C, KH, KW) = (FN, C*KH*KW) as stored   b: (FN) or empty   y: (N, FN, OH, OW)
//   per image n:   col = im2col(x[n])                                    (C*KH*KW, OH*OW)
//                  y[n] (FN, OH*OW) = w · col + b                         (bias broadcast along each row)
//   backward:      db += Σ_p dy[n][f, p]
//                  dw (FN, C*KH*KW) += dy[n] · colᵀ
//                  dx[n] += col2im(wᵀ · dy[n])
//
// All gradients are ADDED (llm.c style); clear them before the first batch. The workspace holds
// one image's col (Conv2dGeometry.ColumnSize floats, see WorkspaceSize); backward recomputes col
// rather than keeping N of them. A 1×1, stride-1, unpadded convolution skips im2col: x[n] already
// is its col. Not here: threading over the batch (the layer's choice) and groups.
// The definition is Reference/Convolution2dReference.cs.
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>2-D convolution (cross-correlation) on NCHW spans via im2col and <see cref="Gemm"/>.</summary>
/// <example><code>
/// var g = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3);
/// var y = new float[2 * g.OutputPlaneSize];                           // (N=1, FN=2, 2, 2)
/// Convolution2d.Forward(g, batch: 1, filters: 2, x, w, bias, y, new float[Convolution2d.WorkspaceSize(g)]);
/// </code></example>
public static class Convolution2d
{
    /// <summary>Floats of scratch Forward and Backward need: one image's col, or 0 for a pointwise (1×1, stride 1, unpadded) convolution.</summary>
    public static int WorkspaceSize(in Conv2dGeometry geometry)
    {
        geometry.EnsureInitialized("Convolution2d.WorkspaceSize");
        return IsPointwise(geometry) ? 0 : geometry.ColumnSize;
    }

    /// <summary>
    /// y: (N, FN, OH, OW) = conv(x: (N, C, H, W), w: (FN, C, KH, KW)) + b: (FN). An empty
    /// <paramref name="bias"/> means no bias. <paramref name="workspace"/> needs <see cref="WorkspaceSize"/> floats.
    /// </summary>
    public static void Forward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> workspace)
    {
        const string Who = "Convolution2d.Forward";
        ValidateForward(Who, geometry, batch, filters, x.Length, weight.Length, bias.Length, y.Length);
        CheckWorkspace(Who, geometry, workspace.Length);
        var g = geometry;
        int inputSize = g.InputSize, k = g.PatchSize, p = g.OutputPlaneSize, outputSize = filters * p;
        bool pointwise = IsPointwise(g);
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> col = x.Slice(n * inputSize, inputSize);
            if (!pointwise)
            {
                Im2Col.Unfold(g, col, workspace);
                col = workspace[..g.ColumnSize];
            }
            var yn = y.Slice(n * outputSize, outputSize);
            Gemm.Multiply(false, false, filters, p, k, 1f, weight, k, col, p, 0f, yn, p);   // y = w · col
            if (!bias.IsEmpty)
            {
                for (int f = 0; f < filters; f++)
                {
                    var row = yn.Slice(f * p, p);
                    TensorPrimitives.Add(row, bias[f], row);                                 // y[f, :] += b[f]
                }
            }
        }
    }

    /// <summary>
    /// Given dy: (N, FN, OH, OW), ADDS dL/dx into <paramref name="dx"/> (N, C, H, W), dL/dw into
    /// <paramref name="dWeight"/> (FN, C, KH, KW) and dL/db into <paramref name="dBias"/> (FN).
    /// An empty <paramref name="dx"/> (the first layer) or <paramref name="dBias"/> (no bias) is skipped.
    /// </summary>
    public static void Backward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, Span<float> workspace)
    {
        const string Who = "Convolution2d.Backward";
        ValidateBackward(Who, geometry, batch, filters, x.Length, weight.Length, dy.Length, dx.Length, dWeight.Length, dBias.Length);
        CheckWorkspace(Who, geometry, workspace.Length);
        var g = geometry;
        int inputSize = g.InputSize, k = g.PatchSize, p = g.OutputPlaneSize, outputSize = filters * p;
        bool pointwise = IsPointwise(g);
        for (int n = 0; n < batch; n++)
        {
            var dyn = dy.Slice(n * outputSize, outputSize);
            if (!dBias.IsEmpty)
            {
                for (int f = 0; f < filters; f++)
                    dBias[f] += TensorPrimitives.Sum(dyn.Slice(f * p, p));                  // db[f] += Σ_p dy[f, p]
            }

            ReadOnlySpan<float> col = x.Slice(n * inputSize, inputSize);
            if (!pointwise)
            {
                Im2Col.Unfold(g, col, workspace);
                col = workspace[..g.ColumnSize];
            }
            Gemm.Multiply(false, true, filters, k, p, 1f, dyn, p, col, p, 1f, dWeight, k);  // dw += dy · colᵀ

            if (dx.IsEmpty)
                continue;
            var dxn = dx.Slice(n * inputSize, inputSize);
            if (pointwise)
            {
                Gemm.Multiply(true, false, k, p, filters, 1f, weight, k, dyn, p, 1f, dxn, p);  // dx += wᵀ · dy
                continue;
            }
            var dcol = workspace[..g.ColumnSize];                                           // col is no longer needed
            Gemm.Multiply(true, false, k, p, filters, 1f, weight, k, dyn, p, 0f, dcol, p);  // dcol = wᵀ · dy
            Col2Im.Accumulate(g, dcol, dxn);                                                // dx += col2im(dcol)
        }
    }

    private static bool IsPointwise(in Conv2dGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1 && !g.IsPadded;

    private static void CheckWorkspace(string who, in Conv2dGeometry g, int length, string paramName = "workspace")
    {
        int needed = IsPointwise(g) ? 0 : g.ColumnSize;
        if (length < needed)
            throw new ArgumentException(
                $"{who}: expected a workspace of at least {needed} floats (C*KH*KW={g.PatchSize} × OH*OW={g.OutputPlaneSize}), got {length}. " +
                "Size it with Convolution2d.WorkspaceSize(geometry).", paramName);
    }

    internal static void ValidateForward(string who, in Conv2dGeometry g, int batch, int filters,
        int xLength, int weightLength, int biasLength, int yLength)
    {
        if (CommonMatches(g, batch, filters, xLength, weightLength) && (biasLength == 0 || biasLength == filters) &&
            yLength == (long)batch * filters * g.OutputPlaneSize)
            return;                                                     // nothing to report: format no messages
        ValidateCommon(who, g, batch, filters, xLength, weightLength);
        if (biasLength != 0)
            ConvolutionArguments.CheckExact(who, "bias", $"(FN={filters}) or empty", filters, biasLength);
        ConvolutionArguments.CheckExact(who, "y", $"(N={batch}, FN={filters}, OH={g.OutputHeight}, OW={g.OutputWidth})",
            (long)batch * filters * g.OutputPlaneSize, yLength);
    }

    internal static void ValidateBackward(string who, in Conv2dGeometry g, int batch, int filters,
        int xLength, int weightLength, int dyLength, int dxLength, int dWeightLength, int dBiasLength)
    {
        if (CommonMatches(g, batch, filters, xLength, weightLength) && dyLength == (long)batch * filters * g.OutputPlaneSize &&
            (dxLength == 0 || dxLength == (long)batch * g.InputSize) && dWeightLength == (long)filters * g.PatchSize &&
            (dBiasLength == 0 || dBiasLength == filters))
            return;                                                     // nothing to report: format no messages
        ValidateCommon(who, g, batch, filters, xLength, weightLength);
        ConvolutionArguments.CheckExact(who, "dy", $"(N={batch}, FN={filters}, OH={g.OutputHeight}, OW={g.OutputWidth})",
            (long)batch * filters * g.OutputPlaneSize, dyLength);
        if (dxLength != 0)
            ConvolutionArguments.CheckExact(who, "dx", $"{ConvolutionArguments.Images(g, batch)} or empty", (long)batch * g.InputSize, dxLength);
        ConvolutionArguments.CheckExact(who, "dWeight", $"(FN={filters}, C={g.Channels}, KH={g.KernelHeight}, KW={g.KernelWidth})",
            (long)filters * g.PatchSize, dWeightLength);
        if (dBiasLength != 0)
            ConvolutionArguments.CheckExact(who, "dBias", $"(FN={filters}) or empty", filters, dBiasLength);
    }

    /// <summary>
    /// The checks of ValidateCommon without their messages: the kernels run per batch in the training
    /// loop, which must not allocate, and the checks format their messages eagerly.
    /// </summary>
    private static bool CommonMatches(in Conv2dGeometry g, int batch, int filters, int xLength, int weightLength) =>
        g.IsInitialized && batch >= 0 && filters >= 1 &&
        xLength == (long)batch * g.InputSize && weightLength == (long)filters * g.PatchSize;

    private static void ValidateCommon(string who, in Conv2dGeometry g, int batch, int filters, int xLength, int weightLength)
    {
        g.EnsureInitialized(who);
        ConvolutionArguments.CheckBatch(who, batch);
        ConvolutionArguments.CheckCount(who, nameof(filters), filters, "the number of output channels FN");
        ConvolutionArguments.CheckExact(who, "x", ConvolutionArguments.Images(g, batch), (long)batch * g.InputSize, xLength);
        ConvolutionArguments.CheckExact(who, "weight", $"(FN={filters}, C={g.Channels}, KH={g.KernelHeight}, KW={g.KernelWidth})",
            (long)filters * g.PatchSize, weightLength);
    }
}
