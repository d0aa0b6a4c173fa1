// ModelCheckpoint.cs — save the model whenever the monitored figure improves (or every epoch).
// Saves are atomic, so the last good file survives a crash or a diverging run. The best weights are
// also kept in memory, so a run that ends can put them back without re-reading the file (which
// another writer may have replaced). A save that fails (disk full, read-only folder) does not stop
// the run: the previous file stays as it was, the failure is reported through Warning and kept in
// LastError, and the next save tries again.
using Cortex.Layers;
using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Training;

/// <summary>Saves the model to <see cref="Path"/> when <see cref="Monitor"/> improves (or after every epoch).</summary>
/// <example><code>
/// var best = new ModelCheckpoint("runs/lenet5.safetensors", architecture) { Warning = Console.Error.WriteLine };
/// trainer.Callbacks.Add(best);
/// trainer.Fit(train, validation);
/// best.RestoreBest(model);          // the best epoch's weights, from memory
/// </code></example>
public sealed class ModelCheckpoint(string path, string? architecture = null, MonitorMetric monitor = MonitorMetric.ValidationAccuracy, bool saveBestOnly = true) : TrainingCallback
{
    private Tensor[]? _best;

    public string Path { get; } = !string.IsNullOrEmpty(path) ? path : throw new ArgumentException("ModelCheckpoint: expected a file path, got an empty string.", nameof(path));
    public MonitorMetric Monitor { get; } = monitor;
    public bool SaveBestOnly { get; } = saveBestOnly;

    /// <summary>The best monitored value so far.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>The epoch of the last successful save, or 0 when nothing has been saved.</summary>
    public int SavedEpoch { get; private set; }

    /// <summary>The epoch whose weights <see cref="RestoreBest"/> puts back (0: none yet).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Why the last save failed, or null when it succeeded (or none was tried).</summary>
    public string? LastError { get; private set; }

    /// <summary>Whether the file is behind what it should hold: the last save that was due failed.</summary>
    public bool SavePending => LastError is not null;

    /// <summary>Told a one-line message when a save fails (the run goes on; the next save retries).</summary>
    public Action<string>? Warning { get; set; }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        double value = Monitor.Read(record);
        bool improved = Monitor.Improves(value, Best, 0);
        if (improved)
        {
            Best = value;
            BestEpoch = record.Epoch;
            KeepBest(context.Model);
        }
        if (improved || !SaveBestOnly || SavePending)
            TrySave(context.Model, record.Epoch);
    }

    /// <summary>Copies the best epoch's weights (kept in memory) into <paramref name="model"/>; false when there are none yet.</summary>
    public bool RestoreBest(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_best is null)
            return false;
        int i = 0;
        foreach (var (key, value) in ModelFile.StateDict(model))
        {
            if (i >= _best.Length || _best[i].Shape != value.Shape)
                throw new ArgumentException($"ModelCheckpoint: the kept weights do not fit this model (at '{key}').", nameof(model));
            _best[i++].Span.CopyTo(value.Span);
        }
        return true;
    }

    /// <summary>
    /// Saves <paramref name="model"/> to <see cref="Path"/> now (when <see cref="SaveBestOnly"/>, the kept
    /// best weights are what a caller restores first). Returns false and sets <see cref="LastError"/> on failure.
    /// </summary>
    public bool TrySave(Layer model, int epoch)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            if (SaveBestOnly && _best is not null)
                SafeTensorsFromBest(model);
            else
                ModelFile.Save(model, Path, architecture);
            SavedEpoch = epoch;
            LastError = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LastError = $"could not save the model to {Path}: {e.Message}";
            Warning?.Invoke($"{LastError} The previous file is kept; the next epoch tries again.");
            return false;
        }
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("best", Best);
        state.Set("best_epoch", BestEpoch);
        state.Set("saved_epoch", SavedEpoch);
        state.Set("save_pending", SavePending ? 1 : 0);
        for (int i = 0; _best is not null && i < _best.Length; i++)
            state.Set($"best.{i}", _best[i]);
    }

    /// <inheritdoc/>
    public override void RestoreState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Best = state.Get("best");
        BestEpoch = (int)state.Get("best_epoch", 0);
        SavedEpoch = (int)state.Get("saved_epoch", 0);
        LastError = state.Get("save_pending", 0) != 0 ? "the save before the resume had failed" : null;
        var kept = new List<Tensor>();
        for (int i = 0; state.GetTensor($"best.{i}") is { } t; i++)
            kept.Add(t.Clone());
        _best = kept.Count == 0 ? null : [.. kept];
    }

    private void KeepBest(Layer model)
    {
        var dict = ModelFile.StateDict(model).ToList();
        if (_best is null || _best.Length != dict.Count)
            _best = [.. dict.Select(d => new Tensor(d.Value.Shape))];
        for (int i = 0; i < dict.Count; i++)
            dict[i].Value.Span.CopyTo(_best[i].Span);
    }

    // The file gets the kept best weights, whatever the model holds now (it may be a later, worse epoch).
    private void SafeTensorsFromBest(Layer model)
    {
        var keys = ModelFile.StateDict(model).Select(d => d.Key).ToList();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "cortex" };
        if (architecture is not null)
            metadata[ModelFile.ArchitectureKey] = architecture;
        SafeTensors.Save(Path, keys.Select((k, i) => (k, _best![i])), metadata);
    }
}
