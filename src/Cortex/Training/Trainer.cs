// Trainer.cs — the mini-batch training loop:
//
//   for each epoch:  lr ← schedule(epoch); shuffle (seeded)
//     for each batch:  zero grads → y = model(x) → L = loss(y, t) (+ penalty) → model.Backward(dL/dy)
//                      → optimizer.Step()
//     evaluate on the validation set (or a fixed sample of it) → history, callbacks, schedule.Observe
//
// Memory: batch tensors, index arrays and label buffers are allocated once per run (a smaller
// last batch gets its own pair), and layers reuse their buffers, so steady-state steps allocate
// nothing. Not here: data augmentation and prefetching (the data layer's loaders do those; a
// training set that implements IPlannedDataset is told each epoch's batch order in advance).
using System.Diagnostics;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Tensors;

namespace Cortex.Training;

/// <summary>Trains a model with a loss and an optimizer over mini-batches, with evaluation and callbacks.</summary>
/// <example><code>
/// var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters(), 1e-3f),
///                           new TrainerOptions { Epochs = 5, BatchSize = 64, Seed = 1 });
/// trainer.Callbacks.Add(new EarlyStopping(patience: 3));
/// History history = trainer.Fit(train, validation);
/// Evaluation test = trainer.Evaluate(testSet);
/// </code></example>
public sealed class Trainer
{
    private readonly Batch _full = new();
    private readonly Batch _partial = new();
    private readonly Batch _evaluation = new();

    public Trainer(Layer model, Loss loss, Optimizer optimizer, TrainerOptions? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Options = options ?? new TrainerOptions();
        Options.Validate();
    }

    public Layer Model { get; }
    public Loss Loss { get; }
    public Optimizer Optimizer { get; }
    public TrainerOptions Options { get; }

    /// <summary>Optional learning-rate schedule, applied at the start of every epoch from the optimizer's initial rate.</summary>
    public ILearningRateSchedule? Schedule { get; init; }

    /// <summary>The history of the current or last <see cref="Fit"/> (kept even when it ended in an exception).</summary>
    public History? History { get; private set; }

    /// <summary>
    /// Optional observer of every step's gradients: told before backward and after it (before the optimizer
    /// step), so data-parallel training can average gradients across processes (Cortex.Distributed).
    /// </summary>
    public IGradientHook? GradientHook { get; set; }

