// StudioRuns.cs — builds a StudioRun from a request: loads the data (image folders at the model's
// input size), holds out 10 % for validation (seeded), builds the zoo model or takes the uploaded
// one, and the optimizer with a constant rate (the page's learning-rate field is the schedule).
using System.Globalization;
using Cortex.Data;
using Cortex.Data.Images;
using Cortex.Data.Loading;
using Cortex.Data.Transforms;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Studio;

/// <summary>Builds runs for <c>cortex studio</c>.</summary>
public static class StudioRuns
{
    /// <summary>
    /// The run <paramref name="request"/> asks for, with its data loaded from <paramref name="dataSpec"/> (a name or
    /// folder for <see cref="DataSources.Load"/>). Wrong names and shapes throw ArgumentException with the reason.
    /// </summary>
    public static StudioRun Create(StudioRunRequest request, string dataSpec, string runName, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var info = ModelZoo.Find(request.Start?.Spec.Model ?? request.Model);
        var input = request.Start?.Spec.Input ?? info.DefaultInput;
        log?.Report($"loading {request.Data}");
        var data = DataSources.Load(dataSpec, new DataSourceOptions
        {
            ImageFolder = new ImageFolderOptions { Channels = input[0], Height = input[1], Width = input[2], Warning = log is null ? null : log.Report },
        });
        var (train, validation) = data.Validation is { } held
            ? (data.Train, held)
            : data.Train.Split(0.1, new CortexRandom(request.Seed ^ 0x5A17UL));

        CortexRandom.SetGlobalSeed(request.Seed);
        ModelSpec spec;
        Layer model;
        if (request.Start is var (startSpec, startModel))
        {
            if (startSpec.Input != data.Train.SampleShape)
                throw new ArgumentException($"Studio: the model takes images {startSpec.Input}, but {request.Data} has {data.Train.SampleShape}. Choose data of that shape.");
            if (startSpec.NumClasses != Math.Max(data.Train.NumClasses, 1) && !(startSpec.NumClasses == 1 && data.Train.NumClasses == 2))
                throw new ArgumentException($"Studio: the model has {startSpec.NumClasses} classes, but {request.Data} has {data.Train.NumClasses}.");
            (spec, model) = (startSpec, startModel);
        }
        else
        {
            int classes = data.Train.NumClasses == 2 && info.DefaultClasses == 1 ? 1 : data.Train.NumClasses;
            spec = ModelZoo.Spec(info.Name, classes, data.Train.SampleShape,
                new Dictionary<string, string> { ["seed"] = request.Seed.ToString(CultureInfo.InvariantCulture) });
            model = ModelZoo.Create(spec);
        }

        var optimizer = OptimizerCatalog.Create(request.Optimizer, model.AllParameters(), request.LearningRate);
        optimizer.WeightDecay = request.WeightDecay;
        Loss loss = spec.NumClasses == 1 ? new BinaryCrossEntropy(fromLogits: true) : new SoftmaxCrossEntropy();
        IDataset trainView = train;
        string? augmentation = null;
        if (!request.Augment.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            var transform = Augmentations.Parse(request.Augment, ImageSize.FromShape(train.SampleShape), train);
            trainView = new AugmentedDataset(train, transform, new AugmentedDatasetOptions { Seed = request.Seed ^ 0xA06UL });
            augmentation = transform.Name;
        }
        return new StudioRun
        {
            Name = runName,
            ModelName = spec.Model,
            DataName = request.Data,
            Model = model,
            Spec = spec,
            Loss = loss,
            Optimizer = optimizer,
            Options = new TrainerOptions
            {
                Epochs = request.Epochs,
                BatchSize = request.BatchSize,
                Seed = request.Seed,
                ValidationSampleCount = Math.Min(validation.Count, 2000),
            },
            Train = trainView,
            TrainImages = train,
            Validation = validation,
            Test = data.Test,
            Augmentation = augmentation,
        };
    }
}
