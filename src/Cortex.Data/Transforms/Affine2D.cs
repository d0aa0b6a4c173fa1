// Affine2D.cs — a 2-D affine map on (row, column) pixel coordinates, used as the *inverse*
// mapping of a warp: output pixel (i, j) reads the input at
//   (r, c) = (A·i + B·j + C,  D·i + E·j + F)
// (scipy.ndimage.affine_transform's convention, which Keras' apply_affine_transform uses).
// Composition follows matrix products: (P * Q) maps a point through Q, then P.
namespace Cortex.Data.Transforms;

/// <summary>An affine map (r, c) = M·(i, j) + t on row/column coordinates.</summary>
/// <example><code>
/// // Rotate by θ about the centre of an H×W image (inverse mapping):
/// var m = Affine2D.AboutCenter(Affine2D.Rotation(theta), h, w);
/// </code></example>
public readonly record struct Affine2D(double A, double B, double C, double D, double E, double F)
{
    /// <summary>The identity map.</summary>
    public static Affine2D Identity => new(1, 0, 0, 0, 1, 0);

    /// <summary>Rotation by <paramref name="radians"/> (Keras' rotation matrix on (row, col)).</summary>
    public static Affine2D Rotation(double radians)
    {
        (double sin, double cos) = Math.SinCos(radians);
        return new(cos, -sin, 0, sin, cos, 0);
    }

    /// <summary>Translation by <paramref name="rows"/>, <paramref name="columns"/>.</summary>
    public static Affine2D Translation(double rows, double columns) => new(1, 0, rows, 0, 1, columns);

    /// <summary>Keras' shear by <paramref name="radians"/>: [[1, −sin s], [0, cos s]].</summary>
    public static Affine2D Shear(double radians)
    {
        (double sin, double cos) = Math.SinCos(radians);
        return new(1, -sin, 0, 0, cos, 0);
    }

    /// <summary>Scaling of rows by <paramref name="rows"/> and columns by <paramref name="columns"/> (Keras' zoom zx, zy).</summary>
    public static Affine2D Scale(double rows, double columns) => new(rows, 0, 0, 0, columns, 0);

    /// <summary>
    /// <paramref name="map"/> applied about the centre ((H − 1)/2, (W − 1)/2) of an H×W image:
    /// T(center) · map · T(−center), so the centre pixel stays put.
    /// </summary>
    public static Affine2D AboutCenter(Affine2D map, int height, int width)
    {
        double cy = (height - 1) / 2.0, cx = (width - 1) / 2.0;
        return Translation(cy, cx) * map * Translation(-cy, -cx);
    }

    /// <summary>The composition: first <paramref name="q"/>, then <paramref name="p"/>.</summary>
    public static Affine2D operator *(Affine2D p, Affine2D q) => new(
        p.A * q.A + p.B * q.D, p.A * q.B + p.B * q.E, p.A * q.C + p.B * q.F + p.C,
        p.D * q.A + p.E * q.D, p.D * q.B + p.E * q.E, p.D * q.C + p.E * q.F + p.F);

    /// <summary>Where (<paramref name="row"/>, <paramref name="column"/>) maps to.</summary>
    public (double Row, double Column) Map(double row, double column) => (A * row + B * column + C, D * row + E * column + F);

    /// <summary>The composition <paramref name="p"/> · <paramref name="q"/> (first q, then p), for languages without operators.</summary>
    public static Affine2D Multiply(Affine2D p, Affine2D q) => p * q;
}
