// ZeroPad2d.cs — surrounds each feature map with zeros.
//
//   forward   y[top + i, left + j] = x[i, j], zeros elsewhere
//   backward  dx[i, j] = dy[top + i, left + j]      (the padding's gradient goes nowhere)
namespace Cortex.Layers;

/// <summary>Pads (N, C, H, W) feature maps with zeros.</summary>
/// <example><code>
/// var pad = new ZeroPad2d(2);              // (N, 1, 28, 28) → (N, 1, 32, 32), as LeNet-5 saw MNIST
/// var odd = new ZeroPad2d(0, 1, 0, 1);     // left, right, top, bottom
/// </code></example>
public sealed class ZeroPad2d : Pad2d
{
    /// <summary>Pads every side by <paramref name="padding"/>.</summary>
    public ZeroPad2d(int padding, string name = "pad") : base(padding, padding, padding, padding, name) { }

    /// <summary>Pads each side by its own amount (PyTorch's order).</summary>
    public ZeroPad2d(int left, int right, int top, int bottom, string name = "pad") : base(left, right, top, bottom, name) { }

    protected override void PadPlane(ReadOnlySpan<float> x, int h, int w, Span<float> y)
    {
        int ow = Left + w + Right;
        y[..(Top * ow)].Clear();
        for (int i = 0; i < h; i++)
        {
            var row = y.Slice((Top + i) * ow, ow);
            row[..Left].Clear();
            x.Slice(i * w, w).CopyTo(row[Left..]);
            row[(Left + w)..].Clear();
        }
        y[((Top + h) * ow)..].Clear();
    }

    protected override void UnpadPlane(ReadOnlySpan<float> dy, int h, int w, Span<float> dx)
    {
        int ow = Left + w + Right;
        for (int i = 0; i < h; i++)
            dy.Slice((Top + i) * ow + Left, w).CopyTo(dx.Slice(i * w, w));
    }
}
