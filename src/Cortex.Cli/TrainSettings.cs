// TrainSettings.cs — everything a training run is configured by, from command-line options and an
// optional JSON config (what `cortex search` writes as its best configuration). Options given on
// the command line win over the config file; the config wins over the defaults.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Cortex.Cli;

/// <summary>The settings of one training run.</summary>
internal sealed record TrainSettings
{
    public string Model { get; init; } = "lenet5";
    public string Data { get; init; } = "digits";
    // The defaults are the recipe that takes LeNet-5 past 98 % on the shipped digits in about half
    // a minute: Adam at 0.002 annealed by a cosine over 12 epochs, batches of 32, 2-pixel shifts.
    public int Epochs { get; init; } = 12;
    public int BatchSize { get; init; } = 32;
    public string Optimizer { get; init; } = DefaultOptimizer;
    public float? LearningRate { get; init; }   // null: the optimizer's default (Adam: DefaultLearningRate)
    public string Schedule { get; init; } = "cosine";
    public float WeightDecay { get; init; }
    public ulong Seed { get; init; } = 1;
    public string Validation { get; init; } = "0.1";
    public int? EvaluationSamples { get; init; }
    public string Loss { get; init; } = "auto";
    public string? Init { get; init; }
    public string? Augment { get; init; } = "shift";
    public int? PerClass { get; init; }          // train on this many images of each class only (learning from little data)

    public const string DefaultOptimizer = "adam";

    /// <summary>The rate when none is given: 0.002 for Adam (the recipe above); other optimizers keep their own default.</summary>
    public float? EffectiveLearningRate => LearningRate ?? (Optimizer == DefaultOptimizer ? 0.002f : null);

    /// <summary>The keys a config file may set, mapped onto the settings.</summary>
    public TrainSettings WithConfig(JsonObject config, string source)
    {
        var s = this;
        foreach (var (key, value) in config)
        {
            if (key.StartsWith('_'))
                continue;                            // metadata, e.g. the "_search" score that `cortex search` records
            string text = value?.ToString() ?? "";
            s = key switch
            {
                "model" => s with { Model = text },
                "data" => s with { Data = text },
                "epochs" => s with { Epochs = Int(key, text) },
                "batch_size" => s with { BatchSize = Int(key, text) },
                "optimizer" => s with { Optimizer = text },
                "lr" => s with { LearningRate = Float(key, text) },
                "schedule" => s with { Schedule = text },
                "weight_decay" => s with { WeightDecay = Float(key, text) },
                "seed" => s with { Seed = ulong.Parse(text, CultureInfo.InvariantCulture) },
                "validation" => s with { Validation = text },
                "loss" => s with { Loss = text },
                "init" => s with { Init = text },
                "augment" => s with { Augment = text },
                "per_class" => s with { PerClass = Int(key, text) },
                _ => throw new FormatException($"{source}: unknown setting '{key}'. Known: model, data, epochs, batch_size, optimizer, lr, schedule, weight_decay, seed, validation, loss, init, augment, per_class."),
            };
        }
        return s;

        int Int(string key, string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"{source}: '{key}' must be an integer, got '{text}'.");
        float Float(string key, string text) => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v)
            ? v : throw new FormatException($"{source}: '{key}' must be a number, got '{text}'.");
    }

    /// <summary>The settings as a JSON object (the format `--config` reads).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["model"] = Model,
            ["data"] = Data,
            ["epochs"] = Epochs,
            ["batch_size"] = BatchSize,
            ["optimizer"] = Optimizer,
            ["schedule"] = Schedule,
            ["weight_decay"] = WeightDecay,
            ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
            ["validation"] = Validation,
            ["loss"] = Loss,
        };
        if (LearningRate is { } lr)
            json["lr"] = lr;
        if (Init is not null)
            json["init"] = Init;
        if (Augment is not null)
            json["augment"] = Augment;
        if (PerClass is { } perClass)
            json["per_class"] = perClass;
        return json;
    }
}

