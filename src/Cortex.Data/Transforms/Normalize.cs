// Normalize.cs — per-channel standardization, the lectures' "subtract the mean" preprocessing
// (and dividing by the standard deviation): y_c = (x_c − μ_c) / σ_c. Fit computes μ and σ over
// every pixel of the training set (population σ, accumulated in double); apply the same values to
// validation and test data. Omit σ (all ones) to only subtract the mean.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Subtracts a per-channel mean and divides by a per-channel standard deviation.</summary>
/// <example><code>
/// var normalize = Normalize.Fit(train);                                   // from the training set
/// var imagenet = new Normalize([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
/// </code></example>
public sealed class Normalize : Transform
{
    private readonly float[] _mean, _std;

    /// <summary>Uses <paramref name="mean"/> and <paramref name="std"/> (one per channel; std omitted = 1).</summary>
    public Normalize(ReadOnlySpan<float> mean, ReadOnlySpan<float> std = default)
    {
        if (mean.IsEmpty)
            throw new ArgumentException("Normalize: expected at least one channel mean, got none.", nameof(mean));
        if (!std.IsEmpty && std.Length != mean.Length)
            throw new ArgumentException($"Normalize: expected one std per mean ({mean.Length}), got {std.Length}.", nameof(std));
        _mean = mean.ToArray();
        _std = std.IsEmpty ? [.. Enumerable.Repeat(1f, mean.Length)] : std.ToArray();
        foreach (float s in _std)
        {
            if (!(s > 0) || !float.IsFinite(s))
                throw new ArgumentOutOfRangeException(nameof(std), $"Normalize: expected positive standard deviations, got [{string.Join(", ", _std)}].");
        }
    }

    /// <summary>Per-channel means μ.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviations σ.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <inheritdoc/>
    public override string Name => $"Normalize(μ [{Format(_mean)}], σ [{Format(_std)}])";

    /// <summary>The per-channel mean and population standard deviation of every pixel of <paramref name="data"/>.</summary>
    public static Normalize Fit(ImageDataset data, bool subtractMeanOnly = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        int channels = data.SampleShape[0], plane = data.SampleShape[1] * data.SampleShape[2];
        var sum = new double[channels];
        var squares = new double[channels];
        ReadOnlySpan<float> all = data.Images.Span;
        for (int image = 0; image < data.Count; image++)
        {
            for (int c = 0; c < channels; c++)
            {
                var x = all.Slice((image * channels + c) * plane, plane);
                double s = 0, q = 0;
                foreach (float v in x)
                {
                    s += v;
                    q += (double)v * v;
                }
                sum[c] += s;
                squares[c] += q;
            }
        }
        double n = (double)data.Count * plane;
        if (n == 0)
            throw new ArgumentException($"Normalize: {data.Name} has no pixels.", nameof(data));
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double mu = sum[c] / n;
            mean[c] = (float)mu;
            std[c] = subtractMeanOnly ? 1f : (float)Math.Max(Math.Sqrt(Math.Max(squares[c] / n - mu * mu, 0)), 1e-6);
        }
        return new Normalize(mean, std);
    }

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input)
    {
        if (input.Channels != _mean.Length)
            throw new ArgumentException($"Normalize: expected {_mean.Length} channels, got {input}.");
        return input;
    }

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        CheckSpans(source, size, destination, OutputSize(size));
        int plane = size.PlaneLength;
        for (int c = 0; c < size.Channels; c++)
        {
            var output = destination.Slice(c * plane, plane);
            System.Numerics.Tensors.TensorPrimitives.Subtract(source.Slice(c * plane, plane), _mean[c], output); // x − μ
            System.Numerics.Tensors.TensorPrimitives.Divide(output, _std[c], output);                              // / σ
        }
    }

    /// <summary>Normalizes every image of <paramref name="data"/> into a new data set (for validation and test sets).</summary>
    public ImageDataset ApplyTo(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var size = ImageSize.FromShape(data.SampleShape);
        var images = new Tensor(data.Images.Shape);
        for (int i = 0; i < data.Count; i++)
            Apply(data.Images.Span.Slice(i * size.Length, size.Length), size, images.Span.Slice(i * size.Length, size.Length), CortexRandom.Global);
        return new ImageDataset(images, data.Labels, data.ClassNames, data.Name);
    }

    private static string Format(float[] values) =>
        string.Join(", ", values.Select(v => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
}
