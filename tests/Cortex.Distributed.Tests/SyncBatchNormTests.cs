// SyncBatchNormTests.cs — synchronised batch norm without MPI: two replicas of a BatchNorm layer,
// each on its own thread with half of a batch, sum their statistics through an in-process reducer
// (a barrier between the threads), and must give what one layer gives on the whole batch: the
// outputs, the input gradients, the running statistics, and dγ, dβ as the sum of the replicas'.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Distributed.Tests;

public sealed class SyncBatchNormTests
{
    [Theory]
    [InlineData(4, false)]     // (N, C, H, W): BatchNorm2d, the plane path
    [InlineData(4, true)]      // with the fused ReLU (ResNet blocks)
    [InlineData(2, false)]     // (N, D): BatchNorm1d, the strided path
    public void Two_replicas_on_half_batches_match_one_layer_on_the_whole_batch(int rank, bool relu)
    {
        Shape shape = rank == 4 ? new Shape(8, 3, 4, 5) : new Shape(8, 6);
        var random = new CortexRandom(3);
        var x = Random(shape, random, shift: 0.7f);
        var dy = Random(shape, random, shift: 0f);
        var reference = Layer(rank, shape[1], random: new CortexRandom(9));
        var y = reference.Forward(x, training: true, relu).Clone();
        var dx = reference.Backward(dy).Clone();

        using var reducer = new ThreadReducer(2);
        var replicas = new BatchNorm[2];
        var results = new (Tensor Y, Tensor Dx)[2];
        var failures = new Exception?[2];
        var threads = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            try
            {
                var layer = replicas[r] = Layer(rank, shape[1], random: new CortexRandom(9));
                layer.StatisticsReducer = reducer.For(r);
                var yr = layer.Forward(x.SliceBatch(r * 4, 4), training: true, relu).Clone();
                results[r] = (yr, layer.Backward(dy.SliceBatch(r * 4, 4)).Clone());
            }
            catch (Exception e)
            {
                failures[r] = e;
            }
        })
        { IsBackground = true }).ToArray();
        foreach (var t in threads)
            t.Start();
        foreach (var t in threads)
            Assert.True(t.Join(TimeSpan.FromSeconds(30)), "a replica did not finish: the reductions did not match");
        Assert.All(failures, Assert.Null);

        for (int r = 0; r < 2; r++)
        {
            AssertClose(y.SliceBatch(r * 4, 4).Span, results[r].Y.Span, $"y of replica {r}");
            AssertClose(dx.SliceBatch(r * 4, 4).Span, results[r].Dx.Span, $"dx of replica {r}");
            AssertClose(reference.RunningMean.Span, replicas[r].RunningMean.Span, "running mean");
            AssertClose(reference.RunningVar.Span, replicas[r].RunningVar.Span, "running variance");
        }
        AssertClose(reference.Weight.Gradient.Span, Sum(replicas[0].Weight.Gradient, replicas[1].Weight.Gradient), "dγ");
        AssertClose(reference.Bias.Gradient.Span, Sum(replicas[0].Bias.Gradient, replicas[1].Bias.Gradient), "dβ");
    }

    [Fact]
    public void Without_a_reducer_a_replica_normalises_by_its_half_batch_and_differs()
    {
        var shape = new Shape(8, 3, 4, 5);
        var x = Random(shape, new CortexRandom(3), shift: 0.7f);
        var whole = new BatchNorm2d(3).Forward(x, training: true).Clone();
        var half = new BatchNorm2d(3).Forward(x.SliceBatch(0, 4), training: true);
        var expected = whole.SliceBatch(0, 4).Span;
        double apart = 0;
        for (int i = 0; i < expected.Length; i++)
            apart = Math.Max(apart, Math.Abs(expected[i] - half.Span[i]));
        Assert.True(apart > 1e-2, $"the half batch's statistics should differ from the whole batch's; outputs differ by at most {apart:E2}");
    }

    private static BatchNorm Layer(int rank, int channels, CortexRandom random)
    {
        BatchNorm layer = rank == 4 ? new BatchNorm2d(channels) : new BatchNorm1d(channels);
        for (int i = 0; i < channels; i++)
        {
            layer.Weight.Value.Span[i] = 0.5f + random.NextFloat();
            layer.Bias.Value.Span[i] = random.NextFloat() - 0.5f;
        }
        return layer;
    }

    private static Tensor Random(Shape shape, CortexRandom random, float shift)
    {
        var t = new Tensor(shape);
        var span = t.Span;
        for (int i = 0; i < span.Length; i++)
            span[i] = random.NextFloat() * 2f - 1f + shift * (i % 3);
        return t;
    }

    private static float[] Sum(Tensor a, Tensor b) => a.Span.ToArray().Zip(b.Span.ToArray(), (p, q) => p + q).ToArray();

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / (1 + Math.Abs(expected[i])));
        Assert.True(worst < 1e-5, $"{what}: largest relative difference {worst:E2}");
    }

    /// <summary>Sums each call's values over the replicas' threads, which meet at a barrier (an allreduce in one process).</summary>
    private sealed class ThreadReducer(int replicas) : IDisposable
    {
        private readonly Barrier _barrier = new(replicas);
        private readonly double[][] _slots = new double[replicas][];

        public void Dispose() => _barrier.Dispose();

        public IBatchStatisticsReducer For(int replica) => new Replica(this, replica);

        private void Sum(int replica, Span<double> values)
        {
            _slots[replica] = values.ToArray();
            _barrier.SignalAndWait();
            for (int i = 0; i < values.Length; i++)
            {
                double sum = 0;
                foreach (var slot in _slots)
                    sum += slot[i];
                values[i] = sum;
            }
            _barrier.SignalAndWait();
        }

        private sealed class Replica(ThreadReducer owner, int replica) : IBatchStatisticsReducer
        {
            public void SumInPlace(Span<double> values) => owner.Sum(replica, values);
        }
    }
}
