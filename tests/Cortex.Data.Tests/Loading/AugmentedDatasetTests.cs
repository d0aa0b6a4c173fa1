using Cortex.Data.Loading;
using Cortex.Data.Tests.Transforms;
using Cortex.Data.Transforms;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Data.Tests.Loading;

public sealed class AugmentedDatasetTests
{
    private static readonly ImageSize Size = new(3, 10, 10);
    private static readonly ImageDataset Data = TestImages.RandomDataset(40, Size, 4, seed: 3);

    /// <summary>Runs two planned epochs of batches of 16 (the last one 8) and returns every batch's pixels and labels.</summary>
    private static List<(float[] Images, int[] Labels)> Epochs(AugmentedDataset data, bool plan = true)
    {
        var batches = new List<(float[], int[])>();
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            int[] order = new CortexRandom((ulong)epoch).Permutation(data.Count);
            if (plan)
                data.PlanEpoch(epoch, order, 16, 3);
            for (int b = 0; b < 3; b++)
            {
                int n = Math.Min(16, 40 - b * 16);
                var x = new Tensor(new Shape(n, 3, 10, 10));
                var y = new int[n];
                data.CopyBatch(order.AsSpan(b * 16, n), x, y);
                batches.Add((x.ToArray(), y));
            }
        }
        return batches;
    }

    [Fact]
    public void SameSeed_SameBatches_WhateverTheWorkersAndPrefetch()
    {
        var transform = new Compose(Augmentations.Keras(), new ColorJitter());
        List<(float[] Images, int[] Labels)>? reference = null;
        foreach (var (workers, prefetch) in new[] { (1, 0), (3, 0), (1, 2), (3, 2), (2, 1) })
        {
            using var data = new AugmentedDataset(Data, transform, new AugmentedDatasetOptions { Seed = 9, Workers = workers, Prefetch = prefetch });
            var batches = Epochs(data);
            if (reference is null)
            {
                reference = batches;
                continue;
            }
            for (int b = 0; b < batches.Count; b++)
            {
                Assert.Equal(reference[b].Images, batches[b].Images);
                Assert.Equal(reference[b].Labels, batches[b].Labels);
            }
        }
    }

    [Fact]
    public void Epochs_DrawFreshAugmentations_AndADifferentSeedDiffers()
    {
        using var a = new AugmentedDataset(Data, Augmentations.Keras(), new AugmentedDatasetOptions { Seed = 1 });
        using var b = new AugmentedDataset(Data, Augmentations.Keras(), new AugmentedDatasetOptions { Seed = 2 });
        var first = Epochs(a);
        Assert.NotEqual(first[0].Images, Epochs(b)[0].Images);
        // The same images in both epochs' first batch would still be augmented differently.
        var x1 = new Tensor(1, 3, 10, 10);
        var x2 = new Tensor(1, 3, 10, 10);
        a.PlanEpoch(1, [5], 1, 1);
        a.CopyBatch([5], x1, new int[1]);
        a.PlanEpoch(2, [5], 1, 1);
        a.CopyBatch([5], x2, new int[1]);
        Assert.NotEqual(x1.ToArray(), x2.ToArray());
    }

    [Fact]
    public void UnplannedOrMismatchedBatches_GiveTheSameResultAsPrefetched()
    {
        using var planned = new AugmentedDataset(Data, Augmentations.Cifar(Size, 2), new AugmentedDatasetOptions { Seed = 4, Prefetch = 2, Workers = 2 });
        using var sync = new AugmentedDataset(Data, Augmentations.Cifar(Size, 2), new AugmentedDatasetOptions { Seed = 4, Prefetch = 0, Workers = 1 });
        int[] order = [.. Enumerable.Range(0, 40).Reverse()];
        planned.PlanEpoch(1, order, 10, 4);
        sync.PlanEpoch(1, order, 10, 4);
        var x = new Tensor(10, 3, 10, 10);
        var y = new Tensor(10, 3, 10, 10);
        var labels = new int[10];
        planned.CopyBatch(order.AsSpan(0, 10), x, labels);
        sync.CopyBatch(order.AsSpan(0, 10), y, labels);
        Assert.Equal(y.ToArray(), x.ToArray());
        // Batch 2 asked for out of plan: the producer is cancelled and the batch made on the spot.
        planned.CopyBatch(order.AsSpan(20, 10), x, labels);
        sync.CopyBatch(order.AsSpan(20, 10), y, labels);
        Assert.Equal(y.ToArray(), x.ToArray());
        Assert.Equal(Data.Labels[order[20]], labels[0]);
    }

    [Fact]
    public void OutputShape_FollowsTheTransform()
    {
        using var data = new AugmentedDataset(Data, new RandomCrop(8, 8), new AugmentedDatasetOptions { Workers = 1 });
        Assert.Equal(new Shape(3, 8, 8), data.SampleShape);
        var e = Assert.Throws<ArgumentException>(() => data.CopyBatch([0, 1], new Tensor(2, 3, 10, 10), new int[2]));
        Assert.Contains("expected a batch tensor [2, 3, 8, 8] for 2 indices, got [2, 3, 10, 10]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SynchronousCopyBatch_AllocatesNothingAfterWarmUp()
    {
        using var data = new AugmentedDataset(Data, Augmentations.Keras(), new AugmentedDatasetOptions { Seed = 1, Workers = 2, Prefetch = 0 });
        var x = new Tensor(8, 3, 10, 10);
        var labels = new int[8];
        int[] indices = [0, 3, 5, 7, 9, 11, 13, 15];
        for (int i = 0; i < 3; i++)
            data.CopyBatch(indices, x, labels);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
            data.CopyBatch(indices, x, labels);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void PrefetchedCopyBatch_AllocatesNothingOnTheTrainersThread()
    {
        using var data = new AugmentedDataset(Data, Augmentations.Cifar(Size, 2), new AugmentedDatasetOptions { Seed = 1, Workers = 2, Prefetch = 2 });
        int[] order = [.. Enumerable.Range(0, 40)];
        var x = new Tensor(8, 3, 10, 10);
        var labels = new int[8];
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            data.PlanEpoch(epoch, order, 8, 5);
            data.CopyBatch(order.AsSpan(0, 8), x, labels);          // warm-up
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int b = 1; b < 5; b++)
                data.CopyBatch(order.AsSpan(b * 8, 8), x, labels);
            if (epoch == 2)
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void TransformFailure_OnAWorker_SurfacesOnTheCaller()
    {
        using var data = new AugmentedDataset(Data, new Failing(), new AugmentedDatasetOptions { Workers = 2, Prefetch = 2 });
        data.PlanEpoch(1, [.. Enumerable.Range(0, 40)], 8, 5);
        var e = Assert.Throws<InvalidOperationException>(() => data.CopyBatch([0, 1, 2, 3, 4, 5, 6, 7], new Tensor(8, 3, 10, 10), new int[8]));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void Trainer_FitsOnAnAugmentedDataset_Reproducibly()
    {
        double Run()
        {
            var model = new Sequential(new Flatten(), new Dense(300, 4, random: new CortexRandom(1)));
            var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.05f),
                new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 5 });
            using var augmented = new AugmentedDataset(Data, Augmentations.ConvNetJs(), new AugmentedDatasetOptions { Seed = 3, Workers = 2 });
            return trainer.Fit(augmented, Data).Last!.TrainLoss;
        }
        double first = Run();
        Assert.True(double.IsFinite(first));
        Assert.Equal(first, Run());
    }

    [Fact]
    public void DataLoader_YieldsShuffledBatches_CoveringTheEpoch()
    {
        using var augmented = new AugmentedDataset(Data, new HorizontalFlip(), new AugmentedDatasetOptions { Seed = 1 });
        var loader = new DataLoader(augmented, batchSize: 16, seed: 2);
        var labels = new List<int>();
        int batches = 0;
        foreach (var batch in loader.Epoch(1))
        {
            batches++;
            labels.AddRange(batch.Labels.ToArray());
        }
        Assert.Equal(3, batches);
        Assert.Equal(Data.ClassCounts(), Enumerable.Range(0, 4).Select(k => labels.Count(l => l == k)).ToArray());
        Assert.Equal(loader.Order(1), loader.Order(1));
        Assert.NotEqual(loader.Order(1), loader.Order(2));
    }

    private sealed class Failing : Transform
    {
        public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random) =>
            throw new InvalidOperationException("boom");
    }
}
