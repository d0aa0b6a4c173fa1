// TrainingSetup.cs — turns TrainSettings into the objects a run needs: data, model, loss,
// optimizer and schedule. Wiring only; every piece it builds lives in the libraries.
using System.Globalization;
using Cortex.Data;
using Cortex.Data.Images;
using Cortex.Data.Loading;
using Cortex.Data.Transforms;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Cli;

/// <summary>A ready-to-run training job.</summary>
internal sealed record TrainingJob(
    TrainSettings Settings, DatasetSplit Data, ImageDataset Train, ImageDataset? Validation,
    ModelSpec Spec, Layer Model, Loss Loss, Optimizer Optimizer, ILearningRateSchedule Schedule)
{
    public Trainer CreateTrainer(CheckpointOptions? checkpoints = null) => new(Model, Loss, Optimizer, CreateOptions()) { Schedule = Schedule, Checkpoints = checkpoints };

    /// <summary>The trainer options of this job (the batch size is per rank when distributed).</summary>
    public TrainerOptions CreateOptions() => new()
    {
        Epochs = Settings.Epochs,
        BatchSize = Settings.BatchSize,
        Seed = Settings.Seed,
        ValidationSampleCount = Settings.EvaluationSamples,
        DivergenceFactor = Settings.DivergenceRule.Factor,
        DivergencePatience = Settings.DivergenceRule.Patience,
    };
}

internal static class TrainingSetup
{
    /// <summary>
    /// Loads the data named by the settings (the shipped digits by default). Image folders are decoded at the model's
    /// designed input size and channels; skipped files are reported to <paramref name="log"/>.
    /// </summary>
    public static DatasetSplit LoadData(TrainSettings settings, IProgress<string>? log = null) =>
        LoadData(settings, ModelZoo.Find(settings.Model).DefaultInput, log);

    /// <summary>
    /// Loads the data named by the settings; image folders are decoded at <paramref name="input"/> (C, H, W).
    /// With --per-class the training set is cut to that many images of each class, the same ones for every seed (the test set stays whole).
    /// </summary>
    public static DatasetSplit LoadData(TrainSettings settings, Shape input, IProgress<string>? log = null)
    {
        log?.Report($"loading data: {settings.Data}");
        var data = DataSources.Load(settings.Data, new DataSourceOptions
        {
            MaxIdxElements = settings.MaxIdxElements,
            ImageFolder = new ImageFolderOptions
            {
                Channels = input[0],
                Height = input[1],
                Width = input[2],
                MaxPixels = settings.MaxImagePixels,
                Warning = log is null ? null : log.Report,
            },
        });
        if (settings.PerClass is not { } perClass)
            return data;
        if (perClass < 1)
            throw new ArgumentException($"--per-class: expected at least 1 image per class, got {perClass}.");
        int fewest = data.Train.ClassCounts().Min();
        if (fewest < perClass)
            throw new ArgumentException($"--per-class: {settings.Data} has only {fewest} training images of its smallest class, fewer than {perClass}.");
        // The same images whatever --seed says, so runs that differ in seed or in method compare on one subset.
        var subset = data.Train.PerClass(perClass, new CortexRandom(0xC1A55UL));
        log?.Report($"training on {perClass} images per class: {subset.Count:N0} of {data.Train.Count:N0}");
        return new DatasetSplit(subset, data.Test, data.Source) { Validation = data.Validation };
    }

    /// <summary>
    /// How a data source's images reach the model: "pixels/255" for IDX and CIFAR files, and for an image folder
    /// also the decoding and the resize to <paramref name="input"/> (C, H, W). Recorded in the model file and compared by eval.
    /// </summary>
    public static string Preprocessing(string source, Shape input) =>
        IsImageFolder(source)
            ? string.Create(CultureInfo.InvariantCulture, $"decode to {input[0]} channel(s), bilinear resize to {input[1]}x{input[2]}, pixels/255")
            : "pixels/255";

