// KnnCommand.cs — `cortex knn --k 1,3,5,8,10 --folds 5 --metric l2`: the lectures' k-nearest
// neighbours. Cross-validates every k on the training set (one search per fold, every k voted
// from it), prints the table of fold accuracies with mean ± std, takes the best k, and reports
// its accuracy on the test set against the whole training set. --plot draws the lectures'
// accuracy-against-k picture. Wiring only: the search is Cortex.Classic's, the folds Cortex.Data's.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cortex.Classic;
using Cortex.Data;
using Cortex.Data.Validation;
using Spectre.Console;

namespace Cortex.Cli;

internal static class KnnCommand
{
    public static Command Create()
    {
        var command = new Command("knn", "k-nearest neighbours: choose k by K-fold cross-validation on the training set, then report test accuracy.");
        var data = new Option<string>("--data", "-d") { Description = "digits (shipped), fashion-mnist, mnist, cifar10, or a folder of IDX files / CIFAR batches.", DefaultValueFactory = _ => DataSources.Default };
        var ks = new Option<string>("--k") { Description = "The k values to cross-validate, comma-separated.", DefaultValueFactory = _ => "1,3,5,8,10,12,15,20,50,100" };
        var folds = new Option<int>("--folds") { Description = "Number of folds (0: no cross-validation, use the first k).", DefaultValueFactory = _ => 5 };
        var metric = new Option<string>("--metric") { Description = "l2 (Euclidean) or l1 (Manhattan).", DefaultValueFactory = _ => "l2" };
        var weighted = new Option<bool>("--weighted") { Description = "Weigh each neighbour's vote by 1/distance." };
        var train = new Option<int?>("--train-limit") { Description = "Use only the first N training images (quick runs)." };
        var test = new Option<int?>("--test-limit") { Description = "Use only the first N test images." };
        var plot = new Option<string>("--plot") { Description = "Write the accuracy-against-k plot (one dot per fold, mean with error bars) as PNG." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the fold assignment.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels (default: all cores)." };
        foreach (Option option in new Option[] { data, ks, folds, metric, weighted, train, test, plot, seed, threads })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            if (result.GetValue(threads) is { } t)
                Kernels.Parallelism.MaxDegree = t;
            var kValues = ParseKs(result.GetValue(ks)!);
            var distance = ParseMetric(result.GetValue(metric)!);
            bool vote = result.GetValue(weighted);
            int k = result.GetValue(folds);
            var split = Limit(DataSources.Load(result.GetValue(data)), result.GetValue(train), result.GetValue(test));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]k-NN[/] ({distance}{(vote ? ", distance-weighted" : "")}) on [bold]{Markup.Escape(split.Source)}[/]: {split.Train.Count:N0} training, {split.Test.Count:N0} test images, {Kernels.Parallelism.MaxDegree} threads"));

            int bestK = kValues[0];
            if (k > 0)
            {
                var clock = Stopwatch.StartNew();
                var cv = Progress.Run(console, $"{k}-fold cross-validation", report =>
                    NeighborCrossValidation.Run(split.Train, kValues, k, result.GetValue(seed), distance, vote,
                        progress: new Reporter<(int Fold, double Fraction)>(p => report((p.Fold + p.Fraction) / k))));
                console.Write(Table(cv));
                bestK = cv.BestK;
                int best = kValues.IndexOf(bestK);
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"best k = {bestK}: cv accuracy {cv.Mean(best) * 100:F2}% ± {cv.Std(best) * 100:F2}% ({k} folds, {clock.Elapsed.TotalSeconds:F1} s)"));
                if (result.GetValue(plot) is { } path)
                {
                    KnnPlot.Save(cv, $"k-NN ({distance}) on {result.GetValue(data)}: {k}-fold cross-validation of {split.Train.Count:N0} training images", path);
                    console.MarkupLine($"[grey]plot: {Markup.Escape(path)}[/]");
                }
            }

            var knn = new KNearestNeighbors(bestK, distance, vote);
            knn.Fit(split.Train.Images, split.Train.Labels, split.Train.NumClasses);
            var timer = Stopwatch.StartNew();
            int[] predicted = Progress.Run(console, "test set", report => knn.Predict(split.Test.Images, new Reporter<double>(report)));
            double seconds = timer.Elapsed.TotalSeconds;
            int correct = 0;
            for (int i = 0; i < predicted.Length; i++)
                correct += predicted[i] == split.Test.Labels[i] ? 1 : 0;
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy: {100.0 * correct / predicted.Length:F2}% ({correct}/{predicted.Length}), k = {bestK}, {distance}, {seconds:F2} s for {predicted.Length:N0} × {split.Train.Count:N0} distances"));
            return 0;
        }));
        return command;
    }

    internal static List<int> ParseKs(string text)
    {
        var values = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) || k < 1)
                throw new FormatException($"--k: expected whole numbers ≥ 1 separated by commas (e.g. 1,3,5), got '{part}' in '{text}'.");
            if (!values.Contains(k))
                values.Add(k);
        }
        return values.Count > 0 ? values : throw new FormatException("--k: expected at least one k, got none.");
    }

    internal static DistanceMetric ParseMetric(string text) => text.Trim().ToLowerInvariant() switch
    {
        "l2" or "euclidean" => DistanceMetric.L2,
        "l1" or "manhattan" => DistanceMetric.L1,
        _ => throw new FormatException($"--metric: expected l2 or l1, got '{text}'."),
    };

    /// <summary>The split cut to the first <paramref name="train"/> and <paramref name="test"/> images when given.</summary>
    internal static DatasetSplit Limit(DatasetSplit split, int? train, int? test)
    {
        if (train is null && test is null)
            return split;
        var a = train is { } n ? split.Train.Take(Math.Min(n, split.Train.Count)) : split.Train;
        var b = test is { } m ? split.Test.Take(Math.Min(m, split.Test.Count)) : split.Test;
        return new DatasetSplit(a, b, split.Source);
    }

    private static Table Table(NeighborCrossValidationResult cv)
    {
        var table = new Table().AddColumn("k");
        for (int f = 0; f < cv.Folds; f++)
            table.AddColumn($"fold {f + 1}");
        table.AddColumns("mean", "± std");
        for (int i = 0; i < cv.Ks.Count; i++)
        {
            var cells = new List<string> { cv.Ks[i].ToString(CultureInfo.InvariantCulture) };
            for (int f = 0; f < cv.Folds; f++)
                cells.Add((cv.Accuracy[f, i] * 100).ToString("F2", CultureInfo.InvariantCulture));
            cells.Add((cv.Mean(i) * 100).ToString("F2", CultureInfo.InvariantCulture));
            cells.Add((cv.Std(i) * 100).ToString("F2", CultureInfo.InvariantCulture));
            table.AddRow([.. cells.Select(c => new Text(c))]);
        }
        return table;
    }
}

/// <summary>A live progress bar for one long step on a terminal; nothing when output is redirected.</summary>
internal static class Progress
{
    public static T Run<T>(IAnsiConsole console, string description, Func<Action<double>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
            return work(_ => { });
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 30 }, new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: 1);
                result = work(fraction => task.Value = Math.Min(1, fraction));
                task.Value = 1;
            });
        return result;
    }
}