    /// <summary>Called in order at each hook.</summary>
    public IList<TrainingCallback> Callbacks { get; } = [];

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs (or until a callback stops it) and returns the history.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; the message names the epoch and step.</exception>
    public History Fit(IDataset train, IDataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckCompatible(train, "training set");
        if (validation is not null)
            CheckCompatible(validation, "validation set");
        if (train.Count == 0)
            throw new ArgumentException("Trainer.Fit: the training set is empty.", nameof(train));

        int batchSize = Math.Min(Options.BatchSize, train.Count);
        var context = new TrainingContext(Model, Optimizer, Options.Epochs, train.Count, batchSize, Options.DropLast);
        History = context.History;
        var scheduler = Schedule is null ? null : new LearningRateScheduler(Optimizer, Schedule);
        var shuffle = new CortexRandom(Options.Seed);
        int[] order = new int[train.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        int[]? validationSample = validation is null ? null : ValidationSample(validation);

        foreach (var callback in Callbacks)
            callback.OnTrainBegin(context);

        for (int epoch = 1; epoch <= Options.Epochs && !context.StopRequested; epoch++)
        {
            if (cancellation.IsCancellationRequested)
            {
                context.RequestStop("cancelled");
                break;
            }
            scheduler?.BeginEpoch(epoch - 1);
            if (Options.Shuffle)
                shuffle.Shuffle(order.AsSpan());
            context.ApplyBatchSizeRequest(train.Count);  // a change asked for during the last epoch's final batch
            (train as IPlannedDataset)?.PlanEpoch(epoch, order, context.BatchSize, context.BatchesPerEpoch); // lets a loader prefetch
            foreach (var callback in Callbacks)
                callback.OnEpochBegin(context, epoch);

            var (trainLoss, trainAccuracy, seconds, seen) = TrainEpoch(train, order, epoch, context, cancellation);
            Evaluation? validated = validation is null ? null : Evaluate(validation, validationSample);
            var record = new EpochRecord(
                epoch, trainLoss, trainAccuracy,
                validated?.Loss ?? double.NaN, validated?.Accuracy ?? double.NaN,
                Optimizer.LearningRate, seconds, seen / Math.Max(seconds, 1e-9));
            context.History.Add(record);

            if (scheduler is not null)
            {
                bool wantsLoss = Schedule is ReduceOnPlateau { Mode: PlateauMode.Min };
                scheduler.EndEpoch(epoch - 1, wantsLoss ? MonitorMetric.ValidationLoss.Read(record) : MonitorMetric.ValidationAccuracy.Read(record));
            }
            foreach (var callback in Callbacks)
                callback.OnEpochEnd(context, record);
        }

        foreach (var callback in Callbacks)
            callback.OnTrainEnd(context);
        return context.History;
    }

    /// <summary>Runs <see cref="Model"/> in inference mode over <paramref name="data"/> (or the given sample of it).</summary>
    public Evaluation Evaluate(IDataset data, ReadOnlySpan<int> indices = default, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckCompatible(data, "evaluation set");
        int count = indices.IsEmpty ? data.Count : indices.Length;
        int[] all = indices.IsEmpty ? Enumerable.Range(0, data.Count).ToArray() : indices.ToArray();
        int classes = data.NumClasses;
        int k = Math.Min(topK, Math.Max(classes, 1));
        var confusion = new int[classes, classes];
        int batchSize = Math.Min(Options.EvaluationBatchSize, Math.Max(count, 1));
        var batch = _evaluation;                  // reused: evaluating every epoch allocates no new batch tensors
        var scratch = new int[batchSize];
        double lossSum = 0;
        int correct = 0, topHits = 0;
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var (x, target, labels) = batch.Fill(data, all.AsSpan(start, n));
            var y = Model.Forward(x, training: false);
            lossSum += (double)Loss.Forward(y, target) * n;
            int batchCorrect = Metrics.CountCorrect(y, labels);
            correct += batchCorrect;
            // A single-logit (binary) model has no ranking of classes: its top-k is its accuracy.
            topHits += y.Size / n > 1 ? Metrics.CountTopK(y, labels, k) : batchCorrect;
            Metrics.AccumulateConfusion(y, labels, confusion, scratch);
        }
        return new Evaluation(count, correct, count == 0 ? double.NaN : lossSum / count, topHits, k, confusion);
    }

