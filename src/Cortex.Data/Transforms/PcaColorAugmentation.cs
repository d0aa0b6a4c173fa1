// PcaColorAugmentation.cs — AlexNet's colour augmentation ("fancy PCA", Krizhevsky et al. 2012,
// §4.1): perform PCA on the RGB values of every training pixel — eigenvectors pᵢ and eigenvalues
// λᵢ of their 3×3 covariance — and add to every pixel of an image the same offset
//   δ = [p₁ p₂ p₃] · [α₁λ₁, α₂λ₂, α₃λ₃]ᵀ,    αᵢ ~ N(0, σ²), σ = 0.1, drawn once per image.
// λ are variances of [0, 1] pixels (as fb.resnet.torch's Lighting uses them). The result is not
// clamped, as in the paper. Fit reads every pixel of the training set once, accumulating in double.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Adds a random colour offset along the principal components of the training set's RGB pixels.</summary>
/// <example><code>
/// var pca = PcaColorAugmentation.Fit(train);        // eigen-decompose the RGB covariance of train
/// Console.WriteLine(string.Join(", ", pca.Eigenvalues));
/// var pipeline = new Compose(new RandomCrop(32, 32, padding: 4), new HorizontalFlip(), pca);
/// </code></example>
public sealed class PcaColorAugmentation : Transform
{
    private readonly float[] _eigenvalues;
    private readonly float[] _eigenvectors;   // row-major 3×3; column k is pₖ

    /// <summary>
    /// Uses the given eigenvalues λ (3) and eigenvectors (3×3 row-major, column k is the k-th eigenvector) with
    /// αᵢ ~ N(0, <paramref name="std"/>²).
    /// </summary>
    public PcaColorAugmentation(ReadOnlySpan<float> eigenvalues, ReadOnlySpan<float> eigenvectors, double std = 0.1)
    {
        if (eigenvalues.Length != 3 || eigenvectors.Length != 9)
            throw new ArgumentException(
                $"PcaColorAugmentation: expected 3 eigenvalues and a 3×3 eigenvector matrix, got {eigenvalues.Length} and {eigenvectors.Length} values.",
                nameof(eigenvalues));
        if (!(std >= 0))
            throw new ArgumentOutOfRangeException(nameof(std), $"PcaColorAugmentation: expected a non-negative σ, got {std}.");
        _eigenvalues = eigenvalues.ToArray();
        _eigenvectors = eigenvectors.ToArray();
        Std = std;
    }

    /// <summary>Eigenvalues λ₁ ≥ λ₂ ≥ λ₃ of the RGB covariance.</summary>
    public IReadOnlyList<float> Eigenvalues => _eigenvalues;

    /// <summary>Eigenvectors, row-major 3×3: element [c·3 + k] is channel c of pₖ.</summary>
    public IReadOnlyList<float> Eigenvectors => _eigenvectors;

    /// <summary>Standard deviation σ of the αᵢ.</summary>
    public double Std { get; }

    /// <inheritdoc/>
    public override string Name => $"PcaColor(σ {Std:0.###}, λ [{string.Join(", ", _eigenvalues.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}])";

    /// <summary>Eigen-decomposes the covariance of every RGB pixel of <paramref name="data"/> (3 channels).</summary>
    /// <exception cref="ArgumentException">The images do not have 3 channels.</exception>
    public static PcaColorAugmentation Fit(ImageDataset data, double std = 0.1)
    {
        ArgumentNullException.ThrowIfNull(data);
        var covariance = RgbCovariance(data);
        var (values, vectors) = SymmetricEigen3.Decompose(covariance);
        var vectorValues = new float[9];
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 3; k++)
                vectorValues[r * 3 + k] = (float)vectors[r, k];
        return new PcaColorAugmentation([(float)Math.Max(values[0], 0), (float)Math.Max(values[1], 0), (float)Math.Max(values[2], 0)], vectorValues, std);
    }

    /// <summary>The 3×3 covariance of the RGB values of every pixel of <paramref name="data"/>.</summary>
    public static double[,] RgbCovariance(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.SampleShape[0] != 3)
            throw new ArgumentException($"PcaColorAugmentation: expected RGB images (3 channels), got {data.SampleShape} in {data.Name}.", nameof(data));
        int plane = data.SampleShape[1] * data.SampleShape[2];
        ReadOnlySpan<float> all = data.Images.Span;
        double n = 0;
        Span<double> sum = stackalloc double[3];
        Span<double> products = stackalloc double[6]; // rr rg rb gg gb bb
        for (int image = 0; image < data.Count; image++)
        {
            var x = all.Slice(image * 3 * plane, 3 * plane);
            for (int p = 0; p < plane; p++)
            {
                double r = x[p], g = x[plane + p], b = x[2 * plane + p];
                sum[0] += r; sum[1] += g; sum[2] += b;
                products[0] += r * r; products[1] += r * g; products[2] += r * b;
                products[3] += g * g; products[4] += g * b; products[5] += b * b;
            }
            n += plane;
        }
        if (n == 0)
            throw new ArgumentException($"PcaColorAugmentation: {data.Name} has no pixels.", nameof(data));
        double mr = sum[0] / n, mg = sum[1] / n, mb = sum[2] / n;
        double rr = products[0] / n - mr * mr, rg = products[1] / n - mr * mg, rb = products[2] / n - mr * mb;
        double gg = products[3] / n - mg * mg, gb = products[4] / n - mg * mb, bb = products[5] / n - mb * mb;
        return new double[3, 3] { { rr, rg, rb }, { rg, gg, gb }, { rb, gb, bb } };
    }

    /// <summary>The offset δ for the draws <paramref name="alpha"/> (3 values): δ_c = Σₖ p_k[c]·αₖ·λₖ.</summary>
    public void Offset(ReadOnlySpan<double> alpha, Span<float> delta)
    {
        for (int c = 0; c < 3; c++)
        {
            double d = 0;
            for (int k = 0; k < 3; k++)
                d += _eigenvectors[c * 3 + k] * alpha[k] * _eigenvalues[k];
            delta[c] = (float)d;
        }
    }

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input)
    {
        if (input.Channels != 3)
            throw new ArgumentException($"{nameof(PcaColorAugmentation)}: expected RGB images (3 channels), got {input}.");
        return input;
    }

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, OutputSize(size));
        Span<double> alpha = [random.Normal(0, Std), random.Normal(0, Std), random.Normal(0, Std)];
        Span<float> delta = stackalloc float[3];
        Offset(alpha, delta);
        int plane = size.PlaneLength;
        for (int c = 0; c < 3; c++)
        {
            var input = source.Slice(c * plane, plane);
            var output = destination.Slice(c * plane, plane);
            System.Numerics.Tensors.TensorPrimitives.Add(input, delta[c], output);   // x_c + δ_c
        }
    }
}
