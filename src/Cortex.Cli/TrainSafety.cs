// TrainSafety.cs — what keeps a `cortex train` run from being lost or clobbered: Ctrl-C and SIGTERM
// become a clean stop (finish the batch, write a checkpoint, restore the terminal, exit 130/143);
// a lock beside --out refuses a second run writing the same model; the history is saved as each
// epoch ends; --resume takes its settings from the checkpoint and refuses conflicting options.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Cortex.Serialization;
using Cortex.Training;

namespace Cortex.Cli;

/// <summary>Turns the first SIGINT or SIGTERM into a cancellation; a second one ends the process at once.</summary>
internal sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _count;

    public InterruptSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The signal received, or null.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The shell's convention: 128 + the signal's number (SIGINT 2 → 130, SIGTERM 15 → 143).</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? 143 : 130;

    public string Name => Received == PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)";

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            Received = context.Signal;
            context.Cancel = true;                 // don't die: the trainer stops after the current batch
            _source.Cancel();
            return;
        }
        ShowCursor();                              // a second signal: let it end the process, cursor back on
        context.Cancel = false;
    }

    /// <summary>Makes the terminal's cursor visible again (a live progress display hides it).</summary>
    public static void ShowCursor()
    {
        if (!Console.IsOutputRedirected)
            Console.Out.Write("\u001b[?25h");
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _source.Dispose();
    }
}

/// <summary>
/// An exclusive lock on a hidden file beside the model (<c>.NAME.safetensors.lock</c>), held for the run. The
/// operating system releases it when the process ends, however it ends, so a killed run never leaves a stale lock.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    private readonly FileStream _stream;

    private OutputLock(FileStream stream) => _stream = stream;

    public static OutputLock Acquire(string output)
    {
        string full = Path.GetFullPath(output);
        string folder = Path.GetDirectoryName(full) ?? ".";
        string lockPath = Path.Combine(folder, $".{Path.GetFileName(full)}.lock");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--out {output}: cannot create the folder {folder} ({e.Message}).", e);
        }
        try
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new OutputLock(stream);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"--out {output}: cannot write in {folder} ({e.Message}).", e);
        }
        catch (IOException e) when (File.Exists(lockPath))
        {
            throw new IOException($"--out {output}: another cortex train is writing this model (it holds {lockPath}); wait for it to finish or choose another --out.", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>Saves the history after every epoch, so a kill loses at most the epoch in progress.</summary>
internal sealed class HistoryAutosave(string path, Action<string> warning) : TrainingCallback
{
    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            context.History.Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warning($"could not save the history to {path}: {e.Message}; the next epoch tries again.");
        }
    }
}

/// <summary>What `cortex train --resume` reads from a checkpoint written by `cortex train`.</summary>
internal static class ResumeSettings
{
    public const string SettingsKey = "cortex.settings";
    public const string OutKey = "cortex.out";
    public const string HistoryKey = "cortex.history";
    public const string SaveBestKey = "cortex.save_best";
    public const string EarlyStoppingKey = "cortex.early_stopping";

    /// <summary>The metadata `cortex train` stores in its checkpoints.</summary>
    public static Dictionary<string, string> Metadata(TrainSettings settings, string modelPath, string historyPath, bool saveBest, int? patience, string architecture) => new(StringComparer.Ordinal)
    {
        [SettingsKey] = settings.ToJson().ToJsonString(),
        [OutKey] = modelPath,
        [HistoryKey] = historyPath,
        [SaveBestKey] = saveBest ? "true" : "false",
        [EarlyStoppingKey] = patience?.ToString(CultureInfo.InvariantCulture) ?? "",
        [ModelFile.ArchitectureKey] = architecture,
    };

    /// <summary>The settings saved in <paramref name="info"/>.</summary>
    public static TrainSettings Saved(CheckpointInfo info, string path)
    {
        if (!info.Metadata.TryGetValue(SettingsKey, out var json) || JsonNode.Parse(json) is not JsonObject settings)
            throw new InvalidDataException($"{path}: this checkpoint was not written by `cortex train` (it has no '{SettingsKey}'); resume it from the library with Trainer.Fit(..., resumeFrom).");
        return new TrainSettings().WithConfig(settings, path);
    }

    /// <summary>
    /// The checkpoint's settings, refusing any option given on the command line that says otherwise (a resumed run
    /// must be the same run to end with the same weights).
    /// </summary>
    public static TrainSettings Merge(TrainSettings saved, TrainSettings given, string path)
    {
        var a = saved.ToJson();
        var b = given.ToJson();
        foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
        {
            string? was = a[key]?.ToString(), now = b[key]?.ToString();
            if (was != now)
                throw new ArgumentException(
                    $"--resume: {path} was trained with --{key.Replace('_', '-')} {was ?? "(default)"}, not {now ?? "(default)"}; a resumed run takes its options from the checkpoint. Leave the option out, or start a new run.");
        }
        return saved;
    }
}
