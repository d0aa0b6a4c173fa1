// LinearClassifier.cs — the lectures' linear score function and its two losses:
//
//   f(x, W) = W·x + b      x: (D) a flattened image   W: (K, D)   b: (K)   scores: (K)
//   batch form  S = X·Wᵀ + b,  X: (N, D) → S: (N, K)   (a Dense layer: PyTorch's nn.Linear layout)
//   L = (1/N) Σ_i L_i(S_i, y_i) + λ R(W)
//     multiclass SVM  L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1)          (MulticlassSvm)
//     softmax         L_i = −log(e^{s_{y_i}} / Σ_j e^{s_j})               (SoftmaxCrossEntropy)
//     R(W) = Σ W²  (L2, no ½, as DESIGN.md's convention)  or  Σ |W|  (L1)
//
// The bias trick (an option): append a constant 1 to every x and fold b into W as its last column,
// so f(x, W) = W·[x; 1] and W is (K, D + 1). Then b is regularized along with W, as in the lecture's
// version of the trick; without it b is a separate, unregularized parameter.
//
// Training is the Trainer's: mini-batch SGD (or any Cortex optimizer), shuffled every epoch, any
// learning-rate schedule, the regularizer added to loss and gradients, callbacks for progress; the
// loss history is the returned History. The optional mean image (Preprocessing.MeanImage of the
// training set) is subtracted inside Scores/Predict/Fit and saved with the model.
//
// Initialisation: W ~ 0.001·N(0, 1), b = 0 (cs231n's linear classifier).
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Serialization;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Classic;

/// <summary>The data loss of a <see cref="LinearClassifier"/>.</summary>
public enum LinearLoss
{
    /// <summary>The multiclass SVM (hinge) loss with margin 1.</summary>
    Svm,

    /// <summary>Softmax cross-entropy.</summary>
    Softmax,
}

/// <summary>The weight penalty R(W) of a <see cref="LinearClassifier"/>.</summary>
public enum Regularization
{
    /// <summary>λ Σ W².</summary>
    L2,

    /// <summary>λ Σ |W|.</summary>
    L1,
}

/// <summary>How <see cref="LinearClassifier.Fit"/> trains.</summary>
public sealed record LinearTrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Samples per mini-batch (cs231n: 200).</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>The optimizer's name for <see cref="OptimizerCatalog"/> (<c>sgd</c>, <c>momentum:0.9</c>, <c>adam</c>, <c>adam:nobias</c>…).</summary>
    public string Optimizer { get; init; } = "sgd";

    /// <summary>The learning rate; null takes <see cref="OptimizerCatalog"/>'s default for the rule.</summary>
    public float? LearningRate { get; init; } = 0.1f;

    /// <summary>A schedule for <see cref="ScheduleCatalog.Parse"/> (<c>constant</c>, <c>step:10:0.5</c>, <c>cosine</c>…).</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary>λ, the regularization strength (≥ 0).</summary>
    public float RegularizationStrength { get; init; } = 1e-4f;

    /// <summary>L2 (default) or L1.</summary>
    public Regularization Regularization { get; init; } = Regularization.L2;

    /// <summary>Seed of the shuffling order.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// A linear classifier f(x) = W·x + b trained with the multiclass SVM or softmax loss and L2/L1
/// regularization by mini-batch gradient descent. W is (classes × features): row c, reshaped to the
/// image, is class c's template.
/// </summary>
/// <example><code>
/// var model = new LinearClassifier(train.SampleShape, classes: 10, LinearLoss.Softmax) { Mean = Preprocessing.MeanImage(train.Images) };
/// History history = model.Fit(train.Images, train.Labels, new LinearTrainingOptions { LearningRate = 0.1f, RegularizationStrength = 1e-4f });
/// double accuracy = model.Accuracy(test.Images, test.Labels);
/// </code></example>
public sealed class LinearClassifier
{
    private Tensor? _mean;

