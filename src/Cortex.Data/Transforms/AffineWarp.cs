// AffineWarp.cs — the one warp every geometric Keras augmentation goes through (rotation, shifts,
// shear, zoom, and their composition): for each output pixel (i, j), read the input at the
// inverse-mapped point (r, c) = M(i, j) with bilinear interpolation (Keras/scipy order = 1),
// taps outside the image resolved by the fill mode:
//   r0 = ⌊r⌋, c0 = ⌊c⌋, a = r − r0, b = c − c0
//   y = (1−a)(1−b)·x[r0, c0] + (1−a)b·x[r0, c0+1] + a(1−b)·x[r0+1, c0] + ab·x[r0+1, c0+1]
// where each x[·,·] goes through FillModes.Map (Constant: the fill value).
// Coordinates are computed once per pixel and used for every channel.
namespace Cortex.Data.Transforms;

/// <summary>Warps an image by an inverse affine map with bilinear sampling and a fill mode.</summary>
public static class AffineWarp
{
    /// <summary>
    /// Writes the warp of <paramref name="source"/> by the inverse map <paramref name="inverse"/> into
    /// <paramref name="destination"/> (<paramref name="height"/>×<paramref name="width"/>, same channels).
    /// </summary>
    public static void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, int height, int width,
        in Affine2D inverse, FillMode fill = FillMode.Nearest, float fillValue = 0f)
    {
        if (source.Length != size.Length)
            throw new ArgumentException($"AffineWarp: expected a source of {size} = {size.Length} floats, got {source.Length}.", nameof(source));
        if (destination.Length != size.Channels * height * width)
            throw new ArgumentException(
                $"AffineWarp: expected a destination of {size.Channels}×{height}×{width} floats, got {destination.Length}.", nameof(destination));
        int h = size.Height, w = size.Width, plane = h * w, outPlane = height * width;
        for (int i = 0; i < height; i++)
        {
            for (int j = 0; j < width; j++)
            {
                double r = inverse.A * i + inverse.B * j + inverse.C;
                double c = inverse.D * i + inverse.E * j + inverse.F;
                double rf = Math.Floor(r), cf = Math.Floor(c);
                float a = (float)(r - rf), b = (float)(c - cf);
                // Far outside (beyond int range): every tap is outside; clamp so the index arithmetic stays valid.
                int r0 = (int)Math.Clamp(rf, -4.0 * h - 4, 4.0 * h + 4), c0 = (int)Math.Clamp(cf, -4.0 * w - 4, 4.0 * w + 4);
                int y0 = FillModes.Map(r0, h, fill), y1 = FillModes.Map(r0 + 1, h, fill);
                int x0 = FillModes.Map(c0, w, fill), x1 = FillModes.Map(c0 + 1, w, fill);
                float w00 = (1 - a) * (1 - b), w01 = (1 - a) * b, w10 = a * (1 - b), w11 = a * b;
                int at = i * width + j;
                for (int ch = 0; ch < size.Channels; ch++)
                {
                    var p = source.Slice(ch * plane, plane);
                    float v00 = y0 < 0 || x0 < 0 ? fillValue : p[y0 * w + x0];
                    float v01 = y0 < 0 || x1 < 0 ? fillValue : p[y0 * w + x1];
                    float v10 = y1 < 0 || x0 < 0 ? fillValue : p[y1 * w + x0];
                    float v11 = y1 < 0 || x1 < 0 ? fillValue : p[y1 * w + x1];
                    destination[ch * outPlane + at] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
                }
            }
        }
    }
}
