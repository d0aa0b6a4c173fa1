// TrainingMonitor.cs — Studio's subscriber of the Trainer. It runs on the training thread, between
// batches, and does four things there:
//
//   1. applies the page's controls (learning rate, momentum, weight decay, batch size, pause);
//   2. runs the work other threads queued for the model (a drawn digit's prediction, a download),
//      since layers are not thread-safe and only this thread may touch the model;
//   3. publishes live numbers and curve points (a few times a second, cheap);
//   4. takes the expensive pictures — the network probe, the test-prediction grid, the confusion
//      matrix — on a cadence that keeps each one's cost under a small share of the training time.
//
// It never reaches into layers beyond their public outputs and parameters (NetworkProbe), and the
// HTTP threads only ever read its published snapshots or queue work: no request blocks a step.
using System.Collections.Concurrent;
using System.Diagnostics;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Studio;

/// <summary>Watches and steers one training run for the page (see the file header).</summary>
public sealed class TrainingMonitor : TrainingCallback, IDisposable
{
    private const int GridSize = 40;
    private const int MaxCurvePoints = 4000;

    private readonly StudioRun _run;
    private readonly EventHub _hub;
    private readonly string? _historyPath;
    private readonly string? _modelPath;
    private readonly NetworkProbe _probe;
    private readonly int[] _gridIndices;
    private readonly CortexRandom _probeRandom = new(0x57D10UL);
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _gate = new();
    private readonly List<CurvePoint> _points = [];
    private readonly List<EpochPoint> _epochs = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    // (at most every N seconds, at most this share of the time): 4 % in all at the most, and for a
    // small model far less, since the minimum intervals bind first (bench/ `studio`).
    private readonly Cadence _metricsCadence = new(0.25, 0.005);
    private readonly Cadence _networkCadence = new(1.0, 0.015);
    private readonly Cadence _predictionCadence = new(2.0, 0.005);
    private readonly Cadence _confusionCadence = new(5.0, 0.01);
    private readonly Cadence _saveCadence = new(30.0, 0.02);

    private TrainingContext? _context;
    private volatile bool _pauseRequested;
    private volatile bool _paused;
    private float? _learningRate, _momentum, _weightDecay;
    private float? _learningRateOverride;
    private long _examplesBase, _examplesSeen;
    private int _epoch, _batch, _batches;
    private double _intervalLossSum, _intervalCorrect;
    private int _intervalSeen;
    private double _epochLossSum, _epochCorrect;
    private int _epochSeen;
    private long _intervalStart = Stopwatch.GetTimestamp();
    private double _l2Loss;
    private long _trainStart, _studioTicks;
    private (long At, long Studio, TimeSpan Paused) _shareFrom, _shareNext;
    private double? _validationAccuracy, _validationLoss, _testAccuracy;

    /// <param name="run">The run being trained.</param>
    /// <param name="hub">Where events go.</param>
    /// <param name="historyPath">Where to keep the history as each epoch ends (null: the caller saves it).</param>
    /// <param name="modelPath">Where to keep the model, every half minute or so and at the end (null: the caller saves it).</param>
    /// <param name="restartable">Whether the page may restart this run with other choices.</param>
    public TrainingMonitor(StudioRun run, EventHub hub, string? historyPath = null, string? modelPath = null, bool restartable = true)
    {
        _run = run ?? throw new ArgumentNullException(nameof(run));
        _hub = hub ?? throw new ArgumentNullException(nameof(hub));
        _historyPath = historyPath;
        _modelPath = modelPath;
        _probe = new NetworkProbe(run.Model, run.NumClasses);
        var order = new CortexRandom(0x6121DUL).Permutation(run.Test.Count);
        _gridIndices = order[..Math.Min(GridSize, order.Length)];
        Info = new RunInfo
        {
            Name = run.Name,
            Model = run.ModelName,
            Data = run.DataName,
            Input = [.. run.TrainImages.SampleShape.Dimensions],
            ClassNames = run.ClassNames,
            Parameters = run.Model.AllParameters().Sum(p => (long)p.Value.Size),
            TrainCount = run.Train.Count,
            ValidationCount = run.Validation?.Count ?? 0,
            TestCount = run.Test.Count,
            Optimizer = run.Optimizer.Name,
            Augmentation = run.Augmentation,
            Restartable = restartable,
            Drawable = run.TrainImages.SampleShape[0] == 1,
        };
    }

