// AffineWarp.cs — the one warp every geometric Keras augmentation goes through (rotation, shifts,
// shear, zoom, and their composition): for each output pixel (i, j), read the input at the
// inverse-mapped point (r, c) = M(i, j) with bilinear interpolation (Keras/scipy order = 1),
// taps outside the image resolved by the fill mode:
//   r0 = ⌊r⌋, c0 = ⌊c⌋, a = r − r0, b = c − c0
//   y = (1−a)(1−b)·x[r0, c0] + (1−a)b·x[r0, c0+1] + a(1−b)·x[r0+1, c0] + ab·x[r0+1, c0+1]
// where each x[·,·] goes through FillModes.Map (Constant: the fill value).
// Coordinates are computed once per pixel and used for every channel. A pixel whose four taps all
// lie inside the image (most of them) reads them directly, without the fill mode or bounds checks.
//
// Speed: with AVX-512 and the nearest or constant fill (Keras' default and the usual
// alternative), eight pixels of a row at a time: the coordinates in eight double lanes (the same
// operations in the same order as the scalar code, so the same values), the fill mode applied to
// the tap indices lane by lane (nearest clamps them; constant masks the taps outside), the four
// taps fetched by AVX2 gathers. A row's last pixels are a block that overlaps the one before.
// A 28×28 Keras warp took 12–14 µs per digit one pixel at a time (much of it in Math.Floor and
// scalar conversions); the other fill modes and narrow images still go pixel by pixel.

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Data.Transforms;

