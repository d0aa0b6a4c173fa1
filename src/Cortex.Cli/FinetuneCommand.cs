// FinetuneCommand.cs — `cortex finetune BASE --data SOURCE`: transfer learning. Loads a base
// network (a model file saved by `cortex train` or `cortex finetune`, or a zoo name: random weights
// unless the zoo entry is a pretrained one), puts a head for the new data's classes on it, freezes
// what it is told to, trains with train's options (body and head at their own learning rates), and
// saves a model file that `cortex eval` and `cortex predict` read like any other.
//
// When the frozen part is the front of the network and the images are not augmented, the body runs
// once per image and only the head trains on the cached features (FeatureExtraction); --no-cache
// trains the whole network on every batch instead (the same result, slower).
using System.CommandLine;
using System.Globalization;
using Cortex.Data.Loading;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Onnx;
using Cortex.Tensors;
using Cortex.Training;
using Cortex.Transfer;
using Spectre.Console;

namespace Cortex.Cli;

internal static class FinetuneCommand
{
    public static Command Create()
    {
        var command = new Command("finetune", "Transfer learning: put a new head on a trained model, freeze what you say, and train it on new data.");
        var baseModel = new Argument<string>("base")
        {
            Description = "The base network: a model file (.safetensors) saved by `cortex train`, or a zoo name (random weights unless the entry is pretrained).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        command.Arguments.Add(baseModel);
        var options = new TrainOptions();
        options.AddTo(command, model: false);
        var recipe = new Option<string>("--recipe") { Description = $"A named recipe that sets base, head, freezing and training defaults: {string.Join(", ", TransferRecipes.All.Select(r => r.Name))}." };
        var head = new Option<string>("--head") { Description = "The new head: linear (the last dense layer, for the new classes; default), mlp:HIDDEN[,DROPOUT] (a new top: flatten, dense, ReLU, dropout, dense), or a number N (a linear head with N outputs)." };
        var headClasses = new Option<int?>("--head-classes") { Description = "Outputs of the new head (default: the data's classes; 1 logit for two classes when the base has one)." };
        var freeze = new Option<string>("--freeze") { Description = "Freeze the parameters whose keys match: a prefix (features) or a glob (features.*, *.bn1.*), several joined by commas." };
        var freezeBody = new Option<bool>("--freeze-body") { Description = "Freeze everything except the new head." };
        var unfreeze = new Option<string>("--unfreeze") { Description = "Then unfreeze the parameters whose keys match (e.g. the last block, to fine-tune it)." };
        var lrHead = new Option<float?>("--lr-head") { Description = "The head's learning rate (default: --lr, or the optimizer's default)." };
        var lrBody = new Option<float?>("--lr-body") { Description = "The trainable body's learning rate (default: the head's)." };
        var input = new Option<string>("--input") { Description = "Input size CxHxW of a zoo-name base (e.g. 3x150x150); a model file's is fixed." };
        var size = new Option<int?>("--size") { Description = $"The network's input side for {OnnxZoo.ResNet18ImageNet} (default 224): images are resized to SIZE×SIZE (and the mean image with them)." };
        var randomWeights = new Option<bool>("--random-weights") { Description = $"Redraw {OnnxZoo.ResNet18ImageNet}'s weights (the same network from scratch: the baseline a transfer run compares with)." };
        var noCache = new Option<bool>("--no-cache") { Description = "Run the frozen body on every batch instead of caching its features once." };
        var output = new Option<string>("--out", "-o") { Description = "Where to save the fine-tuned model. Default: runs/BASE-finetuned.safetensors." };
        var history = new Option<string>("--history") { Description = "Where to save the per-epoch history (.csv or .json)." };
        foreach (Option option in new Option[] { recipe, head, headClasses, freeze, freezeBody, unfreeze, lrHead, lrBody, input, size, randomWeights, noCache, output, history })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            var chosen = result.GetValue(recipe) is { } name ? TransferRecipes.Find(name) : null;
            var settings = options.Read(result, new TrainSettings
            {
                Augment = "none",                            // fine-tuning defaults: no augmentation, so features can be cached
                Epochs = chosen?.Epochs ?? 10,
                BatchSize = chosen?.BatchSize ?? 32,
                Optimizer = chosen?.Optimizer ?? TrainSettings.DefaultOptimizer,
                LearningRate = chosen?.LearningRate,
                Schedule = chosen is null ? "cosine" : "constant",
            });
            var (headText, headCount) = ReadHead(result.GetValue(head), result.GetValue(headClasses));
            string baseText = result.GetValue(baseModel) ?? chosen?.Base.Model
                ?? throw new ArgumentException("finetune: expected a base network (a model file or a zoo name) or --recipe.");
            var resolved = FinetuneBase.Resolve(baseText, ParseInput(result.GetValue(input)) ?? (chosen?.Base.Model == baseText ? chosen.Base.Input : null),
                chosen?.Base.Model == baseText ? chosen.Base.Options : null, settings.Seed, result.GetValue(size), result.GetValue(randomWeights));
            if (!resolved.Pretrained)
                console.MarkupLine($"[yellow]{Markup.Escape(baseText)}: a zoo architecture with random weights, not a trained network; pass a model file for real transfer.[/]");

            var data = TrainingSetup.LoadData(settings, resolved.Spec.Input, new ConsoleLog(console));
            var (network, spec) = resolved.Build(data.Train.SampleShape);
            int classes = headCount ?? data.Train.NumClasses;
            if (classes == 2 && headCount is null && (spec.NumClasses == 1 || chosen?.Base.NumClasses == 1))
                classes = 1;                                 // one logit for a binary task, as the base had
            if (classes < data.Train.NumClasses && !(classes == 1 && data.Train.NumClasses == 2))
                throw new ArgumentException($"--head-classes: {classes} outputs cannot score the {data.Train.NumClasses} classes of {settings.Data}.");

            var model = (Sequential)network;
            var headSpec = HeadSpec.Parse(headText ?? chosen?.Head ?? "linear");
            var random = new CortexRandom(settings.Seed ^ 0x4EADUL);
            var newHead = headSpec.Apply(model, spec.Input, classes, random, fresh: true);
            var options2 = new Dictionary<string, string>(spec.Options ?? new Dictionary<string, string>()) { ["head"] = headSpec.ToString() };
            var tunedSpec = spec with
            {
                NumClasses = classes,
                Options = options2,
                Data = new ModelDataInfo(TrainingSetup.RecordedSource(settings.Data), data.Train.ClassNames, TrainingSetup.Preprocessing(settings.Data, data.Train.SampleShape)),
            };

            if (result.GetValue(freezeBody) && result.GetValue(freeze) is not null)
                throw new ArgumentException("finetune: give --freeze PATTERN or --freeze-body, not both.");
            if (result.GetValue(freezeBody))
                FineTuning.FreezeAllExcept(model, newHead);
            else if ((result.GetValue(freeze) ?? chosen?.Freeze) is { } pattern)
                Option("--freeze", () => FineTuning.Freeze(model, pattern));
            if (result.GetValue(unfreeze) is { } reopened)
                Option("--unfreeze", () => FineTuning.Unfreeze(model, reopened));

            float headRate = result.GetValue(lrHead) ?? settings.EffectiveLearningRate ?? 0.01f;
            var optimizer = FineTuning.CreateOptimizer(settings.Optimizer, model, newHead, headRate, result.GetValue(lrBody));
            optimizer.WeightDecay = settings.WeightDecay;
            var schedule = Cortex.Optimizers.Schedules.ScheduleCatalog.Parse(settings.Schedule, settings.Epochs);
            var loss = TrainingSetup.CreateLoss(settings.Loss, classes);
            var (train, validation) = TrainingSetup.SplitValidation(settings, data);
            var trainSet = TrainingSetup.TrainingView(settings, train);
            bool cache = !result.GetValue(noCache) && trainSet is not AugmentedDataset && FeatureExtraction.Split(model) is not null;

            long total = model.AllParameters().Sum(p => (long)p.Value.Size);
            long trainable = model.AllParameters().Where(p => p.Trainable).Sum(p => (long)p.Value.Size);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(spec.Model)}[/] from {Markup.Escape(baseText)}, new {Markup.Escape(headSpec.ToString())} head for {classes} output(s): " +
                $"{trainable:N0} of {total:N0} parameters trainable; {train.Count:N0} training, {validation?.Count ?? 0:N0} validation, {data.Test.Count:N0} test images"));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[grey]{Markup.Escape(optimizer.Name)} lr {headRate:G3} (head), {result.GetValue(lrBody) ?? headRate:G3} (body), batch {settings.BatchSize}, {settings.Epochs} epochs, schedule {Markup.Escape(settings.Schedule)}, seed {settings.Seed}" +
                $"{(cache ? ", frozen body's features cached" : "")}[/]"));

            string modelPath = result.GetValue(output) ?? Path.Combine("runs", $"{Path.GetFileNameWithoutExtension(baseText)}-finetuned.safetensors");
            var trainerOptions = new TrainerOptions { Epochs = settings.Epochs, BatchSize = settings.BatchSize, Seed = settings.Seed, ValidationSampleCount = settings.EvaluationSamples };
            History trained;
            try
            {
                trained = ConsoleProgress.Run(console, progress => cache
                    ? FeatureExtraction.Fit(model, loss, optimizer, trainerOptions, trainSet, validation, schedule, [progress])
                    : Fit(model, loss, optimizer, trainerOptions, schedule, progress, trainSet, validation));
            }
            finally
            {
                (trainSet as IDisposable)?.Dispose();
            }
            if (result.GetValue(history) is { } historyPath)
                trained.Save(historyPath);
            ModelZoo.Save(model, tunedSpec, modelPath);
            var test = new Trainer(model, loss, optimizer).Evaluate(data.Test);
            console.MarkupLine($"[grey]model saved to {Markup.Escape(modelPath)}[/]");
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy: {test.Accuracy * 100:F2}% ({test.Correct}/{test.Count})"));
            return 0;
        }));
        return command;
    }

    private static History Fit(Layer model, Cortex.Losses.Loss loss, Cortex.Optimizers.Optimizer optimizer, TrainerOptions options,
        Cortex.Optimizers.Schedules.ILearningRateSchedule schedule, TrainingCallback progress, IDataset train, IDataset? validation)
    {
        var trainer = new Trainer(model, loss, optimizer, options) { Schedule = schedule };
        trainer.Callbacks.Add(progress);
        return trainer.Fit(train, validation);
    }

    // Runs a pattern option, its error given as "--freeze: the pattern 'x' matches no parameter …".
    private static void Option(string name, Func<IReadOnlyList<string>> apply)
    {
        try
        {
            apply();
        }
        catch (ArgumentException e)
        {
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new ArgumentException($"{name}: {message.Replace("FineTuning: ", "", StringComparison.Ordinal)}", e);
        }
    }

    // --head N is --head linear --head-classes N; a number in both must agree.
    private static (string? Head, int? Classes) ReadHead(string? head, int? classes)
    {
        if (head is null || !int.TryParse(head.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            return (head, classes);
        if (n < 1)
            throw new ArgumentException($"--head: expected at least 1 output, got {n}.");
        if (classes is { } c && c != n)
            throw new ArgumentException($"--head {n} and --head-classes {c} disagree; give one of them.");
        return ("linear", n);
    }

    private static Shape? ParseInput(string? text)
    {
        if (text is null)
            return null;
        var parts = text.Split('x', 'X');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d > 0))
            return new Shape([.. parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture))]);
        throw new FormatException($"--input: expected CxHxW such as 3x150x150, got '{text}'.");
    }
}

