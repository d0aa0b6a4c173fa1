using Cortex.Data.Transforms;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Data.Tests;

public sealed class TestTimeAugmentationTests
{
    [Fact]
    public void TenCrop_AveragesSoftmaxOverTheTenViews()
    {
        var size = new ImageSize(1, 5, 5);
        var images = Tensor.RandomUniform(size.ToBatchShape(3), new CortexRandom(1));
        var model = new Sequential(new Flatten(), new Dense(9, 4, random: new CortexRandom(2)));
        var scores = TestTimeAugmentation.TenCrop(model, images, 3, 3, batchSize: 2);
        Assert.Equal(new Shape(3, 4), scores.Shape);

        var views = TestTimeAugmentation.TenCropViews(3, 3);
        Assert.Equal(10, views.Count);
        for (int i = 0; i < 3; i++)
        {
            var expected = new double[4];
            foreach (var view in views)
            {
                var crop = view.Apply(images.SliceBatch(i, 1), new CortexRandom(0)).Reshape(1, 1, 3, 3);
                var y = model.Forward(crop, training: false).ToArray();
                double max = y.Max(), total = y.Sum(v => Math.Exp(v - max));
                for (int k = 0; k < 4; k++)
                    expected[k] += Math.Exp(y[k] - max) / total / 10;
            }
            for (int k = 0; k < 4; k++)
                Assert.Equal(expected[k], scores[i, k], 1e-5);
            Assert.Equal(1.0, Enumerable.Range(0, 4).Sum(k => scores[i, k]), 1e-5);
        }
    }

    [Fact]
    public void TenCrop_OfAMirrorSymmetricModel_EqualsTheFiveCropAverage()
    {
        // The views' second half are the mirrors: for images symmetric left–right, they repeat the first half.
        // (5×5 images, 3×3 crops: the centre crop is itself symmetric, and mirroring swaps the corners.)
        var size = new ImageSize(1, 5, 5);
        var images = new Tensor(size.ToBatchShape(1));
        float[] row = [0.1f, 0.7f, 0.3f, 0.7f, 0.1f];
        for (int i = 0; i < 5; i++)
            row.Select(v => v * (i + 1)).ToArray().CopyTo(images.Span.Slice(i * 5, 5));
        var model = new Sequential(new Flatten(), new Dense(9, 3, random: new CortexRandom(5)));
        var ten = TestTimeAugmentation.TenCrop(model, images, 3, 3, softmax: false);
        var five = TestTimeAugmentation.Average(model, images, TestTimeAugmentation.TenCropViews(3, 3).Take(5).ToList(), softmax: false);
        Assert.NotEqual(ten.ToArray(), new float[3]);
        for (int k = 0; k < 3; k++)
            Assert.Equal(five[0, k], ten[0, k], 1e-5f);
        Assert.Equal(1.0, TestTimeAugmentation.Accuracy(Tensor.FromArray(new float[,] { { 0.2f, 0.8f } }), [1]));
    }

    [Fact]
    public void Average_ViewsOfDifferentSizes_Throw()
    {
        var images = new Tensor(1, 1, 4, 4);
        var model = new Sequential(new Flatten(), new Dense(4, 2));
        var e = Assert.Throws<ArgumentException>(() => TestTimeAugmentation.Average(model, images, [new CenterCrop(2, 2), new CenterCrop(3, 3)]));
        Assert.Contains("expected every view to give 1×2×2", e.Message, StringComparison.Ordinal);
    }
}
