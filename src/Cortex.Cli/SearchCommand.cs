// SearchCommand.cs — `cortex search --trials 20`: hyper-parameter search (random by default,
// --grid for a grid) over a declared space, each trial a short `cortex train` run scored on the
// held-out validation set. Prints a table ranked best first, writes every trial as CSV and the best
// run's complete settings as JSON, which `cortex train --config best.json` repeats.
//
// The space: --space NAME=RANGE, repeatable, where NAME is a setting `--config` knows (lr,
// weight_decay, optimizer, batch_size, schedule, epochs, …) and RANGE is log:LOW:HIGH,
// uniform:LOW:HIGH or a list a,b,c. Default: lr=log:1e-5:1e-1 and weight_decay=log:1e-6:1e-2 —
// learning rate and weight decay sampled in log space (10^U(a, b)), as the lectures recommend.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Cortex.Data.Search;
using Cortex.Serialization;
using Spectre.Console;

namespace Cortex.Cli;

internal static class SearchCommand
{
    public static Command Create()
    {
        var command = new Command("search", "Hyper-parameter search (random or grid): short training runs scored on validation, best settings saved as JSON.");
        var options = new TrainOptions();
        options.AddTo(command);
        var trials = new Option<int>("--trials", "-n") { Description = "Random configurations to try.", DefaultValueFactory = _ => 10 };
        var grid = new Option<bool>("--grid") { Description = "Try every combination of the ranges' grid values instead of random ones." };
        var points = new Option<int>("--grid-points") { Description = "Grid values per continuous range (log or uniform).", DefaultValueFactory = _ => 3 };
        var space = new Option<string[]>("--space", "-s")
        {
            Description = "A searched setting, NAME=log:LOW:HIGH, NAME=uniform:LOW:HIGH or NAME=a,b,c (repeatable). Default: lr=log:1e-5:1e-1 weight_decay=log:1e-6:1e-2.",
            AllowMultipleArgumentsPerToken = true,
        };
        var csv = new Option<string>("--results") { Description = "Where to write every trial (CSV). Default: runs/search.csv." };
        var best = new Option<string>("--best") { Description = "Where to write the best settings (JSON for train --config). Default: runs/best.json." };
        foreach (Option option in new Option[] { trials, grid, points, space, csv, best })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            var settings = options.Read(result, new TrainSettings { Epochs = 2 }, message => CliConsole.Warn(console, message));
            if (result.GetValue(trials) < 1)
                throw new ArgumentException($"--trials: expected at least 1, got {result.GetValue(trials)}.");
            if (result.GetValue(points) < 1)
                throw new ArgumentException($"--grid-points: expected at least 1, got {result.GetValue(points)}.");
            if (settings.Validation.Trim() == "0")
                throw new ArgumentException("--validation: a search scores every trial on validation data; give a fraction (e.g. 0.1) or 'test'.");
            var ranges = ParseSpace(result.GetValue(space), result.GetValue(points));
            var searchSpace = new SearchSpace(ranges);
            var configurations = result.GetValue(grid) ? searchSpace.Grid() : searchSpace.Random(result.GetValue(trials), settings.Seed);
            foreach (var config in configurations.Take(1))
                _ = Apply(settings, config);          // an unknown name fails now, not after the first trial
            var data = TrainingSetup.LoadData(settings, new ConsoleLog(console));
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{Markup.Escape(settings.Model)}[/] on [bold]{Markup.Escape(data.Source)}[/]: {(result.GetValue(grid) ? "grid" : "random")} search, " +
                $"{configurations.Count} trials of {settings.Epochs} epochs over {Markup.Escape(string.Join(", ", ranges.Select(Describe)))}"));

            var results = HyperParameterSearch.Run(configurations, config =>
                {
                    var job = TrainingSetup.Create(Apply(settings, config), data);
                    var trainer = job.CreateTrainer();
                    var trainSet = TrainingSetup.TrainingView(job.Settings, job.Train);
                    try
                    {
                        var history = trainer.Fit(trainSet, job.Validation);
                        var score = trainer.Evaluate(job.Validation!);
                        return new TrialScore(score.Accuracy, score.Loss, history.Last?.TrainAccuracy ?? double.NaN, history.Last?.TrainLoss ?? double.NaN);
                    }
                    finally
                    {
                        (trainSet as IDisposable)?.Dispose();
                    }
                },
                new Reporter<TrialResult>(t =>
                {
                    string outcome = t.Failure ?? string.Create(CultureInfo.InvariantCulture, $"val accuracy {t.Score.ValidationAccuracy * 100:F2}%");
                    console.MarkupLine($"[grey]trial {t.Trial}/{configurations.Count}: {Markup.Escape(t.Config.ToString())} → {Markup.Escape(outcome)}[/]");
                }));

            console.Write(Table(results));
            string csvPath = result.GetValue(csv) ?? Path.Combine("runs", "search.csv");
            string bestPath = result.GetValue(best) ?? Path.Combine("runs", "best.json");
            foreach (string path in new[] { csvPath, bestPath })
            {
                if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
                    Directory.CreateDirectory(folder);
            }
            results.WriteCsv(csvPath);
            var winner = results.Best ?? throw new ArgumentException("search: every trial diverged; lower the learning-rate range.");
            var json = Apply(settings, winner.Config).ToJson();
            json["_search"] = new JsonObject
            {
                ["trial"] = winner.Trial,
                ["val_accuracy"] = winner.Score.ValidationAccuracy,
                ["val_loss"] = winner.Score.ValidationLoss,
                ["trials"] = results.Trials.Count,
            };
            AtomicWrite.AllText(bestPath, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            console.MarkupLine($"[grey]all trials in {Markup.Escape(csvPath)}; repeat the best with: cortex train --config {Markup.Escape(bestPath)}[/]");
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best: {winner.Config} (trial {winner.Trial}), val accuracy {winner.Score.ValidationAccuracy * 100:F2}% → {bestPath}"));
            return 0;
        }));
        return command;
    }

    /// <summary>The settings with a trial's values applied through the same keys `--config` reads.</summary>
    internal static TrainSettings Apply(TrainSettings settings, HyperParameters config)
    {
        var json = new JsonObject();
        foreach (var (name, value) in config.Values)
            json[name] = HyperParameters.Format(value);
        return settings.WithConfig(json, "--space");
    }

    internal static IReadOnlyList<ParameterRange> ParseSpace(string[]? specs, int points)
    {
        if (specs is null || specs.Length == 0)
            return [new LogUniform("lr", 1e-5, 1e-1, points), new LogUniform("weight_decay", 1e-6, 1e-2, points)];
        var ranges = new List<ParameterRange>();
        foreach (string spec in specs)
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
                throw new FormatException($"--space: expected NAME=RANGE (e.g. lr=log:1e-5:1e-1 or optimizer=adam,sgd), got '{spec}'.");
            ranges.Add(ParameterRange.Parse(spec[..eq].Trim(), spec[(eq + 1)..].Trim(), points));
        }
        return ranges;
    }

    private static string Describe(ParameterRange range) => range switch
    {
        LogUniform l => string.Create(CultureInfo.InvariantCulture, $"{l.Name} ∈ 10^[{Math.Log10(l.Low):0.##}, {Math.Log10(l.High):0.##}]"),
        Uniform u => string.Create(CultureInfo.InvariantCulture, $"{u.Name} ∈ [{u.Low:G4}, {u.High:G4}]"),
        Choice c => $"{c.Name} ∈ {{{string.Join(", ", c.Values.Select(HyperParameters.Format))}}}",
        _ => range.Name,
    };

    private static Table Table(SearchResults results)
    {
        var names = results.ParameterNames;
        var table = new Table().AddColumn("rank").AddColumn("trial");
        foreach (string name in names)
            table.AddColumn(name);
        table.AddColumns("val accuracy", "val loss", "seconds");
        for (int r = 0; r < results.Trials.Count; r++)
        {
            var t = results.Trials[r];
            var cells = new List<string> { (r + 1).ToString(CultureInfo.InvariantCulture), t.Trial.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(names.Select(n => t.Config.Contains(n) ? Short(t.Config.Values[n]) : ""));
            cells.Add(t.Failure is null ? (t.Score.ValidationAccuracy * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "diverged");
            cells.Add(double.IsNaN(t.Score.ValidationLoss) ? "" : t.Score.ValidationLoss.ToString("F4", CultureInfo.InvariantCulture));
            cells.Add(t.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
            table.AddRow(cells.Select(c => new Text(c)).ToArray());
        }
        return table;
    }

    private static string Short(object value) => value is double d ? d.ToString("G3", CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
