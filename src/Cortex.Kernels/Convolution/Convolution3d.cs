// Convolution3d.cs — 3-D convolution (video, volumes) as vol2col + GEMM, forward and backward.
//
//   x: (N, C, D, H, W)   w: (FN, C, KD, KH, KW) = (FN, C*KD*KH*KW) as stored   b: (FN) or empty
//   y: (N, FN, OD, OH, OW)
//   per volume n:  col = vol2col(x[n])                        (C*KD*KH*KW, OD*OH*OW)
//                  y[n] (FN, OD*OH*OW) = w · col + b
//   backward:      db += Σ_p dy[n][f, p];  dw += dy[n] · colᵀ;  dx[n] += col2vol(wᵀ · dy[n])
//
//   col[r, p] = xpad[c, od·SD − PD + kd·DD, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW]
//   r = ((c·KD + kd)·KH + kh)·KW + kw,  p = (od·OH + oh)·OW + ow,  xpad = 0 or clamped edge outside
//
// Correctness first: vol2col and col2vol are plain loops (the bounds test hoisted out of the
// innermost loop only); the GEMMs carry the arithmetic. Gradients are ADDED. The workspace holds
// one volume's col (ColumnSize floats). The definition is Reference/Convolution3dReference.cs.
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>3-D convolution (cross-correlation) on NCDHW spans via vol2col and <see cref="Gemm"/>.</summary>
/// <example><code>
/// var g = new Conv3dGeometry(channels: 1, depth: 4, height: 4, width: 4, kernelDepth: 3, kernelHeight: 3, kernelWidth: 3);
/// var y = new float[8 * g.OutputVolumeSize];                      // (N=1, FN=8, 2, 2, 2)
/// Convolution3d.Forward(g, batch: 1, filters: 8, x, w, bias, y, new float[Convolution3d.WorkspaceSize(g)]);
/// </code></example>
public static class Convolution3d
{
    /// <summary>Floats of scratch Forward and Backward need: one volume's col.</summary>
    public static int WorkspaceSize(in Conv3dGeometry geometry)
    {
        geometry.EnsureInitialized("Convolution3d.WorkspaceSize");
        return geometry.ColumnSize;
    }