    /// <summary>The predicted class of every sample of <paramref name="images"/> (N, ..) in inference mode.</summary>
    public static int[] Predict(Layer model, Tensor images, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        int n = images.Shape[0];
        var predictions = new int[n];
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var y = model.Forward(images.SliceBatch(start, count), training: false);
            Metrics.Predict(y, predictions.AsSpan(start, count));
        }
        return predictions;
    }

    // ---- the epoch --------------------------------------------------------------------------

    private (double Loss, double Accuracy, double Seconds, int Seen) TrainEpoch(
        IDataset train, int[] order, int epoch, TrainingContext context, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var pausedAtStart = context.PausedTime;
        double lossSum = 0;
        int correct = 0, seen = 0;
        var weights = Options.Regularizer is null ? null : ParameterGroups.Weights(Model).ToArray();
        using var skipInputGradient = new InputGradientOff(Model);   // nothing reads dL/d(images)
        // b counts this epoch's batches; start is the first sample of batch b in the shuffled order.
        // Both advance by position rather than by b·batchSize, because a callback may change the
        // batch size between two batches (the rest of the epoch is then planned again).
        for (int b = 0, start = 0; b < context.BatchesPerEpoch; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (context.ApplyBatchSizeRequest(order.Length - start, b))
                (train as IPlannedDataset)?.PlanEpoch(epoch, order.AsSpan(start), context.BatchSize, context.BatchesPerEpoch - b);
            int batchSize = context.BatchSize;
            int n = Math.Min(batchSize, order.Length - start);
            var batch = n == batchSize ? _full : _partial;
            var (x, target, labels) = batch.Fill(train, order.AsSpan(start, n));
            start += n;

            Optimizer.ZeroGradients();
            var y = Model.Forward(x, training: true);
            double loss;
            try
            {
                loss = Loss.Forward(y, target);
            }
            catch (NonFiniteLossException e)
            {
                context.RequestStop($"diverged at epoch {epoch}, step {b + 1}");
                throw new TrainingDivergedException(
                    $"Training stopped at epoch {epoch}, step {b + 1} of {context.BatchesPerEpoch}: the loss is no longer finite. " +
                    "Lower the learning rate (or clip gradients); the last checkpoint, if any, is kept.", e);
            }
            if (weights is not null)
            {
                loss += Options.Regularizer!.Penalty(weights);
                Options.Regularizer.AddGradients(weights);
            }
            GradientHook?.BeforeBackward(Model, n);
            Model.Backward(Loss.Backward());
            GradientHook?.BeforeOptimizerStep(Model);
            Optimizer.Step();

            lossSum += loss * n;
            correct += Metrics.CountCorrect(y, labels);
            seen += n;
            if (Callbacks.Count > 0)
            {
                var elapsed = clock.Elapsed - (context.PausedTime - pausedAtStart);
                int total = Math.Min(seen + (context.BatchesPerEpoch - b - 1) * batchSize, order.Length);
                var progress = new BatchProgress(epoch, b + 1, context.BatchesPerEpoch, seen, total,
                    lossSum / seen, (double)correct / seen, seen / Math.Max(elapsed.TotalSeconds, 1e-9), elapsed);
                for (int c = 0; c < Callbacks.Count; c++)
                    Callbacks[c].OnBatchEnd(context, progress);
            }
        }
        double seconds = (clock.Elapsed - (context.PausedTime - pausedAtStart)).TotalSeconds;
        return (lossSum / Math.Max(seen, 1), (double)correct / Math.Max(seen, 1), seconds, seen);
    }

    /// <summary>Turns <see cref="Layer.InputGradientRequired"/> off on a model for a scope and back to what it was after.</summary>
    private readonly struct InputGradientOff : IDisposable
    {
        private readonly Layer _model;
        private readonly bool _was;

        public InputGradientOff(Layer model)
        {
            _model = model;
            _was = model.InputGradientRequired;
            model.InputGradientRequired = false;
        }

        public void Dispose() => _model.InputGradientRequired = _was;
    }

    private int[]? ValidationSample(IDataset validation)
    {
        if (Options.ValidationSampleCount is not int sample || sample >= validation.Count)
            return null;
        // Drawn once from the seed, so every epoch is scored on the same samples.
        var permutation = new CortexRandom(Options.Seed ^ 0x9E3779B97F4A7C15UL).Permutation(validation.Count);
        return permutation[..sample];
    }

    private Evaluation Evaluate(IDataset data, int[]? sample) => Evaluate(data, sample ?? default(ReadOnlySpan<int>));

    private void CheckCompatible(IDataset data, string what)
    {
        var expected = new Shape([1, .. data.SampleShape.Dimensions]);
        try
        {
            Model.OutputShape(expected);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Trainer: the {what}'s samples {data.SampleShape} do not fit the model: {e.Message}", nameof(data), e);
        }
    }

    /// <summary>The reusable tensors of one batch size: images, float targets and integer labels.</summary>
    private sealed class Batch
    {
        private Tensor? _images;
        private Tensor? _targets;
        private int[] _labels = [];

        public (Tensor Images, Tensor Targets, int[] Labels) Fill(IDataset data, ReadOnlySpan<int> indices)
        {
            int n = indices.Length;
            if (_images is null || _images.Shape[0] != n || _images.Shape.SizeFrom(1) != data.SampleShape.Size)
            {
                _images = new Tensor(new Shape([n, .. data.SampleShape.Dimensions]));
                _targets = new Tensor(n);
                _labels = new int[n];
            }
            data.CopyBatch(indices, _images, _labels);
            var t = _targets!.Span;
            for (int i = 0; i < n; i++)
                t[i] = _labels[i];
            return (_images, _targets, _labels);
        }
    }
}
