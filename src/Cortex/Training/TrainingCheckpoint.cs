// TrainingCheckpoint.cs — the file a run is resumed from: everything Trainer.Fit needs to continue
// exactly where it stopped, in one safetensors file (readable by Python's safetensors package).
//
//   tensors   model/<state-dict key>              weights and buffers (features.0.weight, bn1.running_var)
//             optimizer/<index>.<state name>      the optimizer's state (0.exp_avg, 3.momentum_buffer)
//             callback/<Type#k>/<name>            what a callback keeps (ModelCheckpoint's best weights)
//   metadata  format = cortex-checkpoint
//             cortex.checkpoint = JSON: version; position (epoch, whether it ended, batches done, samples
//               consumed, batch size, batches in the epoch, a pending batch-size request, batches in the
//               run); the epoch's running sums; the shuffled order of the epoch (base64 int32); every
//               random stream (the shuffle's, CortexRandom.Global, each dropout layer's, by path);
//               the optimizer (type, rate, base rate, weight decay, clipping, step counts); the
//               schedule's state; the trainer's options; the data's size and shape; the thread count;
//               the history so far; the callbacks' numbers
//             anything the caller adds (CheckpointOptions.Metadata: the CLI's settings)
// Numbers that must survive exactly (rates, sums, random states) are written as the hex of their bits.
//
// Writing is atomic (AtomicWrite: temporary file, fsync, rename), so a kill at any moment leaves the
// previous checkpoint or the new one, never half of one. Keeping K: once the new file is on disk,
// NAME.ckpt → NAME.1.ckpt → … → NAME.(K−1).ckpt shift, then the new file is renamed to NAME.ckpt;
// a kill between the two leaves NAME.1.ckpt as the newest, and Resolve finds it.
//
// Not saved: the data itself (it is reloaded from its source and checked by count and shape), and
// an IDataset's own state — datasets must give the same batch for the same (epoch, batch, indices),
// as AugmentedDataset does (it seeds each sample from them).
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Cortex.Layers;
using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Training;

/// <summary>What a training checkpoint says about its run, without resuming it.</summary>
/// <param name="Epoch">The epoch the run was in (or had just ended).</param>
/// <param name="EpochComplete">Whether <paramref name="Epoch"/> had ended.</param>
/// <param name="BatchesDone">Batches of <paramref name="Epoch"/> trained.</param>
/// <param name="BatchesPerEpoch">Batches in <paramref name="Epoch"/>.</param>
/// <param name="Epochs">The epochs the run was set to train.</param>
/// <param name="Threads">The kernels' thread count when it was written (same count, same numbers).</param>
/// <param name="StopReason">Why the run stopped early (early stopping), or null.</param>
/// <param name="Metadata">The strings stored with it (<see cref="CheckpointOptions.Metadata"/>).</param>
public sealed record CheckpointInfo(
    int Epoch, bool EpochComplete, int BatchesDone, int BatchesPerEpoch, int Epochs, int Threads, string? StopReason,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The batch size of the trainer that wrote it (TrainerOptions.BatchSize; per rank in a data-parallel run).</summary>
    public int BatchSize { get; init; }

    /// <summary>Whether the run has nothing left to do.</summary>
    public bool Finished => StopReason is not null || (EpochComplete && Epoch >= Epochs);

    /// <summary>"epoch 3, batch 120 of 225" or "the end of epoch 3".</summary>
    public string Describe() => EpochComplete
        ? string.Create(CultureInfo.InvariantCulture, $"the end of epoch {Epoch}")
        : string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}, batch {BatchesDone} of {BatchesPerEpoch}");
}

/// <summary>Reads and writes training checkpoints (see <see cref="Trainer.Checkpoints"/> and <see cref="Trainer.Fit(IDataset, IDataset?, CancellationToken)"/>'s resumeFrom).</summary>
/// <example><code>
/// string path = TrainingCheckpoint.Resolve("runs/lenet5.ckpt");
/// CheckpointInfo info = TrainingCheckpoint.ReadInfo(path);     // info.Describe(): "epoch 3, batch 120 of 225"
/// trainer.Fit(train, validation, resumeFrom: path);
/// </code></example>
public static class TrainingCheckpoint
{
    /// <summary>The metadata key of the checkpoint's JSON.</summary>
    public const string StateKey = "cortex.checkpoint";

