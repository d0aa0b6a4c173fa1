// CrossValidateCommand.cs — `cortex cv --folds 5`: K-fold cross-validation of a training recipe
// (the same model/data/optimizer options as `cortex train`) on the training set: K fresh models,
// each trained on K − 1 folds and scored on the remaining one; prints each fold and the mean and
// standard deviation of validation accuracy. The test set is not touched. Wiring only: the
// partition and the runner are Cortex.Data.Validation's.
using System.CommandLine;
using System.Globalization;
using Cortex.Data.Validation;
using Spectre.Console;

namespace Cortex.Cli;

internal static class CrossValidateCommand
{
    public static Command Create()
    {
        var command = new Command("cv", "K-fold cross-validation: train K models on the training set and report mean ± std validation accuracy.");
        var options = new TrainOptions();
        options.AddTo(command);
        var folds = new Option<int>("--folds", "-k") { Description = "Number of folds K.", DefaultValueFactory = _ => 5 };
        var plain = new Option<bool>("--no-stratify") { Description = "Split without keeping class proportions in each fold." };
        command.Options.Add(folds);
        command.Options.Add(plain);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            var settings = options.Read(result, warn: message => CliConsole.Warn(console, message)) with { Validation = "0" };   // each fold is the validation set
            int k = result.GetValue(folds);
            if (k < 2)
                throw new ArgumentException($"--folds: expected at least 2, got {k}.");
            var data = TrainingSetup.LoadData(settings, new ConsoleLog(console));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(settings.Model)}[/] on [bold]{Markup.Escape(data.Source)}[/]: {k}-fold cross-validation of {data.Train.Count:N0} training images, {settings.Epochs} epochs each"));
            var table = new Table().AddColumns("fold", "train", "validation", "val accuracy", "val loss");
            var outcome = CrossValidation.Run(data.Train, k, settings.Seed, fold =>
                {
                    var job = TrainingSetup.Create(settings with { Seed = settings.Seed + (ulong)fold }, data);
                    return job.CreateTrainer();
                },
                stratified: !result.GetValue(plain),
                trainView: train => TrainingSetup.TrainingView(settings, train),
                progress: new Reporter<FoldResult>(f =>
                {
                    console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                        $"[grey]fold {f.Fold + 1}/{k}: validation accuracy {f.ValidationAccuracy * 100:F2}%, loss {f.ValidationLoss:F4}[/]"));
                    table.AddRow(Text(f.Fold + 1), Text(f.TrainCount), Text(f.ValidationCount),
                        Text(f.ValidationAccuracy * 100, "F2"), Text(f.ValidationLoss, "F4"));
                }));
            console.Write(table);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cv accuracy: {outcome.MeanAccuracy * 100:F2}% ± {outcome.StdAccuracy * 100:F2}% ({k} folds)"));
            return 0;
        }));
        return command;
    }

    private static Text Text(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static Text Text(double value, string format) => new(value.ToString(format, CultureInfo.InvariantCulture));
}

/// <summary>An IProgress that reports on the calling thread, in order.</summary>
internal sealed class Reporter<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
