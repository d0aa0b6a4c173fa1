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
//
// Crash safety: everything the loop carries from one batch to the next lives in RunState (position,
// shuffled order, the epoch's running sums, the divergence counter), so a training checkpoint
// (TrainingCheckpoint.cs) can capture it between two batches and Fit(resumeFrom:) can put it back.
// Numeric faults: a non-finite loss or gradient, or a loss that stays far above its first value,
// stops the run before the optimizer applies the bad step, naming the epoch, batch and layer. While
// the loss is above the divergence limit no checkpoint is written (it waits for the first batch back
// below), so the last checkpoint on disk is one of weights whose loss was still in bounds.
using System.Diagnostics;
using System.Globalization;
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
    private RunState? _run;

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

    /// <summary>The history of the current or last <see cref="Fit(IDataset, IDataset?, CancellationToken)"/> (kept even when it ended in an exception).</summary>
    public History? History { get; private set; }

    /// <summary>
    /// Optional observer of every step's gradients: told before backward and after it (before the optimizer
    /// step), so data-parallel training can average gradients across processes (Cortex.Distributed).
    /// </summary>
    public IGradientHook? GradientHook { get; set; }

    /// <summary>
    /// Lets <see cref="Fit(IDataset, IDataset?, string, CancellationToken)"/> resume a checkpoint written over another split of the
    /// same epochs: another training-set view and batch size, the same batches (Cortex.Distributed resuming on another number of
    /// ranks: each rank's shard and per-rank batch change, the global batches do not). The run goes on after the same number of
    /// batches of the same epoch; the view orders every epoch itself (it needs <see cref="TrainerOptions.Shuffle"/> off), so the
    /// checkpoint's order, batch size and training-set size are not checked. Default off.
    /// </summary>
    public bool ResumeAcrossSplits { get; init; }

    /// <summary>Called in order at each hook.</summary>
    public IList<TrainingCallback> Callbacks { get; } = [];

    /// <summary>
    /// Writes training checkpoints (the whole state of the run) as <see cref="CheckpointOptions"/> says: every N
    /// batches or epochs, when <see cref="Fit(IDataset, IDataset?, CancellationToken)"/> is cancelled, and when it ends. Null writes none.
    /// </summary>
    public CheckpointOptions? Checkpoints { get; init; }

    /// <summary>Why the last checkpoint could not be written, or null when it was (or none was due).</summary>
    public string? LastCheckpointError { get; private set; }

    /// <summary>The file of the last checkpoint written, or null.</summary>
    public string? LastCheckpointPath { get; private set; }

    /// <summary>
    /// Trains for <see cref="TrainerOptions.Epochs"/> epochs (or until a callback stops it) and returns the history.
    /// A run resumed from a checkpoint (the other overload) ends, with the same data, seed and thread count,
    /// with the same weights as a run that was never stopped, bit for bit.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became NaN or infinite, or the loss diverged; the message names the epoch and batch.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired during an epoch (a checkpoint is written first when <see cref="Checkpoints"/> is set).</exception>
    public History Fit(IDataset train, IDataset? validation = null, CancellationToken cancellation = default) => Run(train, validation, null, cancellation);

    /// <summary>
    /// Resumes the run saved in the training checkpoint <paramref name="resumeFrom"/> (see <see cref="Fit(IDataset, IDataset?, CancellationToken)"/>
    /// and <see cref="TrainingCheckpoint.Resolve"/>): the model, optimizer, schedule, random streams, position, history and
    /// callbacks' state are put back, then training continues from the batch after the one saved.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint does not fit this trainer, model or data (the message says what differs).</exception>
    public History Fit(IDataset train, IDataset? validation, string resumeFrom, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeFrom);
        return Run(train, validation, resumeFrom, cancellation);
    }

    private History Run(IDataset train, IDataset? validation, string? resumeFrom, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckCompatible(train, "training set");
        if (validation is not null)
            CheckCompatible(validation, "validation set");
        if (train.Count == 0)
            throw new ArgumentException("Trainer.Fit: the training set is empty.", nameof(train));

        var saved = resumeFrom is null ? null : TrainingCheckpoint.Read(resumeFrom);
        int batchSize = Math.Min(Options.BatchSize, train.Count);
        var context = new TrainingContext(Model, Optimizer, Options.Epochs, train.Count, batchSize, Options.DropLast);
        var run = new RunState(context, train, new CortexRandom(Options.Seed), [.. Enumerable.Range(0, train.Count)], Optimizer.LearningRate);
        if (saved is not null)
            saved.ApplyTo(this, run, resumeFrom!);
        History = context.History;
        _run = run;
        var scheduler = Schedule is null ? null : new LearningRateScheduler(Optimizer, Schedule, run.BaseRate);
        int[] order = run.Order;
        int[]? validationSample = validation is null ? null : ValidationSample(validation);

        foreach (var callback in Callbacks)
            callback.OnTrainBegin(context);
        if (saved is not null)
            saved.RestoreCallbacks(Callbacks);

        bool midEpoch = !run.EpochComplete;
        for (int epoch = run.EpochComplete ? run.Epoch + 1 : run.Epoch; epoch <= Options.Epochs && !context.StopRequested; epoch++)
        {
            if (cancellation.IsCancellationRequested)
            {
                WriteCheckpoint();                          // the state between two epochs, before the stop is recorded
                context.RequestStop("cancelled");
                break;
            }
            scheduler?.BeginEpoch(epoch - 1);
            if (midEpoch)
            {
                // Resuming inside an epoch: its order, batch size and sums came from the checkpoint.
                midEpoch = false;
                Optimizer.LearningRate = run.LearningRate;   // what the epoch ran with (a callback may have changed it)
                (train as IPlannedDataset)?.PlanEpoch(epoch, order.AsSpan(run.Start), context.BatchSize, context.BatchesPerEpoch - run.BatchesDone, run.BatchesDone);
            }
            else
            {
                if (Options.Shuffle)
                    run.Shuffle.Shuffle(order.AsSpan());
                context.ApplyBatchSizeRequest(train.Count);  // a change asked for during the last epoch's final batch
                run.BeginEpoch(epoch);
                (train as IPlannedDataset)?.PlanEpoch(epoch, order, context.BatchSize, context.BatchesPerEpoch, 0); // lets a loader prefetch
            }
            foreach (var callback in Callbacks)
                callback.OnEpochBegin(context, epoch);

            TrainEpoch(train, order, epoch, context, run, cancellation);
            Evaluation? validated = validation is null ? null : Evaluate(validation, validationSample);
            var record = new EpochRecord(
                epoch, run.LossSum / Math.Max(run.Seen, 1), (double)run.Correct / Math.Max(run.Seen, 1),
                validated?.Loss ?? double.NaN, validated?.Accuracy ?? double.NaN,
                Optimizer.LearningRate, run.Seconds, run.Seen / Math.Max(run.Seconds, 1e-9));
            context.History.Add(record);

            if (scheduler is not null)
            {
                bool wantsLoss = Schedule is ReduceOnPlateau { Mode: PlateauMode.Min };
                scheduler.EndEpoch(epoch - 1, wantsLoss ? MonitorMetric.ValidationLoss.Read(record) : MonitorMetric.ValidationAccuracy.Read(record));
            }
            foreach (var callback in Callbacks)
                callback.OnEpochEnd(context, record);
            run.EpochComplete = true;
            if (Checkpoints?.Every is { Unit: CheckpointUnit.Epochs } every && epoch % every.Count == 0)
                WriteCheckpoint();
        }

        foreach (var callback in Callbacks)
            callback.OnTrainEnd(context);
        if (Checkpoints is not null && !cancellation.IsCancellationRequested && run.WrittenAt != run.Position)
            WriteCheckpoint();                              // the finished run: resuming it says so
        return context.History;
    }

    /// <summary>
    /// Writes a training checkpoint of the current run to <paramref name="path"/> now, atomically (temporary file,
    /// fsync, rename). Call it from a callback during <see cref="Fit(IDataset, IDataset?, CancellationToken)"/> (the callbacks after it in
    /// <see cref="Callbacks"/> have not yet seen the current batch or epoch) or after Fit.
    /// </summary>
    /// <exception cref="InvalidOperationException">No run has started.</exception>
    /// <exception cref="IOException">The file could not be written; an older file at <paramref name="path"/> is left as it was.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var run = _run ?? throw new InvalidOperationException("Trainer.SaveCheckpoint: no run to checkpoint; call it during or after Fit.");
        TrainingCheckpoint.Write(path, CheckpointSnapshot.Capture(this, run), keep: 1, Checkpoints?.Metadata);
    }

    /// <summary>Writes the periodic checkpoint; a failure is reported and kept, and the run goes on (the next one retries).</summary>
    private void WriteCheckpoint()
    {
        if (Checkpoints is not { } checkpoints || _run is not { } run)
            return;
        if (run.BatchesAbove > 0)
        {
            // The loss is above the divergence limit: these weights may be on their way out; keep the last checkpoint
            // written below it, and write this one at the first batch back below (or never, if the run diverges).
            if (!run.CheckpointDeferred)
            {
                LastCheckpointError = $"did not write the checkpoint {checkpoints.Path}: the loss has been above the divergence limit for {run.BatchesAbove} batch(es)";
                checkpoints.Warning?.Invoke($"{LastCheckpointError}. The previous checkpoint is kept; the first batch back below the limit writes it.");
            }
            run.CheckpointDeferred = true;
            return;
        }
        run.CheckpointDeferred = false;
        if (NumericFaults.FirstNonFiniteWeight(Model) is { } bad)
        {
            // A checkpoint of broken weights would replace the last good one: keep that instead.
            LastCheckpointError = $"did not write the checkpoint {checkpoints.Path}: the weights of layer '{NumericFaults.LayerOf(bad)}' are no longer finite ({bad})";
            checkpoints.Warning?.Invoke($"{LastCheckpointError}. The previous checkpoint is kept.");
            return;
        }
        try
        {
            TrainingCheckpoint.Write(checkpoints.Path, CheckpointSnapshot.Capture(this, run), checkpoints.Keep, checkpoints.Metadata);
            LastCheckpointError = null;
            LastCheckpointPath = checkpoints.Path;
            run.WrittenAt = run.Position;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LastCheckpointError = $"could not write the checkpoint {checkpoints.Path}: {e.Message}";
            checkpoints.Warning?.Invoke($"{LastCheckpointError} The previous checkpoint is kept; training goes on and the next checkpoint tries again.");
        }
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

    private void TrainEpoch(IDataset train, int[] order, int epoch, TrainingContext context, RunState run, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var pausedAtStart = context.PausedTime;
        double secondsBefore = run.Seconds;                  // a resumed epoch's time before the stop
        var weights = Options.Regularizer is null ? null : ParameterGroups.Weights(Model).ToArray();
        var named = Options.CheckGradients ? Model.NamedParameters().Where(p => p.Parameter.Trainable).ToArray() : null;
        using var skipInputGradient = new InputGradientOff(Model);   // nothing reads dL/d(images)
        // b counts this epoch's batches; run.Start is the first sample of batch b in the shuffled order.
        // Both advance by position rather than by b·batchSize, because a callback may change the
        // batch size between two batches (the rest of the epoch is then planned again).
        for (int b = run.BatchesDone; b < context.BatchesPerEpoch; b++)
        {
            if (cancellation.IsCancellationRequested)
            {
                run.Seconds = secondsBefore + Elapsed().TotalSeconds;
                WriteCheckpoint();                           // the state after the last whole batch
                cancellation.ThrowIfCancellationRequested();
            }
            if (context.ApplyBatchSizeRequest(order.Length - run.Start, b))
                (train as IPlannedDataset)?.PlanEpoch(epoch, order.AsSpan(run.Start), context.BatchSize, context.BatchesPerEpoch - b, b);
            int batchSize = context.BatchSize;
            int n = Math.Min(batchSize, order.Length - run.Start);
            var batch = n == batchSize ? _full : _partial;
            var (x, target, labels) = batch.Fill(train, order.AsSpan(run.Start, n));

            Optimizer.ZeroGradients();
            var y = Model.Forward(x, training: true);
            double loss;
            try
            {
                loss = Loss.Forward(y, target);
            }
            catch (NonFiniteLossException e)
            {
                string where = NumericFaults.Locate(Model, x);
                context.RequestStop($"diverged at epoch {epoch}, batch {b + 1}");
                throw new TrainingDivergedException(
                    $"Training stopped at epoch {epoch}, batch {b + 1} of {context.BatchesPerEpoch}: the loss is no longer finite; {where}. " +
                    "Lower the learning rate (or clip gradients); the last checkpoint, if any, is kept.", e);
            }
            if (weights is not null)
            {
                loss += Options.Regularizer!.Penalty(weights);
                Options.Regularizer.AddGradients(weights);
            }
            CheckDivergence(run, loss, epoch, b, context);
            GradientHook?.BeforeBackward(Model, n);
            Model.Backward(Loss.Backward());
            GradientHook?.BeforeOptimizerStep(Model);
            if (named is not null && NumericFaults.LastNonFiniteGradient(named) is { } bad)
            {
                context.RequestStop($"diverged at epoch {epoch}, batch {b + 1}");
                throw new TrainingDivergedException(
                    $"Training stopped at epoch {epoch}, batch {b + 1} of {context.BatchesPerEpoch}: a gradient is no longer finite; " +
                    $"walking back from the loss it first appears in layer '{NumericFaults.LayerOf(bad)}' ({bad}). " +
                    "The weights were not updated with it. Lower the learning rate (or clip gradients); the last checkpoint, if any, is kept.");
            }
            Optimizer.Step();

            run.Start += n;
            run.LossSum += loss * n;
            run.Correct += Metrics.CountCorrect(y, labels);
            run.Seen += n;
            run.BatchesDone = b + 1;
            run.TotalBatches++;
            var elapsed = Elapsed();
            run.Seconds = secondsBefore + elapsed.TotalSeconds;
            if (Callbacks.Count > 0)
            {
                int total = Math.Min(run.Seen + (context.BatchesPerEpoch - b - 1) * batchSize, order.Length);
                var progress = new BatchProgress(epoch, b + 1, context.BatchesPerEpoch, run.Seen, total,
                    run.LossSum / run.Seen, (double)run.Correct / run.Seen, run.Seen / Math.Max(run.Seconds, 1e-9), TimeSpan.FromSeconds(run.Seconds));
                for (int c = 0; c < Callbacks.Count; c++)
                    Callbacks[c].OnBatchEnd(context, progress);
            }
            if (Checkpoints?.Every is { Unit: CheckpointUnit.Batches } every && run.TotalBatches % every.Count == 0 || run.CheckpointDeferred && run.BatchesAbove == 0)
                WriteCheckpoint();
        }

        TimeSpan Elapsed() => clock.Elapsed - (context.PausedTime - pausedAtStart);
    }

    /// <summary>
    /// Stops a run whose loss has stayed above <see cref="TrainerOptions.DivergenceFactor"/> × max(first loss, 1)
    /// for <see cref="TrainerOptions.DivergencePatience"/> batches in a row (Adam at lr 1e6 gives losses near 1e35
    /// that are still finite).
    /// </summary>
    private void CheckDivergence(RunState run, double loss, int epoch, int b, TrainingContext context)
    {
        if (double.IsNaN(run.ReferenceLoss))
            run.ReferenceLoss = loss;
        if (Options.DivergenceFactor is not double factor)
            return;
        double limit = factor * Math.Max(run.ReferenceLoss, 1.0);
        if (!(loss > limit))
        {
            run.BatchesAbove = 0;
            return;
        }
        if (++run.BatchesAbove < Options.DivergencePatience)
            return;
        context.RequestStop($"diverged at epoch {epoch}, batch {b + 1}");
        throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
            $"Training diverged at epoch {epoch}, batch {b + 1} of {context.BatchesPerEpoch}: the loss has stayed above {factor:G6} × its first value ({run.ReferenceLoss:G4}) " +
            $"for {run.BatchesAbove} batches (now {loss:G3}). Lower the learning rate (or clip gradients); the last checkpoint, if any, is kept."));
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
