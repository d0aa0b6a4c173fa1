using Cortex.Losses;
using Cortex.Models;
using Cortex.Tensors;

namespace Cortex.Studio.Tests;

public sealed class PicturesTests
{
    [Fact]
    public void Tiles_ScaleEachTileByItsOwnRange()
    {
        // Two 1×2×2 tiles: the first spans 0…3, the second is faint (10.0…10.3) but still drawn 0…255.
        float[] values = [0f, 1f, 2f, 3f, 10f, 10.1f, 10.2f, 10.3f];
        var tiles = Pictures.Tiles(values, count: 2, channels: 1, height: 2, width: 2);
        var bytes = Convert.FromBase64String(tiles.Data);
        Assert.Equal([0, 85, 170, 255, 0, 85, 170, 255], bytes);
        Assert.Equal((2, 2, 0f, 10.3f), (tiles.Count, tiles.Total, tiles.Min, tiles.Max));
    }

    [Fact]
    public void Tiles_KeepTheTotal_WhenCappedAndDrawFlatOrNonFiniteTilesBlack()
    {
        var values = new float[5 * 4];
        values[4] = float.NaN;
        var tiles = Pictures.Tiles(values, count: 5, channels: 1, height: 2, width: 2, maxTiles: 3);
        Assert.Equal((3, 5), (tiles.Count, tiles.Total));
        Assert.All(Convert.FromBase64String(tiles.Data), b => Assert.Equal(0, b));
        Assert.Throws<ArgumentException>(() => Pictures.Tiles(values, count: 6, channels: 1, height: 2, width: 2));
    }

    [Fact]
    public void Histogram_CountsEveryFiniteValueOnce_InEqualBins()
    {
        var rng = new CortexRandom(3);
        var values = new float[1000];
        rng.FillNormal(values, 0f, 1f);
        values[7] = float.PositiveInfinity;
        var h = Pictures.Histogram(values, bins: 10);
        Assert.Equal(999, h.Counts.Sum());
        var finite = values.Where(float.IsFinite).ToArray();
        Assert.Equal((finite.Min(), finite.Max()), (h.Min, h.Max));
        double width = (h.Max - (double)h.Min) / 10;
        for (int b = 0; b < 10; b++)
        {
            double lo = h.Min + b * width, hi = lo + width;
            int expected = finite.Count(v => v >= lo && (v < hi || b == 9));
            Assert.InRange(h.Counts[b], expected - 1, expected + 1);   // a value on a bin's edge may round either way
        }
    }

    [Fact]
    public void Probe_OfLeNet5_ShowsItsTwelveLayers_WithTheModelsOwnOutputs()
    {
        var model = ModelZoo.Create("lenet5");
        var images = Tensor.RandomNormal(new Shape(4, 1, 28, 28), new CortexRandom(1));
        int[] labels = [3, 1, 4, 1];
        var probe = new NetworkProbe(model, numClasses: 10);
        var before = model.AllParameters().Select(p => p.Value.Span.ToArray()).ToArray();

        var view = probe.Run(images, labels, "3", examplesSeen: 128);

        Assert.Equal(12, view.Layers.Count);
        Assert.Equal(model.AllParameters().Sum(p => (long)p.Value.Size), view.Layers.Sum(l => l.Parameters));
        Assert.Equal([10], view.Layers[^1].OutputShape);
        Assert.Equal([6, 28, 28], view.Layers[0].OutputShape);
        Assert.Equal((4, 128L), (view.ProbeBatch, view.ExamplesSeen));

        // The last row's activations are the model's scores for sample 0, and its gradient is softmax − one-hot.
        var scores = model.Forward(images, training: false);
        var expectedScores = Pictures.Tiles(scores.Span[..10], 1, 1, 1, 10);
        Assert.Equal(expectedScores.Data, view.Layers[^1].Activations!.Data);
        var loss = new SoftmaxCrossEntropy();
        loss.Forward(scores, Tensor.FromArray(3f, 1f, 4f, 1f));
        var expectedGradient = Pictures.Tiles(loss.Backward().Span[..10], 1, 1, 1, 10);
        Assert.Equal(expectedGradient.Data, view.Layers[^1].ActivationGradients!.Data);

        // The first convolution's filters are its 6 weights of 5×5, and the probe leaves the weights as they were.
        var conv = view.Layers[0];
        Assert.Equal((6, 1, 5, 5), (conv.Filters!.Count, conv.Filters.Channels, conv.Filters.Height, conv.Filters.Width));
        Assert.Equal(Pictures.Tiles(model.AllParameters().First().Value.Span, 6, 1, 5, 5, 128).Data, conv.Filters.Data);
        Assert.Equal(before, model.AllParameters().Select(p => p.Value.Span.ToArray()).ToArray());
        Assert.All(view.Layers, l => Assert.True(l.ForwardMs >= 0 && l.BackwardMs >= 0));
        Assert.Null(view.Layers.First(l => l.Kind == "ReLU").Weights);
    }
}