    /// <summary>Creates a classifier for samples of <paramref name="sampleShape"/> (e.g. (1, 28, 28)) and <paramref name="classes"/> classes.</summary>
    /// <param name="sampleShape">One sample's shape; its size is D.</param>
    /// <param name="classes">K ≥ 2.</param>
    /// <param name="loss">SVM or softmax.</param>
    /// <param name="biasTrick">Fold b into W as an extra column of a constant-1 feature.</param>
    /// <param name="random">The draws of W (default <see cref="CortexRandom.Global"/>).</param>
    public LinearClassifier(Shape sampleShape, int classes, LinearLoss loss = LinearLoss.Softmax, bool biasTrick = false, CortexRandom? random = null)
    {
        if (sampleShape.Rank == 0 || sampleShape.Size < 1)
            throw new ArgumentException($"LinearClassifier: expected a sample shape with at least one value, got {sampleShape}.", nameof(sampleShape));
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), $"LinearClassifier: expected at least 2 classes, got {classes}.");
        if (!Enum.IsDefined(loss))
            throw new ArgumentOutOfRangeException(nameof(loss), $"LinearClassifier: expected loss Svm or Softmax, got {loss}.");
        SampleShape = sampleShape;
        Classes = classes;
        LossKind = loss;
        BiasTrick = biasTrick;
        Features = sampleShape.Size + (biasTrick ? 1 : 0);
        Layer = new Dense(Features, classes, bias: !biasTrick, random: random, weightInit: Init.Normal(1e-3f), name: "linear");
    }

    /// <summary>One sample's shape.</summary>
    public Shape SampleShape { get; }

    /// <summary>K, the number of classes.</summary>
    public int Classes { get; }

    /// <summary>The loss trained with.</summary>
    public LinearLoss LossKind { get; }

    /// <summary>Whether b lives in W's last column (a constant-1 feature is appended to every x).</summary>
    public bool BiasTrick { get; }

    /// <summary>W's columns: D, or D + 1 with the bias trick.</summary>
    public int Features { get; }

    /// <summary>The layer holding W (<c>weight</c>, (K, Features)) and b (<c>bias</c>, (K), absent with the bias trick).</summary>
    public Dense Layer { get; }

    /// <summary>W, (K, Features).</summary>
    public Parameter Weight => Layer.Weight;

    /// <summary>b, (K); null with the bias trick (b is then W's last column).</summary>
    public Parameter? Bias => Layer.Bias;

    /// <summary>The mean image subtracted from every sample before scoring (null: none); shaped like a sample.</summary>
    public Tensor? Mean
    {
        get => _mean;
        set
        {
            if (value is not null && value.Size != SampleShape.Size)
                throw new ArgumentException($"LinearClassifier: expected a mean image of {SampleShape.Size} values ({SampleShape}), got {value.Shape}.", nameof(value));
            _mean = value;
        }
    }

    /// <summary>The loss object for <see cref="LossKind"/>.</summary>
    public Loss CreateLoss() => LossKind == LinearLoss.Svm ? new MulticlassSvm() : new SoftmaxCrossEntropy();

    /// <summary>
    /// Trains on <paramref name="samples"/> (N, …) with <paramref name="labels"/>, evaluating on the
    /// validation set after each epoch when one is given; returns the per-epoch history (loss, accuracy, learning rate).
    /// </summary>
    /// <param name="samples">Training samples, shaped (N, ..SampleShape).</param>
    /// <param name="labels">N labels in [0, K).</param>
    /// <param name="options">Epochs, batch size, optimizer, rate, schedule, regularization.</param>
    /// <param name="validation">Optional validation samples and labels.</param>
    /// <param name="callbacks">Trainer callbacks (progress bars, early stopping).</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite (learning rate too high).</exception>
    public History Fit(Tensor samples, ReadOnlySpan<int> labels, LinearTrainingOptions? options = null,
        (Tensor Samples, int[] Labels)? validation = null, IEnumerable<TrainingCallback>? callbacks = null)
    {
        options ??= new LinearTrainingOptions();
        var train = FeatureRows(samples, labels, "training samples");
        var check = validation is { } v ? FeatureRows(v.Samples, v.Labels, "validation samples") : null;
        var optimizer = OptimizerCatalog.Create(options.Optimizer, Layer.Parameters, options.LearningRate);
        var regularizer = options.Regularization == Regularization.L1
            ? (Regularizer)Regularizer.L1(options.RegularizationStrength)
            : Regularizer.L2(options.RegularizationStrength);
        var trainer = new Trainer(Layer, CreateLoss(), optimizer, new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            Regularizer = options.RegularizationStrength > 0 ? regularizer : null,
            EvaluationBatchSize = 1024,
        })
        { Schedule = ScheduleCatalog.Parse(options.Schedule, options.Epochs) };
        foreach (var callback in callbacks ?? [])
            trainer.Callbacks.Add(callback);
        return trainer.Fit(train, check);
    }

    /// <summary>The scores S = X·Wᵀ + b, (N, K), of samples (N, ..SampleShape).</summary>
    public Tensor Scores(Tensor samples)
    {
        var x = FeatureRows(samples, default, "samples");
        var scores = new Tensor(x.Count, Classes);
        for (int start = 0; start < x.Count; start += 1024)
        {
            int count = Math.Min(1024, x.Count - start);
            Layer.Forward(x.Values.SliceBatch(start, count), training: false).Span.CopyTo(scores.Span.Slice(start * Classes, count * Classes));
        }
        return scores;
    }

    /// <summary>The predicted class (the highest score) of every sample.</summary>
    public int[] Predict(Tensor samples)
    {
        var x = FeatureRows(samples, default, "samples");
        return Trainer.Predict(Layer, x.Values, 1024);
    }

    /// <summary>The fraction of <paramref name="samples"/> whose prediction equals its label.</summary>
    public double Accuracy(Tensor samples, ReadOnlySpan<int> labels)
    {
        var predicted = Predict(samples);
        if (labels.Length != predicted.Length)
            throw new ArgumentException($"LinearClassifier: expected one label per sample ({predicted.Length}), got {labels.Length}.", nameof(labels));
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++)
            correct += predicted[i] == labels[i] ? 1 : 0;
        return (double)correct / predicted.Length;
    }

    /// <summary>The class templates: W's rows without the bias column, (K, ..SampleShape).</summary>
    public Tensor Templates()
    {
        int d = SampleShape.Size;
        var dims = new int[SampleShape.Rank + 1];
        dims[0] = Classes;
        for (int a = 0; a < SampleShape.Rank; a++)
            dims[a + 1] = SampleShape[a];
        var templates = new Tensor(new Shape(dims));
        for (int c = 0; c < Classes; c++)
            Weight.Value.Span.Slice(c * Features, d).CopyTo(templates.Span.Slice(c * d, d));
        return templates;
    }

    /// <summary>Writes W, b and the mean image as safetensors, with the loss, classes and shape in the metadata.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tensors = new List<(string, Tensor)> { ("weight", Weight.Value) };
        if (Bias is { } b)
            tensors.Add(("bias", b.Value));
        if (Mean is { } mean)
            tensors.Add(("mean", mean));
        var metadata = new Dictionary<string, string>
        {
            ["cortex.classifier"] = "linear",
            ["loss"] = LossKind == LinearLoss.Svm ? "svm" : "softmax",
            ["bias_trick"] = BiasTrick ? "true" : "false",
            ["classes"] = Classes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sample_shape"] = string.Join(",", Enumerable.Range(0, SampleShape.Rank).Select(a => SampleShape[a].ToString(System.Globalization.CultureInfo.InvariantCulture))),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Reads a classifier written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a linear classifier or its tensors do not fit its metadata.</exception>
    public static LinearClassifier Load(string path)
    {
        var content = SafeTensors.Load(path);
        var meta = content.Metadata;
        if (!meta.TryGetValue("cortex.classifier", out string? kind) || kind != "linear"
            || !meta.TryGetValue("sample_shape", out string? shapeText) || !meta.TryGetValue("classes", out string? classesText))
            throw new InvalidDataException($"LinearClassifier: '{path}' is not a linear classifier file (no cortex.classifier = linear metadata). Write one with `cortex linear --save`.");
        var shape = new Shape([.. shapeText.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]);
        var model = new LinearClassifier(shape, int.Parse(classesText, System.Globalization.CultureInfo.InvariantCulture),
            meta.GetValueOrDefault("loss") == "svm" ? LinearLoss.Svm : LinearLoss.Softmax, meta.GetValueOrDefault("bias_trick") == "true");
        Copy(Read("weight"), model.Weight.Value, "weight");
        if (model.Bias is { } bias)
            Copy(Read("bias"), bias.Value, "bias");
        if (content.Tensors.Any(t => t.Key == "mean"))
            model.Mean = content["mean"].Clone();
        return model;

        Tensor Read(string name) => content.Tensors.FirstOrDefault(t => t.Key == name).Value
            ?? throw new InvalidDataException($"LinearClassifier: '{path}' has no tensor '{name}'.");

        void Copy(Tensor from, Tensor to, string name)
        {
            if (from.Size != to.Size)
                throw new InvalidDataException($"LinearClassifier: '{path}': expected {name} of {to.Shape}, got {from.Shape}.");
            from.Span.CopyTo(to.Span);
        }
    }

    // X as the layer sees it: (N, Features), the mean subtracted and the constant 1 appended as asked.
    private FeatureDataset FeatureRows(Tensor samples, ReadOnlySpan<int> labels, string what)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int d = SampleShape.Size;
        int n = samples.Rank == 0 ? 0 : samples.Shape[0];
        if (n == 0 || samples.Size != n * d)
            throw new ArgumentException($"LinearClassifier: expected {what} (N, {SampleShape}) of {d} values each, got {samples.Shape}.", nameof(samples));
        if (!labels.IsEmpty && labels.Length != n)
            throw new ArgumentException($"LinearClassifier: expected one label per sample ({n}), got {labels.Length}.", nameof(labels));
        var x = new Tensor(n, Features);
        var source = samples.Span;
        var target = x.Span;
        for (int i = 0; i < n; i++)
        {
            var row = target.Slice(i * Features, Features);
            if (_mean is null)
                source.Slice(i * d, d).CopyTo(row);
            else
                System.Numerics.Tensors.TensorPrimitives.Subtract(source.Slice(i * d, d), _mean.Span, row[..d]);
            if (BiasTrick)
                row[d] = 1f;
        }
        return new FeatureDataset(x, labels.ToArray(), Classes);
    }

    /// <summary>Feature rows (N, D) and labels as an <see cref="IDataset"/> for the Trainer.</summary>
    private sealed class FeatureDataset(Tensor values, int[] labels, int classes) : IDataset
    {
        public Tensor Values { get; } = values;
        public int Count => Values.Shape[0];
        public Shape SampleShape => new(Values.Shape[1]);
        public int NumClasses => classes;

        public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> batchLabels)
        {
            int d = Values.Shape[1];
            var source = Values.Span;
            var target = images.Span;
            for (int i = 0; i < indices.Length; i++)
            {
                source.Slice(indices[i] * d, d).CopyTo(target.Slice(i * d, d));
                batchLabels[i] = labels[indices[i]];
            }
        }
    }
}
