using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Tests.Training;

public sealed class PlannedDatasetTests
{
    /// <summary>Blob data that records the plans it is given and the batches it is asked for.</summary>
    private sealed class Recording(IDataset inner) : IPlannedDataset
    {
        public List<(int Epoch, int[] Order, int BatchSize, int Batches)> Plans { get; } = [];
        public List<(int Epoch, int[] Indices)> Calls { get; } = [];

        public int Count => inner.Count;
        public Shape SampleShape => inner.SampleShape;
        public int NumClasses => inner.NumClasses;

        public void PlanEpoch(int epoch, ReadOnlySpan<int> order, int batchSize, int batchCount) =>
            Plans.Add((epoch, order.ToArray(), batchSize, batchCount));

        public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
        {
            Calls.Add((Plans.Count == 0 ? 0 : Plans[^1].Epoch, indices.ToArray()));
            inner.CopyBatch(indices, images, labels);
        }
    }

    [Fact]
    public void Fit_AnnouncesEachEpochsOrder_ThenAsksForExactlyThoseBatches()
    {
        var data = new Recording(new BlobDataset(50, 3, 4, seed: 1));
        var model = new Sequential(new Dense(4, 3, random: new CortexRandom(1)));
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.1f),
            new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 3 });
        trainer.Fit(data);

        Assert.Equal([1, 2], data.Plans.Select(p => p.Epoch));
        Assert.All(data.Plans, p => Assert.Equal((16, 4), (p.BatchSize, p.Batches)));
        Assert.NotEqual(data.Plans[0].Order, data.Plans[1].Order);       // reshuffled, and copied by the dataset
        Assert.Equal(8, data.Calls.Count);
        for (int c = 0; c < data.Calls.Count; c++)
        {
            var plan = data.Plans[c / 4];
            int start = c % 4 * 16;
            Assert.Equal(plan.Order.AsSpan(start, Math.Min(16, 50 - start)).ToArray(), data.Calls[c].Indices);
        }
    }

    /// <summary>Asks for a new batch size once, after a given batch of a given epoch.</summary>
    private sealed class ResizeAfter(int epoch, int batch, int size) : TrainingCallback
    {
        public List<(int Epoch, int Batch, int Of, int Seen, int Total)> Seen { get; } = [];

        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
        {
            Seen.Add((progress.Epoch, progress.Batch, progress.BatchesPerEpoch, progress.Seen, progress.Total));
            if (progress.Epoch == epoch && progress.Batch == batch)
                context.RequestBatchSize(size);
        }
    }

    [Fact]
    public void BatchSizeRequest_MidEpoch_ReplansTheRest_AndServesEverySampleOnce()
    {
        var data = new Recording(new BlobDataset(50, 3, 4, seed: 1));
        var model = new Sequential(new Dense(4, 3, random: new CortexRandom(1)));
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.1f),
            new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 3 });
        var resize = new ResizeAfter(epoch: 1, batch: 1, size: 5);
        trainer.Callbacks.Add(resize);
        trainer.Fit(data);

        // Epoch 1: one batch of 16, then the 34 samples left in batches of 5 (6 of 5 and one of 4).
        var epoch1 = data.Calls.Where(c => c.Epoch == 1).Select(c => c.Indices).ToList();
        Assert.Equal([16, 5, 5, 5, 5, 5, 5, 4], epoch1.Select(i => i.Length));
        Assert.Equal(data.Plans[0].Order, epoch1.SelectMany(i => i));         // every sample once, in the shuffled order
        Assert.Equal((1, 5, 7), (data.Plans[1].Epoch, data.Plans[1].BatchSize, data.Plans[1].Batches));
        Assert.Equal(data.Plans[0].Order[16..], data.Plans[1].Order);          // the re-plan covers exactly the rest
        Assert.All(resize.Seen.Where(s => s.Epoch == 1).Skip(1), s => Assert.Equal(8, s.Of));
        Assert.Equal((1, 8, 8, 50, 50), resize.Seen.Where(s => s.Epoch == 1).Last());

        // Epoch 2 keeps the new size from its start: ten batches of 5.
        Assert.Equal((2, 5, 10), (data.Plans[2].Epoch, data.Plans[2].BatchSize, data.Plans[2].Batches));
        var epoch2 = data.Calls.Where(c => c.Epoch == 2).Select(c => c.Indices).ToList();
        Assert.Equal(Enumerable.Repeat(5, 10), epoch2.Select(i => i.Length));
        Assert.Equal(Enumerable.Range(0, 50), epoch2.SelectMany(i => i).Order());
    }

    [Fact]
    public void BatchSizeRequest_Invalid_Throws_AndALargeOneIsClampedToTheSet()
    {
        var model = new Sequential(new Dense(4, 3));
        var context = new TrainingContext(model, new Sgd(model.AllParameters(), 0.1f), epochs: 1, trainCount: 50, batchSize: 16);
        Assert.Throws<ArgumentOutOfRangeException>(() => context.RequestBatchSize(0));
        context.RequestBatchSize(1000);
        Assert.True(context.ApplyBatchSizeRequest(remaining: 50));
        Assert.Equal((50, 1), (context.BatchSize, context.BatchesPerEpoch));
    }
}
