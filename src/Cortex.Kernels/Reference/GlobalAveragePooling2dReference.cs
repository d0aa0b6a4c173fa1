// GlobalAveragePooling2dReference.cs — the plane means by plain loops in double; the specification
// for GlobalAveragePooling2d.
//
//   y[n, c] = Σ x[n, c, :, :] / (H·W)        dx[n, c, :, :] += dy[n, c] / (H·W)
namespace Cortex.Kernels.Reference;

/// <summary>Naive global average pooling; the specification for <see cref="GlobalAveragePooling2d"/>.</summary>
public static class GlobalAveragePooling2dReference
{
    /// <summary>y: (N, C) = plane means of x: (N, C, H, W).</summary>
    public static void Forward(int batch, int channels, int height, int width, ReadOnlySpan<float> x, Span<float> y)
    {
        int plane = GlobalAveragePooling2d.Validate("GlobalAveragePooling2dReference.Forward", batch, channels, height, width, x.Length, y.Length, "x", "y");
        for (int p = 0; p < y.Length; p++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++)
                sum += x[p * plane + i];
            y[p] = (float)(sum / plane);
        }
    }

    /// <summary>dx: (N, C, H, W) += dy: (N, C) / (H·W), broadcast over each plane.</summary>
    public static void Backward(int batch, int channels, int height, int width, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int plane = GlobalAveragePooling2d.Validate("GlobalAveragePooling2dReference.Backward", batch, channels, height, width, dx.Length, dy.Length, "dx", "dy");
        for (int p = 0; p < dy.Length; p++)
        {
            for (int i = 0; i < plane; i++)
                dx[p * plane + i] += (float)((double)dy[p] / plane);
        }
    }
}