    /// <summary>What the run is.</summary>
    public RunInfo Info { get; }

    /// <summary>The model's architecture, for saving it as one file (null for a model built by hand).</summary>
    public ModelSpec? Spec => _run.Spec;

    /// <summary>The run's class names and input shape, for answering predictions.</summary>
    public StudioRun Run => _run;

    /// <summary>"starting", "training", "paused", "finished", "stopped" or "failed".</summary>
    public string State { get; private set; } = "starting";

    /// <summary>Why the run ended, when it did not end normally.</summary>
    public string? Message { get; private set; }

    /// <summary>Cancels the pause wait (a restart or shutdown).</summary>
    public CancellationToken Cancellation { get; init; }

    public long ExamplesSeen => Interlocked.Read(ref _examplesSeen);

    /// <summary>Time the training thread has spent in this monitor (its callbacks and pictures), pauses left out.</summary>
    public TimeSpan StudioTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _studioTicks));
    public int Epoch => Volatile.Read(ref _epoch);
    public bool Paused => _paused;
    public LiveMetrics? LastMetrics { get; private set; }
    public NetworkView? LastNetwork { get; private set; }
    public PredictionGrid? LastPredictions { get; private set; }
    public ConfusionView? LastConfusion { get; private set; }

    /// <summary>The state so far, as a page that connects now first receives it.</summary>
    public object Hello()
    {
        lock (_gate)
        {
            return new
            {
                run = Info,
                state = State,
                message = Message,
                metrics = LastMetrics,
                points = _points.ToArray(),
                epochs = _epochs.ToArray(),
                network = LastNetwork,
                predictions = LastPredictions,
                confusion = LastConfusion,
            };
        }
    }

    // ---- controls (any thread) ---------------------------------------------------------------

    /// <summary>Pauses at the end of the current batch.</summary>
    public void Pause()
    {
        _pauseRequested = true;
        Wake();
    }

    /// <summary>Resumes a paused run.</summary>
    public void Resume()
    {
        _pauseRequested = false;
        Wake();
    }

    /// <summary>Sets the learning rate from the next batch on (it then overrides any schedule).</summary>
    public void SetLearningRate(float rate)
    {
        RequireFinite(rate, "learning_rate", mustBePositive: false);
        lock (_gate)
            _learningRate = rate;
    }

    /// <summary>Sets the momentum μ of a Momentum or Nesterov optimizer from the next batch on.</summary>
    public void SetMomentum(float mu)
    {
        if (_run.Optimizer is not (Momentum or Nesterov))
            throw new ArgumentException($"momentum: the optimizer is {_run.Optimizer.Name}, which has no momentum; restart with momentum or nesterov to set it.");
        if (!(mu is >= 0f and < 1f))
            throw new ArgumentException($"momentum: expected a value in [0, 1), got {mu}.");
        lock (_gate)
            _momentum = mu;
    }

    /// <summary>Sets the weight decay λ from the next batch on.</summary>
    public void SetWeightDecay(float decay)
    {
        RequireFinite(decay, "weight_decay", mustBePositive: false);
        lock (_gate)
            _weightDecay = decay;
    }

    /// <summary>Uses batches of <paramref name="size"/> from the next batch on.</summary>
    public void SetBatchSize(int size)
    {
        if (size < 1 || size > 4096)
            throw new ArgumentException($"batch_size: expected an integer from 1 to 4096, got {size}.");
        if (_context is not { } context)
            throw new InvalidOperationException("batch_size: the run has not started yet; try again in a moment.");
        context.RequestBatchSize(size);
    }

    private static void RequireFinite(float value, string name, bool mustBePositive)
    {
        if (!float.IsFinite(value) || value < 0f || (mustBePositive && value == 0f))
            throw new ArgumentException($"{name}: expected a finite number ≥ 0, got {value}.");
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the training thread at the end of the current batch (or at once while paused or
    /// after training) and returns its result; gives up after <paramref name="timeout"/>.
    /// </summary>
    public Task<T> OnModelThread<T>(Func<Layer, T> work, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_disposed)
            return Task.FromException<T>(new InvalidOperationException("This run has ended; its model is no longer loaded."));
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Enqueue(() =>
        {
            try
            {
                done.TrySetResult(work(_run.Model));
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        Wake();
        return done.Task.WaitAsync(timeout);
    }

    // ---- the training thread -----------------------------------------------------------------

    public override void OnTrainBegin(TrainingContext context)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _trainStart = Stopwatch.GetTimestamp();
        State = "training";
        _hub.Publish("run", Info);
        Publish(force: true);
    }

    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        ArgumentNullException.ThrowIfNull(context);
        Volatile.Write(ref _epoch, epoch);
        _epochLossSum = _epochCorrect = 0;
        _epochSeen = 0;
        if (_learningRateOverride is { } rate)
            context.Optimizer.LearningRate = rate;       // the page's rate wins over the schedule's
    }

    public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
    {
        ArgumentNullException.ThrowIfNull(context);
        long entered = Stopwatch.GetTimestamp();
        int n = progress.Seen - _epochSeen;
        double batchLoss = progress.Loss * progress.Seen - _epochLossSum;
        double batchCorrect = progress.Accuracy * progress.Seen - _epochCorrect;
        _epochLossSum += batchLoss;
        _epochCorrect += batchCorrect;
        _epochSeen = progress.Seen;
        _intervalLossSum += batchLoss;
        _intervalCorrect += batchCorrect;
        _intervalSeen += n;
        Interlocked.Exchange(ref _examplesSeen, _examplesBase + progress.Seen);
        _batch = progress.Batch;
        _batches = progress.BatchesPerEpoch;

        ApplyControls(context);
        DrainWork();
        long now = Stopwatch.GetTimestamp();
        if (_metricsCadence.Due(now))
            Publish(force: false);
        if (_networkCadence.Due(now))
            Timed(_networkCadence, () => PublishNetwork(withGradients: true));
        if (_predictionCadence.Due(now))
            Timed(_predictionCadence, PublishPredictions);
        Interlocked.Add(ref _studioTicks, Stopwatch.GetTimestamp() - entered);
        if (_pauseRequested)
            WaitWhilePaused(context);
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        long entered = Stopwatch.GetTimestamp();
        _examplesBase += _epochSeen;
        _validationAccuracy = Finite(record.ValidationAccuracy);
        _validationLoss = Finite(record.ValidationLoss);
        var point = new EpochPoint(record.Epoch, _examplesBase, Finite(record.TrainLoss), Finite(record.TrainAccuracy),
            _validationLoss, _validationAccuracy, record.LearningRate, record.Seconds);
        lock (_gate)
            _epochs.Add(point);
        _hub.Publish("epoch", point);
        long now = Stopwatch.GetTimestamp();
        if (_confusionCadence.Due(now) || record.Epoch == context.Epochs)
            Timed(_confusionCadence, () => PublishConfusion(record.Epoch));
        if (_historyPath is not null)
            context.History.Save(_historyPath);
        if (_modelPath is not null && _saveCadence.Due(now))
            Timed(_saveCadence, SaveModel);
        Interlocked.Add(ref _studioTicks, Stopwatch.GetTimestamp() - entered);
        Publish(force: true);
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Finish(context.History.StopReason is { } reason ? "stopped" : "finished", context.History.StopReason);
    }

    /// <summary>Marks the run as ended (finished, stopped or failed), with the pictures of the final model.</summary>
    public void Finish(string state, string? message)
    {
        State = state;
        Message = message;
        _paused = false;
        if (state != "failed")
        {
            PublishNetwork(withGradients: false);
            PublishPredictions();
            if (_modelPath is not null)
                SaveModel();
        }
        Publish(force: true);
        _hub.Publish("state", new { state, message });
    }

    public void Dispose()
    {
        _disposed = true;
        _signal.Dispose();
    }

    private volatile bool _disposed;

    /// <summary>Wakes the training thread's wait (pause, or serving after training); nothing once the run is over.</summary>
    private void Wake()
    {
        if (_disposed)
            return;
        try
        {
            _signal.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Shows a model that is not training (a finished run): its pictures, then serves model work.</summary>
    public void ShowStatic(IEnumerable<EpochPoint> history)
    {
        lock (_gate)
            _epochs.AddRange(history);
        if (_epochs.Count > 0)
            _examplesBase = _epochs[^1].ExamplesSeen ?? (long)_epochs[^1].Epoch * _run.Train.Count;   // a history without the column: whole epochs
        Interlocked.Exchange(ref _examplesSeen, _examplesBase);
        _validationAccuracy = _epochs.Count > 0 ? _epochs[^1].ValidationAccuracy : null;
        PublishNetwork(withGradients: false);
        PublishPredictions();
        PublishConfusion(_epochs.Count > 0 ? _epochs[^1].Epoch : 0);
        State = "viewing";
        Publish(force: true);
    }

    /// <summary>After training: runs queued model work until <paramref name="cancellation"/> fires.</summary>
    public void Serve(CancellationToken cancellation)
    {
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                _signal.Wait(cancellation);
                DrainWork();
            }
        }
        catch (OperationCanceledException)
        {
        }
        DrainWork();
    }

    private void WaitWhilePaused(TrainingContext context)
    {
        long start = Stopwatch.GetTimestamp();
        _paused = true;
        State = "paused";
        Publish(force: true);
        _hub.Publish("state", new { state = State, message = (string?)null });
        try
        {
            while (_pauseRequested && !Cancellation.IsCancellationRequested)
            {
                _signal.Wait(TimeSpan.FromMilliseconds(250), Cancellation);
                ApplyControls(context);
                DrainWork();
            }
        }
        catch (OperationCanceledException)
        {
        }
        _paused = false;
        State = "training";
        context.ReportPause(Stopwatch.GetElapsedTime(start));
        _intervalStart = Stopwatch.GetTimestamp();
        _hub.Publish("state", new { state = State, message = (string?)null });
        Publish(force: true);
    }

    private void ApplyControls(TrainingContext context)
    {
        float? rate, mu, decay;
        lock (_gate)
        {
            (rate, mu, decay) = (_learningRate, _momentum, _weightDecay);
            _learningRate = _momentum = _weightDecay = null;
        }
        var optimizer = context.Optimizer;
        if (rate is { } r)
        {
            optimizer.LearningRate = r;
            _learningRateOverride = r;
        }
        if (mu is { } m)
        {
            if (optimizer is Momentum momentum)
                momentum.Mu = m;
            else if (optimizer is Nesterov nesterov)
                nesterov.Mu = m;
        }
        if (decay is { } d)
            optimizer.WeightDecay = d;
    }

    private void DrainWork()
    {
        while (_work.TryDequeue(out var item))
            item();
    }

    /// <summary>
    /// The share of the training thread's time (pauses left out) spent in this monitor over the last 10 to 20 seconds:
    /// recent rather than since the start, so the first seconds' one-off costs (compiling, the first pictures) fade.
    /// </summary>
    private double? StudioShare(long now)
    {
        if (_trainStart == 0 || _context is null)
            return null;
        var paused = _context.PausedTime;
        long studio = Interlocked.Read(ref _studioTicks);
        if (_shareFrom.At == 0)
            _shareFrom = _shareNext = (_trainStart, 0, TimeSpan.Zero);
        if (Stopwatch.GetElapsedTime(_shareNext.At, now) > TimeSpan.FromSeconds(10))
            (_shareFrom, _shareNext) = (_shareNext, (now, studio, paused));
        double total = Stopwatch.GetElapsedTime(_shareFrom.At, now).TotalSeconds - (paused - _shareFrom.Paused).TotalSeconds;
        return total > 0.5 ? Stopwatch.GetElapsedTime(0, studio - _shareFrom.Studio).TotalSeconds / total : null;
    }

    private static void Timed(Cadence cadence, Action work)
    {
        long start = Stopwatch.GetTimestamp();
        work();
        cadence.Ran(start, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private void Publish(bool force)
    {
        long now = Stopwatch.GetTimestamp();
        double seconds = (now - _intervalStart) / (double)Stopwatch.Frequency;
        var optimizer = _run.Optimizer;
        var metrics = new LiveMetrics
        {
            ExamplesSeen = ExamplesSeen,
            Epoch = _epoch,
            Epochs = _context?.Epochs ?? _run.Options.Epochs,
            Batch = _batch,
            Batches = _batches,
            Loss = _intervalSeen > 0 ? _intervalLossSum / _intervalSeen : LastMetrics?.Loss,
            ClassificationLoss = _intervalSeen > 0 ? _intervalLossSum / _intervalSeen : LastMetrics?.ClassificationLoss,
            L2Loss = _l2Loss,
            Accuracy = _intervalSeen > 0 ? _intervalCorrect / _intervalSeen : LastMetrics?.Accuracy,
            EpochLoss = _epochSeen > 0 ? _epochLossSum / _epochSeen : null,
            EpochAccuracy = _epochSeen > 0 ? _epochCorrect / _epochSeen : null,
            ValidationAccuracy = _validationAccuracy,
            ValidationLoss = _validationLoss,
            TestAccuracy = _testAccuracy,
            LearningRate = optimizer.LearningRate,
            Momentum = optimizer switch { Momentum m => m.Mu, Nesterov n => n.Mu, Adam a => a.Beta1, _ => null },
            BatchSize = _context?.BatchSize ?? _run.Options.BatchSize,
            WeightDecay = optimizer.WeightDecay,
            ImagesPerSecond = _intervalSeen > 0 && seconds > 0 ? _intervalSeen / seconds : LastMetrics?.ImagesPerSecond,
            ForwardMsPerExample = LastNetwork?.ForwardMsPerExample,
            BackwardMsPerExample = LastNetwork is { BackwardMsPerExample: > 0 } v ? v.BackwardMsPerExample : LastMetrics?.BackwardMsPerExample,
            ElapsedSeconds = _clock.Elapsed.TotalSeconds,
            StudioShare = StudioShare(now),
            Paused = _paused,
        };
        if (_intervalSeen > 0)
        {
            var point = new CurvePoint(metrics.ExamplesSeen, metrics.Loss ?? double.NaN, metrics.Accuracy ?? double.NaN);
            lock (_gate)
            {
                _points.Add(point);
                if (_points.Count > MaxCurvePoints)
                    Thin(_points);
            }
        }
        LastMetrics = metrics;
        _hub.Publish("metrics", metrics);
        _intervalLossSum = _intervalCorrect = 0;
        _intervalSeen = 0;
        _intervalStart = now;
        _metricsCadence.Ran(now, 0);
        _ = force;
    }

    /// <summary>Keeps every other point (the newest always), so a long run's curve stays a bounded size.</summary>
    private static void Thin(List<CurvePoint> points)
    {
        int kept = 0;
        for (int i = 0; i < points.Count; i++)
        {
            if (i % 2 == 0 || i == points.Count - 1)
                points[kept++] = points[i];
        }
        points.RemoveRange(kept, points.Count - kept);
    }

    private void PublishNetwork(bool withGradients)
    {
        var images = _run.TrainImages;
        int n = Math.Min(Math.Max(_context?.BatchSize ?? _run.Options.BatchSize, 1), Math.Min(32, images.Count));
        var indices = new int[n];
        for (int i = 0; i < n; i++)
            indices[i] = _probeRandom.NextInt(images.Count);
        var batch = new Tensor(new Shape([n, .. images.SampleShape.Dimensions]));
        var labels = new int[n];
        images.CopyBatch(indices, batch, labels);
        _l2Loss = L2Loss();
        var view = _probe.Run(batch, labels, ClassName(labels[0]), ExamplesSeen, withGradients);
        LastNetwork = view;
        _hub.Publish("network", view);
    }

    private double L2Loss()
    {
        float decay = _run.Optimizer.WeightDecay;
        if (decay == 0f)
            return 0;
        double sum = 0;
        foreach (var p in _run.Optimizer.Parameters)
        {
            if (p.Trainable)
                sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(p.Value.Span);
        }
        return 0.5 * decay * sum;
    }

    private void PublishPredictions()
    {
        var test = _run.Test;
        if (_gridIndices.Length == 0)
            return;
        var batch = new Tensor(new Shape([_gridIndices.Length, .. test.SampleShape.Dimensions]));
        var labels = new int[_gridIndices.Length];
        test.CopyBatch(_gridIndices, batch, labels);
        var scores = _run.Model.Forward(batch, training: false);
        var shape = test.SampleShape;
        int per = shape.Size;
        var items = new Prediction[_gridIndices.Length];
        for (int i = 0; i < items.Length; i++)
        {
            var image = Pictures.Tiles(batch.Span.Slice(i * per, per), 1, shape[0], shape.Rank > 1 ? shape[1] : 1, shape.Rank > 2 ? shape[2] : per);
            items[i] = new Prediction(image, labels[i], ClassName(labels[i]), Top(scores, i, 3));
        }
        var grid = new PredictionGrid(ExamplesSeen, items);
        LastPredictions = grid;
        _hub.Publish("predictions", grid);
    }

    private void PublishConfusion(int epoch)
    {
        var test = _run.Test;
        int classes = Math.Max(test.NumClasses, 1);
        var confusion = new int[classes, classes];
        int batchSize = Math.Min(256, Math.Max(test.Count, 1));
        var scratch = new int[batchSize];
        var order = new int[batchSize];
        int correct = 0;
        Tensor? batch = null;
        int[] labels = new int[batchSize];
        for (int start = 0; start < test.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, test.Count - start);
            for (int i = 0; i < n; i++)
                order[i] = start + i;
            if (batch is null || batch.Shape[0] != n)
            {
                batch = new Tensor(new Shape([n, .. test.SampleShape.Dimensions]));
                labels = new int[n];
            }
            test.CopyBatch(order.AsSpan(0, n), batch, labels);
            var y = _run.Model.Forward(batch, training: false);
            correct += Metrics.CountCorrect(y, labels);
            Metrics.AccumulateConfusion(y, labels, confusion, scratch);
        }
        var matrix = new int[classes][];
        for (int r = 0; r < classes; r++)
        {
            matrix[r] = new int[classes];
            for (int c = 0; c < classes; c++)
                matrix[r][c] = confusion[r, c];
        }
        double accuracy = test.Count == 0 ? 0 : (double)correct / test.Count;
        _testAccuracy = accuracy;
        var view = new ConfusionView(ExamplesSeen, epoch, test.Count, accuracy, test.ClassNames, matrix);
        LastConfusion = view;
        _hub.Publish("confusion", view);
    }

    private void SaveModel()
    {
        if (_modelPath is null || _run.Spec is null)
            return;
        ModelZoo.Save(_run.Model, _run.Spec, _modelPath);
    }

    /// <summary>The top <paramref name="k"/> classes of row <paramref name="row"/> of <paramref name="scores"/>, as probabilities.</summary>
    internal IReadOnlyList<ClassScore> Top(Tensor scores, int row, int k)
    {
        int width = scores.Shape.SizeFrom(1);
        var logits = scores.Span.Slice(row * width, width);
        if (width == 1)
        {
            // One logit: p(class 1) = σ(z).
            double p1 = 1.0 / (1.0 + Math.Exp(-logits[0]));
            var pair = new[] { new ClassScore(1, ClassName(1), p1), new ClassScore(0, ClassName(0), 1 - p1) };
            return [.. pair.OrderByDescending(s => s.Probability)];
        }
        return Probabilities(logits).Select((p, c) => new ClassScore(c, ClassName(c), p))
            .OrderByDescending(s => s.Probability).Take(k).ToArray();
    }

    /// <summary>softmax(z) in double, shifted by max z.</summary>
    internal static double[] Probabilities(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float z in logits)
            max = Math.Max(max, z);
        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
            sum += p[i] = Math.Exp(logits[i] - (double)max);
        for (int i = 0; i < p.Length; i++)
            p[i] /= sum;
        return p;
    }

    private string ClassName(int c) => c >= 0 && c < _run.ClassNames.Count ? _run.ClassNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
