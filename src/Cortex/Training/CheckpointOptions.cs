// CheckpointOptions.cs — when and where the trainer writes its training checkpoints (the whole state
// of a run, from which Trainer.Fit(..., resumeFrom: path) continues exactly), and how many it keeps.
using System.Globalization;

namespace Cortex.Training;

/// <summary>Where and how often <see cref="Trainer"/> writes training checkpoints (see <see cref="TrainingCheckpoint"/>).</summary>
/// <example><code>
/// var trainer = new Trainer(model, loss, optimizer, options)
/// {
///     Checkpoints = new CheckpointOptions("runs/lenet5.ckpt") { Every = CheckpointInterval.Batches(200), Keep = 3 },
/// };
/// trainer.Fit(train, validation);                                   // writes runs/lenet5.ckpt every 200 batches
/// trainer.Fit(train, validation, resumeFrom: "runs/lenet5.ckpt");   // (in a new process) continues where it stopped
/// </code></example>
public sealed record CheckpointOptions
{
    /// <summary>Checkpoints to <paramref name="path"/> (the newest; older ones become NAME.1.ckpt, NAME.2.ckpt, …).</summary>
    public CheckpointOptions(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The newest checkpoint's file.</summary>
    public string Path { get; }

    /// <summary>How often to write one; null writes only when the run ends or is cancelled. Default: every epoch.</summary>
    public CheckpointInterval? Every { get; init; } = CheckpointInterval.Epochs(1);

    /// <summary>How many checkpoints to keep (≥ 1): the newest at <see cref="Path"/>, the one before at NAME.1.ckpt, …</summary>
    public int Keep
    {
        get => _keep;
        init => _keep = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"CheckpointOptions: expected to keep at least 1 checkpoint, got {value}.");
    }

    private readonly int _keep = 1;

    /// <summary>Strings stored in the checkpoint beside the state (a CLI stores its settings here).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Told a one-line message when a checkpoint cannot be written (the run goes on; the next one retries).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>The path of the <paramref name="generation"/>-th older checkpoint: NAME.ckpt → NAME.1.ckpt (0 is <paramref name="path"/> itself).</summary>
    public static string OlderPath(string path, int generation)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (generation == 0)
            return path;
        string extension = System.IO.Path.GetExtension(path);
        return System.IO.Path.ChangeExtension(path, null) + "." + generation.ToString(CultureInfo.InvariantCulture) + extension;
    }
}

/// <summary>The unit of a <see cref="CheckpointInterval"/>.</summary>
public enum CheckpointUnit
{
    /// <summary>Mini-batches (optimizer steps), counted over the whole run.</summary>
    Batches,

    /// <summary>Whole epochs (after the epoch's evaluation).</summary>
    Epochs,
}

/// <summary>Every <see cref="Count"/> batches or epochs.</summary>
public readonly record struct CheckpointInterval
{
    private CheckpointInterval(int count, CheckpointUnit unit)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), $"CheckpointInterval: expected a count ≥ 1, got {count}.");
        (Count, Unit) = (count, unit);
    }

    public int Count { get; }

    public CheckpointUnit Unit { get; }

    /// <summary>Every <paramref name="count"/> mini-batches.</summary>
    public static CheckpointInterval Batches(int count) => new(count, CheckpointUnit.Batches);

    /// <summary>Every <paramref name="count"/> epochs.</summary>
    public static CheckpointInterval Epochs(int count) => new(count, CheckpointUnit.Epochs);

    /// <summary>
    /// Reads <c>N</c> or <c>Ne</c> (every N epochs) or <c>Nb</c> (every N batches); <c>0</c> gives null (no periodic checkpoints).
    /// </summary>
    /// <exception cref="FormatException">Not of that form.</exception>
    public static CheckpointInterval? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        var unit = CheckpointUnit.Epochs;
        if (t.EndsWith('b') || t.EndsWith('e'))
        {
            unit = t[^1] == 'b' ? CheckpointUnit.Batches : CheckpointUnit.Epochs;
            t = t[..^1];
        }
        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new FormatException($"--checkpoint-every: expected N epochs ('2' or '2e'), N batches ('500b') or 0 for none, got '{text}'.");
        return count == 0 ? null : new CheckpointInterval(count, unit);
    }

    public override string ToString() => Unit == CheckpointUnit.Batches
        ? string.Create(CultureInfo.InvariantCulture, $"every {Count} batch{(Count == 1 ? "" : "es")}")
        : string.Create(CultureInfo.InvariantCulture, $"every {Count} epoch{(Count == 1 ? "" : "s")}");
}
