using Cortex.Classic;
using Cortex.Tensors;

namespace Cortex.Tests.Classic;

public class KNearestNeighborsTests
{
    private static Tensor Random(int n, int d, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * d];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)random.NextDouble();
        return Tensor.FromArray(values, new Shape(n, d));
    }

    // The k nearest by a naive double sort: (distance, index) ascending.
    private static (int Index, double Distance)[] Naive(Tensor references, Tensor queries, int q, int k, DistanceMetric metric)
    {
        int n = references.Shape[0], d = references.Shape[1];
        var x = queries.Span.Slice(q * d, d).ToArray();
        var all = new (int Index, double Distance)[n];
        for (int j = 0; j < n; j++)
        {
            var y = references.Span.Slice(j * d, d);
            double sum = 0;
            for (int p = 0; p < d; p++)
                sum += metric == DistanceMetric.L1 ? Math.Abs(x[p] - (double)y[p]) : (x[p] - (double)y[p]) * (x[p] - (double)y[p]);
            all[j] = (j, metric == DistanceMetric.L1 ? sum : Math.Sqrt(sum));
        }
        return [.. all.OrderBy(a => a.Distance).ThenBy(a => a.Index).Take(k)];
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.L1)]
    public void FindNeighbors_InSmallChunks_MatchesNaiveSort(DistanceMetric metric)
    {
        var references = Random(101, 37, 1);
        var queries = Random(23, 37, 2);
        var labels = Enumerable.Range(0, 101).Select(i => i % 4).ToArray();
        var knn = new KNearestNeighbors(3, metric) { QueryChunk = 7, ReferenceChunk = 13 };   // blocks cut mid-way both ways
        knn.Fit(references, labels, 4);
        var found = knn.FindNeighbors(queries, 9);
        for (int q = 0; q < 23; q++)
        {
            var expected = Naive(references, queries, q, 9, metric);
            for (int r = 0; r < 9; r++)
            {
                Assert.Equal(expected[r].Index, found.Indices[q * 9 + r]);
                Assert.Equal(expected[r].Distance, found.Distances[q * 9 + r], 1e-4);
                Assert.Equal(labels[expected[r].Index], found.Labels[q * 9 + r]);
            }
        }
    }

    [Fact]
    public void FindNeighbors_EqualDistances_KeepTheLowerIndexFirst()
    {
        // references 0 and 2 are the same point; 1 is farther
        var references = Tensor.FromArray(new float[,] { { 1, 0 }, { 3, 0 }, { 1, 0 } });
        var knn = new KNearestNeighbors(2) { ReferenceChunk = 1 };
        knn.Fit(references, [0, 1, 2], 3);
        var found = knn.FindNeighbors(Tensor.FromArray(new float[,] { { 0, 0 } }), 3);
        Assert.Equal([0, 2, 1], found.Indices);
        Assert.Equal([1f, 1f, 3f], found.Distances);
    }

    [Fact]
    public void Vote_Tie_GoesToTheSmallerClass()
    {
        var scores = new double[3];
        Assert.Equal(1, KNearestNeighbors.Vote([2, 1, 1, 2], [0.1f, 0.2f, 0.3f, 0.4f], false, scores));
        Assert.Equal(2, KNearestNeighbors.Vote([2, 1, 2], [0.1f, 0.2f, 0.3f], false, scores));
    }

    [Fact]
    public void Vote_DistanceWeighted_NearOutweighsMany_AndExactMatchesDecide()
    {
        var scores = new double[3];
        // one class-0 neighbour at 0.1 (weight 10) against two class-1 at 1 and 2 (weight 1.5)
        Assert.Equal(0, KNearestNeighbors.Vote([0, 1, 1], [0.1f, 1f, 2f], true, scores));
        Assert.Equal(1, KNearestNeighbors.Vote([0, 1, 1], [0.1f, 1f, 2f], false, scores));
        // a neighbour at distance 0 outvotes everything
        Assert.Equal(2, KNearestNeighbors.Vote([0, 0, 2], [1e-3f, 1e-3f, 0f], true, scores));
    }

    [Fact]
    public void Predict_SeparatedClusters_IsExact()
    {
        var random = new Random(3);
        int n = 200, d = 10;
        var values = new float[n * d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            for (int p = 0; p < d; p++)
                values[i * d + p] = labels[i] * 2 + (float)random.NextDouble();   // cubes [0,1), [2,3), [4,5)
        }
        var samples = Tensor.FromArray(values, new Shape(n, 1, 2, 5));
        foreach (var metric in new[] { DistanceMetric.L1, DistanceMetric.L2 })
        {
            var knn = new KNearestNeighbors(5, metric);
            knn.Fit(samples.SliceBatch(0, 150), labels.AsSpan(0, 150), 3);
            Assert.Equal(labels[150..], knn.Predict(samples.SliceBatch(150, 50)));
        }
    }

    [Fact]
    public void Predict_KAboveTheTrainingCount_LetsAllVote()
    {
        var knn = new KNearestNeighbors(k: 5);
        knn.Fit(Tensor.FromArray(new float[,] { { 0 }, { 1 }, { 10 } }), [1, 1, 0], 2);
        Assert.Equal([1], knn.Predict(Tensor.FromArray(new float[,] { { 9 } })));   // two votes for 1 beat the nearer 0
    }

    [Fact]
    public void FindNeighbors_WrongFeatureCount_Throws()
    {
        var knn = new KNearestNeighbors();
        knn.Fit(Random(5, 4, 1), [0, 1, 0, 1, 0], 2);
        var ex = Assert.Throws<ArgumentException>(() => knn.FindNeighbors(Random(2, 3, 1), 1));
        Assert.Contains("expected queries (M, …) with 4 features each", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => knn.FindNeighbors(Random(2, 4, 1), 6));
    }
}
