// VisualizeCommand.cs — `cortex visualize filters MODEL`: the first convolution's filters as a
// picture. MODEL is a saved model file, or a zoo name for freshly initialized weights, so the
// lectures' before/after comparison is two commands.
using System.CommandLine;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Visualization;
using Spectre.Console;

namespace Cortex.Cli;

internal static class VisualizeCommand
{
    public static Command Create()
    {
        var command = new Command("visualize", "Draw what a model has learned.");
        var filters = new Command("filters", "Draw the first convolution's filters as a grid (a saved model, or a zoo name for untrained weights).");
        var model = new Argument<string>("model") { Description = "A .safetensors file from `cortex train`, or a zoo model name (untrained)." };
        var output = new Option<string>("--out", "-o") { Description = "The PNG to write.", DefaultValueFactory = _ => "filters.png" };
        var scale = new Option<int>("--scale") { Description = "Pixels per filter weight.", DefaultValueFactory = _ => 16 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the untrained weights (zoo name only)." };
        filters.Arguments.Add(model);
        filters.Options.Add(output);
        filters.Options.Add(scale);
        filters.Options.Add(seed);
        var limits = new LimitOptions();
        limits.AddModelOptions(filters);
        filters.SetAction(result => CliConsole.Guard(result, console =>
        {
            string name = result.GetValue(model)!;
            if (result.GetValue(scale) < 1)
                throw new ArgumentException($"--scale: expected at least 1 pixel per weight, got {result.GetValue(scale)}.");
            Layer network = File.Exists(name)
                ? ModelZoo.Load(name, limits.Model(result)).Model
                : ModelZoo.Create(ModelZoo.Spec(name, options: new Dictionary<string, string> { ["seed"] = result.GetValue(seed).ToString(System.Globalization.CultureInfo.InvariantCulture) }), limits.Model(result));
            var conv = network.Descendants().OfType<Conv2d>().FirstOrDefault()
                ?? throw new ArgumentException($"visualize filters: '{name}' has no Conv2d layer.");
            var picture = FilterGrid.Render(conv.Weight.Value, result.GetValue(scale));
            string path = result.GetValue(output)!;
            picture.SavePng(path);
            console.MarkupLine($"{conv.Weight.Value.Shape[0]} filters of {Markup.Escape(conv.Describe())} {Markup.Escape(conv.Weight.Value.Shape.ToString())} drawn in {Markup.Escape(path)} ({picture.Width}×{picture.Height})");
            return 0;
        }));
        command.Subcommands.Add(filters);
        return command;
    }
}
