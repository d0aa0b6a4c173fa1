using Cortex.Data.Tests.Transforms;
using Cortex.Data.Validation;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Data.Tests.Validation;

public sealed class ValidationTests
{
    [Theory]
    [InlineData(10, 3, false)]
    [InlineData(103, 5, false)]
    [InlineData(103, 5, true)]
    [InlineData(7, 7, true)]
    public void KFold_FoldsAreDisjoint_Covering_AndWithinOneInSize(int count, int k, bool stratified)
    {
        var labels = Enumerable.Range(0, count).Select(i => i % 3 == 0 ? 0 : i % 7).ToArray();
        var folds = KFold.Split(count, k, seed: 4, stratified ? labels : default);
        Assert.Equal(k, folds.Count);
        var all = folds.SelectMany(f => f.Validation).ToList();
        Assert.Equal(count, all.Count);
        Assert.Equal(Enumerable.Range(0, count), all.Order());
        Assert.True(folds.Max(f => f.Validation.Length) - folds.Min(f => f.Validation.Length) <= 1);
        foreach (var fold in folds)
        {
            Assert.Empty(fold.Train.Intersect(fold.Validation));
            Assert.Equal(count, fold.Train.Length + fold.Validation.Length);
        }
    }

    [Fact]
    public void KFold_IsSeeded_AndStratifiedFoldsKeepClassProportions()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i < 80 ? 0 : 1).ToArray();   // 80 / 20
        var a = KFold.Split(100, 5, 1, labels);
        var b = KFold.Split(100, 5, 1, labels);
        var c = KFold.Split(100, 5, 2, labels);
        Assert.Equal(a[2].Validation, b[2].Validation);
        Assert.NotEqual(a[2].Validation, c[2].Validation);
        Assert.All(a, f => Assert.Equal(4, f.Validation.Count(i => labels[i] == 1)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Split(3, 4, 0));
        Assert.Contains("expected 2 ≤ K ≤ 3 (the number of samples), got K = 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HoldOut_Stratified_KeepsProportions_AndSize()
    {
        var data = TestImages.RandomDataset(90, new ImageSize(1, 2, 2), 3, seed: 1);   // 30 per class
        var (train, validation) = HoldOut.Split(data, 0.2, seed: 3);
        Assert.Equal(72, train.Count);
        Assert.Equal(18, validation.Count);
        Assert.Equal([6, 6, 6], validation.ClassCounts());
        var (ti, vi) = HoldOut.Indices(data.Labels, 0.2, 3, stratified: false);
        Assert.Equal(18, vi.Length);
        Assert.Empty(ti.Intersect(vi));
    }

    [Fact]
    public void CrossValidation_TrainsKModels_AndReportsMeanAndStd()
    {
        // Two well separated classes: bright images and dark ones.
        var random = new CortexRandom(2);
        var images = new Tensor(60, 1, 2, 2);
        var labels = new int[60];
        for (int i = 0; i < 60; i++)
        {
            labels[i] = i % 2;
            for (int p = 0; p < 4; p++)
                images.Span[i * 4 + p] = (float)(labels[i] == 1 ? 0.8 + 0.1 * random.Normal() : 0.2 + 0.1 * random.Normal());
        }
        var data = new ImageDataset(images, labels, ["dark", "bright"]);
        var folds = new List<int>();
        var result = CrossValidation.Run(data, folds: 3, seed: 1, fold =>
        {
            var model = new Sequential(new Flatten(), new Dense(4, 2, random: new CortexRandom((ulong)fold)));
            return new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters(), 0.05f), new TrainerOptions { Epochs = 15, BatchSize = 8 });
        }, progress: new SyncProgress<FoldResult>(f => folds.Add(f.Fold)));
        Assert.Equal([0, 1, 2], folds);
        Assert.Equal(3, result.Folds.Count);
        Assert.All(result.Folds, f => Assert.Equal(20, f.ValidationCount));
        Assert.True(result.MeanAccuracy > 0.9, $"mean accuracy {result.MeanAccuracy}");
        double mean = result.Folds.Average(f => f.ValidationAccuracy);
        Assert.Equal(Math.Sqrt(result.Folds.Average(f => (f.ValidationAccuracy - mean) * (f.ValidationAccuracy - mean))), result.StdAccuracy, 12);
    }
}

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
