// CrossValidation.cs — runs K-fold cross-validation: for every fold, a fresh trainer (model,
// loss, optimizer, options) from the caller's factory is fitted on the other folds and scored on
// this one; the result reports each fold and the mean and standard deviation of validation
// accuracy. The standard deviation is the population one over the K folds (numpy's np.std).
// An optional view wraps each training part (say, in an AugmentedDataset); disposable views are
// disposed after their fold.
using Cortex.Training;

namespace Cortex.Data.Validation;

/// <summary>One fold's outcome.</summary>
public sealed record FoldResult(int Fold, int TrainCount, int ValidationCount, double ValidationAccuracy, double ValidationLoss, History History);

/// <summary>The folds' outcomes and their summary.</summary>
public sealed record CrossValidationResult(IReadOnlyList<FoldResult> Folds)
{
    /// <summary>Mean validation accuracy over the folds.</summary>
    public double MeanAccuracy => Folds.Average(f => f.ValidationAccuracy);

    /// <summary>Population standard deviation of the validation accuracy over the folds.</summary>
    public double StdAccuracy
    {
        get
        {
            double mean = MeanAccuracy;
            return Math.Sqrt(Folds.Average(f => (f.ValidationAccuracy - mean) * (f.ValidationAccuracy - mean)));
        }
    }

    /// <summary>Mean validation loss over the folds.</summary>
    public double MeanLoss => Folds.Average(f => f.ValidationLoss);
}

/// <summary>K-fold cross-validation of a model recipe.</summary>
/// <example><code>
/// var result = CrossValidation.Run(data.Train, folds: 5, seed: 1, fold =>
/// {
///     var model = ModelZoo.Create("lenet5");
///     return new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters(), 1e-3f), new TrainerOptions { Epochs = 3 });
/// });
/// Console.WriteLine($"{result.MeanAccuracy:P1} ± {result.StdAccuracy:P1}");
/// </code></example>
public static class CrossValidation
{
    /// <summary>
    /// Trains a trainer from <paramref name="createTrainer"/> (given the fold number) on each of <paramref name="folds"/>
    /// training parts of <paramref name="data"/> and scores it on the held-out part.
    /// </summary>
    /// <param name="data">All data available for training (not the test set).</param>
    /// <param name="folds">K, at least 2.</param>
    /// <param name="seed">Seed of the partition.</param>
    /// <param name="createTrainer">Builds a fresh model, optimizer and trainer for a fold.</param>
    /// <param name="stratified">Keep class proportions in every fold.</param>
    /// <param name="trainView">Wraps a fold's training part (e.g. augmentation); null trains on it as is.</param>
    /// <param name="progress">Told as each fold finishes.</param>
    /// <param name="cancellation">Stops between and inside folds.</param>
    public static CrossValidationResult Run(
        ImageDataset data, int folds, ulong seed, Func<int, Trainer> createTrainer,
        bool stratified = true, Func<ImageDataset, IDataset>? trainView = null, IProgress<FoldResult>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(createTrainer);
        var partition = KFold.Split(data.Count, folds, seed, stratified ? data.Labels : default);
        var results = new List<FoldResult>(folds);
        foreach (var fold in partition)
        {
            cancellation.ThrowIfCancellationRequested();
            var train = data.Subset(fold.Train, $"{data.Name}/fold{fold.Index}-train");
            var validation = data.Subset(fold.Validation, $"{data.Name}/fold{fold.Index}-validation");
            var trainer = createTrainer(fold.Index)
                ?? throw new InvalidOperationException($"CrossValidation: the trainer factory returned null for fold {fold.Index}.");
            var view = trainView?.Invoke(train) ?? train;
            try
            {
                var history = trainer.Fit(view, null, cancellation);
                var score = trainer.Evaluate(validation);
                var result = new FoldResult(fold.Index, train.Count, validation.Count, score.Accuracy, score.Loss, history);
                results.Add(result);
                progress?.Report(result);
            }
            finally
            {
                if (!ReferenceEquals(view, train))
                    (view as IDisposable)?.Dispose();
            }
        }
        return new CrossValidationResult(results);
    }
}
