// RandomAffine.cs — Keras ImageDataGenerator's geometric augmentation (the lectures' cats-vs-dogs
// setup: rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
// zoom_range=0.2, fill_mode='nearest'), composed into one affine warp as Keras'
// apply_affine_transform does:
//   θ ~ U(−rotation, rotation)°          tx ~ U(−hs, hs)·H (rows)   ty ~ U(−ws, ws)·W (columns)
//   s ~ U(−shear, shear)                  zx, zy ~ U(1 − z, 1 + z) independently
//   M = Rotation(θ) · Translation(tx, ty) · Shear(s) · Scale(zx, zy), applied about the image centre
// M maps output coordinates to input coordinates (inverse mapping), so zx < 1 zooms in and a
// positive tx moves the content up. Sampling is bilinear; outside reads use the fill mode.
//
// Shear units: Keras ≥ 2.2 reads shear_range in degrees; Keras 2.0/2.1 (the version the lectures'
// code and Chollet's book were written against) drew it in radians, so shear_range=0.2 meant
// about 11.5°. ShearDegrees is explicit here; the "keras" preset uses 0.2 rad = 11.46° so the
// preview looks like the book's figures. Pass shearDegrees: 0.2 for modern Keras' behaviour.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Random rotation, shift, shear and zoom in one affine warp (Keras ImageDataGenerator semantics).</summary>
/// <example><code>
/// var keras = new RandomAffine(rotationDegrees: 40, widthShift: 0.2, heightShift: 0.2, shearDegrees: 11.46, zoom: 0.2,
///                              fill: FillMode.Nearest);
/// </code></example>
public sealed class RandomAffine : Transform
{
    /// <summary>Creates the augmentation; every range is symmetric about "no change" and 0 disables that part.</summary>
    /// <param name="rotationDegrees">Rotation θ uniform in [−r, r] degrees (Keras rotation_range).</param>
    /// <param name="widthShift">Horizontal shift uniform in [−f, f] × width (Keras width_shift_range, a fraction).</param>
    /// <param name="heightShift">Vertical shift uniform in [−f, f] × height (Keras height_shift_range).</param>
    /// <param name="shearDegrees">Shear angle uniform in [−s, s] degrees (Keras ≥ 2.2 shear_range).</param>
    /// <param name="zoom">Zoom factors zx, zy uniform in [1 − z, 1 + z] each (Keras zoom_range as a float).</param>
    /// <param name="fill">How pixels from outside the image are filled (Keras fill_mode).</param>
    /// <param name="fillValue">The value for <see cref="FillMode.Constant"/> (Keras cval).</param>
    public RandomAffine(double rotationDegrees = 0, double widthShift = 0, double heightShift = 0, double shearDegrees = 0, double zoom = 0,
        FillMode fill = FillMode.Nearest, float fillValue = 0f)
    {
        Check(rotationDegrees, 0, 180, nameof(rotationDegrees));
        Check(widthShift, 0, 1, nameof(widthShift));
        Check(heightShift, 0, 1, nameof(heightShift));
        Check(shearDegrees, 0, 89, nameof(shearDegrees));
        Check(zoom, 0, 0.99, nameof(zoom));
        (RotationDegrees, WidthShift, HeightShift, ShearDegrees, Zoom, Fill, FillValue) =
            (rotationDegrees, widthShift, heightShift, shearDegrees, zoom, fill, fillValue);
    }

    /// <summary>Largest rotation in degrees.</summary>
    public double RotationDegrees { get; }

    /// <summary>Largest horizontal shift as a fraction of the width.</summary>
    public double WidthShift { get; }

    /// <summary>Largest vertical shift as a fraction of the height.</summary>
    public double HeightShift { get; }

    /// <summary>Largest shear angle in degrees.</summary>
    public double ShearDegrees { get; }

    /// <summary>Largest zoom deviation from 1.</summary>
    public double Zoom { get; }

    /// <summary>How pixels from outside the image are filled.</summary>
    public FillMode Fill { get; }

    /// <summary>The fill value for <see cref="FillMode.Constant"/>.</summary>
    public float FillValue { get; }

    /// <inheritdoc/>
    public override string Name =>
        $"RandomAffine(rot ±{RotationDegrees:0.#}°, shift ±{WidthShift:0.##}/{HeightShift:0.##}, shear ±{ShearDegrees:0.#}°, zoom ±{Zoom:0.##}, {Fill.ToString().ToLowerInvariant()})";

    /// <summary>The inverse map for the given draws on an image of <paramref name="height"/>×<paramref name="width"/> (Keras' order).</summary>
    public static Affine2D Matrix(int height, int width, double rotationDegrees, double shiftRows, double shiftColumns,
        double shearDegrees, double zoomRows, double zoomColumns) =>
        Affine2D.AboutCenter(
            Affine2D.Rotation(rotationDegrees * Math.PI / 180) *
            Affine2D.Translation(shiftRows, shiftColumns) *
            Affine2D.Shear(shearDegrees * Math.PI / 180) *
            Affine2D.Scale(zoomRows, zoomColumns),
            height, width);

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, size);
        // Always five draws, in Keras' order, so a pipeline's stream does not depend on which parts are on.
        double theta = Symmetric(random, RotationDegrees);
        double tx = Symmetric(random, HeightShift) * size.Height;
        double ty = Symmetric(random, WidthShift) * size.Width;
        double shear = Symmetric(random, ShearDegrees);
        double zx = 1 + Symmetric(random, Zoom), zy = 1 + Symmetric(random, Zoom);
        var inverse = Matrix(size.Height, size.Width, theta, tx, ty, shear, zx, zy);
        AffineWarp.Apply(source, size, destination, size.Height, size.Width, inverse, Fill, FillValue);
    }

    private static double Symmetric(CortexRandom random, double range) => range * (2 * random.NextDouble() - 1);

    private static void Check(double value, double low, double high, string name)
    {
        if (!(value >= low && value <= high))
            throw new ArgumentOutOfRangeException(name, $"RandomAffine: expected {name} in [{low}, {high}], got {value}.");
    }
}