/// <summary>
/// Where a fine-tuning base comes from: a model file, an ONNX file (imported; the model file then
/// records it as the zoo entry "onnx"), or a zoo entry by name. A pretrained network (the ImageNet
/// ResNet-18 of OnnxZoo) is a zoo entry with <see cref="ModelInfo.Pretrained"/> set, whose builder
/// loads its weights: `cortex finetune resnet18-imagenet` starts from them. A zoo base is built for
/// the data's images (as `cortex train` builds its model), so it is resolved before the data loads
/// and built after.
/// </summary>
internal sealed class FinetuneBase
{
    private readonly Layer? _model;

    private FinetuneBase(ModelSpec spec, bool pretrained, Layer? model)
    {
        Spec = spec;
        Pretrained = pretrained;
        _model = model;
    }

    /// <summary>The base's spec; for a zoo base, its input is where image folders are decoded until <see cref="Build"/>.</summary>
    public ModelSpec Spec { get; }

    /// <summary>Whether the base has learnt weights.</summary>
    public bool Pretrained { get; }

    public static FinetuneBase Resolve(string text, Shape? input, IReadOnlyDictionary<string, string>? options, ulong seed, int? size = null, bool randomWeights = false)
    {
        bool onnx = text.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        bool looksLikeFile = onnx || text.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal);
        if (File.Exists(text) || looksLikeFile)
        {
            if (!File.Exists(text))
                throw new FileNotFoundException($"finetune: no {(onnx ? "ONNX" : "model")} file at '{text}'.", text);
            if (size is not null || randomWeights)
                throw new ArgumentException($"finetune: --size and --random-weights apply to a zoo base such as {OnnxZoo.ResNet18ImageNet}, not to the file {text}.");
            Layer model;
            ModelSpec spec;
            if (onnx)
            {
                var imported = OnnxImporter.Load(text);
                (model, spec) = (imported.Model, OnnxZoo.OnnxSpec(text, imported));
            }
            else
            {
                (model, spec) = ModelZoo.Load(text);
            }
            if (input is { } shape && shape != spec.Input)
                throw new ArgumentException($"--input: {text} takes {spec.Input} inputs; a file's input size cannot change.");
            if (model is not Sequential)
                throw new ArgumentException($"finetune: {text} holds a {model.Kind} at its root, not a Sequential, so its head cannot be replaced.");
            return new FinetuneBase(spec, true, model);
        }
        var info = ModelZoo.Models.FirstOrDefault(m => string.Equals(m.Name, text, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"finetune: '{text}' is neither a model file nor a zoo model. Zoo models: {string.Join(", ", ModelZoo.Models.Select(m => m.Name))}.");
        var merged = new Dictionary<string, string>(options ?? new Dictionary<string, string>()) { ["seed"] = seed.ToString(CultureInfo.InvariantCulture) };
        bool resizes = string.Equals(info.Name, OnnxZoo.ResNet18ImageNet, StringComparison.Ordinal);
        if ((size is not null || randomWeights) && !resizes)
            throw new ArgumentException($"finetune: --size and --random-weights apply to {OnnxZoo.ResNet18ImageNet}, not to {info.Name}.");
        if (size is { } side)
        {
            merged["size"] = side.ToString(CultureInfo.InvariantCulture);
            input ??= new Shape(3, side, side);        // an image folder is decoded at the network's size
        }
        if (randomWeights)
            merged["weights"] = "random";
        var zooSpec = ModelZoo.Spec(info.Name, null, input, merged);
        return new FinetuneBase(zooSpec, info.Pretrained && !randomWeights, null);
    }

    /// <summary>The base network for images of <paramref name="sample"/> (C, H, W): a file's model as loaded, a zoo base built for them.</summary>
    public (Layer Model, ModelSpec Spec) Build(Shape sample)
    {
        if (_model is not null)
        {
            if (sample != Spec.Input)
                throw new ArgumentException($"finetune: the base takes images {Spec.Input}, but the data holds {sample}.");
            return (_model, Spec);
        }
        var spec = Spec with { Input = sample };
        return (ModelZoo.Create(spec), spec);
    }
}
