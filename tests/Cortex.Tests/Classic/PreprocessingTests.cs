using Cortex.Classic;
using Cortex.Tensors;

namespace Cortex.Tests.Classic;

public class PreprocessingTests
{
    private static Tensor Random(Shape shape, int seed)
    {
        var random = new Random(seed);
        var values = new float[shape.Size];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 255);
        return Tensor.FromArray(values, shape);
    }

    [Fact]
    public void MeanImage_IsThePerPixelMean_ShapedLikeOneSample()
    {
        var x = Random(new Shape(7, 2, 3, 4), 1);
        var mean = Preprocessing.MeanImage(x);

        Assert.Equal(new Shape(2, 3, 4), mean.Shape);
        var values = x.Span.ToArray();
        for (int p = 0; p < 24; p++)
        {
            double expected = Enumerable.Range(0, 7).Average(i => (double)values[i * 24 + p]);
            Assert.Equal(expected, mean.Span[p], 3);
        }
    }

    [Fact]
    public void SubtractMean_OfTheTrainingMean_LeavesEveryPixelCentred()
    {
        var x = Random(new Shape(5, 1, 4, 4), 2);
        var centred = Preprocessing.SubtractMean(x, Preprocessing.MeanImage(x));

        Assert.Equal(x.Shape, centred.Shape);
        for (int p = 0; p < 16; p++)
        {
            Assert.Equal(x.Span[p] - Preprocessing.MeanImage(x).Span[p], centred.Span[p], 4);
            Assert.Equal(0.0, Enumerable.Range(0, 5).Sum(i => (double)centred.Span[i * 16 + p]), 3);
        }
        Assert.Throws<ArgumentException>(() => Preprocessing.SubtractMean(x, new Tensor(new Shape(1, 4, 3))));
    }

    [Fact]
    public void ScaleToUnitRange_DividesByMax_AndRefusesABadMax()
    {
        var x = Tensor.FromArray([0f, 51f, 127.5f, 255f], new Shape(1, 4));
        var scaled = Preprocessing.ScaleToUnitRange(x);

        Assert.Equal([0f, 0.2f, 0.5f, 1f], scaled.Span.ToArray());
        Assert.Equal(51f, x.Span[1]);                                   // a new tensor; the input is untouched
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocessing.ScaleToUnitRange(x, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocessing.ScaleToUnitRange(x, float.NaN));
    }

    [Fact]
    public void MeanImage_OfNoSamples_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Preprocessing.MeanImage(new Tensor(new Shape(0, 3))));
}
