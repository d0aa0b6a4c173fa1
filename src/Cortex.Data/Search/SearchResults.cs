// SearchResults.cs — hyper-parameter trials ranked best first: higher validation accuracy, then
// lower validation loss, then earlier trial; failed (NaN) trials last. Written as CSV (every
// trial) and as the best configuration's JSON, which `cortex train --config` reads.
using System.Globalization;
using System.Text;
using Cortex.Serialization;

namespace Cortex.Data.Search;

/// <summary>Trials ranked best first, with CSV and best-configuration output.</summary>
public sealed class SearchResults
{
    /// <summary>Ranks <paramref name="trials"/> (best first).</summary>
    public SearchResults(IEnumerable<TrialResult> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        Trials = [.. trials
            .OrderBy(t => double.IsNaN(t.Score.ValidationAccuracy) ? 1 : 0)
            .ThenByDescending(t => double.IsNaN(t.Score.ValidationAccuracy) ? 0 : t.Score.ValidationAccuracy)
            .ThenBy(t => double.IsNaN(t.Score.ValidationLoss) ? double.MaxValue : t.Score.ValidationLoss)
            .ThenBy(t => t.Trial)];
    }

    /// <summary>Trials, best first.</summary>
    public IReadOnlyList<TrialResult> Trials { get; }

    /// <summary>The best trial, or null when there were none (or all failed).</summary>
    public TrialResult? Best => Trials.Count > 0 && !double.IsNaN(Trials[0].Score.ValidationAccuracy) ? Trials[0] : null;

    /// <summary>The parameter names across all trials, sorted.</summary>
    public IReadOnlyList<string> ParameterNames => [.. Trials.SelectMany(t => t.Config.Names).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>CSV, best first: rank, trial, each parameter, validation accuracy and loss, train accuracy and loss, seconds, failure.</summary>
    public string ToCsv()
    {
        var names = ParameterNames;
        var csv = new StringBuilder();
        csv.Append("rank,trial,").AppendJoin(',', names).Append(names.Count > 0 ? "," : "")
           .Append("val_accuracy,val_loss,train_accuracy,train_loss,seconds,failure\n");
        for (int r = 0; r < Trials.Count; r++)
        {
            var t = Trials[r];
            csv.Append(CultureInfo.InvariantCulture, $"{r + 1},{t.Trial},");
            foreach (string name in names)
                csv.Append(t.Config.Contains(name) ? Quote(t.Config.GetString(name)) : "").Append(',');
            csv.Append(CultureInfo.InvariantCulture,
                $"{Number(t.Score.ValidationAccuracy)},{Number(t.Score.ValidationLoss)},{Number(t.Score.TrainAccuracy)},{Number(t.Score.TrainLoss)},{t.Duration.TotalSeconds:0.###},{Quote(t.Failure ?? "")}\n");
        }
        return csv.ToString();
    }

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/>.</summary>
    public void WriteCsv(string path) => AtomicWrite.AllText(path, ToCsv());

    /// <summary>Writes the best configuration as JSON for <c>cortex train --config</c>, its score under "_search".</summary>
    /// <exception cref="InvalidOperationException">No trial succeeded.</exception>
    public void WriteBestJson(string path)
    {
        var best = Best ?? throw new InvalidOperationException("SearchResults: no trial finished with a score; there is no best configuration to write.");
        best.Config.WriteJson(path, new Dictionary<string, object>
        {
            ["trial"] = best.Trial,
            ["val_accuracy"] = best.Score.ValidationAccuracy,
            ["val_loss"] = best.Score.ValidationLoss,
            ["trials"] = Trials.Count,
        });
    }

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
