// Payloads.cs — the JSON the page and scripts read: /api/status and the events of /api/events.
// Names are snake_case (examples_seen); a value that is not known yet is null, never NaN.
namespace Cortex.Studio;

/// <summary>The numbers of the live panel, sent as the "metrics" event several times a second.</summary>
public sealed record LiveMetrics
{
    public long ExamplesSeen { get; init; }
    public int Epoch { get; init; }
    public int Epochs { get; init; }
    public int Batch { get; init; }
    public int Batches { get; init; }
    /// <summary>Mean training loss over the batches since the last metrics event (the loss reported by the loss function).</summary>
    public double? Loss { get; init; }
    /// <summary>The classification part of <see cref="Loss"/> and the L2 part, ½·λ·Σw² for the optimizer's weight decay λ.</summary>
    public double? ClassificationLoss { get; init; }
    public double? L2Loss { get; init; }
    public double? Accuracy { get; init; }
    public double? EpochLoss { get; init; }
    public double? EpochAccuracy { get; init; }
    public double? ValidationAccuracy { get; init; }
    public double? ValidationLoss { get; init; }
    public double? TestAccuracy { get; init; }
    public double LearningRate { get; init; }
    public double? Momentum { get; init; }
    public int BatchSize { get; init; }
    public double WeightDecay { get; init; }
    public double? ImagesPerSecond { get; init; }
    public double? ForwardMsPerExample { get; init; }
    public double? BackwardMsPerExample { get; init; }
    public double ElapsedSeconds { get; init; }
    /// <summary>The share of the training thread's time Studio itself took (its callbacks and pictures), pauses left out.</summary>
    public double? StudioShare { get; init; }
    public bool Paused { get; init; }
}

/// <summary>One point of the live curves (x: examples seen).</summary>
public sealed record CurvePoint(long ExamplesSeen, double Loss, double Accuracy);

/// <summary>An epoch's end, as the "epoch" event and in a run's history.</summary>
public sealed record EpochPoint(int Epoch, long? ExamplesSeen, double? TrainLoss, double? TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, double? LearningRate, double? Seconds);

/// <summary>One test image of the prediction grid with its top classes.</summary>
public sealed record Prediction(TileSet Image, int Label, string LabelName, IReadOnlyList<ClassScore> Top);

/// <summary>A class and its probability.</summary>
public sealed record ClassScore(int Class, string Name, double Probability);

/// <summary>The "predictions" event: the grid of test images.</summary>
public sealed record PredictionGrid(long ExamplesSeen, IReadOnlyList<Prediction> Items);

/// <summary>The "confusion" event: the confusion matrix of the latest evaluation on the test set.</summary>
public sealed record ConfusionView(long ExamplesSeen, int Epoch, int Count, double Accuracy, IReadOnlyList<string> ClassNames, int[][] Matrix);

/// <summary>What the run is: the "run" event, sent when a run starts.</summary>
public sealed record RunInfo
{
    public required string Name { get; init; }
    public required string Model { get; init; }
    public required string Data { get; init; }
    public required int[] Input { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public long Parameters { get; init; }
    public int TrainCount { get; init; }
    public int ValidationCount { get; init; }
    public int TestCount { get; init; }
    public required string Optimizer { get; init; }
    public string? Augmentation { get; init; }
    /// <summary>Whether the page may restart it with another model or data (false for a run another command owns).</summary>
    public bool Restartable { get; init; }
    /// <summary>Whether the drawing pad suits the model (one-channel images, such as digits and Fashion-MNIST).</summary>
    public bool Drawable { get; init; }
}

/// <summary>GET /api/status.</summary>
public sealed record StudioStatus
{
    public required string State { get; init; }
    public string? Message { get; init; }
    public long ExamplesSeen { get; init; }
    public int Epoch { get; init; }
    public bool Paused { get; init; }
    public string? Model { get; init; }
    public string? Data { get; init; }
    public string? Run { get; init; }
    public LiveMetrics? Metrics { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];
    public IReadOnlyList<string> DataSources { get; init; } = [];
    public int Subscribers { get; init; }
}
