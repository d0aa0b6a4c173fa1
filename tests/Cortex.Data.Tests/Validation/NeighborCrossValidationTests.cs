using Cortex.Classic;
using Cortex.Data.Validation;
using Cortex.Tensors;

namespace Cortex.Data.Tests.Validation;

public sealed class NeighborCrossValidationTests
{
    // Three noisy clusters in 6 dimensions: easy enough that small k is near perfect, hard enough
    // that a large k (which reaches into the other clusters) is not.
    private static ImageDataset Clusters(int perClass, int seed)
    {
        var random = new Random(seed);
        int n = 3 * perClass, d = 6;
        var values = new float[n * d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            for (int p = 0; p < d; p++)
                values[i * d + p] = (p == labels[i] ? 1f : 0f) + (float)(random.NextDouble() - 0.5) * 1.6f;
        }
        return new ImageDataset(Tensor.FromArray(values, new Shape(n, 1, 2, 3)), labels, ["a", "b", "c"], "clusters");
    }

    // The fold's accuracy at k by brute force: double distances, a stable sort (ties to the lower
    // training index), a plain majority vote with ties to the smaller class.
    private static double NaiveAccuracy(ImageDataset data, Fold fold, int k, DistanceMetric metric)
    {
        int d = data.Images.Size / data.Count;
        var x = data.Images.Span.ToArray();
        var labels = data.Labels.ToArray();
        int correct = 0;
        foreach (int q in fold.Validation)
        {
            var ranked = fold.Train
                .Select(j =>
                {
                    double sum = 0;
                    for (int p = 0; p < d; p++)
                    {
                        double diff = x[q * d + p] - (double)x[j * d + p];
                        sum += metric == DistanceMetric.L1 ? Math.Abs(diff) : diff * diff;
                    }
                    return (Index: j, Distance: sum);
                })
                .OrderBy(t => t.Distance).ThenBy(t => t.Index).Take(k);
            var votes = new int[data.NumClasses];
            foreach (var (index, _) in ranked)
                votes[labels[index]]++;
            int winner = 0;
            for (int c = 1; c < votes.Length; c++)
            {
                if (votes[c] > votes[winner])
                    winner = c;
            }
            correct += winner == labels[q] ? 1 : 0;
        }
        return (double)correct / fold.Validation.Length;
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.L1)]
    public void Run_EveryFoldAndK_MatchesBruteForce(DistanceMetric metric)
    {
        var data = Clusters(perClass: 20, seed: 3);
        int[] ks = [1, 3, 7, 25];
        var result = NeighborCrossValidation.Run(data, ks, folds: 4, seed: 9, metric);
        var folds = KFold.Split(data.Count, 4, 9, data.Labels);

        Assert.Equal(4, result.Folds);
        Assert.Equal(ks, result.Ks);
        Assert.Contains(Enumerable.Range(0, 4), f => result.Accuracy[f, 3] < 1.0);   // not a trivially perfect case
        foreach (var fold in folds)
        {
            for (int i = 0; i < ks.Length; i++)
                Assert.Equal(NaiveAccuracy(data, fold, ks[i], metric), result.Accuracy[fold.Index, i], 12);
        }
    }

    [Fact]
    public void Result_MeanStdAndBestK_FollowTheirDefinitions()
    {
        var result = new NeighborCrossValidationResult([5, 1, 3], new double[,]
        {
            { 0.8, 0.9, 0.7 },
            { 0.6, 0.7, 0.9 },
        });

        Assert.Equal(0.7, result.Mean(0), 12);
        Assert.Equal(0.1, result.Std(0), 12);
        Assert.Equal(0.8, result.Mean(1), 12);
        Assert.Equal(0.8, result.Mean(2), 12);
        Assert.Equal(1, result.BestK);               // k = 1 and k = 3 tie at 0.8: the smaller k wins
    }

    [Fact]
    public void Run_KLargerThanAFoldsTrainingPart_IsRefused()
    {
        var data = Clusters(perClass: 4, seed: 1);   // 12 samples, 3 folds: 8 to train on in each
        var error = Assert.Throws<ArgumentException>(() => NeighborCrossValidation.Run(data, [1, 9], 3, 1, DistanceMetric.L2));
        Assert.Contains("[1, 8]", error.Message);
        Assert.Throws<ArgumentException>(() => NeighborCrossValidation.Run(data, [], 3, 1, DistanceMetric.L2));
        Assert.Throws<ArgumentException>(() => NeighborCrossValidation.Run(data, [0], 3, 1, DistanceMetric.L2));
    }
}
