// HyperParameterSearch.cs — runs a list of trials (from SearchSpace.Random or Grid), each a short
// training run the caller defines and scores on validation data, and ranks them. A trial whose
// training diverges (TrainingDivergedException) is kept with a NaN score and ranked last, so one
// bad learning rate does not end the search.
//
// Ranking: higher validation accuracy first; ties by lower validation loss, then trial number.
using Cortex.Training;

namespace Cortex.Data.Search;

/// <summary>Runs hyper-parameter trials and ranks them.</summary>
/// <example><code>
/// var space = new SearchSpace(new LogUniform("lr", 1e-5, 1e-1), new LogUniform("weight_decay", 1e-6, 1e-2));
/// SearchResults results = HyperParameterSearch.Run(space.Random(20, seed: 1), config =>
/// {
///     var trainer = MakeTrainer(config.GetDouble("lr"), config.GetDouble("weight_decay"), epochs: 2);
///     trainer.Fit(train);
///     var score = trainer.Evaluate(validation);
///     return new TrialScore(score.Accuracy, score.Loss);
/// });
/// results.WriteCsv("search.csv");
/// results.WriteBestJson("best.json");
/// </code></example>
public static class HyperParameterSearch
{
    /// <summary>Runs <paramref name="trial"/> for each configuration in order, reporting each result as it finishes.</summary>
    public static SearchResults Run(IReadOnlyList<HyperParameters> configurations, Func<HyperParameters, TrialScore> trial,
        IProgress<TrialResult>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        ArgumentNullException.ThrowIfNull(trial);
        var results = new List<TrialResult>(configurations.Count);
        for (int i = 0; i < configurations.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            TrialResult result;
            try
            {
                result = new TrialResult(i + 1, configurations[i], trial(configurations[i]), clock.Elapsed);
            }
            catch (TrainingDivergedException e)
            {
                result = new TrialResult(i + 1, configurations[i], new TrialScore(double.NaN, double.NaN), clock.Elapsed, "diverged: " + e.Message);
            }
            results.Add(result);
            progress?.Report(result);
        }
        return new SearchResults(results);
    }
}
