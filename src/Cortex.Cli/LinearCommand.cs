// LinearCommand.cs — `cortex linear --loss svm|softmax --lr 0.1 --reg 1e-4`: the lectures' linear
// classifier f(x) = Wx + b on mean-subtracted pixels, trained by mini-batch SGD (or any optimizer)
// on the training set less a held-out validation part; reports validation and test accuracy,
// saves the model (safetensors with the mean image), and draws the learned W rows as the class
// templates (--plot-templates) and the loss/accuracy curves (--plot).
//
// --search N runs N random trials over the learning rate and regularization strength, both sampled
// in log space (--lr-range, --reg-range as `cortex search` writes ranges: log:LOW:HIGH), with
// `cortex search`'s machinery (SearchSpace, HyperParameterSearch); the trial with the best
// validation accuracy is the model kept. Wiring only: the classifier is Cortex.Classic's.
using System.CommandLine;
using System.Globalization;
using Cortex.Classic;
using Cortex.Data;
using Cortex.Data.Search;
using Cortex.Tensors;
using Cortex.Training;
using Cortex.Visualization;
using Spectre.Console;

namespace Cortex.Cli;

internal static class LinearCommand
{
    public static Command Create()
    {
        var command = new Command("linear", "Linear classifier (multiclass SVM or softmax) trained by mini-batch SGD; validation and test accuracy, model and class templates.");
        var data = new Option<string>("--data", "-d") { Description = "digits (shipped), fashion-mnist, mnist, cifar10, or a folder of IDX files / CIFAR batches.", DefaultValueFactory = _ => DataSources.Default };
        var loss = new Option<string>("--loss") { Description = "svm (multiclass hinge) or softmax (cross-entropy).", DefaultValueFactory = _ => "softmax" };
        var lr = new Option<float?>("--lr") { Description = "Learning rate (default: 0.5 for softmax, 0.1 for svm with sgd; the optimizer's own default otherwise)." };
        var reg = new Option<float>("--reg") { Description = "Regularization strength λ.", DefaultValueFactory = _ => 1e-4f };
        var regType = new Option<string>("--reg-type") { Description = "l2 (λΣW²) or l1 (λΣ|W|).", DefaultValueFactory = _ => "l2" };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Passes over the training set.", DefaultValueFactory = _ => 30 };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Samples per mini-batch.", DefaultValueFactory = _ => 200 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum[:μ], nesterov[:μ], adagrad, rmsprop, adam, adam:nobias, adamw, adadelta.", DefaultValueFactory = _ => "sgd" };
        var schedule = new Option<string>("--schedule") { Description = "constant, step:S[,G], exp:K, inv:K, cosine[:MIN], warmup:W+SCHEDULE.", DefaultValueFactory = _ => "cosine" };
        var biasTrick = new Option<bool>("--bias-trick") { Description = "Fold b into W as a column for a constant-1 feature (b is then regularized too)." };
        var noMean = new Option<bool>("--no-mean") { Description = "Do not subtract the training set's mean image." };
        var validation = new Option<double>("--validation") { Description = "Fraction of the training set held out for validation.", DefaultValueFactory = _ => 0.1 };
        var search = new Option<int>("--search") { Description = "Random trials over --lr-range × --reg-range (log space); the best on validation is kept." };
        var lrRange = new Option<string>("--lr-range") { Description = "Learning-rate range for --search.", DefaultValueFactory = _ => "log:1e-3:1" };
        var regRange = new Option<string>("--reg-range") { Description = "Regularization range for --search.", DefaultValueFactory = _ => "log:1e-6:1e-1" };
        var save = new Option<string>("--save") { Description = "Where to save the model (safetensors). Default: runs/linear-<loss>.safetensors." };
        var templates = new Option<string>("--plot-templates") { Description = "Write the learned W rows as images (the class templates) to this PNG." };
        var plot = new Option<string>("--plot") { Description = "Write the loss and accuracy curves to this PNG." };
        var train = new Option<int?>("--train-limit") { Description = "Use only the first N training images (quick runs)." };
        var test = new Option<int?>("--test-limit") { Description = "Use only the first N test images." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for W, the validation split and shuffling.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels (default: all cores)." };
        foreach (Option option in new Option[] { data, loss, lr, reg, regType, epochs, batch, optimizer, schedule, biasTrick, noMean, validation, search, lrRange, regRange, save, templates, plot, train, test, seed, threads })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            if (result.GetValue(threads) is { } t)
                Kernels.Parallelism.MaxDegree = t;
            var lossKind = result.GetValue(loss)!.Trim().ToLowerInvariant() switch
            {
                "svm" or "hinge" => LinearLoss.Svm,
                "softmax" or "cross-entropy" => LinearLoss.Softmax,
                string other => throw new FormatException($"--loss: expected svm or softmax, got '{other}'."),
            };
            var penalty = result.GetValue(regType)!.Trim().ToLowerInvariant() switch
            {
                "l2" => Regularization.L2,
                "l1" => Regularization.L1,
                string other => throw new FormatException($"--reg-type: expected l2 or l1, got '{other}'."),
            };
            double fraction = result.GetValue(validation);
            if (!(fraction > 0 && fraction < 1))
                throw new ArgumentException($"--validation: expected a fraction in (0, 1), got {fraction.ToString(CultureInfo.InvariantCulture)}.");
            ulong s = result.GetValue(seed);
            var split = KnnCommand.Limit(DataSources.Load(result.GetValue(data)), result.GetValue(train), result.GetValue(test));
            var (fit, check) = split.Train.Split(fraction, new CortexRandom(s ^ 0x5A17UL));
            var mean = result.GetValue(noMean) ? null : Preprocessing.MeanImage(fit.Images);
            var baseOptions = new LinearTrainingOptions
            {
                Epochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batch),
                Optimizer = result.GetValue(optimizer)!,
                LearningRate = result.GetValue(lr) ?? DefaultRate(lossKind, result.GetValue(optimizer)!),
                RegularizationStrength = result.GetValue(reg),
                Regularization = penalty,
                Schedule = result.GetValue(schedule)!,
                Seed = s,
            };
            string name = lossKind == LinearLoss.Svm ? "linear SVM" : "softmax";
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"[bold]{name}[/] on [bold]{Markup.Escape(split.Source)}[/]: {fit.Count:N0} training, {check.Count:N0} validation, {split.Test.Count:N0} test images; " +
                $"{(mean is null ? "raw" : "mean-subtracted")} pixels{(result.GetValue(biasTrick) ? ", bias trick" : "")}, {Kernels.Parallelism.MaxDegree} threads"));

            LinearClassifier Build() => new(fit.SampleShape, fit.NumClasses, lossKind, result.GetValue(biasTrick), new CortexRandom(s)) { Mean = mean };
            (LinearClassifier Model, History History) Train(LinearTrainingOptions options, bool live) => live
                ? ConsoleProgress.Run(console, progress => { var m = Build(); return (m, m.Fit(fit.Images, fit.Labels, options, (check.Images, check.Labels.ToArray()), [progress])); })
                : ((Func<(LinearClassifier, History)>)(() => { var m = Build(); return (m, m.Fit(fit.Images, fit.Labels, options, (check.Images, check.Labels.ToArray()))); }))();

            LinearClassifier model;
            History history;
            LinearTrainingOptions chosen = baseOptions;
            int trials = result.GetValue(search);
            if (trials > 0)
            {
                var space = new SearchSpace(ParameterRange.Parse("lr", result.GetValue(lrRange)!), ParameterRange.Parse("reg", result.GetValue(regRange)!));
                var configurations = space.Random(trials, s);
                (LinearClassifier Model, History History)? best = null;
                double bestAccuracy = double.NegativeInfinity;
                var results = HyperParameterSearch.Run(configurations, config =>
                    {
                        var options = baseOptions with { LearningRate = (float)config.GetDouble("lr"), RegularizationStrength = (float)config.GetDouble("reg") };
                        var run = Train(options, live: false);
                        var last = run.History.Epochs[^1];
                        if (last.ValidationAccuracy > bestAccuracy)
                            (best, bestAccuracy, chosen) = (run, last.ValidationAccuracy, options);
                        return new TrialScore(last.ValidationAccuracy, last.ValidationLoss, last.TrainAccuracy, last.TrainLoss);
                    },
                    new Reporter<TrialResult>(r => console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"trial {r.Trial}/{trials}: lr {r.Config.GetDouble("lr"):G3}, reg {r.Config.GetDouble("reg"):G3} → {(r.Failure is null ? $"val accuracy {r.Score.ValidationAccuracy * 100:F2}%" : r.Failure)}")))));
                var table = new Table().AddColumns("rank", "lr", "reg", "train accuracy", "val accuracy", "seconds");
                for (int r = 0; r < results.Trials.Count; r++)
                {
                    var trial = results.Trials[r];
                    table.AddRow(
                        Cell(r + 1), Cell(trial.Config.GetDouble("lr"), "G3"), Cell(trial.Config.GetDouble("reg"), "G3"),
                        new Text(trial.Failure is null ? Percent(trial.Score.TrainAccuracy) : "diverged"),
                        new Text(trial.Failure is null ? Percent(trial.Score.ValidationAccuracy) : ""),
                        Cell(trial.Duration.TotalSeconds, "F1"));
                }
                console.Write(table);
                (model, history) = best ?? throw new ArgumentException("linear: every trial diverged; lower --lr-range.");
            }
            else
            {
                (model, history) = Train(baseOptions, live: true);
            }

            var final = history.Epochs[^1];
            double testAccuracy = model.Accuracy(split.Test.Images, split.Test.Labels);
            string savePath = result.GetValue(save) ?? Path.Combine("runs", $"linear-{(lossKind == LinearLoss.Svm ? "svm" : "softmax")}.safetensors");
            if (Path.GetDirectoryName(Path.GetFullPath(savePath)) is { } folder)
                Directory.CreateDirectory(folder);
            model.Save(savePath);
            if (result.GetValue(templates) is { } picture)
            {
                string full = Path.GetFullPath(picture);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                FilterGrid.Render(model.Templates(), scale: split.Train.SampleShape[1] <= 32 ? 4 : 1, border: 4, columns: Math.Min(model.Classes, 10)).SavePng(full);
                console.MarkupLine($"[grey]class templates ({Markup.Escape(string.Join(", ", split.ClassNames))}, left to right): {Markup.Escape(picture)}[/]");
            }
            if (result.GetValue(plot) is { } curves)
            {
                TrainingPlot.Save(history, $"{name} on {split.Source}", curves);
                console.MarkupLine($"[grey]curves: {Markup.Escape(curves)}[/]");
            }
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"lr {(chosen.LearningRate is { } rate ? rate.ToString("G3", CultureInfo.InvariantCulture) : "default")}, reg {chosen.RegularizationStrength:G3} ({chosen.Regularization}), {chosen.Optimizer}, {chosen.Epochs} epochs of batch {chosen.BatchSize}; model: {savePath}")));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"validation accuracy: {final.ValidationAccuracy * 100:F2}%, test accuracy: {testAccuracy * 100:F2}% ({Math.Round(testAccuracy * split.Test.Count)}/{split.Test.Count})"));
            return 0;
        }));
        return command;
    }

    // Measured on the shipped digits and Fashion-MNIST (mean-subtracted, batch 200, 30 epochs, cosine
    // schedule, λ 1e-4): plain SGD is best near
    // 0.5 for softmax and 0.1 for the SVM; momentum's velocity multiplies the step by about 1/(1 − μ),
    // so it starts ten times lower; every other rule gets OptimizerCatalog's default (null).
    private static float? DefaultRate(LinearLoss loss, string optimizer)
    {
        string rule = optimizer.Trim().Split(':')[0].ToLowerInvariant();
        float sgd = loss == LinearLoss.Softmax ? 0.5f : 0.1f;
        return rule switch { "sgd" => sgd, "momentum" or "nesterov" => sgd / 10, _ => null };
    }

    private static Text Cell(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static Text Cell(double value, string format) => new(value.ToString(format, CultureInfo.InvariantCulture));

    private static string Percent(double value) => (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
