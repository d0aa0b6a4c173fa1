// TrainCommand.cs — `cortex train`: train a zoo model on a data set, show progress, report the
// test accuracy, and save the model, its history and (optionally) the training curves.
//
// With no options: LeNet-5 on the 10,000 real MNIST digits that ship in data/mnist-digits
// (8,000 to train, of which 10 % are held out for validation; 2,000 to test).
//
// Under an MPI launcher (`mpiexec -n N cortex train …`, detected from its environment) or with
// --distributed, the run is data-parallel (Cortex.Distributed): --batch-size is per rank, rank 0
// prints, saves the model, the history and the plot; the other ranks only train.
using System.CommandLine;
using System.Globalization;
using Cortex.Data.Loading;
using Cortex.Distributed;
using Cortex.Serialization;
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
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training on MPI (automatic under mpiexec/mpirun/srun); --batch-size is per rank." };
        var scaleLr = new Option<bool>("--scale-lr") { Description = "Distributed: multiply the learning rate by the number of ranks (the linear scaling rule)." };
        foreach (Option option in new Option[] { output, history, plot, saveBest, patience, studio, studioPort, noBrowser, distributed, scaleLr })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, terminal =>
        {
            var mpi = StartMpi(result.GetValue(distributed));
            var console = mpi is null || mpi.IsRoot ? terminal : CliConsole.Plain(TextWriter.Null);   // only rank 0 speaks
            if (mpi is not null && result.GetValue(studio))
                throw new NotSupportedException("--studio: not available in a distributed run; watch a single-process run instead.");
            var settings = options.Read(result, warn: message => CliConsole.Warn(console, message));
            if (result.GetValue(plot) is { } plotFile && !plotFile.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--plot: the curves are written as PNG; expected a .png path, got '{plotFile}'.");
            var data = TrainingSetup.LoadData(settings, new ConsoleLog(console));
            var job = TrainingSetup.Create(settings, data);
            if (settings.BatchSize > job.Train.Count)
                CliConsole.Warn(console, $"--batch-size {settings.BatchSize} is more than the {job.Train.Count} training images: each epoch is one batch of {job.Train.Count}.");
            string modelPath = result.GetValue(output) ?? Path.Combine("runs", $"{job.Spec.Model}.safetensors");
            string historyPath = result.GetValue(history) ?? Path.Combine("runs", $"{job.Spec.Model}-history.csv");

            long parameters = job.Model.AllParameters().Sum(p => (long)p.Value.Size);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(job.Spec.Model)}[/] ({parameters:N0} parameters) on [bold]{Markup.Escape(settings.Data)}[/]: " +
                $"{job.Train.Count:N0} training, {job.Validation?.Count ?? 0:N0} validation, {data.Test.Count:N0} test images {Markup.Escape(data.Train.SampleShape.ToString())}"));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[grey]{Markup.Escape(job.Optimizer.Name)} lr {job.Optimizer.LearningRate:G3}, batch {settings.BatchSize}, {settings.Epochs} epochs, schedule {Markup.Escape(settings.Schedule)}, seed {settings.Seed}, {Kernels.Parallelism.MaxDegree} threads[/]"));

            DistributedTrainer? parallel = mpi is null ? null : new DistributedTrainer(mpi, job.Model, job.Loss, job.Optimizer, job.CreateOptions(),
                new DistributedOptions { ScaleLearningRate = result.GetValue(scaleLr) }, job.Schedule);
            var trainer = parallel?.Trainer ?? job.CreateTrainer();
            if (mpi is not null)
            {
                var ranks = mpi.ProcessTable();
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"distributed: {mpi.Size} ranks × batch {settings.BatchSize} = global batch {parallel!.GlobalBatchSize}{(result.GetValue(scaleLr) ? $", lr × {mpi.Size}" : "")}, {mpi.LibraryVersion.Trim()}; ") +
                    string.Join(", ", ranks.Select((row, r) => $"rank {r} = {row}"))));
            }
            bool root = mpi is null || mpi.IsRoot;
            if (root)
                trainer.Callbacks.Add(new ModelCheckpoint(modelPath, job.Spec.ToJson(), saveBestOnly: result.GetValue(saveBest)));
            if (result.GetValue(patience) is { } p)
                trainer.Callbacks.Add(new EarlyStopping(p));

            var trainSet = TrainingSetup.TrainingView(settings, job.Train);
            if (trainSet is AugmentedDataset augmented)
                console.MarkupLine($"[grey]augmentation: {Markup.Escape(augmented.Transform.Name)}[/]");
            using var watch = result.GetValue(studio)
                ? StudioWatch.Start(job, trainSet, data.Test, trainer, StudioCommand.CheckPort(result.GetValue(studioPort)), !result.GetValue(noBrowser), console)
                : null;
            History trained;
            try
            {
                trained = ConsoleProgress.Run(console, progress =>
                {
                    trainer.Callbacks.Add(progress);
                    return parallel?.Fit(trainSet, job.Validation) ?? trainer.Fit(trainSet, job.Validation);
                });
            }
            finally
            {
                // Whatever happened, the epochs that did finish are kept.
                if (root)
                    trainer.History?.Save(historyPath);
                (trainSet as IDisposable)?.Dispose();
            }
            if (!root)
            {
                mpi!.Dispose();
                return 0;
            }
            if (trained.StopReason is { } reason)
                console.MarkupLine($"[yellow]{Markup.Escape(reason)}[/]");

            if (result.GetValue(saveBest))
                ModelFile.LoadWeights(job.Model, modelPath);        // evaluate the kept model
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

    /// <summary>MPI when the run is distributed (asked for, or started by an MPI launcher), else null.</summary>
    private static Mpi? StartMpi(bool asked)
    {
        bool launched = MpiEnvironment.IsLaunchedByMpi;
        if (!asked && !launched)
            return null;
        string flag = asked ? "--distributed" : $"mpiexec (rank {MpiEnvironment.LaunchedRank} of {MpiEnvironment.LaunchedSize})";
        if (!Mpi.IsAvailable(out string reason))
            throw new NotSupportedException($"{flag}: {reason}.");
        return Mpi.Initialize();
    }
}
