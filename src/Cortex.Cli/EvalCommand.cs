// EvalCommand.cs — `cortex eval MODEL_FILE`: accuracy, loss, top-k accuracy and the confusion
// matrix of a saved model on a data set's test split.
//
// The data set defaults to the one the model file records (`cortex train` stores its source, class
// names and preprocessing); image folders are read at the model's input size and channels, as
// `cortex train` read them. A data set whose classes differ from the model's is refused; a different
// source or preprocessing than the recorded one gets a warning.
using System.CommandLine;
using System.Globalization;
using Cortex.Data;
using Cortex.Data.Images;
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
        var data = new Option<string>("--data", "-d") { Description = $"The data set (default: the one the model was trained on, else {DataSources.Default})." };
        var split = new Option<string>("--split") { Description = "test or train.", DefaultValueFactory = _ => "test" };
        var limits = new LimitOptions();
        command.Arguments.Add(file);
        command.Options.Add(data);
        command.Options.Add(split);
        limits.AddTo(command);
        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            string which = result.GetValue(split)!;
            if (which is not ("test" or "train"))
                throw new FormatException($"--split: expected test or train, got '{which}'.");
            string path = result.GetValue(file)!;
            var (model, spec) = ModelZoo.Load(path, limits.Model(result));
            BatchNormFolding.Fold(model);                   // inference only: batch norms into their convolutions
            string source = ChooseSource(result.GetValue(data), spec, path, console);
            var options = limits.Data(result, new ImageFolderOptions
            {
                Channels = spec.Input[0], Height = spec.Input[1], Width = spec.Input[2],   // as `cortex train` read them
                Warning = message => CliConsole.Warn(console, message),
            });
            var sets = DataSources.Load(source, options);
            var set = which == "test" ? sets.Test : sets.Train;
            CheckAgainstModel(spec, source, set, path, console);
            Loss loss = spec.NumClasses == 1 ? new BinaryCrossEntropy(fromLogits: true) : new SoftmaxCrossEntropy();
            var trainer = new Trainer(model, loss, new Sgd([], 0f));
            var evaluation = trainer.Evaluate(set);
            console.MarkupLine($"[bold]{Markup.Escape(spec.Model)}[/] on {Markup.Escape(sets.Source)} ({set.Count:N0} {which} images)");
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

    // --data if given (with a warning when it is not what the model was trained on), else the recorded source.
    private static string ChooseSource(string? given, ModelSpec spec, string path, IAnsiConsole console)
    {
        string? recorded = spec.Data?.Source;
        if (given is null)
        {
            if (!string.IsNullOrEmpty(recorded))
                return recorded;
            CliConsole.Warn(console, $"{path} does not record the data it was trained on (saved by an older Cortex); evaluating on {DataSources.Default}. Pass --data to choose.");
            return DataSources.Default;
        }
        if (!string.IsNullOrEmpty(recorded) && !SameSource(given, recorded))
            CliConsole.Warn(console, $"{path} was trained on {recorded}; evaluating on {given}.");
        return given;
    }

    private static bool SameSource(string a, string b) =>
        string.Equals(TrainingSetup.RecordedSource(a), TrainingSetup.RecordedSource(b), StringComparison.OrdinalIgnoreCase);

    // Refuses a data set with another number of classes; warns when names or preprocessing differ from the recorded ones.
    internal static void CheckAgainstModel(ModelSpec spec, string source, ImageDataset set, string path, IAnsiConsole console)
    {
        int modelClasses = spec.NumClasses == 1 ? 2 : spec.NumClasses;      // one logit: two classes
        if (set.NumClasses != modelClasses)
            throw new InvalidDataException($"{path}: the model has {modelClasses} classes but {set.Name} has {set.NumClasses}; it was trained on other data (pass the --data it was trained on).");
        if (set.SampleShape != spec.Input)
            throw new InvalidDataException($"{path}: the model takes images {spec.Input} but {set.Name} holds {set.SampleShape}.");
        if (spec.Data is not { } recorded)
            return;
        if (recorded.ClassNames.Count > 0 && !recorded.ClassNames.SequenceEqual(set.ClassNames))
            CliConsole.Warn(console, $"{path} was trained on the classes [{Short(recorded.ClassNames)}], {set.Name} has [{Short(set.ClassNames)}].");
        string preprocessing = TrainingSetup.Preprocessing(source, spec.Input);
        if (recorded.Preprocessing.Length > 0 && recorded.Preprocessing != preprocessing)
            CliConsole.Warn(console, $"{path} was trained on images prepared as \"{recorded.Preprocessing}\", these are \"{preprocessing}\".");
    }

    private static string Short(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(10)) + (names.Count > 10 ? $", … ({names.Count} in all)" : "");
}
