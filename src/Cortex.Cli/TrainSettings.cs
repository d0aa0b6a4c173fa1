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
    public string? Divergence { get; init; }     // --divergence: null is the trainer's rule (1000:10), "off" none

    public const string DefaultOptimizer = "adam";

    // Limits on what the data and the model may ask for (--max-*); not part of the JSON config.
    public Models.ModelLimits ModelLimits { get; init; } = Models.ModelLimits.Default;
    public long MaxImagePixels { get; init; } = Cortex.Data.Images.ImageDecoder.DefaultMaxPixels;
    public long MaxIdxElements { get; init; } = Cortex.Data.Idx.IdxReader.DefaultMaxElements;

    /// <summary>The largest --batch-size accepted (2^20); a batch past the training set's size is taken whole, with a warning.</summary>
    public const int MaxBatchSize = 1 << 20;

    /// <summary>The most epochs accepted.</summary>
    public const int MaxEpochs = 1_000_000;

    /// <summary>Refuses settings no run can use, before any data is loaded; the message names the option.</summary>
    public void Validate()
    {
        if (Epochs is < 1 or > MaxEpochs)
            throw new ArgumentException($"--epochs: expected 1 to {MaxEpochs}, got {Epochs}.");
        if (BatchSize is < 1 or > MaxBatchSize)
            throw new ArgumentException($"--batch-size: expected 1 to {MaxBatchSize}, got {BatchSize}.");
        if (LearningRate is { } lr && !(lr > 0 && float.IsFinite(lr)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--lr: expected a positive finite rate, got {lr}."));
        if (!(WeightDecay >= 0 && float.IsFinite(WeightDecay)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--weight-decay: expected a finite value ≥ 0, got {WeightDecay}."));
        if (EvaluationSamples is < 1)
            throw new ArgumentException($"--eval-samples: expected at least 1, got {EvaluationSamples}.");
        _ = DivergenceRule;
    }

    /// <summary>
    /// The divergence check --divergence asks for: <c>FACTOR[:PATIENCE]</c> (stop when the batch loss stays above
    /// FACTOR × max(first loss, 1) for PATIENCE batches in a row; default 1000:10) or <c>off</c> (Factor null).
    /// </summary>
    public (double? Factor, int Patience) DivergenceRule
    {
        get
        {
            var defaults = new Training.TrainerOptions();
            if (Divergence is null)
                return (defaults.DivergenceFactor, defaults.DivergencePatience);
            string text = Divergence.Trim();
            if (text.Equals("off", StringComparison.OrdinalIgnoreCase) || text.Equals("none", StringComparison.OrdinalIgnoreCase))
                return (null, defaults.DivergencePatience);
            string[] parts = text.Split(':');
            if (parts.Length > 2 ||
                !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double factor) || !(factor > 1 && double.IsFinite(factor)) ||
                !(parts.Length == 1 || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p >= 1))
                throw new ArgumentException($"--divergence: expected FACTOR[:PATIENCE] with FACTOR > 1 and PATIENCE ≥ 1 (default 1000:10), or 'off', got '{Divergence}'.");
            return (factor, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : defaults.DivergencePatience);
        }
    }

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
            if (value is JsonObject or JsonArray)
                throw new FormatException($"{source}: '{key}' must be a string or a number, got {(value is JsonObject ? "an object" : "an array")}.");
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
                "seed" => s with { Seed = ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : throw new FormatException($"{source}: 'seed' must be an integer from 0 to {ulong.MaxValue}, got '{text}'.") },
                "validation" => s with { Validation = text },
                "eval_samples" => s with { EvaluationSamples = Int(key, text) },
                "loss" => s with { Loss = text },
                "init" => s with { Init = text },
                "augment" => s with { Augment = text },
                "per_class" => s with { PerClass = Int(key, text) },
                "divergence" => s with { Divergence = text },
                _ => throw new FormatException($"{source}: unknown setting '{key}'. Known: model, data, epochs, batch_size, optimizer, lr, schedule, weight_decay, seed, validation, eval_samples, loss, init, augment, per_class, divergence."),
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
        if (EvaluationSamples is { } samples)
            json["eval_samples"] = samples;
        if (Init is not null)
            json["init"] = Init;
        if (Augment is not null)
            json["augment"] = Augment;
        if (PerClass is { } perClass)
            json["per_class"] = perClass;
        if (Divergence is not null)
            json["divergence"] = Divergence;
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
    public Option<string> Divergence { get; } = new("--divergence") { Description = "Stop as diverged when the batch loss stays above FACTOR × its first value for PATIENCE batches: FACTOR[:PATIENCE] (default 1000:10), or 'off'." };
    public Option<string> Config { get; } = new("--config") { Description = "JSON file of settings (as `cortex search` writes); command-line options override it." };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads for the kernels (default: all cores)." };
    public LimitOptions Limits { get; } = new();

    /// <summary>The largest --config file read: 1 MiB (a settings file is a few hundred bytes).</summary>
    public const int MaxConfigBytes = 1 << 20;

    /// <summary>The most --threads accepted.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Adds every option to <paramref name="command"/>; without --model when <paramref name="model"/> is false (finetune's base is an argument).</summary>
    public void AddTo(Command command, bool model = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (model)
            command.Options.Add(Model);
        foreach (Option option in new Option[] { Data, Epochs, BatchSize, Optimizer, LearningRate, Schedule, WeightDecay, Seed, Validation, EvaluationSamples, Loss, Init, Augment, PerClass, Divergence, Config, Threads })
            command.Options.Add(option);
        Limits.AddTo(command);
    }

    /// <summary>Reads a --config file: a JSON object of at most <see cref="MaxConfigBytes"/>; every fault names the file.</summary>
    public static JsonObject ReadConfig(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"--config: no file at '{path}'.", path);
        long length = new FileInfo(path).Length;
        if (length > MaxConfigBytes)
            throw new FormatException($"{path}: a settings file of {length} bytes; expected at most {MaxConfigBytes} (a JSON object such as {{\"epochs\": 3}}).");
        return ParseConfig(File.ReadAllText(path), path);
    }

    /// <summary>Parses the text of a settings file; <paramref name="path"/> names it in errors (<see cref="FormatException"/>).</summary>
    public static JsonObject ParseConfig(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
            throw new FormatException($"{path}: the settings file is empty; expected a JSON object such as {{\"epochs\": 3}}.");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"{path}: not valid JSON ({CliConsole.OneLine(e)}); expected an object such as {{\"epochs\": 3}}.", e);
        }
        return node as JsonObject ?? throw new FormatException($"{path}: expected a JSON object of settings, got {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}.");
    }

    /// <summary>Defaults, then the config file, then what the command line says; checked before any data is loaded.</summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="defaults">The command's own defaults.</param>
    /// <param name="warn">Receives warnings about options that are accepted but probably not what was meant.</param>
    public TrainSettings Read(ParseResult result, TrainSettings? defaults = null, Action<string>? warn = null)
    {
        var s = defaults ?? new TrainSettings();
        if (result.GetValue(Config) is { } path)
            s = s.WithConfig(ReadConfig(path), path);
        if (result.GetValue(Threads) is { } threads)
        {
            if (threads is < 1 or > MaxThreads)
                throw new ArgumentException($"--threads: expected 1 to {MaxThreads}, got {threads}.");
            if (threads > Environment.ProcessorCount)
                warn?.Invoke($"--threads {threads} is more than the {Environment.ProcessorCount} cores here; the extra threads only wait for each other (expect it to be slower, not faster).");
            Kernels.Parallelism.MaxDegree = threads;
        }
        var settings = Merge(result, s);
        settings.Validate();
        if (settings.Init is not null)
            CheckInit(settings);
        return settings;
    }

    // --init on a model whose builder never reads it is refused here, before the data is loaded: the model is
    // built once at its small input (zoo default classes) to see which options its builder reads.
    private static void CheckInit(TrainSettings settings)
    {
        var info = Models.ModelZoo.Find(settings.Model);
        var probe = Models.ModelZoo.Spec(info.Name, null, info.QuickInput, new Dictionary<string, string> { ["init"] = settings.Init! });
        Models.ModelZoo.Create(probe, settings.ModelLimits, out var unused);
        ModelArguments.CheckUnused(probe, unused);
    }

    private TrainSettings Merge(ParseResult result, TrainSettings s)
    {
        return s with
        {
            ModelLimits = Limits.Model(result),
            MaxImagePixels = Limits.ImagePixels(result),
            MaxIdxElements = Limits.IdxElements(result),
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
            Divergence = result.GetValue(Divergence) ?? s.Divergence,
        };
    }
}
