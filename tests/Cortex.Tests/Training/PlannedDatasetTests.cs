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
}
