// GlobalAveragePooling2d.cs — the mean of each whole (H, W) plane (NIN, GoogLeNet and ResNet heads).
//
//   x: (N, C, H, W)   y: (N, C) (= (N, C, 1, 1) as stored)
//   y[n, c]          = (1 / (H·W)) Σ_ih Σ_iw x[n, c, ih, iw]
//   dx[n, c, ih, iw] += dy[n, c] / (H·W)
//
// The sum and the broadcast add are TensorPrimitives (vectorized). Not threaded: one pass over x
// is memory-bound and cheap next to the convolutions around it.
// The naive twin is Reference/GlobalAveragePooling2dReference.cs.
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>Global average pooling: one mean per (image, channel) plane.</summary>
/// <example><code>
/// GlobalAveragePooling2d.Forward(batch: 64, channels: 512, height: 7, width: 7, x, y);   // y: (64, 512)
/// </code></example>
public static class GlobalAveragePooling2d
{
    /// <summary>y: (N, C) = the mean over H·W of every plane of x: (N, C, H, W).</summary>
    /// <exception cref="ArgumentException">A span of the wrong length.</exception>
    public static void Forward(int batch, int channels, int height, int width, ReadOnlySpan<float> x, Span<float> y)
    {
        int plane = Validate("GlobalAveragePooling2d.Forward", batch, channels, height, width, x.Length, y.Length, "x", "y");
        float scale = 1f / plane;
        for (int p = 0; p < y.Length; p++)
            y[p] = TensorPrimitives.Sum(x.Slice(p * plane, plane)) * scale;          // y = Σ x / (H·W)
    }

    /// <summary>Given dy: (N, C), ADDS dy / (H·W) into every element of the matching plane of dx: (N, C, H, W).</summary>
    /// <exception cref="ArgumentException">A span of the wrong length.</exception>
    public static void Backward(int batch, int channels, int height, int width, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int plane = Validate("GlobalAveragePooling2d.Backward", batch, channels, height, width, dx.Length, dy.Length, "dx", "dy");
        float scale = 1f / plane;
        for (int p = 0; p < dy.Length; p++)
        {
            var d = dx.Slice(p * plane, plane);
            TensorPrimitives.Add(d, dy[p] * scale, d);                                // dx += dy / (H·W)
        }
    }

    internal static int Validate(string who, int batch, int channels, int height, int width, int xLength, int yLength, string xName, string yName)
    {
        ConvolutionArguments.CheckBatch(who, batch);
        ConvolutionArguments.CheckCount(who, nameof(channels), channels, "the number of planes per image");
        ConvolutionArguments.CheckCount(who, nameof(height), height, "the rows of each plane");
        ConvolutionArguments.CheckCount(who, nameof(width), width, "the columns of each plane");
        long plane = (long)height * width;
        if (xLength == batch * channels * plane && yLength == (long)batch * channels)
            return (int)plane;                                          // skip the eagerly formatted messages
        ConvolutionArguments.CheckExact(who, xName, $"(N={batch}, C={channels}, H={height}, W={width})", batch * channels * plane, xLength);
        ConvolutionArguments.CheckExact(who, yName, $"(N={batch}, C={channels})", (long)batch * channels, yLength);
        return (int)plane;
    }
}
