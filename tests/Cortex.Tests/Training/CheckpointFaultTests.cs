using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Serialization;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Tests.Training;

/// <summary>
/// An output folder that cannot be written (read-only, or gone and replaced by a file, as a full or failed disk
/// would make it): a one-line warning, the previous checkpoint and model file untouched, the run goes on in
/// memory, and the next checkpoint succeeds once the folder is back. Stale temporary files are cleaned.
/// </summary>
public sealed class CheckpointFaultTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-fault-").FullName;

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
        {
            foreach (var d in Directory.GetDirectories(_folder))
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly BlobDataset Train = new(128, 3, 4, seed: 1);

    private static (Trainer Trainer, ModelCheckpoint Model, List<string> Warnings) Make(string runs)
    {
        var model = new Sequential(new Dense(4, 8, random: new CortexRandom(1)), new ReLU(), new Dense(8, 3, random: new CortexRandom(2)));
        var warnings = new List<string>();
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Momentum(model.AllParameters(), 0.05f), new TrainerOptions { Epochs = 4, BatchSize = 32, Seed = 1 })
        { Checkpoints = new CheckpointOptions(Path.Combine(runs, "run.ckpt")) { Warning = warnings.Add } };
        var best = new ModelCheckpoint(Path.Combine(runs, "run.safetensors"), saveBestOnly: false) { Warning = warnings.Add };
        trainer.Callbacks.Add(best);
        return (trainer, best, warnings);
    }

    private sealed class AtEpochEnd(Action<int> action) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochRecord record) => action(record.Epoch);
    }

    [Fact]
    public void FolderReplacedByAFile_WarnsOnce_KeepsTheOldFiles_AndRetries()
    {
        string runs = Path.Combine(_folder, "runs"), away = Path.Combine(_folder, "runs-away");
        var (trainer, best, warnings) = Make(runs);
        byte[]? checkpointAfter1 = null, modelAfter1 = null;
        // The checkpoint of epoch e is written after the callbacks of epoch e: this callback (listed after the model
        // checkpoint) breaks the folder at the end of epoch 2, before epoch 2's checkpoint, and mends it after epoch 3's save failed.
        trainer.Callbacks.Add(new AtEpochEnd(epoch =>
        {
            if (epoch == 2)
            {
                checkpointAfter1 = File.ReadAllBytes(Path.Combine(runs, "run.ckpt"));
                modelAfter1 = File.ReadAllBytes(Path.Combine(runs, "run.safetensors"));   // epoch 2's (its save ran before this callback)
                Directory.Move(runs, away);
                File.WriteAllText(runs, "a file where the folder was");
            }
            else if (epoch == 3)
            {
                File.Delete(runs);
                Directory.Move(away, runs);
                Assert.Equal(checkpointAfter1, File.ReadAllBytes(Path.Combine(runs, "run.ckpt")));       // untouched
                Assert.Equal(modelAfter1, File.ReadAllBytes(Path.Combine(runs, "run.safetensors")));
            }
        }));
        var history = trainer.Fit(Train);

        Assert.Equal(4, history.Epochs.Count);                                   // the run went on in memory
        // Epoch 2's checkpoint and epoch 3's model save (it runs before the callback that mends the folder) failed.
        Assert.Equal(2, warnings.Count);
        var failure = warnings[0];
        Assert.StartsWith($"could not write the checkpoint {Path.Combine(runs, "run.ckpt")}: ", failure, StringComparison.Ordinal);
        Assert.StartsWith($"could not save the model to {Path.Combine(runs, "run.safetensors")}: ", warnings[1], StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
        Assert.EndsWith("The previous checkpoint is kept; training goes on and the next checkpoint tries again.", failure, StringComparison.Ordinal);
        Assert.Null(trainer.LastCheckpointError);
        var info = TrainingCheckpoint.ReadInfo(Path.Combine(runs, "run.ckpt"));
        Assert.Equal((4, true), (info.Epoch, info.EpochComplete));               // the retries succeeded
        Assert.Equal(4, best.SavedEpoch);
        Assert.Empty(Directory.GetFiles(runs, "*.tmp"));
    }

    [Fact]
    public void ModelSaveIntoAFileAsFolder_IsReported_AndRetriedNextEpoch()
    {
        string runs = Path.Combine(_folder, "m");
        Directory.CreateDirectory(runs);
        var (trainer, best, warnings) = Make(runs);
        string blocked = Path.Combine(runs, "run.safetensors");
        trainer.Callbacks.Insert(0, new AtEpochEnd(epoch =>
        {
            if (epoch == 1)
                Directory.CreateDirectory(blocked);              // the rename onto a folder fails
            else if (epoch == 2)
                Directory.Delete(blocked);
        }));
        trainer.Fit(Train);
        var failure = Assert.Single(warnings);
        Assert.StartsWith($"could not save the model to {blocked}: ", failure, StringComparison.Ordinal);
        Assert.EndsWith("The previous file is kept; the next epoch tries again.", failure, StringComparison.Ordinal);
        Assert.False(best.SavePending);
        Assert.Equal(4, best.SavedEpoch);
        Assert.True(File.Exists(blocked));
    }

    [Fact]
    public void ReadOnlyFolder_WarnsAndKeepsTraining()
    {
        string runs = Path.Combine(_folder, "ro");
        Directory.CreateDirectory(runs);
        if (OperatingSystem.IsWindows())
            Assert.Skip("Unix file modes");
        else
            File.SetUnixFileMode(runs, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        string probe = Path.Combine(runs, "probe");
        try
        {
            File.WriteAllText(probe, "x");
            File.Delete(probe);
            Assert.Skip("this process can write into a read-only folder (it runs as root); the folder-replaced-by-a-file test covers the same path");
        }
        catch (UnauthorizedAccessException)
        {
        }
        var (trainer, _, warnings) = Make(runs);
        Assert.Equal(4, trainer.Fit(Train).Epochs.Count);
        Assert.Contains(warnings, w => w.StartsWith("could not write the checkpoint", StringComparison.Ordinal));
        Assert.NotNull(trainer.LastCheckpointError);
    }

    [Fact]
    public void StaleTemporaries_OfTheSameTarget_AreDeleted_ButNotAnotherWritersOrOthers()
    {
        string target = Path.Combine(_folder, "m.safetensors");
        string stale = AtomicWrite.TemporaryPathFor(target);
        File.WriteAllBytes(stale, new byte[1000]);               // what a kill -9 mid-save leaves
        string live = AtomicWrite.TemporaryPathFor(target);
        string otherTarget = AtomicWrite.TemporaryPathFor(Path.Combine(_folder, "n.safetensors"));
        string notOurs = Path.Combine(_folder, ".m.safetensors.notaguid.tmp");
        File.WriteAllBytes(otherTarget, [1]);
        File.WriteAllBytes(notOurs, [1]);
        using (new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))   // a writer still at work
        {
            ModelFile.Save(new Sequential(new Dense(2, 2)), target);
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(live));
        }
        Assert.True(File.Exists(otherTarget));
        Assert.True(File.Exists(notOurs));
        Assert.True(File.Exists(target));
    }

    [Fact]
    public void GitIgnore_MatchesTheTemporaryFilesCheckpointsAndLocks()
    {
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Cortex.slnx")))
            root = Path.GetDirectoryName(root);
        Assert.SkipWhen(root is null, "not run from inside the repository");
        var patterns = File.ReadAllLines(Path.Combine(root!, ".gitignore")).Select(l => l.Trim()).ToHashSet();
        string temporary = Path.GetFileName(AtomicWrite.TemporaryPathFor("x/lenet5.safetensors"));
        Assert.Contains(patterns, p => Glob(p, temporary));
        Assert.Contains(patterns, p => Glob(p, "lenet5.ckpt"));
        Assert.Contains(patterns, p => Glob(p, ".lenet5.safetensors.lock"));
    }

    // The .gitignore patterns used here: a leading '*' and a literal rest, or '.' + '*' + literal.
    private static bool Glob(string pattern, string name) =>
        pattern.StartsWith(".*", StringComparison.Ordinal) ? name.StartsWith('.') && name.EndsWith(pattern[2..], StringComparison.Ordinal)
        : pattern.StartsWith('*') && !pattern.Contains('/', StringComparison.Ordinal) && name.EndsWith(pattern[1..], StringComparison.Ordinal);
}