    /// <summary>The format version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>
    /// The newest checkpoint for <paramref name="path"/>: the file itself, or NAME.1.ckpt when a kill came between
    /// keeping the old checkpoint and renaming the new one into place.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither exists.</exception>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
            return path;
        string older = CheckpointOptions.OlderPath(path, 1);
        if (File.Exists(older))
            return older;
        throw new FileNotFoundException($"{path}: no such checkpoint.", path);
    }

    /// <summary>Reads what <paramref name="path"/> says about its run.</summary>
    /// <exception cref="InvalidDataException">It is not a readable training checkpoint.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        var snapshot = Read(path);
        return snapshot.Info;
    }

    internal static CheckpointSnapshot Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var content = SafeTensors.Load(path);
        if (!content.Metadata.TryGetValue(StateKey, out var json))
            throw new InvalidDataException($"{path}: not a Cortex training checkpoint (it has no '{StateKey}' metadata); a model file cannot be resumed, only a .ckpt written by training.");
        try
        {
            return new CheckpointSnapshot(path, content, JsonDocument.Parse(json).RootElement.Clone());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the checkpoint's state is unreadable ({e.Message}).", e);
        }
    }

    internal static void Write(string path, CheckpointSnapshot.Captured captured, int keep, IReadOnlyDictionary<string, string>? metadata)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "cortex-checkpoint", ["producer"] = "cortex" };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
                all[key] = value;
        }
        all[StateKey] = captured.Json;
        AtomicWrite.Stream(path, stream => SafeTensors.Write(stream, captured.Tensors, all), keep > 1 ? () => Rotate(path, keep) : null);
    }

    // NAME.(K−2).ckpt → NAME.(K−1).ckpt, …, NAME.ckpt → NAME.1.ckpt (the oldest beyond K is overwritten).
    private static void Rotate(string path, int keep)
    {
        for (int generation = keep - 1; generation >= 1; generation--)
        {
            string from = CheckpointOptions.OlderPath(path, generation - 1);
            if (File.Exists(from))
                File.Move(from, CheckpointOptions.OlderPath(path, generation), overwrite: true);
        }
    }
}

/// <summary>One checkpoint's contents: captured from a running trainer, or read from a file and applied to one.</summary>
internal sealed class CheckpointSnapshot
{
    private readonly string _path;
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly JsonElement _root;

