using Cortex.Classic;
using Cortex.Tensors;

namespace Cortex.Tests.Classic;

public class LinearClassifierTests
{
    // Three Gaussian blobs in 12 dimensions, offset by class; shaped (N, 1, 3, 4) like tiny images.
    private static (Tensor X, int[] Y) Blobs(int n, int seed)
    {
        var random = new CortexRandom((ulong)seed);
        var x = new float[n * 12];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int p = 0; p < 12; p++)
                x[i * 12 + p] = 0.5f + 0.3f * (float)random.Normal() + (p % 3 == y[i] ? 0.8f : 0f);
        }
        return (Tensor.FromArray(x, new Shape(n, 1, 3, 4)), y);
    }

    [Theory]
    [InlineData(LinearLoss.Svm, false)]
    [InlineData(LinearLoss.Softmax, false)]
    [InlineData(LinearLoss.Svm, true)]
    [InlineData(LinearLoss.Softmax, true)]
    public void Fit_Blobs_LearnsThem_AndTheLossFalls(LinearLoss loss, bool biasTrick)
    {
        var (x, y) = Blobs(600, 1);
        var (tx, ty) = Blobs(300, 2);
        var model = new LinearClassifier(new Shape(1, 3, 4), 3, loss, biasTrick, new CortexRandom(3)) { Mean = Preprocessing.MeanImage(x) };
        Assert.Equal(biasTrick ? 13 : 12, model.Features);
        Assert.Equal(biasTrick, model.Bias is null);
        var history = model.Fit(x, y, new LinearTrainingOptions { Epochs = 8, BatchSize = 50, LearningRate = 0.05f, Seed = 4 }, (tx, ty));
        Assert.True(history.Epochs[^1].TrainLoss < 0.5 * history.Epochs[0].TrainLoss,
            $"loss {history.Epochs[0].TrainLoss} → {history.Epochs[^1].TrainLoss}");
        Assert.True(model.Accuracy(tx, ty) > 0.97, $"test accuracy {model.Accuracy(tx, ty)}");
        Assert.Equal(model.Accuracy(tx, ty), history.Epochs[^1].ValidationAccuracy, 1e-9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Scores_AreWTimesCentredXPlusB(bool biasTrick)
    {
        var (x, _) = Blobs(7, 5);
        var model = new LinearClassifier(new Shape(1, 3, 4), 3, LinearLoss.Softmax, biasTrick, new CortexRandom(6)) { Mean = Preprocessing.MeanImage(x) };
        var random = new CortexRandom(7);
        foreach (var p in model.Layer.Parameters)
        {
            for (int i = 0; i < p.Value.Size; i++)
                p.Value.Span[i] = (float)random.Normal();
        }
        var scores = model.Scores(x);
        var w = model.Weight.Value.Span;
        for (int i = 0; i < 7; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                double s = biasTrick ? w[c * 13 + 12] : model.Bias!.Value.Span[c];    // b, or W's last column times 1
                for (int p = 0; p < 12; p++)
                    s += w[c * model.Features + p] * ((double)x.Span[i * 12 + p] - model.Mean!.Span[p]);
                Assert.Equal(s, scores.Span[i * 3 + c], 1e-5);
            }
        }
    }

    [Fact]
    public void StrongRegularization_ShrinksW()
    {
        var (x, y) = Blobs(300, 8);
        double Norm(Regularization r, float lambda)
        {
            var model = new LinearClassifier(new Shape(1, 3, 4), 3, LinearLoss.Svm, random: new CortexRandom(9));
            model.Fit(x, y, new LinearTrainingOptions { Epochs = 5, BatchSize = 50, LearningRate = 0.05f, Regularization = r, RegularizationStrength = lambda });
            return Math.Sqrt(model.Weight.Value.Span.ToArray().Sum(v => (double)v * v));
        }
        double free = Norm(Regularization.L2, 0f), l2 = Norm(Regularization.L2, 2f), l1 = Norm(Regularization.L1, 1f);
        Assert.True(l2 < 0.5 * free, $"‖W‖ {free} without, {l2} with L2");
        Assert.True(l1 < 0.5 * free, $"‖W‖ {free} without, {l1} with L1");
    }

    [Fact]
    public void SaveAndLoad_RoundTrip_PredictsTheSame()
    {
        var (x, y) = Blobs(120, 10);
        var model = new LinearClassifier(new Shape(1, 3, 4), 3, LinearLoss.Svm, biasTrick: true, new CortexRandom(11)) { Mean = Preprocessing.MeanImage(x) };
        model.Fit(x, y, new LinearTrainingOptions { Epochs = 2, BatchSize = 40 });
        string path = Path.Combine(Path.GetTempPath(), $"cortex-linear-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = LinearClassifier.Load(path);
            Assert.Equal(LinearLoss.Svm, loaded.LossKind);
            Assert.True(loaded.BiasTrick);
            Assert.Equal(model.Weight.Value.ToArray(), loaded.Weight.Value.ToArray());
            Assert.Equal(model.Predict(x), loaded.Predict(x));
            var templates = loaded.Templates();
            Assert.Equal(new Shape(3, 1, 3, 4), templates.Shape);
            Assert.Equal(model.Weight.Value.Span[13], templates.Span[12]);       // row 1 starts after row 0's 12 + bias column
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WrongSampleSize_Throws()
    {
        var model = new LinearClassifier(new Shape(1, 3, 4), 3);
        var ex = Assert.Throws<ArgumentException>(() => model.Predict(new Tensor(2, 1, 3, 3)));
        Assert.Contains("expected samples (N, [1, 3, 4]) of 12 values each", ex.Message, StringComparison.Ordinal);
    }
}
