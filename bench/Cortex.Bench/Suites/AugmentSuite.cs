// AugmentSuite.cs — `augment`: does augmentation slow training down? Cortex against itself:
// LeNet-5 training throughput (batch 64, SGD momentum) over the shipped digits with an
// augmentation recipe applied on the loader's worker threads (with prefetch), against the same
// training with no augmentation. The "peer" column is the plain run, so the ratio is
// augmented/plain; the data pipeline's goal is ≥ 0.9.
//
// One call is one epoch of Trainer.Fit over 2,048 digits, so the loader's PlanEpoch/prefetch path
// runs exactly as in `cortex train`.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Data;
using Cortex.Data.Loading;
using Cortex.Data.Transforms;
using Cortex.Kernels;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Training;

namespace Cortex.Bench.Suites;

/// <summary>LeNet-5 training throughput with augmentation on, relative to off.</summary>
public sealed class AugmentSuite : Suite
{
    private const int Images = 2048;
    private const int Batch = 64;

    /// <inheritdoc/>
    public override string Name => "augment";

    /// <inheritdoc/>
    public override string Description => "LeNet-5 training images/s with augmentation (worker threads + prefetch) relative to none; goal ≥ 0.9.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parallelism.MaxDegree = context.Threads;
        var digits = DataSources.Load("digits").Train.Take(Images);
        foreach (string recipe in new[] { "shift", "keras" })
        {
            long started = Stopwatch.GetTimestamp();
            var transform = Augmentations.Parse(recipe, ImageSize.FromShape(digits.SampleShape), digits);
            using var augmented = new AugmentedDataset(digits, transform, new AugmentedDatasetOptions { Seed = 1 });
            var withAugmentation = Epoch(augmented);
            var plain = Epoch(digits);
            var samples = Measure.Alternating([new Contender("augmented", withAugmentation), new Contender("plain", plain)], context.Settings);
            var row = new ResultRow(Name, $"LeNet-5 train, {recipe} vs none", $"batch {Batch}, {Images} digits per epoch, {transform}",
                "images/s", HigherIsBetter: true, samples[0].Rate(Images), samples[1].Rate(Images),
                Note: "Cortex vs Cortex: the peer column is training without augmentation")
            { PeerName = "no augmentation" };
            NetworkSuites.Progress(context, row, started);
            yield return row;
        }
    }

    private static Action Epoch(IDataset data)
    {
        var model = ModelZoo.Create("lenet5");
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Momentum(model.AllParameters(), 0.01f, 0.9f),
            new TrainerOptions { Epochs = 1, BatchSize = Batch, Seed = 1 });
        return () => trainer.Fit(data);
    }
}
