// EvalCommand.cs — `cortex eval MODEL_FILE`: accuracy, loss, top-k accuracy and the confusion
// matrix of a saved model on a data set's test split.
using System.CommandLine;
using System.Globalization;
using Cortex.Data;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a saved model on a data set's test images.");
        var file = new Argument<string>("model-file") { Description = "A model saved by `cortex train` (.safetensors)." };
        var data = new Option<string>("--data", "-d") { Description = "The data set (default: the shipped digits).", DefaultValueFactory = _ => DataSources.Default };
        var split = new Option<string>("--split") { Description = "test or train.", DefaultValueFactory = _ => "test" };
        command.Arguments.Add(file);
        command.Options.Add(data);
        command.Options.Add(split);
        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            var (model, spec) = ModelZoo.Load(result.GetValue(file)!);
            BatchNormFolding.Fold(model);                   // inference only: batch norms into their convolutions
            var sets = DataSources.Load(result.GetValue(data));
            var set = result.GetValue(split) switch
            {
                "test" => sets.Test,
                "train" => sets.Train,
                var other => throw new FormatException($"--split: expected test or train, got '{other}'."),
            };
            Loss loss = spec.NumClasses == 1 ? new BinaryCrossEntropy(fromLogits: true) : new SoftmaxCrossEntropy();
            var trainer = new Trainer(model, loss, new Sgd([], 0f));
            var evaluation = trainer.Evaluate(set);
            console.MarkupLine($"[bold]{Markup.Escape(spec.Model)}[/] on {Markup.Escape(sets.Source)} ({set.Count:N0} {result.GetValue(split)} images)");
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss: {evaluation.Loss:F4}"));
            if (evaluation.TopK > 1 && set.NumClasses > evaluation.TopK)
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-{evaluation.TopK} accuracy: {evaluation.TopKAccuracy * 100:F2}%"));
            console.WriteLine("confusion matrix (rows: true class, columns: predicted):");
            console.WriteLine(evaluation.FormatConfusion(set.ClassNames));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {evaluation.Accuracy * 100:F2}% ({evaluation.Correct}/{evaluation.Count})"));
            return 0;
        }));
        return command;
    }
}
