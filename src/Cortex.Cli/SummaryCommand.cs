// SummaryCommand.cs — `cortex summary MODEL`: Keras's model.summary() for a zoo model — per layer
// its path, kind, output shape, parameters, multiply-adds and receptive field, then the totals,
// the MACs of one forward pass and the activation memory per image. `--json` prints the same as
// JSON; `--list` lists the models. The numbers come from Cortex.Diagnostics.ModelSummary (the
// definitions are in its header); this file only renders them.
using System.CommandLine;
using System.Globalization;
using Cortex.Diagnostics;
using Cortex.Models;
using Spectre.Console;

namespace Cortex.Cli;

internal static class SummaryCommand
{
    public static Command Create()
    {
        var arguments = new ModelArguments();
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var list = new Option<bool>("--list") { Description = "List the models of the zoo." };
        var depth = new Option<int?>("--depth") { Description = "Show rows down to this depth of the layer tree only (the totals stay whole)." };
        var limits = new LimitOptions();
        var command = new Command("summary", "Show a model's layers, output shapes, parameters, multiply-adds, activation memory and receptive fields.");
        arguments.AddTo(command);
        limits.AddModelOptions(command);
        command.Options.Add(json);
        command.Options.Add(list);
        command.Options.Add(depth);
        command.SetAction(parse => CliConsole.Guard(parse, _ =>
        {
            var output = parse.InvocationConfiguration.Output;
            var console = ReferenceEquals(output, Console.Out) ? CliConsole.For(parse) : CliConsole.Plain(output, 160);
            if (parse.GetValue(list))
            {
                RenderList(console);
                return 0;
            }
            string? name = parse.GetValue(arguments.Model);
            if (name is null)
                return ModelArguments.Fail(parse, "summary", $"name a model, or --list. Available: {string.Join(", ", ModelZoo.Models.Select(m => m.Name))}.");
            ModelSummary summary;
            try
            {
                var spec = arguments.Spec(parse, name);
                // The weights' values are never shown: build with zeros (no random draws) unless --option init= asks otherwise.
                bool zeros = spec.Option("init") is null;
                var counted = zeros ? spec with { Options = new Dictionary<string, string>(spec.Options!) { ["init"] = "zeros" } } : spec;
                var model = ModelZoo.Create(counted, limits.Model(parse), out var unused);
                ModelArguments.CheckUnused(spec, unused.Where(k => !(zeros && k == "init")));
                summary = ModelSummary.Create(model, spec.Input);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
            {
                return ModelArguments.Fail(parse, "summary", e.Message);
            }
            if (parse.GetValue(json))
                output.WriteLine(summary.ToJson());
            else
                Render(console, summary, parse.GetValue(depth));
            return 0;
        }));
        return command;
    }

    internal static void RenderList(IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("model").AddColumn("input").AddColumn(new TableColumn("classes").RightAligned()).AddColumn("description");
        foreach (var m in ModelZoo.Models)
            table.AddRow(Markup.Escape(m.Name), Dims(m.DefaultInput.Dimensions.ToArray()), m.DefaultClasses.ToString(CultureInfo.InvariantCulture), Markup.Escape(m.Description));
        console.Write(table);
    }

    internal static void Render(IAnsiConsole console, ModelSummary summary, int? maxDepth = null)
    {
        console.MarkupLine($"Model: [bold]{Markup.Escape(summary.Model)}[/]   input {Dims(summary.Input.Dimensions.ToArray())}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Layer (type)").NoWrap())
            .AddColumn("Output shape")
            .AddColumn(new TableColumn("Param #").RightAligned())
            .AddColumn(new TableColumn("MACs").RightAligned())
            .AddColumn(new TableColumn("Receptive field").RightAligned());
        foreach (var row in summary.Rows)
        {
            if (maxDepth is { } d && row.Depth > d)
                continue;
            string label = $"{new string(' ', 2 * row.Depth)}{row.Path} ({row.Kind})";
            string style = row.IsContainer ? "grey" : "default";
            table.AddRow(
                new Markup($"[{style}]{Markup.Escape(label)}[/]"),
                new Markup($"[{style}]{Markup.Escape(OutputShape(row.OutputShape.Dimensions.ToArray()))}[/]"),
                new Markup($"[{style}]{Count(row.Parameters)}[/]"),
                new Markup($"[{style}]{(row.Macs == 0 ? "" : Count(row.Macs))}[/]"),
                new Markup($"[{style}]{Markup.Escape(row.ReceptiveField?.ToString() ?? "?")}[/]"));
        }
        console.Write(table);
        console.WriteLine($"Total params: {Count(summary.TotalParameters)}");
        console.WriteLine($"Trainable params: {Count(summary.TrainableParameters)}");
        console.WriteLine($"Non-trainable params: {Count(summary.NonTrainableParameters)}");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Multiply-adds (conv + dense, one image): {Count(summary.Macs)} ({summary.Macs / 1e9:F2} G)"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Activations (forward, one image): {Count(summary.ActivationValues)} values = {summary.ActivationBytes / 1e6:F1} MB (about twice that with backward)"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Parameter memory: {summary.TotalParameters * 4 / 1e6:F1} MB"));
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Dims(int[] dims) => string.Join("×", dims);

    // Keras writes (None, 148, 148, 32); we keep NCHW and write the batch as N: (N, 32, 148, 148).
    private static string OutputShape(int[] dims) => $"(N, {string.Join(", ", dims.Skip(1))})";
}
