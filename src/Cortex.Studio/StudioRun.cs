// StudioRun.cs — one training run as Studio sees it: the model and its spec, the loss, optimizer,
// schedule and trainer options, and three views of the data (what the trainer trains on, possibly
// augmented; the plain training images the probe draws from; the test images the prediction grid
// and confusion matrix use). Studio builds runs itself from a StudioRunRequest (`cortex studio`),
// or is handed one that another program built (`cortex train --studio`).
using Cortex.Data;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Training;

namespace Cortex.Studio;

/// <summary>What to train: the choices the page's model, data and optimizer fields make.</summary>
public sealed record StudioRunRequest
{
    /// <summary>A zoo model name (<c>lenet5</c>).</summary>
    public string Model { get; init; } = "lenet5";

    /// <summary>A data source Studio offers (<c>digits</c>, <c>fashion-mnist</c>, …).</summary>
    public string Data { get; init; } = DataSources.Default;

    /// <summary>An optimizer spec for <see cref="OptimizerCatalog"/> (<c>adam</c>, <c>momentum:0.9</c>, <c>adadelta</c>).</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The learning rate, or null for the optimizer's default.</summary>
    public float? LearningRate { get; init; }

    public int BatchSize { get; init; } = 32;

    public float WeightDecay { get; init; }

    /// <summary>How long to train; the page can pause or restart at any time.</summary>
    public int Epochs { get; init; } = 100;

    public ulong Seed { get; init; } = 1;

    /// <summary>An augmentation recipe for <see cref="Cortex.Data.Transforms.Augmentations.Parse"/>, or <c>none</c>.</summary>
    public string Augment { get; init; } = "shift";

    /// <summary>Start from these weights (an uploaded model) instead of a fresh initialization.</summary>
    public (ModelSpec Spec, Layer Model)? Start { get; init; }

    /// <summary>The request with the defaults that suit <paramref name="data"/> (ConvNetJS's recipe for CIFAR-10).</summary>
    public static StudioRunRequest DefaultFor(string data) => IsCifar(data)
        ? new StudioRunRequest
        {
            // ConvNetJS's CIFAR-10 demo: its small network, Adadelta, batches of 4, L2 decay 1e-4,
            // random flips and shifts of up to 2 pixels.
            Model = "convnetjs-cifar",
            Data = data,
            Optimizer = "adadelta",
            LearningRate = 1f,
            BatchSize = 4,
            WeightDecay = 1e-4f,
            Augment = "convnetjs",
        }
        : new StudioRunRequest { Data = data };

    private static bool IsCifar(string data) => data.Trim().ToLowerInvariant() is "cifar10" or "cifar-10";
}

/// <summary>A run ready to train (see the file header).</summary>
public sealed class StudioRun : IDisposable
{
    public required string Name { get; init; }
    public required string ModelName { get; init; }
    public required string DataName { get; init; }
    public required Layer Model { get; init; }

    /// <summary>The architecture, for saving the model as one file; null for a model built by hand.</summary>
    public ModelSpec? Spec { get; init; }

    public required Loss Loss { get; init; }
    public required Optimizer Optimizer { get; init; }
    public ILearningRateSchedule? Schedule { get; init; }
    public required TrainerOptions Options { get; init; }

    /// <summary>What the trainer trains on (the images, or an augmented view of them).</summary>
    public required IDataset Train { get; init; }

    /// <summary>The plain training images: probe batches come from here, never from <see cref="Train"/>'s plan.</summary>
    public required ImageDataset TrainImages { get; init; }

    public ImageDataset? Validation { get; init; }
    public required ImageDataset Test { get; init; }
    public int NumClasses => Test.NumClasses;
    public IReadOnlyList<string> ClassNames => Test.ClassNames;

    /// <summary>A line on the augmentation, for the page ("RandomShift(±2px)"), or null.</summary>
    public string? Augmentation { get; init; }

    public void Dispose() => (Train as IDisposable)?.Dispose();
}
