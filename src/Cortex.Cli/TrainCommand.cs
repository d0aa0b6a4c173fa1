// TrainCommand.cs — `cortex train`: train a zoo model on a data set, show progress, report the
// test accuracy, and save the model, its history and (optionally) the training curves.
//
// With no options: LeNet-5 on the 10,000 real MNIST digits that ship in data/mnist-digits
// (8,000 to train, of which 10 % are held out for validation; 2,000 to test).
//
// Crash safety (TrainSafety.cs): a training checkpoint beside the model (runs/MODEL.ckpt) after
// every epoch (--checkpoint-every), the history saved as each epoch ends, Ctrl-C/SIGTERM finish
// the batch and write a checkpoint, --resume continues bit for bit, and a lock refuses a second
// run writing the same --out (in a distributed run, rank 0 writes the checkpoints and holds the lock).
//
// Under an MPI launcher (`mpiexec -n N cortex train …`, detected from its environment) or with
// --distributed, the run is data-parallel (Cortex.Distributed): --batch-size is per rank, rank 0
// prints, saves the model, the history, the plot and the checkpoints; the other ranks only train.
// --sync-bn synchronises batch norm over the ranks. --resume works on any number of ranks with the
// checkpoint's global batch (per-rank batch = global batch / ranks), from a distributed or a
// single-process checkpoint; a distributed checkpoint resumed without a launcher runs as 1 rank.
using System.CommandLine;
using System.Globalization;
using Cortex.Data.Loading;
using Cortex.Distributed;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model (default: LeNet-5 on the shipped MNIST digits) and report its test accuracy.");
        var options = new TrainOptions();
        options.AddTo(command);
        var output = new Option<string>("--out", "-o") { Description = "Where to save the trained model (.safetensors). Default: runs/MODEL.safetensors." };
        var history = new Option<string>("--history") { Description = "Where to save the per-epoch history (.csv or .json). Default: runs/MODEL-history.csv." };
        var plot = new Option<string>("--plot") { Description = "Draw the accuracy and loss curves into this PNG." };
        var saveBest = new Option<bool>("--save-best") { Description = "Keep the epoch with the best validation accuracy instead of the last one." };
        var patience = new Option<int?>("--early-stopping") { Description = "Stop when validation accuracy has not improved for this many epochs." };
        var studio = new Option<bool>("--studio") { Description = "Watch and steer this run in Cortex Studio (the live dashboard) while it trains." };
        var studioPort = new Option<int>("--studio-port") { Description = "The port of --studio's page (0: any free port).", DefaultValueFactory = _ => 5080 };
        var noBrowser = new Option<bool>("--no-browser") { Description = "With --studio: print the URL without opening a browser." };
        var checkpointEvery = new Option<string>("--checkpoint-every")
        {
            Description = "Write a training checkpoint (beside --out, NAME.ckpt) every N epochs ('2' or '2e') or every N mini-batches ('500b'); 0: only when stopped. Default: every epoch.",
            DefaultValueFactory = _ => "1e",
        };
        var keep = new Option<int>("--keep-checkpoints") { Description = "How many checkpoints to keep (NAME.ckpt, NAME.1.ckpt, ...).", DefaultValueFactory = _ => 1 };
        var resume = new Option<string>("--resume") { Description = "Continue the run saved in this checkpoint (runs/NAME.ckpt): same options, same data, bit-identical result." };
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training on MPI (automatic under mpiexec/mpirun/srun); --batch-size is per rank." };
        var scaleLr = new Option<bool>("--scale-lr") { Description = "Distributed: multiply the learning rate by the number of ranks (the linear scaling rule)." };
        var syncBn = new Option<bool>("--sync-bn") { Description = "Distributed: batch norm normalises by the statistics of the global batch, summed over all ranks (synchronised batch norm)." };
        foreach (Option option in new Option[] { output, history, plot, saveBest, patience, studio, studioPort, noBrowser, checkpointEvery, keep, resume, distributed, scaleLr, syncBn })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, terminal =>
        {
            var mpi = StartMpi(result.GetValue(distributed) ? "--distributed" : WrittenDistributed(result.GetValue(resume)) ? "--resume (a distributed run's checkpoint)" : null);
            var console = mpi is null || mpi.IsRoot ? terminal : CliConsole.Plain(TextWriter.Null);   // only rank 0 speaks
            bool root = mpi is null || mpi.IsRoot;
            if (mpi is not null && result.GetValue(studio))
                throw new NotSupportedException("--studio: not available in a distributed run; watch a single-process run instead.");
            if (mpi is null && result.GetValue(syncBn))
                throw new ArgumentException("--sync-bn: synchronises batch norm across the ranks of a distributed run; run under mpiexec -n N, or add --distributed.");
            if (result.GetValue(plot) is { } plotFile && !plotFile.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--plot: the curves are written as PNG; expected a .png path, got '{plotFile}'.");
            var every = CheckpointInterval.Parse(result.GetValue(checkpointEvery) ?? "1e");
            int keepCount = result.GetValue(keep);
            if (keepCount < 1)
                throw new ArgumentException($"--keep-checkpoints: expected at least 1, got {keepCount}.");

            // --resume: the settings, paths and thread count come from the checkpoint.
            string? resumePath = null;
            CheckpointInfo? resumed = null;
            TrainSettings settings;
            bool keepBest = result.GetValue(saveBest);
            int? stopAfter = result.GetValue(patience);
            if (result.GetValue(resume) is { } resumeArgument)
            {
                if (result.GetValue(options.Config) is not null)
                    throw new ArgumentException("--resume: the checkpoint holds the run's settings; --config cannot be combined with it.");
                resumePath = TrainingCheckpoint.Resolve(resumeArgument);
                resumed = TrainingCheckpoint.ReadInfo(resumePath);
                var saved = ResumeSettings.Saved(resumed, resumePath);
                settings = ResumeSettings.Merge(saved, options.Read(result, saved, warn: message => CliConsole.Warn(console, message)), resumePath);
                if (result.GetValue(options.Threads) is null)
                    Kernels.Parallelism.MaxDegree = resumed.Threads;
                else if (Kernels.Parallelism.MaxDegree != resumed.Threads)
                    console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[yellow]warning: the checkpoint was written with {resumed.Threads} threads; with {Kernels.Parallelism.MaxDegree} the result will differ in the last bits from an uninterrupted run.[/]"));
                bool savedBest = resumed.Metadata.GetValueOrDefault(ResumeSettings.SaveBestKey) == "true";
                int? savedPatience = int.TryParse(resumed.Metadata.GetValueOrDefault(ResumeSettings.EarlyStoppingKey), NumberStyles.None, CultureInfo.InvariantCulture, out int sp) ? sp : null;
                if (stopAfter is not null && stopAfter != savedPatience)
                    throw new ArgumentException($"--resume: {resumePath} was trained with --early-stopping {savedPatience?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}, not {stopAfter}; a resumed run takes its options from the checkpoint.");
                (keepBest, stopAfter) = (keepBest || savedBest, savedPatience);
                if (resumed.Finished)
                {
                    console.WriteLine($"{resumePath}: the run already finished (at {resumed.Describe()}); nothing to resume.");
                    mpi?.Dispose();
                    return 0;
                }
                if (mpi is not null)
                {
                    // The same global batches on any number of ranks: per-rank batch = global batch / ranks.
                    int global = DistributedTrainer.GlobalBatchOf(resumed);
                    if (global % mpi.Size != 0)
                        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                            $"--resume: {resumePath} was trained with a global batch of {global}, which {mpi.Size} ranks cannot split evenly; resume on a number of ranks that divides {global}."));
                    settings = settings with { BatchSize = global / mpi.Size };
                }
            }
            else
            {
                settings = options.Read(result, warn: message => CliConsole.Warn(console, message));
            }

            string model = settings.Model;
            string modelPath = result.GetValue(output) ?? resumed?.Metadata.GetValueOrDefault(ResumeSettings.OutKey) ?? Path.Combine("runs", $"{model}.safetensors");
            string historyPath = result.GetValue(history) ?? resumed?.Metadata.GetValueOrDefault(ResumeSettings.HistoryKey) ?? Path.Combine("runs", $"{model}-history.csv");
            string checkpointPath = CheckpointPathFor(result.GetValue(resume), modelPath);
            using var outputLock = root ? OutputLock.Acquire(modelPath) : null;     // before any data is loaded: a second run stops here

            var data = TrainingSetup.LoadData(settings, new ConsoleLog(console));
            var job = TrainingSetup.Create(settings, data);
            if (settings.BatchSize > job.Train.Count)
                CliConsole.Warn(console, $"--batch-size {settings.BatchSize} is more than the {job.Train.Count} training images: each epoch is one batch of {job.Train.Count}.");

            long parameters = job.Model.AllParameters().Sum(p => (long)p.Value.Size);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(job.Spec.Model)}[/] ({parameters:N0} parameters) on [bold]{Markup.Escape(settings.Data)}[/]: " +
                $"{job.Train.Count:N0} training, {job.Validation?.Count ?? 0:N0} validation, {data.Test.Count:N0} test images {Markup.Escape(data.Train.SampleShape.ToString())}"));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[grey]{Markup.Escape(job.Optimizer.Name)} lr {job.Optimizer.LearningRate:G3}, batch {settings.BatchSize}, {settings.Epochs} epochs, schedule {Markup.Escape(settings.Schedule)}, seed {settings.Seed}, {Kernels.Parallelism.MaxDegree} threads[/]"));
            if (resumed is not null)
                console.MarkupLine($"[grey]resuming {Markup.Escape(resumePath!)} from {Markup.Escape(resumed.Describe())}[/]");

            void Warn(string message) => CliConsole.Warn(console, message);
            var checkpoints = new CheckpointOptions(checkpointPath)
            {
                Every = every,
                Keep = keepCount,
                Warning = Warn,
                Metadata = ResumeSettings.Metadata(settings, modelPath, historyPath, keepBest, stopAfter, job.Spec.ToJson()),
            };
            DistributedTrainer? parallel = mpi is null ? null : new DistributedTrainer(mpi, job.Model, job.Loss, job.Optimizer, job.CreateOptions(),
                new DistributedOptions { ScaleLearningRate = result.GetValue(scaleLr), SyncBatchNorm = result.GetValue(syncBn) }, job.Schedule, checkpoints);
            var trainer = parallel?.Trainer ?? job.CreateTrainer(checkpoints);
            if (mpi is not null)
            {
                var ranks = mpi.ProcessTable();
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"distributed: {mpi.Size} ranks × batch {settings.BatchSize} = global batch {parallel!.GlobalBatchSize}{(result.GetValue(scaleLr) ? $", lr × {mpi.Size}" : "")}{(result.GetValue(syncBn) ? ", sync batch norm" : "")}, {mpi.LibraryVersion.Trim()}; ") +
                    string.Join(", ", ranks.Select((row, r) => $"rank {r} = {row}"))));
            }
            var best = new ModelCheckpoint(modelPath, job.Spec.ToJson(), saveBestOnly: keepBest) { Warning = Warn };
            if (root)
            {
                trainer.Callbacks.Add(best);
                trainer.Callbacks.Add(new HistoryAutosave(historyPath, Warn));
            }
            if (stopAfter is { } p)
                trainer.Callbacks.Add(new EarlyStopping(p));

            var trainSet = TrainingSetup.TrainingView(settings, job.Train);
            if (trainSet is AugmentedDataset augmented)
                console.MarkupLine($"[grey]augmentation: {Markup.Escape(augmented.Transform.Name)}[/]");
            using var watch = result.GetValue(studio)
                ? StudioWatch.Start(job, trainSet, data.Test, trainer, StudioCommand.CheckPort(result.GetValue(studioPort)), !result.GetValue(noBrowser), console)
                : null;
            History trained;
            using var interrupt = new InterruptSignal();
            try
            {
                trained = ConsoleProgress.Run(console, progress =>
                {
                    trainer.Callbacks.Add(progress);
                    return (resumePath is null ? parallel?.Fit(trainSet, job.Validation) : parallel?.Fit(trainSet, job.Validation, resumePath))
                        ?? (resumePath is null
                            ? trainer.Fit(trainSet, job.Validation, interrupt.Token)
                            : trainer.Fit(trainSet, job.Validation, resumePath, interrupt.Token));
                });
            }
            catch (OperationCanceledException) when (interrupt.Received is not null)
            {
                trained = trainer.History!;
            }
            finally
            {
                // Whatever happened, the epochs that did finish are kept (a failure here must not hide the run's own outcome).
                if (root)
                    SaveHistory(trainer.History, historyPath, console);
                (trainSet as IDisposable)?.Dispose();
            }
            if (!root)
            {
                mpi!.Dispose();
                return 0;
            }
            if (interrupt.Received is not null)
            {
                InterruptSignal.ShowCursor();
                string where = trainer.LastCheckpointError is { } failed
                    ? $"the checkpoint could not be written ({failed})"
                    : $"checkpoint saved to {checkpointPath}";
                console.WriteLine($"training interrupted by {interrupt.Name}; {where}.");
                console.WriteLine($"resume with: cortex train --resume {checkpointPath}");
                return interrupt.ExitCode;
            }
            if (trained.StopReason is { } reason)
                console.MarkupLine($"[yellow]{Markup.Escape(reason)}[/]");

            if (keepBest)
                best.RestoreBest(job.Model);                        // the kept model, from memory (the file may be another writer's)
            if (best.SavePending && !best.TrySave(job.Model, trained.Last?.Epoch ?? 0))
            {
                // Say where the run survives, if anywhere: the checkpoint may have failed on the same full disk.
                string rescue = trainer.LastCheckpointError is null
                    ? $"the run is in the checkpoint {checkpointPath} (cortex train --resume {checkpointPath} once the disk is writable)"
                    : trainer.LastCheckpointPath is null
                        ? $"no checkpoint could be written either ({trainer.LastCheckpointError}); free some space and train again"
                        : $"the last checkpoint could not be written either; {checkpointPath} holds an earlier point of this run (cortex train --resume {checkpointPath} once the disk is writable)";
                throw new IOException($"{best.LastError}; {rescue}.");
            }
            var test = trainer.Evaluate(data.Test);
            console.MarkupLine($"[grey]model saved to {Markup.Escape(modelPath)}, history to {Markup.Escape(historyPath)}[/]");
            if (result.GetValue(plot) is { } plotPath)
            {
                TrainingPlot.Save(trained, $"{job.Spec.Model} on {settings.Data}", plotPath);
                console.MarkupLine($"[grey]curves drawn in {Markup.Escape(plotPath)}[/]");
            }
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy: {test.Accuracy * 100:F2}% ({test.Correct}/{test.Count})"));
            watch?.ServeUntilInterrupted(console);
            mpi?.Dispose();
            return 0;
        }));
        return command;
    }

    private static void SaveHistory(History? history, string path, Spectre.Console.IAnsiConsole console)
    {
        try
        {
            history?.Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CliConsole.Warn(console, $"could not save the history to {path}: {CliConsole.OneLine(e)}");
        }
    }

    // A resumed run goes on writing the checkpoint it came from; a new one writes NAME.ckpt beside --out.
    private static string CheckpointPathFor(string? resume, string modelPath) => resume ?? Path.ChangeExtension(modelPath, ".ckpt");

    /// <summary>Whether --resume names a checkpoint a distributed run wrote (it then resumes distributed, as 1 rank without a launcher).</summary>
    private static bool WrittenDistributed(string? resume) =>
        resume is not null && TrainingCheckpoint.ReadInfo(TrainingCheckpoint.Resolve(resume)).Metadata.ContainsKey(DistributedTrainer.RanksKey);

    /// <summary>MPI when the run is distributed (asked for, or started by an MPI launcher), else null.</summary>
    private static Mpi? StartMpi(string? askedBy)
    {
        bool launched = MpiEnvironment.IsLaunchedByMpi;
        if (askedBy is null && !launched)
            return null;
        string flag = askedBy ?? $"mpiexec (rank {MpiEnvironment.LaunchedRank} of {MpiEnvironment.LaunchedSize})";
        if (!Mpi.IsAvailable(out string reason))
            throw new NotSupportedException($"{flag}: {reason}.");
        return Mpi.Initialize();
    }
}