    /// <summary>The data source as a model file records it: a built-in name as given, a folder as its full path.</summary>
    public static string RecordedSource(string source) =>
        Directory.Exists(source) && !DataSources.Names.Contains(source.Trim().ToLowerInvariant()) ? Path.GetFullPath(source) : source.Trim();

    // Mirrors DataSources.LoadAsync's order: an IDX or CIFAR folder wins over an image folder.
    private static bool IsImageFolder(string source) =>
        Directory.Exists(source) && !Cortex.Data.Sources.IdxFolder.Holds(source) && !Cortex.Data.Sources.Cifar10.Holds(source) && ImageFolder.HoldsSplit(source);

    /// <summary>
    /// The training set as the trainer should see it: <paramref name="train"/> itself, or an <see cref="AugmentedDataset"/>
    /// applying the settings' --augment recipe (dispose it after training).
    /// </summary>
    public static IDataset TrainingView(TrainSettings settings, ImageDataset train)
    {
        if (string.IsNullOrWhiteSpace(settings.Augment) || settings.Augment.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            return train;
        var transform = Augmentations.Parse(settings.Augment, ImageSize.FromShape(train.SampleShape), train);
        return new AugmentedDataset(train, transform, new AugmentedDatasetOptions { Seed = settings.Seed ^ 0xA06UL });
    }

    /// <summary>Builds model, loss, optimizer and schedule for <paramref name="data"/>.</summary>
    public static TrainingJob Create(TrainSettings settings, DatasetSplit data)
    {
        CortexRandom.SetGlobalSeed(settings.Seed);
        var (train, validation) = SplitValidation(settings, data);
        var options = new Dictionary<string, string> { ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture) };
        if (settings.Init is not null)
            options["init"] = settings.Init;
        var info = ModelZoo.Find(settings.Model);
        int classes = data.Train.NumClasses;
        if (classes == 2 && info.DefaultClasses == 1)
            classes = 1;                         // a single-logit binary model (cats vs dogs)
        var spec = ModelZoo.Spec(info.Name, classes, data.Train.SampleShape, options) with
        {
            Data = new ModelDataInfo(RecordedSource(settings.Data), data.Train.ClassNames, Preprocessing(settings.Data, data.Train.SampleShape)),
        };
        var model = ModelZoo.Create(spec, settings.ModelLimits);

        var optimizer = OptimizerCatalog.Create(settings.Optimizer, model.AllParameters(), settings.EffectiveLearningRate);
        optimizer.WeightDecay = settings.WeightDecay;
        var schedule = ScheduleCatalog.Parse(settings.Schedule, settings.Epochs);
        return new TrainingJob(settings, data, train, validation, spec, model, CreateLoss(settings.Loss, spec.NumClasses), optimizer, schedule);
    }

    /// <summary>The training set and the validation set the settings' --validation asks for.</summary>
    public static (ImageDataset Train, ImageDataset? Validation) SplitValidation(TrainSettings settings, DatasetSplit data)
    {
        string v = settings.Validation.Trim().ToLowerInvariant();
        if (v == "test")
            return (data.Train, data.Test);
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction) || fraction < 0 || fraction >= 1)
            throw new FormatException($"--validation: expected a fraction in [0, 1) or 'test', got '{settings.Validation}'.");
        if (fraction == 0)
            return (data.Train, null);
        if (data.Validation is not null)
            return (data.Train, data.Validation);   // the source has its own validation set (an image folder's validation/)
        var (train, validation) = data.Train.Split(fraction, new CortexRandom(settings.Seed ^ 0x5A17UL));
        return (train, validation);
    }

    /// <summary>The loss named by --loss for a model with <paramref name="outputs"/> outputs.</summary>
    public static Loss CreateLoss(string name, int outputs) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => outputs == 1 ? new BinaryCrossEntropy(fromLogits: true) : new SoftmaxCrossEntropy(),
        "softmax" or "cross-entropy" => new SoftmaxCrossEntropy(),
        "svm" or "hinge" => new MulticlassSvm(),
        "bce" => new BinaryCrossEntropy(fromLogits: true),
        _ => throw new FormatException($"--loss: expected auto, softmax, svm or bce, got '{name}'."),
    };
}
