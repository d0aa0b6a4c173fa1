// ShardedDatasetTests.cs — the distributed sampler against a naive reference: one CortexRandom
// shuffling the identity once per epoch (what Trainer does in one process), cut into global
// batches of N × B, each rank taking its slice.
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Distributed.Tests;

public sealed class ShardedDatasetTests
{
    [Theory]
    [InlineData(100, 2, 8, false)]   // 6 full global batches of 16, a tail of 4 → 2 per rank
    [InlineData(100, 3, 5, false)]   // 6 of 15, a tail of 10 → 3 per rank, 1 left over
    [InlineData(100, 2, 8, true)]    // the tail dropped
    [InlineData(64, 4, 4, false)]    // exact
    public void Every_epoch_each_rank_gets_its_slice_of_every_global_batch(int count, int ranks, int batch, bool dropLast)
    {
        const ulong Seed = 5;
        var data = new IndexImages(count);
        var shards = Enumerable.Range(0, ranks).Select(r => new ShardedDataset(data, r, ranks, batch, Seed, dropLast)).ToArray();
        var reference = new CortexRandom(Seed);
        int[] order = Enumerable.Range(0, count).ToArray();
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            reference.Shuffle(order.AsSpan());
            foreach (var shard in shards)
                shard.PlanEpoch(epoch, Enumerable.Range(0, shard.Count).ToArray(), batch, shard.BatchesPerEpoch);
            int global = ranks * batch;
            for (int r = 0; r < ranks; r++)
            {
                var expected = new List<int>();
                for (int k = 0; (k + 1) * global <= count; k++)
                    expected.AddRange(order.AsSpan(k * global + r * batch, batch).ToArray());
                int tail = count % global / ranks;
                if (!dropLast && tail > 0)
                    expected.AddRange(order.AsSpan(count / global * global + r * tail, tail).ToArray());
                Assert.Equal(expected, shards[r].Indices.ToArray());
                Assert.Equal(shards[0].BatchesPerEpoch, shards[r].BatchesPerEpoch);
            }
            var all = shards.SelectMany(s => s.Indices.ToArray()).ToArray();
            Assert.Equal(all.Length, all.Distinct().Count());     // the shards are disjoint
        }
    }

    [Fact]
    public void CopyBatch_reads_the_shard_positions_through_the_epoch_order()
    {
        var data = new IndexImages(20);
        var shard = new ShardedDataset(data, rank: 1, ranks: 2, batchSize: 3, seed: 9);
        shard.PlanEpoch(1, Enumerable.Range(0, shard.Count).ToArray(), 3, shard.BatchesPerEpoch);
        var images = new Tensor(new Shape(2, 1, 1, 1));
        var labels = new int[2];
        shard.CopyBatch([4, 0], images, labels);
        Assert.Equal([shard.Indices[4], shard.Indices[0]], labels);
        Assert.Equal(shard.Indices[4], (int)images.Span[0]);
    }

    [Fact]
    public void Too_few_samples_for_one_step_is_an_error_naming_the_counts()
    {
        var e = Assert.Throws<ArgumentException>(() => new ShardedDataset(new IndexImages(3), 0, 4, 2, seed: 1));
        Assert.Contains("3 samples", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Sample i is one pixel holding i, labelled i.</summary>
    private sealed class IndexImages(int count) : IDataset
    {
        public int Count => count;
        public Shape SampleShape => new(1, 1, 1);
        public int NumClasses => count;

        public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                images.Span[i] = indices[i];
                labels[i] = indices[i];
            }
        }
    }
}
