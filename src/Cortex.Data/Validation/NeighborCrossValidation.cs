// NeighborCrossValidation.cs — choosing k for k-NN by K-fold cross-validation, as the lectures do
// (their plot: accuracy against k, one dot per fold, the mean with error bars). Each fold is one
// neighbour search of its validation part against the other K − 1 parts for the largest k asked;
// every smaller k is a vote over the first k of those neighbours, so ten values of k cost one search.
// Folds come from KFold (stratified by default). The test set is not touched.
using Cortex.Classic;

namespace Cortex.Data.Validation;

/// <summary>Validation accuracy of every k on every fold.</summary>
/// <param name="Ks">The k values, in the order given.</param>
/// <param name="Accuracy">[fold, k index] validation accuracy.</param>
public sealed record NeighborCrossValidationResult(IReadOnlyList<int> Ks, double[,] Accuracy)
{
    /// <summary>Number of folds.</summary>
    public int Folds => Accuracy.GetLength(0);

    /// <summary>Mean accuracy of Ks[index] over the folds.</summary>
    public double Mean(int index) => Enumerable.Range(0, Folds).Average(f => Accuracy[f, index]);

    /// <summary>Population standard deviation of Ks[index]'s accuracy over the folds (as CrossValidationResult's).</summary>
    public double Std(int index)
    {
        double mean = Mean(index);
        return Math.Sqrt(Enumerable.Range(0, Folds).Average(f => (Accuracy[f, index] - mean) * (Accuracy[f, index] - mean)));
    }

    /// <summary>The k with the highest mean accuracy; a tie goes to the smaller k (the simpler vote).</summary>
    public int BestK
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Ks.Count; i++)
            {
                double m = Mean(i), b = Mean(best);
                if (m > b || (m == b && Ks[i] < Ks[best]))
                    best = i;
            }
            return Ks[best];
        }
    }
}

/// <summary>K-fold cross-validation of k for <see cref="KNearestNeighbors"/>.</summary>
/// <example><code>
/// var cv = NeighborCrossValidation.Run(data.Train, [1, 3, 5, 8, 10], folds: 5, seed: 1, DistanceMetric.L2);
/// Console.WriteLine($"best k = {cv.BestK}");
/// </code></example>
public static class NeighborCrossValidation
{
    /// <summary>Validation accuracy of every k in <paramref name="ks"/> on each of <paramref name="folds"/> folds of <paramref name="train"/>.</summary>
    /// <param name="train">The training set (the folds are cut from it).</param>
    /// <param name="ks">k values (each ≥ 1 and at most the size of a fold's training part).</param>
    /// <param name="folds">K ≥ 2.</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <param name="metric">L1 or L2.</param>
    /// <param name="distanceWeighted">Votes weigh 1/distance.</param>
    /// <param name="stratified">Keep the class proportions in every fold (default).</param>
    /// <param name="progress">Told (fold, fraction of that fold's search done) as the search goes.</param>
    /// <exception cref="ArgumentException">No k, or a k below 1 or above a fold's training part.</exception>
    public static NeighborCrossValidationResult Run(
        ImageDataset train, IReadOnlyList<int> ks, int folds, ulong seed, DistanceMetric metric,
        bool distanceWeighted = false, bool stratified = true, IProgress<(int Fold, double Fraction)>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(ks);
        if (ks.Count == 0)
            throw new ArgumentException("NeighborCrossValidation: expected at least one k, got none.", nameof(ks));
        var parts = KFold.Split(train.Count, folds, seed, stratified ? train.Labels : default);
        int kMax = ks.Max();
        int smallest = parts.Min(p => p.Train.Length);
        if (ks.Min() < 1 || kMax > smallest)
            throw new ArgumentException($"NeighborCrossValidation: expected every k in [1, {smallest}] (a fold's training part), got {string.Join(", ", ks)}.", nameof(ks));
        var accuracy = new double[parts.Count, ks.Count];
        foreach (var fold in parts)
        {
            var fit = train.Subset(fold.Train);
            var check = train.Subset(fold.Validation);
            var knn = new KNearestNeighbors(kMax, metric, distanceWeighted);
            knn.Fit(fit.Images, fit.Labels, train.NumClasses);
            var neighbors = knn.FindNeighbors(check.Images, kMax,
                progress is null ? null : new Relay(fraction => progress.Report((fold.Index, fraction))));
            for (int i = 0; i < ks.Count; i++)
            {
                var predicted = KNearestNeighbors.Vote(neighbors, ks[i], train.NumClasses, distanceWeighted);
                int correct = 0;
                for (int s = 0; s < predicted.Length; s++)
                    correct += predicted[s] == check.Labels[s] ? 1 : 0;
                accuracy[fold.Index, i] = (double)correct / predicted.Length;
            }
        }
        return new NeighborCrossValidationResult([.. ks], accuracy);
    }

    private sealed class Relay(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
