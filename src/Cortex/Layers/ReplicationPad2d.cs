// ReplicationPad2d.cs — pads each feature map by repeating its edge pixels.
//
//   forward   y[i, j] = x[clamp(i − top, 0, H − 1), clamp(j − left, 0, W − 1)]
//   backward  dx[p, q] = Σ dy[i, j] over every (i, j) that copied (p, q)
//             (an edge pixel was copied many times, so its gradient is the sum of all its copies')
namespace Cortex.Layers;

/// <summary>Pads (N, C, H, W) feature maps by replicating the border pixels.</summary>
/// <example><code>var pad = new ReplicationPad2d(1);   // (N, C, H, W) → (N, C, H + 2, W + 2)</code></example>
public sealed class ReplicationPad2d : Pad2d
{
    /// <summary>Pads every side by <paramref name="padding"/>.</summary>
    public ReplicationPad2d(int padding, string name = "pad") : base(padding, padding, padding, padding, name) { }

    /// <summary>Pads each side by its own amount (PyTorch's order).</summary>
    public ReplicationPad2d(int left, int right, int top, int bottom, string name = "pad") : base(left, right, top, bottom, name) { }

    protected override void CheckSpatial(Cortex.Tensors.Shape input)
    {
        if (input[2] == 0 || input[3] == 0)
            throw InputShapeError("[N, C, H, W] with H, W ≥ 1", input, "An empty feature map has no edge to replicate.");
    }

    protected override void PadPlane(ReadOnlySpan<float> x, int h, int w, Span<float> y)
    {
        int oh = Top + h + Bottom, ow = Left + w + Right;
        for (int i = 0; i < oh; i++)
        {
            var src = x.Slice(Math.Clamp(i - Top, 0, h - 1) * w, w);
            var row = y.Slice(i * ow, ow);
            row[..Left].Fill(src[0]);
            src.CopyTo(row[Left..]);
            row[(Left + w)..].Fill(src[w - 1]);
        }
    }

    protected override void UnpadPlane(ReadOnlySpan<float> dy, int h, int w, Span<float> dx)
    {
        int oh = Top + h + Bottom, ow = Left + w + Right;
        dx.Clear();
        for (int i = 0; i < oh; i++)
        {
            var dst = dx.Slice(Math.Clamp(i - Top, 0, h - 1) * w, w);
            var row = dy.Slice(i * ow, ow);
            for (int j = 0; j < Left; j++)
                dst[0] += row[j];                              // copies of the left edge
            System.Numerics.Tensors.TensorPrimitives.Add(dst, row.Slice(Left, w), dst);
            for (int j = Left + w; j < ow; j++)
                dst[w - 1] += row[j];                          // copies of the right edge
        }
    }
}