/// <summary>Warps an image by an inverse affine map with bilinear sampling and a fill mode.</summary>
public static class AffineWarp
{
    /// <summary>
    /// Writes the warp of <paramref name="source"/> by the inverse map <paramref name="inverse"/> into
    /// <paramref name="destination"/> (<paramref name="height"/>×<paramref name="width"/>, same channels).
    /// </summary>
    public static unsafe void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, int height, int width,
        in Affine2D inverse, FillMode fill = FillMode.Nearest, float fillValue = 0f)
    {
        if (source.Length != size.Length)
            throw new ArgumentException($"AffineWarp: expected a source of {size} = {size.Length} floats, got {source.Length}.", nameof(source));
        if (destination.Length != size.Channels * height * width)
            throw new ArgumentException(
                $"AffineWarp: expected a destination of {size.Channels}×{height}×{width} floats, got {destination.Length}.", nameof(destination));
        var image = new Image(size, fill, fillValue, height * width);
        bool vectors = Avx512F.IsSupported && Avx2.IsSupported && width >= 8 && fill is FillMode.Nearest or FillMode.Constant;
        fixed (float* input = source)
        fixed (float* output = destination)
        {
            for (int i = 0; i < height; i++)
            {
                if (vectors)
                {
                    for (int j = 0; j < width; j += 8)
                        Eight(input, output, image, inverse, i, Math.Min(j, width - 8), width);
                    continue;
                }

                for (int j = 0; j < width; j++)
                    Pixel(input, output, image, inverse, i, j, width);
            }
        }
    }

    private readonly record struct Image(ImageSize Size, FillMode Fill, float FillValue, int OutPlane);

    // One output pixel, for every channel.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Pixel(float* input, float* output, in Image image, in Affine2D m, int i, int j, int width)
    {
        int h = image.Size.Height, w = image.Size.Width, plane = h * w;
        double r = m.A * i + m.B * j + m.C;
        double c = m.D * i + m.E * j + m.F;
        double rf = Floor(r), cf = Floor(c);
        float a = (float)(r - rf), b = (float)(c - cf);
        float w00 = (1 - a) * (1 - b), w01 = (1 - a) * b, w10 = a * (1 - b), w11 = a * b;
        float* y = output + i * width + j;
        if (rf >= 0 && rf <= h - 2 && cf >= 0 && cf <= w - 2)
        {
            // All four taps inside: no fill mode, no bounds to check.
            float* p = input + ((int)rf * w + (int)cf);
            for (int ch = 0; ch < image.Size.Channels; ch++, p += plane, y += image.OutPlane)
                *y = w00 * p[0] + w01 * p[1] + w10 * p[w] + w11 * p[w + 1];
            return;
        }

        // Far outside (beyond int range): every tap is outside; clamp so the index arithmetic stays valid.
        int r0 = (int)Math.Clamp(rf, -4.0 * h - 4, 4.0 * h + 4), c0 = (int)Math.Clamp(cf, -4.0 * w - 4, 4.0 * w + 4);
        int y0 = FillModes.Map(r0, h, image.Fill), y1 = FillModes.Map(r0 + 1, h, image.Fill);
        int x0 = FillModes.Map(c0, w, image.Fill), x1 = FillModes.Map(c0 + 1, w, image.Fill);
        float fillValue = image.FillValue;
        for (int ch = 0; ch < image.Size.Channels; ch++, y += image.OutPlane)
        {
            float* p = input + ch * plane;
            float v00 = y0 < 0 || x0 < 0 ? fillValue : p[y0 * w + x0];
            float v01 = y0 < 0 || x1 < 0 ? fillValue : p[y0 * w + x1];
            float v10 = y1 < 0 || x0 < 0 ? fillValue : p[y1 * w + x0];
            float v11 = y1 < 0 || x1 < 0 ? fillValue : p[y1 * w + x1];
            *y = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
        }
    }

    // Pixels j … j+7 of row i (nearest or constant fill): Pixel's arithmetic lane by lane, the taps gathered.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Eight(float* input, float* output, in Image image, in Affine2D m, int i, int j, int width)
    {
        int h = image.Size.Height, w = image.Size.Width, plane = h * w;
        var columns = Vector512.Create((double)j) + Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
        var r = Vector512.Create(m.A * i) + Vector512.Create(m.B) * columns + Vector512.Create(m.C);
        var c = Vector512.Create(m.D * i) + Vector512.Create(m.E) * columns + Vector512.Create(m.F);
        var rf = Vector512.Floor(r);
        var cf = Vector512.Floor(c);
        var a = Avx512F.ConvertToVector256Single(r - rf);
        var b = Avx512F.ConvertToVector256Single(c - cf);
        var one = Vector256.Create(1f);
        Vector256<float> w00 = (one - a) * (one - b), w01 = (one - a) * b, w10 = a * (one - b), w11 = a * b;

        // Tap rows and columns; clamped first so that far-away (or NaN) coordinates convert safely, as in Pixel.
        var r0 = Avx512F.ConvertToVector256Int32WithTruncation(Vector512.Clamp(rf, Vector512.Create(-4.0 * h - 4), Vector512.Create(4.0 * h + 4)));
        var c0 = Avx512F.ConvertToVector256Int32WithTruncation(Vector512.Clamp(cf, Vector512.Create(-4.0 * w - 4), Vector512.Create(4.0 * w + 4)));
        var r1 = r0 + Vector256<int>.One;
        var c1 = c0 + Vector256<int>.One;
        Vector256<int> lastRow = Vector256.Create(h - 1), lastColumn = Vector256.Create(w - 1);
        // Nearest fill is the clamp itself; a constant fill reads the clamped (legal) address and replaces the value.
        var y0 = Vector256.Clamp(r0, Vector256<int>.Zero, lastRow) * Vector256.Create(w);
        var y1 = Vector256.Clamp(r1, Vector256<int>.Zero, lastRow) * Vector256.Create(w);
        var x0 = Vector256.Clamp(c0, Vector256<int>.Zero, lastColumn);
        var x1 = Vector256.Clamp(c1, Vector256<int>.Zero, lastColumn);
        Vector256<int> t00 = y0 + x0, t01 = y0 + x1, t10 = y1 + x0, t11 = y1 + x1;
        bool constant = image.Fill == FillMode.Constant;
        Vector256<float> in00 = default, in01 = default, in10 = default, in11 = default;
        if (constant)
        {
            var row0 = Vector256.Equals(r0, Vector256.Clamp(r0, Vector256<int>.Zero, lastRow));
            var row1 = Vector256.Equals(r1, Vector256.Clamp(r1, Vector256<int>.Zero, lastRow));
            var column0 = Vector256.Equals(c0, Vector256.Clamp(c0, Vector256<int>.Zero, lastColumn));
            var column1 = Vector256.Equals(c1, Vector256.Clamp(c1, Vector256<int>.Zero, lastColumn));
            (in00, in01, in10, in11) = ((row0 & column0).AsSingle(), (row0 & column1).AsSingle(), (row1 & column0).AsSingle(), (row1 & column1).AsSingle());
        }

        var fill = Vector256.Create(image.FillValue);
        float* y = output + i * width + j;
        float* p = input;
        for (int ch = 0; ch < image.Size.Channels; ch++, p += plane, y += image.OutPlane)
        {
            var v00 = Avx2.GatherVector256(p, t00, 4);
            var v01 = Avx2.GatherVector256(p, t01, 4);
            var v10 = Avx2.GatherVector256(p, t10, 4);
            var v11 = Avx2.GatherVector256(p, t11, 4);
            if (constant)
            {
                v00 = Vector256.ConditionalSelect(in00, v00, fill);
                v01 = Vector256.ConditionalSelect(in01, v01, fill);
                v10 = Vector256.ConditionalSelect(in10, v10, fill);
                v11 = Vector256.ConditionalSelect(in11, v11, fill);
            }

            Vector256.Store(w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11, y);
        }
    }

    // ⌊x⌋ by truncation, much cheaper than Math.Floor here; exact wherever a tap can be inside (|x| < 2^31),
    // and beyond that the caller clamps.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Floor(double x)
    {
        double t = (long)x;
        return t > x ? t - 1 : t;
    }
}
