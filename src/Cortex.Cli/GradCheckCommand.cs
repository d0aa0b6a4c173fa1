// GradCheckCommand.cs — `cortex gradcheck [MODEL]`: checks every leaf layer's Backward against
// central differences (Cortex.Diagnostics.LayerGradientCheck), each at the input it receives in a
// forward pass of the model on a small random batch, and optionally the whole model at once.
// Prints one row per layer with its worst relative error, and as the last line
//     worst relative error: X (tolerance Y)
// Exit code 0 when every error is within the tolerance, 1 otherwise (or on a bad argument).
//
// Without a model it checks a small network that has one of each kind of block (convolution, batch
// norm, pooling, a residual BasicBlock, an inception-style Concat, dropout, dense). Big models run at
// their small input (ModelInfo.SmallInput, e.g. 3×64×64 for ResNet-50) unless --input says otherwise,
// and each tensor is sampled (--samples elements) to keep the check to seconds.
using System.CommandLine;
using System.Globalization;
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Tensors;
using Spectre.Console;

namespace Cortex.Cli;

internal static class GradCheckCommand
{
    public static Command Create()
    {
        var arguments = new ModelArguments();
        var batch = new Option<int>("--batch") { Description = "Images in the random batch.", DefaultValueFactory = _ => 2 };
        var tolerance = new Option<double>("--tolerance") { Description = "The largest relative error that passes.", DefaultValueFactory = _ => 1e-2 };
        var samples = new Option<int>("--samples") { Description = "Elements checked per tensor (sampled at random; 0 = all).", DefaultValueFactory = _ => 4 };
        var jitter = new Option<double>("--jitter") { Description = "Noise added to each layer's captured input, × its rms, to break ReLU/max-pool ties (0 = none).", DefaultValueFactory = _ => 0.1 };
        var whole = new Option<bool>("--whole")
        {
            Description = "Also check the whole model at once (input and every parameter). Across many ReLUs and max pools some perturbation " +
                "usually straddles a kink, so expect errors above 1e-2 there even when every layer passes; the per-layer rows are the reliable test.",
        };
        var seed = new Option<int>("--seed") { Description = "Seeds the batch, the upstream gradients and the sampling.", DefaultValueFactory = _ => 1 };
        var command = new Command("gradcheck", "Check every layer's backward pass of a model (or of a small test network) against numerical gradients.");
        arguments.AddTo(command);
        foreach (var option in (Option[])[batch, tolerance, samples, jitter, whole, seed])
            command.Options.Add(option);
        command.SetAction(parse => CliConsole.Guard(parse, _ =>
        {
            var output = parse.InvocationConfiguration.Output;
            var console = ReferenceEquals(output, Console.Out) ? CliConsole.For(parse) : CliConsole.Plain(output, 160);
            Layer model;
            Shape input;
            try
            {
                if (parse.GetValue(arguments.Model) is { } name)
                {
                    var spec = arguments.Spec(parse, name, info => info.QuickInput);
                    model = ModelZoo.Create(spec, ModelLimits.Default, out var unused);
                    ModelArguments.CheckUnused(spec, unused);
                    input = spec.Input;
                }
                else
                {
                    input = parse.GetValue(arguments.Input) is { } text ? ModelArguments.ParseInput(text, new Shape(3, 12, 12)) : new Shape(3, 12, 12);
                    model = TestNetwork(input, parse.GetValue(arguments.Classes) ?? 5);
                }
                if (parse.GetValue(batch) < 1 || parse.GetValue(samples) < 0 || !(parse.GetValue(tolerance) > 0))
                    throw new ArgumentException("--batch must be ≥ 1, --samples ≥ 0 and --tolerance > 0.");
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
            {
                return ModelArguments.Fail(parse, "gradcheck", e.Message);
            }
            var options = new GradientCheckOptions
            {
                Seed = (ulong)parse.GetValue(seed),
                MaxElementsPerTensor = parse.GetValue(samples) == 0 ? null : parse.GetValue(samples),
            };
            var x = Tensor.RandomNormal(new Shape([parse.GetValue(batch), .. input.Dimensions]), new CortexRandom((ulong)parse.GetValue(seed)));
            var checks = LayerGradientCheck.Run(model, x, options, parse.GetValue(jitter));
            GradientCheckReport? wholeReport = parse.GetValue(whole) ? GradientCheck.Check(model, x, options) : null;
            return Render(console, model, x.Shape, checks, wholeReport, parse.GetValue(tolerance));
        }));
        return command;
    }

    /// <summary>Prints the table and the closing line; returns the exit code.</summary>
    internal static int Render(IAnsiConsole console, Layer model, Shape input, IReadOnlyList<LayerCheck> checks, GradientCheckReport? whole, double tolerance)
    {
        console.MarkupLine($"Gradient check of [bold]{Markup.Escape(model.Name)}[/] on a random batch {Markup.Escape(input.ToString())}: each layer at the input it receives");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Layer (type)").NoWrap()).AddColumn("Input").AddColumn("Worst tensor")
            .AddColumn(new TableColumn("Worst relative error").RightAligned()).AddColumn("");
        double worst = 0;
        bool failed = false;
        void Row(string label, string shape, GradientCheckReport report)
        {
            var entry = report.Entries.Count == 0 ? null : report.Entries.MaxBy(e => double.IsNaN(e.WorstError) ? double.PositiveInfinity : e.WorstError);
            double error = report.WorstError;
            bool ok = report.Passed(tolerance);
            failed |= !ok;
            worst = double.IsNaN(worst) || double.IsNaN(error) ? double.NaN : Math.Max(worst, error);
            table.AddRow(Markup.Escape(label), Markup.Escape(shape), Markup.Escape(entry?.Name ?? "-"),
                Format(error), ok ? "[green]ok[/]" : "[red]FAIL[/]");
        }
        foreach (var check in checks)
            Row(check.Layer.Describe(), check.Input.ToString(), check.Report);
        if (whole is not null)
            Row($"{model.Name} (whole model)", input.ToString(), whole);
        console.Write(table);
        console.WriteLine($"{checks.Count} layers checked{(whole is null ? "" : ", and the whole model")}; {(failed ? "some exceed" : "all within")} the tolerance.");
        console.Profile.Width = Math.Max(console.Profile.Width, 200);   // the last line is parsed: keep it on one line
        console.WriteLine($"worst relative error: {Format(worst)} (tolerance {Format(tolerance)})");
        return failed ? 1 : 0;
    }

    /// <summary>The default network: a little of everything the zoo is built from.</summary>
    internal static Sequential TestNetwork(Shape input, int classes)
    {
        var random = new CortexRandom(7);
        var concat = new Concat("mixed")
            .Add("branch1", new Conv2d(8, 4, 1, random: random))
            .Add("branch2", new Sequential(new Conv2d(8, 4, 1, random: random), new ReLU(), new Conv2d(4, 4, 3, padding: 1, random: random)))
            .Add("branch3", new Sequential(new MaxPool2d(3, stride: 1, padding: 1), new Conv2d(8, 4, 1, random: random)));
        return new Sequential("testnet")
            .Add("conv1", new Conv2d(input[0], 8, 3, padding: 1, random: random))
            .Add("bn1", new BatchNorm2d(8))
            .Add("relu", new ReLU())
            .Add("maxpool", new MaxPool2d(2))
            .Add("layer1", new BasicBlock(8, 8, random: random))
            .Add("mixed", concat)
            .Add("lrn", new LocalResponseNorm())
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("dropout", new Dropout(0.25, 3))
            .Add("fc", new Dense(12, classes, random: random))
            .Add("tanh", new Tanh());
    }

    private static string Format(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