/// <summary>The command-line options that fill <see cref="TrainSettings"/>, shared by train, cv and search.</summary>
internal sealed class TrainOptions
{
    public Option<string> Model { get; } = new("--model", "-m") { Description = "Zoo model to train (see `cortex summary --list`)." };
    public Option<string> Data { get; } = new("--data", "-d") { Description = "digits (shipped), fashion-mnist, mnist, cifar10, or a folder of IDX files / CIFAR batches / class sub-folders." };
    public Option<int?> Epochs { get; } = new("--epochs", "-e") { Description = "Passes over the training set." };
    public Option<int?> BatchSize { get; } = new("--batch-size", "-b") { Description = "Samples per mini-batch." };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "sgd, momentum[:μ], nesterov[:μ], adagrad, rmsprop, adam, adam:nobias (the slide's, no bias correction), adamw, adadelta." };
    public Option<float?> LearningRate { get; } = new("--lr") { Description = "Initial learning rate (default: 0.002 for the default Adam, else the optimizer's own default)." };
    public Option<string> Schedule { get; } = new("--schedule") { Description = "constant, step:S[,G], exp:K, inv:K, cosine[:MIN], plateau[:P[,F]], warmup:W+SCHEDULE." };
    public Option<float?> WeightDecay { get; } = new("--weight-decay") { Description = "L2 weight decay added to the gradients (λ·w)." };
    public Option<ulong?> Seed { get; } = new("--seed") { Description = "Seed for weights, shuffling and sampling: same seed, same numbers." };
    public Option<string> Validation { get; } = new("--validation") { Description = "Fraction of the training set held out for validation (0 = none), or 'test' to validate on the test set as the lectures do. An image folder with its own validation/ uses that for any fraction above 0." };
    public Option<int?> EvaluationSamples { get; } = new("--eval-samples") { Description = "Validate each epoch on only this many samples (the lectures' evaluate_sample_num_per_epoch)." };
    public Option<string> Loss { get; } = new("--loss") { Description = "auto (softmax, or bce for one output), softmax, svm, bce." };
    public Option<string> Init { get; } = new("--init") { Description = "Weight initializer for models that take one (he, xavier, normal:0.01, ...)." };
    public Option<string> Augment { get; } = new("--augment") { Description = $"Augment the training images (default: shift): {string.Join(", ", Cortex.Data.Transforms.Augmentations.Names)}, or several joined by '+'." };
    public Option<int?> PerClass { get; } = new("--per-class") { Description = "Train on only this many images of each class (drawn with the seed; the test set stays whole)." };
    public Option<string> Config { get; } = new("--config") { Description = "JSON file of settings (as `cortex search` writes); command-line options override it." };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads for the kernels (default: all cores)." };

    /// <summary>Adds every option to <paramref name="command"/>; without --model when <paramref name="model"/> is false (finetune's base is an argument).</summary>
    public void AddTo(Command command, bool model = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (model)
            command.Options.Add(Model);
        foreach (Option option in new Option[] { Data, Epochs, BatchSize, Optimizer, LearningRate, Schedule, WeightDecay, Seed, Validation, EvaluationSamples, Loss, Init, Augment, PerClass, Config, Threads })
            command.Options.Add(option);
    }

    /// <summary>Defaults, then the config file, then what the command line says.</summary>
    public TrainSettings Read(ParseResult result, TrainSettings? defaults = null)
    {
        var s = defaults ?? new TrainSettings();
        if (result.GetValue(Config) is { } path)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"--config: no file at '{path}'.", path);
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new FormatException($"{path}: expected a JSON object of settings.");
            s = s.WithConfig(node, path);
        }
        if (result.GetValue(Threads) is { } threads)
            Kernels.Parallelism.MaxDegree = threads;
        return s with
        {
            Model = result.GetValue(Model) ?? s.Model,
            Data = result.GetValue(Data) ?? s.Data,
            Epochs = result.GetValue(Epochs) ?? s.Epochs,
            BatchSize = result.GetValue(BatchSize) ?? s.BatchSize,
            Optimizer = result.GetValue(Optimizer) ?? s.Optimizer,
            LearningRate = result.GetValue(LearningRate) ?? s.LearningRate,
            Schedule = result.GetValue(Schedule) ?? s.Schedule,
            WeightDecay = result.GetValue(WeightDecay) ?? s.WeightDecay,
            Seed = result.GetValue(Seed) ?? s.Seed,
            Validation = result.GetValue(Validation) ?? s.Validation,
            EvaluationSamples = result.GetValue(EvaluationSamples) ?? s.EvaluationSamples,
            Loss = result.GetValue(Loss) ?? s.Loss,
            Init = result.GetValue(Init) ?? s.Init,
            Augment = result.GetValue(Augment) ?? s.Augment,
            PerClass = result.GetValue(PerClass) ?? s.PerClass,
        };
    }
}
