// FeatureExtraction.cs — "fast feature extraction without data augmentation" (Chollet, "Deep
// Learning with Python", §5.3.1): when a model's body is frozen and its inputs are not augmented,
// the body maps each sample to the same features in every epoch, so run it once per sample, keep
// the features, and train only the head on them. An epoch then costs the head's forward and
// backward alone (for LeNet-5 with frozen convolutions, about a tenth of a full step).
//
//   model = stage₀ … stage_{k−1} | stage_k … stage_last       stages: the leaves of its chain of Sequentials
//           └─ body: no trainable parameter ─┘ └─ head ─┘      k: the first stage with one
//
// The body runs in inference mode, once per sample. That equals what the full model's training
// step computes for a frozen body made of convolutions, dense layers, activations, pooling and
// frozen batch norms (which use their running statistics either way); a Dropout inside the body is
// off here, as in Keras's conv_base.predict. The head then trains through the ordinary Trainer, on a
// FeatureDataset, with the same shuffling, loss and optimizer: the cached and uncached runs give the
// same head (FeatureExtractionTests checks it).
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Transfer;

/// <summary>Caches a frozen body's features and trains the head on them.</summary>
/// <example><code>
/// FineTuning.Freeze(model, "features");
/// History h = FeatureExtraction.Fit(model, new SoftmaxCrossEntropy(), optimizer,
///                                   new TrainerOptions { Epochs = 20, Seed = 1 }, train, validation);
/// </code></example>
public static class FeatureExtraction
{
    /// <summary>
    /// Splits <paramref name="model"/> into its frozen body and the rest, along the chain of its
    /// nested <see cref="Sequential"/>s; null when the first stage is trainable already (nothing to cache).
    /// </summary>
    /// <exception cref="ArgumentException">Nothing in the model is trainable.</exception>
    public static (Layer Body, Layer Head)? Split(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stages = Stages(model).ToList();
        int k = stages.FindIndex(s => s.HasTrainableParameters());
        if (k < 0)
            throw new ArgumentException($"FeatureExtraction: every parameter of {model.Describe()} is frozen; unfreeze the head before training it.", nameof(model));
        if (k == 0)
            return null;
        return (new LayerChain("body", stages.GetRange(0, k)), new LayerChain("head", stages.GetRange(k, stages.Count - k)));
    }

    /// <summary>
    /// Runs <paramref name="body"/> in inference mode over every sample of <paramref name="data"/> (in
    /// batches of <paramref name="batchSize"/>) and keeps the outputs with the labels.
    /// </summary>
    public static FeatureDataset Extract(Layer body, IDataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var featureShape = body.OutputShape(new Shape([1, .. data.SampleShape.Dimensions]));
        var sample = new Shape(featureShape.Dimensions[1..]);
        var features = new Tensor(new Shape([data.Count, .. sample.Dimensions]));
        var labels = new int[data.Count];
        int size = sample.Size;
        Tensor? images = null;
        var indices = new int[Math.Min(batchSize, Math.Max(data.Count, 1))];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            if (images is null || images.Shape[0] != n)
                images = new Tensor(new Shape([n, .. data.SampleShape.Dimensions]));
            for (int i = 0; i < n; i++)
                indices[i] = start + i;
            data.CopyBatch(indices.AsSpan(0, n), images, labels.AsSpan(start, n));
            var y = body.Forward(images, training: false);
            y.Span.CopyTo(features.Span.Slice(start * size, n * size));
        }
        return new FeatureDataset(features, labels, data.NumClasses);
    }

    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/> like <see cref="Trainer.Fit(IDataset, IDataset?, CancellationToken)"/>, but
    /// with its frozen body's features computed once (<see cref="Split"/>, <see cref="Extract"/>): only
    /// the head runs per batch. With nothing frozen at the front it is an ordinary Fit. The optimizer
    /// may hold the whole model's parameters (frozen ones are skipped).
    /// </summary>
    /// <param name="model">The whole model; its leading frozen stages are the body.</param>
    /// <param name="loss">The loss, as for <see cref="Trainer"/>.</param>
    /// <param name="optimizer">The optimizer, as for <see cref="Trainer"/>.</param>
    /// <param name="options">Epochs, batch size, seed…; <see cref="TrainerOptions.EvaluationBatchSize"/> is also the extraction batch.</param>
    /// <param name="train">The training set (not augmented: its samples must be the same every epoch).</param>
    /// <param name="validation">The validation set, or null.</param>
    /// <param name="schedule">A learning-rate schedule, or null.</param>
    /// <param name="callbacks">Added to the head's trainer; they see the head as the context's model.</param>
    /// <param name="cancellation">Stops training between batches.</param>
    public static History Fit(Layer model, Loss loss, Optimizer optimizer, TrainerOptions options, IDataset train, IDataset? validation = null,
        ILearningRateSchedule? schedule = null, IEnumerable<TrainingCallback>? callbacks = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var split = Split(model);
        ArgumentNullException.ThrowIfNull(options);
        Layer trained = model;
        IDataset trainSet = train;
        IDataset? validationSet = validation;
        if (split is var (body, head))
        {
            trained = head;
            trainSet = Extract(body, train, options.EvaluationBatchSize);
            validationSet = validation is null ? null : Extract(body, validation, options.EvaluationBatchSize);
        }
        var trainer = new Trainer(trained, loss, optimizer, options) { Schedule = schedule };
        foreach (var callback in callbacks ?? [])
            trainer.Callbacks.Add(callback);
        try
        {
            return trainer.Fit(trainSet, validationSet, cancellation);
        }
        finally
        {
            (trained as LayerChain)?.Detach();
        }
    }

    // The leaves of the model's chain: a Sequential is opened up, anything else is one stage.
    private static IEnumerable<Layer> Stages(Layer layer)
    {
        if (layer is Sequential sequential)
        {
            for (int i = 0; i < sequential.Count; i++)
            {
                foreach (var stage in Stages(sequential[i]))
                    yield return stage;
            }
        }
        else
        {
            yield return layer;
        }
    }
}
