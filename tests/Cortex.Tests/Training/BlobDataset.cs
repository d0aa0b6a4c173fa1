using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Tests.Training;

/// <summary>Gaussian blobs around K class centres in D dimensions: a small problem a Dense net solves.</summary>
internal sealed class BlobDataset : IDataset
{
    private readonly float[] _x;
    private readonly int[] _y;

    public BlobDataset(int count, int classes, int dimensions, ulong seed, float spread = 0.3f)
    {
        var rng = new CortexRandom(seed);
        var centres = new CortexRandom(1234);   // the same centres for every split
        var c = new float[classes * dimensions];
        centres.FillNormal(c, 0f, 1.5f);
        _x = new float[count * dimensions];
        _y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.NextInt(classes);
            _y[i] = label;
            for (int d = 0; d < dimensions; d++)
                _x[i * dimensions + d] = c[label * dimensions + d] + (float)rng.Normal(0, spread);
        }
        NumClasses = classes;
        SampleShape = new Shape(dimensions);
    }

    public int Count => _y.Length;
    public Shape SampleShape { get; }
    public int NumClasses { get; }

    public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        int d = SampleShape.Size;
        var dst = images.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            _x.AsSpan(indices[i] * d, d).CopyTo(dst.Slice(i * d, d));
            labels[i] = _y[indices[i]];
        }
    }
}
