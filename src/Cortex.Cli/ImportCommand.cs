// ImportCommand.cs — `cortex import model.onnx --out model.safetensors`: an ONNX CNN graph built as
// Cortex layers, its weights saved under the imported layers' keys.
//
// A Cortex model file describes its architecture as a zoo builder's spec (ModelSpec); an imported
// graph's spec is the zoo entry "onnx" with the .onnx file's full path (OnnxZoo), so the file is an
// ordinary model file (`cortex finetune`, `eval`, `summary` read it) whose architecture is rebuilt
// from that .onnx file, which must stay where it is. Its weights keep the imported layers' keys, so
// OnnxImporter.Load(model.onnx) then ModelFile.LoadWeights(model, file) also reads it.
using System.CommandLine;
using Cortex.Onnx;
using Cortex.Models;
using Spectre.Console;

namespace Cortex.Cli;

internal static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Import an ONNX CNN as Cortex layers and save its weights (.safetensors).");
        var file = new Argument<string>("onnx-file") { Description = "The ONNX model (opsets 7 to 25)." };
        var output = new Option<string>("--out", "-o") { Description = "The safetensors file to write.", Required = true };
        command.Arguments.Add(file);
        command.Options.Add(output);
        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            string path = result.GetValue(file)!, target = result.GetValue(output)!;
            var imported = OnnxImporter.Load(path);
            var spec = OnnxZoo.OnnxSpec(path, imported);
            ModelZoo.Save(imported.Model, spec, target);
            var layers = imported.Model.Descendants().Where(l => !l.Children.Any()).GroupBy(l => l.Kind).Select(g => $"{g.Count()} {g.Key}");
            long parameters = imported.Model.AllParameters().Sum(p => (long)p.Value.Size);
            console.MarkupLine($"imported [bold]{Markup.Escape(path)}[/] ({Markup.Escape(imported.Producer)}, opset {imported.Opset}): input (N, {string.Join(", ", imported.Input.Dimensions.ToArray())}), {parameters:N0} parameters");
            console.WriteLine($"layers: {string.Join(", ", layers)}");
            console.MarkupLine($"wrote [bold]{Markup.Escape(target)}[/]: the weights, and the architecture as a reference to {Markup.Escape(spec.Option("file")!)} " +
                "(keep the .onnx file there: the layers are rebuilt from it). Use it as a `cortex finetune` base or with `cortex eval`.");
            return 0;
        }));
        return command;
    }
}