    /// <summary>y: (N, FN, OD, OH, OW) = conv(x: (N, C, D, H, W), w: (FN, C, KD, KH, KW)) + b: (FN); an empty bias means none.</summary>
    public static void Forward(
        in Conv3dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> workspace)
    {
        const string Who = "Convolution3d.Forward";
        Validate(Who, geometry, batch, filters, x.Length, weight.Length, y.Length, "y");
        if (bias.Length != 0 && bias.Length != filters)
            ConvolutionArguments.CheckExact(Who, "bias", $"(FN={filters}) or empty", filters, bias.Length);
        ConvolutionArguments.CheckAtLeast(Who, "workspace", "(C*KD*KH*KW, OD*OH*OW)", geometry.ColumnSize, workspace.Length);
        var g = geometry;
        int inputSize = g.InputSize, k = g.PatchSize, p = g.OutputVolumeSize, outputSize = filters * p;
        var col = workspace[..g.ColumnSize];
        for (int n = 0; n < batch; n++)
        {
            Unfold(g, x.Slice(n * inputSize, inputSize), col);
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
    /// Given dy: (N, FN, OD, OH, OW), ADDS dL/dx into dx (N, C, D, H, W), dL/dw into dWeight
    /// (FN, C, KD, KH, KW) and dL/db into dBias (FN). An empty dx or dBias is skipped.
    /// </summary>
    public static void Backward(
        in Conv3dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, Span<float> workspace)
    {
        const string Who = "Convolution3d.Backward";
        ValidateBackward(Who, geometry, batch, filters, x.Length, weight.Length, dy.Length, dx.Length, dWeight.Length, dBias.Length);
        ConvolutionArguments.CheckAtLeast(Who, "workspace", "(C*KD*KH*KW, OD*OH*OW)", geometry.ColumnSize, workspace.Length);
        var g = geometry;
        int inputSize = g.InputSize, k = g.PatchSize, p = g.OutputVolumeSize, outputSize = filters * p;
        var col = workspace[..g.ColumnSize];
        for (int n = 0; n < batch; n++)
        {
            var dyn = dy.Slice(n * outputSize, outputSize);
            if (!dBias.IsEmpty)
            {
                for (int f = 0; f < filters; f++)
                    dBias[f] += TensorPrimitives.Sum(dyn.Slice(f * p, p));                  // db[f] += Σ_p dy[f, p]
            }
            Unfold(g, x.Slice(n * inputSize, inputSize), col);
            Gemm.Multiply(false, true, filters, k, p, 1f, dyn, p, col, p, 1f, dWeight, k);  // dw += dy · colᵀ
            if (dx.IsEmpty)
                continue;
            Gemm.Multiply(true, false, k, p, filters, 1f, weight, k, dyn, p, 0f, col, p);   // dcol = wᵀ · dy (col reused)
            Fold(g, col, dx.Slice(n * inputSize, inputSize));                               // dx += col2vol(dcol)
        }
    }

    /// <summary>vol2col of one volume: x (C, D, H, W) → col (C·KD·KH·KW, OD·OH·OW).</summary>
    internal static void Unfold(in Conv3dGeometry g, ReadOnlySpan<float> x, Span<float> col)
    {
        bool replicate = g.PaddingMode == PaddingMode.Replicate;
        int p = g.OutputVolumeSize, ow = g.OutputWidth, row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int kd = 0; kd < g.KernelDepth; kd++)
            {
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                    {
                        var dst = col.Slice(row * p, p);
                        int o = 0;
                        for (int od = 0; od < g.OutputDepth; od++)
                        {
                            int id = od * g.StrideDepth - g.PadDepth + kd * g.DilationDepth;
                            for (int oh = 0; oh < g.OutputHeight; oh++, o += ow)
                            {
                                int ih = oh * g.StrideHeight - g.PadHeight + kh * g.DilationHeight;
                                bool rowInside = (uint)id < (uint)g.Depth && (uint)ih < (uint)g.Height;
                                if (!rowInside && !replicate)
                                {
                                    dst.Slice(o, ow).Clear();                                  // a row of the zero border
                                    continue;
                                }
                                int rowStart = ((c * g.Depth + Math.Clamp(id, 0, g.Depth - 1)) * g.Height + Math.Clamp(ih, 0, g.Height - 1)) * g.Width;
                                for (int j = 0; j < ow; j++)
                                {
                                    int iw = j * g.StrideWidth - g.PadWidth + kw * g.DilationWidth;
                                    dst[o + j] = (uint)iw < (uint)g.Width ? x[rowStart + iw]
                                        : replicate ? x[rowStart + Math.Clamp(iw, 0, g.Width - 1)] : 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>col2vol, the adjoint of <see cref="Unfold"/>: dx (C, D, H, W) += every col element at the voxel it was read from.</summary>
    internal static void Fold(in Conv3dGeometry g, ReadOnlySpan<float> col, Span<float> dx)
    {
        bool replicate = g.PaddingMode == PaddingMode.Replicate;
        int p = g.OutputVolumeSize, ow = g.OutputWidth, row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            for (int kd = 0; kd < g.KernelDepth; kd++)
            {
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                    {
                        var src = col.Slice(row * p, p);
                        int o = 0;
                        for (int od = 0; od < g.OutputDepth; od++)
                        {
                            int id = od * g.StrideDepth - g.PadDepth + kd * g.DilationDepth;
                            for (int oh = 0; oh < g.OutputHeight; oh++, o += ow)
                            {
                                int ih = oh * g.StrideHeight - g.PadHeight + kh * g.DilationHeight;
                                bool rowInside = (uint)id < (uint)g.Depth && (uint)ih < (uint)g.Height;
                                if (!rowInside && !replicate)
                                    continue;                                                  // a zero pad feeds no input
                                int rowStart = ((c * g.Depth + Math.Clamp(id, 0, g.Depth - 1)) * g.Height + Math.Clamp(ih, 0, g.Height - 1)) * g.Width;
                                for (int j = 0; j < ow; j++)
                                {
                                    int iw = j * g.StrideWidth - g.PadWidth + kw * g.DilationWidth;
                                    if ((uint)iw < (uint)g.Width)
                                        dx[rowStart + iw] += src[o + j];
                                    else if (replicate)
                                        dx[rowStart + Math.Clamp(iw, 0, g.Width - 1)] += src[o + j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    internal static void Validate(string who, in Conv3dGeometry g, int batch, int filters, int xLength, int weightLength, int yLength, string yName)
    {
        g.EnsureInitialized(who);
        if (batch >= 0 && filters >= 1 && xLength == (long)batch * g.InputSize && weightLength == (long)filters * g.PatchSize &&
            yLength == (long)batch * filters * g.OutputVolumeSize)
            return;                                                     // skip the eagerly formatted messages (this runs per batch)
        ConvolutionArguments.CheckBatch(who, batch);
        ConvolutionArguments.CheckCount(who, nameof(filters), filters, "the number of output channels FN");
        ConvolutionArguments.CheckExact(who, "x", $"(N={batch}, C={g.Channels}, D={g.Depth}, H={g.Height}, W={g.Width})", (long)batch * g.InputSize, xLength);
        ConvolutionArguments.CheckExact(who, "weight", $"(FN={filters}, C={g.Channels}, KD={g.KernelDepth}, KH={g.KernelHeight}, KW={g.KernelWidth})",
            (long)filters * g.PatchSize, weightLength);
        ConvolutionArguments.CheckExact(who, yName, $"(N={batch}, FN={filters}, OD={g.OutputDepth}, OH={g.OutputHeight}, OW={g.OutputWidth})",
            (long)batch * filters * g.OutputVolumeSize, yLength);
    }

    internal static void ValidateBackward(string who, in Conv3dGeometry g, int batch, int filters,
        int xLength, int weightLength, int dyLength, int dxLength, int dWeightLength, int dBiasLength)
    {
        Validate(who, g, batch, filters, xLength, weightLength, dyLength, "dy");
        if ((dxLength == 0 || dxLength == (long)batch * g.InputSize) && dWeightLength == (long)filters * g.PatchSize &&
            (dBiasLength == 0 || dBiasLength == filters))
            return;
        if (dxLength != 0)
            ConvolutionArguments.CheckExact(who, "dx", "(N, C, D, H, W) or empty", (long)batch * g.InputSize, dxLength);
        ConvolutionArguments.CheckExact(who, "dWeight", "(FN, C, KD, KH, KW)", (long)filters * g.PatchSize, dWeightLength);
        if (dBiasLength != 0)
            ConvolutionArguments.CheckExact(who, "dBias", $"(FN={filters}) or empty", filters, dBiasLength);
    }
}
