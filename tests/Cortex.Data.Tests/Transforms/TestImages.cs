// TestImages.cs — small images with known pixels for the transform tests.
using Cortex.Tensors;

namespace Cortex.Data.Tests.Transforms;

internal static class TestImages
{
    /// <summary>x[c, i, j] = 100·c + 10·i + j: every pixel names its place.</summary>
    public static float[] Indexed(ImageSize size)
    {
        var x = new float[size.Length];
        for (int c = 0; c < size.Channels; c++)
            for (int i = 0; i < size.Height; i++)
                for (int j = 0; j < size.Width; j++)
                    x[(c * size.Height + i) * size.Width + j] = 100 * c + 10 * i + j;
        return x;
    }

    public static float At(float[] x, ImageSize size, int c, int i, int j) => x[(c * size.Height + i) * size.Width + j];

    public static float[] Apply(Cortex.Data.Transforms.Transform t, float[] x, ImageSize size, ulong seed = 1)
    {
        var y = new float[t.OutputSize(size).Length];
        t.Apply(x, size, y, new CortexRandom(seed));
        return y;
    }

    /// <summary>Random pixels in [0, 1).</summary>
    public static ImageDataset RandomDataset(int count, ImageSize size, int classes, ulong seed)
    {
        var images = Tensor.RandomUniform(size.ToBatchShape(count), new CortexRandom(seed));
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        return new ImageDataset(images, labels, [.. Enumerable.Range(0, classes).Select(k => $"c{k}")], "random");
    }
}