    public CheckpointSnapshot(string path, SafeTensorsContent content, JsonElement root)
    {
        _path = path;
        foreach (var (key, value) in content.Tensors)
            _tensors[key] = value;
        _root = root;
        int version = root.GetProperty("version").GetInt32();
        if (version != TrainingCheckpoint.Version)
            throw new InvalidDataException($"{path}: checkpoint format version {version}; this Cortex reads version {TrainingCheckpoint.Version}.");
        var position = root.GetProperty("position");
        Info = new CheckpointInfo(
            position.GetProperty("epoch").GetInt32(), position.GetProperty("epoch_complete").GetBoolean(),
            position.GetProperty("batches_done").GetInt32(), position.GetProperty("batches_per_epoch").GetInt32(),
            root.GetProperty("options").GetProperty("epochs").GetInt32(), root.GetProperty("threads").GetInt32(),
            History.FromJson(root.GetProperty("history").GetRawText()).StopReason,
            content.Metadata.Where(m => m.Key != TrainingCheckpoint.StateKey).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal))
        {
            BatchSize = root.GetProperty("options").GetProperty("batch_size").GetInt32(),
        };
    }

    public CheckpointInfo Info { get; }

    /// <summary>A trainer's state ready to write: live tensors (written before the next batch changes them) and the JSON.</summary>
    internal sealed record Captured(List<(string Name, Tensor Value)> Tensors, string Json);

    // ---- capture ------------------------------------------------------------------------------

    public static Captured Capture(Trainer trainer, RunState run)
    {
        var tensors = new List<(string, Tensor)>();
        foreach (var (key, value) in ModelFile.StateDict(trainer.Model))
            tensors.Add(($"model/{key}", value));
        foreach (var (key, value) in trainer.Optimizer.State)
            tensors.Add(($"optimizer/{key}", value));

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var context = run.Context;
            json.WriteStartObject();
            json.WriteNumber("version", TrainingCheckpoint.Version);

            json.WriteStartObject("position");
            json.WriteNumber("epoch", run.Epoch);
            json.WriteBoolean("epoch_complete", run.EpochComplete);
            json.WriteNumber("batches_done", run.BatchesDone);
            json.WriteNumber("start", run.Start);
            json.WriteNumber("batch_size", context.BatchSize);
            json.WriteNumber("batches_per_epoch", context.BatchesPerEpoch);
            json.WriteNumber("pending_batch_size", context.PendingBatchSize);
            json.WriteNumber("total_batches", run.TotalBatches);
            json.WriteEndObject();

            json.WriteStartObject("sums");
            json.WriteString("loss_sum", Bits(run.LossSum));
            json.WriteNumber("correct", run.Correct);
            json.WriteNumber("seen", run.Seen);
            json.WriteString("seconds", Bits(run.Seconds));
            json.WriteString("reference_loss", Bits(run.ReferenceLoss));
            json.WriteNumber("batches_above", run.BatchesAbove);
            json.WriteEndObject();

            json.WriteString("order", Convert.ToBase64String(MemoryMarshal.AsBytes(run.Order.AsSpan()).ToArray()));

            json.WriteStartObject("random");
            WriteRandom(json, "shuffle", run.Shuffle.State);
            WriteRandom(json, "global", CortexRandom.Global.State);
            json.WriteStartObject("layers");
            foreach (var (path, random) in StochasticLayers(trainer.Model))
                WriteRandom(json, path, random.State);
            json.WriteEndObject();
            json.WriteEndObject();

            var optimizer = trainer.Optimizer;
            json.WriteStartObject("optimizer");
            json.WriteString("type", optimizer.GetType().FullName);
            json.WriteNumber("parameters", optimizer.Parameters.Count);
            json.WriteString("learning_rate", Bits(optimizer.LearningRate));
            json.WriteString("base_rate", Bits(run.BaseRate));
            json.WriteString("weight_decay", Bits(optimizer.WeightDecay));
            if (optimizer.MaxGradientNorm is { } clip)
                json.WriteString("max_gradient_norm", Bits(clip));
            json.WriteNumber("step_count", optimizer.StepCount);
            json.WriteStartArray("parameter_steps");
            foreach (int steps in optimizer.ParameterStepCounts)
                json.WriteNumberValue(steps);
            json.WriteEndArray();
            json.WriteEndObject();

            if (trainer.Schedule is { } schedule)
            {
                json.WriteStartObject("schedule");
                json.WriteString("type", schedule.GetType().FullName);
                json.WriteStartArray("state");
                foreach (double v in schedule.SaveState())
                    json.WriteStringValue(Bits(v));
                json.WriteEndArray();
                json.WriteEndObject();
            }

            var options = trainer.Options;
            json.WriteStartObject("options");
            json.WriteNumber("epochs", options.Epochs);
            json.WriteNumber("batch_size", options.BatchSize);
            json.WriteString("seed", options.Seed.ToString(CultureInfo.InvariantCulture));
            json.WriteBoolean("shuffle", options.Shuffle);
            json.WriteBoolean("drop_last", options.DropLast);
            json.WriteNumber("validation_sample_count", options.ValidationSampleCount ?? 0);
            json.WriteNumber("evaluation_batch_size", options.EvaluationBatchSize);
            json.WriteString("regularizer", options.Regularizer?.ToString() ?? "");
            json.WriteEndObject();

            json.WriteStartObject("data");
            json.WriteNumber("count", run.Train.Count);
            json.WriteString("sample_shape", run.Train.SampleShape.ToString());
            json.WriteNumber("classes", run.Train.NumClasses);
            json.WriteEndObject();

            json.WriteNumber("threads", Kernels.Parallelism.MaxDegree);
            json.WritePropertyName("history");
            json.WriteRawValue(context.History.ToJson());

            json.WriteStartObject("callbacks");
            foreach (var (id, callback) in Identified(trainer.Callbacks))
            {
                var state = new CallbackState();
                callback.SaveState(state);
                if (state.IsEmpty)
                    continue;
                json.WriteStartObject(id);
                foreach (var (name, value) in state.Values)
                    json.WriteString(name, Bits(value));
                json.WriteEndObject();
                foreach (var (name, tensor) in state.Tensors)
                    tensors.Add(($"callback/{id}/{name}", tensor));
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return new Captured(tensors, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    // ---- apply --------------------------------------------------------------------------------

    /// <summary>Puts <paramref name="trainer"/>'s model, optimizer and schedule and <paramref name="run"/> back into this state.</summary>
    public void ApplyTo(Trainer trainer, RunState run, string source)
    {
        try
        {
            Apply(trainer, run);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: cannot resume from this checkpoint: {e.Message}", e);
        }
    }

    private void Apply(Trainer trainer, RunState run)
    {
        var options = _root.GetProperty("options");
        var o = trainer.Options;
        bool resplit = trainer.ResumeAcrossSplits;       // another split of the same epochs: size, batch and order are the view's
        if (resplit && o.Shuffle)
            throw new InvalidOperationException("Trainer.ResumeAcrossSplits needs TrainerOptions.Shuffle off: the training set's view orders each epoch");
        Same("epochs", options.GetProperty("epochs").GetInt32(), o.Epochs);
        if (!resplit)
            Same("batch size", options.GetProperty("batch_size").GetInt32(), o.BatchSize);
        Same("seed", options.GetProperty("seed").GetString(), o.Seed.ToString(CultureInfo.InvariantCulture));
        if (!resplit)
            Same("shuffle", options.GetProperty("shuffle").GetBoolean(), o.Shuffle);
        Same("drop-last", options.GetProperty("drop_last").GetBoolean(), o.DropLast);
        Same("validation sample count", options.GetProperty("validation_sample_count").GetInt32(), o.ValidationSampleCount ?? 0);
        Same("evaluation batch size", options.GetProperty("evaluation_batch_size").GetInt32(), o.EvaluationBatchSize);
        Same("regularizer", options.GetProperty("regularizer").GetString(), o.Regularizer?.ToString() ?? "");

        var data = _root.GetProperty("data");
        if (!resplit)
            Same("training set size", data.GetProperty("count").GetInt32(), run.Train.Count);
        Same("sample shape", data.GetProperty("sample_shape").GetString(), run.Train.SampleShape.ToString());
        Same("class count", data.GetProperty("classes").GetInt32(), run.Train.NumClasses);

        var optimizer = trainer.Optimizer;
        var saved = _root.GetProperty("optimizer");
        Same("optimizer", saved.GetProperty("type").GetString(), optimizer.GetType().FullName);
        Same("optimizer's parameter count", saved.GetProperty("parameters").GetInt32(), optimizer.Parameters.Count);
        Same("weight decay", Float(saved, "weight_decay"), optimizer.WeightDecay);
        Same("gradient clipping", saved.TryGetProperty("max_gradient_norm", out var clip) ? FromBits(clip.GetString()!) : (float?)null, optimizer.MaxGradientNorm);
        Same("schedule", _root.TryGetProperty("schedule", out var schedule) ? schedule.GetProperty("type").GetString() : null, trainer.Schedule?.GetType().FullName);

        // Weights: every key and shape must match (ModelFile says which does not).
        var model = _tensors.Where(t => t.Key.StartsWith("model/", StringComparison.Ordinal))
            .Select(t => new KeyValuePair<string, Tensor>(t.Key["model/".Length..], t.Value)).ToList();
        ModelFile.LoadWeights(trainer.Model, new SafeTensorsContent(model, new Dictionary<string, string>()), _path);

        var steps = saved.GetProperty("parameter_steps").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var state = _tensors.Where(t => t.Key.StartsWith("optimizer/", StringComparison.Ordinal)).Select(t => (t.Key["optimizer/".Length..], t.Value));
        optimizer.RestoreState(saved.GetProperty("step_count").GetInt32(), steps, state);
        optimizer.LearningRate = Float(saved, "learning_rate");
        run.LearningRate = optimizer.LearningRate;
        run.BaseRate = Float(saved, "base_rate");
        if (trainer.Schedule is { } s)
            s.RestoreState(schedule.GetProperty("state").EnumerateArray().Select(e => Double(e.GetString()!)).ToArray());

        var random = _root.GetProperty("random");
        run.Shuffle.Restore(ReadRandom(random.GetProperty("shuffle")));
        CortexRandom.Global.Restore(ReadRandom(random.GetProperty("global")));
        var layers = random.GetProperty("layers");
        var ours = StochasticLayers(trainer.Model).ToList();
        Same("number of dropout layers", layers.EnumerateObject().Count(), ours.Count);
        foreach (var (path, generator) in ours)
        {
            if (!layers.TryGetProperty(path, out var layerState))
                throw new ArgumentException($"the model's random layer '{path}' is not in the checkpoint");
            generator.Restore(ReadRandom(layerState));
        }

        if (resplit)
        {
            ApplyResplit(run);
            return;
        }

        byte[] order = Convert.FromBase64String(_root.GetProperty("order").GetString()!);
        if (order.Length != run.Order.Length * sizeof(int))
            throw new ArgumentException($"the saved order holds {order.Length / sizeof(int)} indices, the training set has {run.Order.Length}");
        for (int i = 0; i < run.Order.Length; i++)
        {
            int index = BinaryPrimitives.ReadInt32LittleEndian(order.AsSpan(i * sizeof(int)));
            if ((uint)index >= (uint)run.Order.Length)
                throw new ArgumentException($"the saved order holds index {index}, outside the training set of {run.Order.Length}");
            run.Order[i] = index;
        }

        var position = _root.GetProperty("position");
        run.Epoch = position.GetProperty("epoch").GetInt32();
        run.EpochComplete = position.GetProperty("epoch_complete").GetBoolean();
        run.BatchesDone = position.GetProperty("batches_done").GetInt32();
        run.Start = position.GetProperty("start").GetInt32();
        run.TotalBatches = position.GetProperty("total_batches").GetInt64();
        int batchesPerEpoch = position.GetProperty("batches_per_epoch").GetInt32();
        if (run.Epoch < 0 || run.Start < 0 || run.Start > run.Order.Length || run.BatchesDone < 0 || run.BatchesDone > batchesPerEpoch)
            throw new ArgumentException($"the saved position (epoch {run.Epoch}, batch {run.BatchesDone} of {batchesPerEpoch}, sample {run.Start}) does not fit the training set");
        run.Context.Restore(position.GetProperty("batch_size").GetInt32(), batchesPerEpoch, position.GetProperty("pending_batch_size").GetInt32());

        var sums = _root.GetProperty("sums");
        run.LossSum = Double(sums.GetProperty("loss_sum").GetString()!);
        run.Correct = sums.GetProperty("correct").GetInt32();
        run.Seen = sums.GetProperty("seen").GetInt32();
        run.Seconds = Double(sums.GetProperty("seconds").GetString()!);
        run.ReferenceLoss = Double(sums.GetProperty("reference_loss").GetString()!);
        run.BatchesAbove = sums.GetProperty("batches_above").GetInt32();

        var history = History.FromJson(_root.GetProperty("history").GetRawText());
        foreach (var record in history.Epochs)
            run.Context.History.Add(record);
        if (history.StopReason is { } reason)
            run.Context.RequestStop(reason);
        run.WrittenAt = run.Position;
    }

    /// <summary>
    /// <see cref="Trainer.ResumeAcrossSplits"/>: the same number of batches into the same epoch, each of the new batch size, over
    /// the new view in its own order (the identity: the view orders the epoch). The epoch's running sums (progress and history
    /// figures of this process) are scaled to the samples the new split has seen.
    /// </summary>
    private void ApplyResplit(RunState run)
    {
        for (int i = 0; i < run.Order.Length; i++)
            run.Order[i] = i;
        var position = _root.GetProperty("position");
        if (position.GetProperty("pending_batch_size").GetInt32() != 0)
            throw new ArgumentException("a batch-size change was pending when it was written; it can be resumed only with the same split");
        run.Epoch = position.GetProperty("epoch").GetInt32();
        run.EpochComplete = position.GetProperty("epoch_complete").GetBoolean();
        run.BatchesDone = position.GetProperty("batches_done").GetInt32();
        run.TotalBatches = position.GetProperty("total_batches").GetInt64();
        int savedBatches = position.GetProperty("batches_per_epoch").GetInt32();
        int batchSize = run.Context.BatchSize, batches = run.Context.BatchesPerEpoch;
        if (run.Epoch < 0 || run.BatchesDone < 0 || run.BatchesDone > savedBatches)
            throw new ArgumentException($"the saved position (epoch {run.Epoch}, batch {run.BatchesDone} of {savedBatches}) is not a position in an epoch");
        if (!run.EpochComplete && run.BatchesDone > batches)
            throw new ArgumentException($"it was written after batch {run.BatchesDone} of epoch {run.Epoch}; split this way, an epoch has {batches} batches");
        run.Start = (int)Math.Min((long)run.BatchesDone * batchSize, run.Order.Length);
        run.Context.Restore(batchSize, run.EpochComplete ? savedBatches : batches, 0);

        var sums = _root.GetProperty("sums");
        int seen = sums.GetProperty("seen").GetInt32();
        double scale = seen > 0 ? (double)run.Start / seen : 0;
        run.LossSum = Double(sums.GetProperty("loss_sum").GetString()!) * scale;
        run.Correct = (int)Math.Round(sums.GetProperty("correct").GetInt32() * scale);
        run.Seen = run.EpochComplete ? seen : run.Start;
        run.Seconds = Double(sums.GetProperty("seconds").GetString()!);
        run.ReferenceLoss = Double(sums.GetProperty("reference_loss").GetString()!);
        run.BatchesAbove = sums.GetProperty("batches_above").GetInt32();

        var history = History.FromJson(_root.GetProperty("history").GetRawText());
        foreach (var record in history.Epochs)
            run.Context.History.Add(record);
        if (history.StopReason is { } reason)
            run.Context.RequestStop(reason);
        run.WrittenAt = run.Position;
    }

    /// <summary>Gives each callback the state saved for the callback of the same type and rank (EarlyStopping#0, …).</summary>
    public void RestoreCallbacks(IEnumerable<TrainingCallback> callbacks)
    {
        var saved = _root.GetProperty("callbacks");
        foreach (var (id, callback) in Identified(callbacks))
        {
            if (!saved.TryGetProperty(id, out var values))
                continue;
            var state = new CallbackState();
            foreach (var value in values.EnumerateObject())
                state.Set(value.Name, Double(value.Value.GetString()!));
            string prefix = $"callback/{id}/";
            foreach (var (key, tensor) in _tensors)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                    state.Set(key[prefix.Length..], tensor);
            }
            callback.RestoreState(state);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static IEnumerable<(string Id, TrainingCallback Callback)> Identified(IEnumerable<TrainingCallback> callbacks)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var callback in callbacks)
        {
            string type = callback.GetType().Name;
            int k = counts.GetValueOrDefault(type);
            counts[type] = k + 1;
            yield return (string.Create(CultureInfo.InvariantCulture, $"{type}#{k}"), callback);
        }
    }

    private static IEnumerable<(string Path, CortexRandom Random)> StochasticLayers(Layer model)
    {
        int index = 0;
        foreach (var layer in model.Descendants())
        {
            if (layer is IStochasticLayer stochastic)
                yield return (layer.Path.Length == 0 ? string.Create(CultureInfo.InvariantCulture, $"#{index}") : layer.Path, stochastic.Random);
            index++;
        }
    }

    private static void Same<T>(string what, T saved, T current)
    {
        if (!EqualityComparer<T>.Default.Equals(saved, current))
            throw new ArgumentException($"the checkpoint's {what} is {Show(saved)}, this run's is {Show(current)}");

        static string Show(T value) => value is null ? "none" : Convert.ToString(value, CultureInfo.InvariantCulture) is { Length: > 0 } s ? s : "none";
    }

    private static void WriteRandom(Utf8JsonWriter json, string name, CortexRandomState s)
    {
        json.WriteStartArray(name);
        foreach (ulong word in (ReadOnlySpan<ulong>)[s.Seed, s.S0, s.S1, s.S2, s.S3, (ulong)BitConverter.DoubleToInt64Bits(s.SpareNormal)])
            json.WriteStringValue(word.ToString("x16", CultureInfo.InvariantCulture));
        json.WriteBooleanValue(s.HasSpareNormal);
        json.WriteEndArray();
    }

    private static CortexRandomState ReadRandom(JsonElement e)
    {
        var items = e.EnumerateArray().ToArray();
        if (items.Length != 7)
            throw new FormatException($"a random state has {items.Length} entries, expected 7");
        ulong W(int i) => ulong.Parse(items[i].GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new CortexRandomState(W(0), W(1), W(2), W(3), W(4), items[6].GetBoolean(), BitConverter.Int64BitsToDouble((long)W(5)));
    }

    private static string Bits(double v) => BitConverter.DoubleToInt64Bits(v).ToString("x16", CultureInfo.InvariantCulture);

    private static string Bits(float v) => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture);

    private static double Double(string hex) => BitConverter.Int64BitsToDouble(long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static float FromBits(string hex) => BitConverter.Int32BitsToSingle(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static float Float(JsonElement e, string name) => FromBits(e.GetProperty(name).GetString()!);
}
